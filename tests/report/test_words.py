"""Labels from the instrument in the report's language."""

from __future__ import annotations

import toolkit
from toolkit.report._words import Words


def words(lang: str, source_lang: str = "en") -> Words:
    return Words(lang=lang, instrument=toolkit.load_instrument("dis-full"), conf_level=0.95, min_cell=5,
                 cv_threshold=0.3, source_lang=source_lang)


def test_outcome_and_scale_labels_come_from_the_instrument():
    assert words("da").outcome("exempt") == "Fritaget for Digital Post"
    assert words("en").scale("practical_kn") == "Practical-technical knowledge"
    assert words("en").outcome("not_an_outcome") == "not_an_outcome"


def test_group_labels_are_relabelled_only_when_the_results_speak_another_language():
    assert words("da").group("gender", "1", "Woman") == "Kvinde"
    assert words("en").group("gender", "1", "Woman") == "Woman"
    assert words("da", source_lang="da").group("gender", "1", "anything") == "anything"
    assert words("da").group("age_band", "18-29", "18-29") == "18-29"  # derived: not an item


def test_code_labels_read_float_codes():
    assert words("en").code_label("gender", "2.0") == "Man"
    assert words("en").code_label("gender", "x") is None


def test_ui_text_and_suppression_in_both_languages():
    assert words("en").suppressed == "suppressed (n\xa0<\xa05)"
    assert words("da").suppressed == "skjult (n\xa0<\xa05)"
    assert words("da").name("share") == "Andel (95 %-KI)"
    assert words("en").cv() == "30%"
