"""Form languages: every phrase in English and Danish, the language check names the instrument's languages."""

from __future__ import annotations

import pytest

from toolkit.errors import OptionError
from toolkit.forms import languages


def test_every_phrase_exists_in_both_languages():
    en, da = languages.phrases("en"), languages.phrases("da")
    assert en.keys() == da.keys() and all(en.values()) and all(da.values())
    assert en["tick_one"] == "Tick one box." and da["tick_one"] == "Sæt ét kryds."
    assert languages.phrases("fr") == en  # a language without its own phrases prints English


def test_check_languages_defaults_to_all_and_keeps_the_order_given():
    assert languages.check_languages("dis-full", None) == ["en", "da"]
    assert languages.check_languages("dis-full", ["da", "en", "da"]) == ["da", "en"]
    with pytest.raises(OptionError, match="language of instrument 'dis-full' must be one of 'en', 'da'; got 'de'"):
        languages.check_languages("dis-full", ["en", "de"])


def test_xlsform_language_columns():
    assert languages.lang_column("en") == "English (en)" and languages.lang_column("da") == "Dansk (da)"
