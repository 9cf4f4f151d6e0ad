"""Form languages: every phrase in English and Danish, the language check names the instrument's languages."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml
from pyxform.xls2xform import convert

from toolkit import forms
from toolkit.errors import OptionError, ToolkitWarning
from toolkit.forms import languages
from toolkit.instrument import Instrument, load_instrument, parse_instrument


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


# --------------------------------------------------------------------------- instruments in other languages
ESS = Path(__file__).resolve().parents[1] / "instrument" / "ess_like.yaml"


def _in_languages(langs: list[str]) -> Instrument:
    """The ESS-like instrument with every English text replaced by one text per language in ``langs``."""
    def texts(node):
        if isinstance(node, dict):
            if "en" in node and set(node) <= {"en", "code", "kind"}:
                rest = {k: v for k, v in node.items() if k != "en"}
                return {**rest, **{lang: f"{node['en']} [{lang}]" for lang in langs}}
            return {k: texts(v) for k, v in node.items()}
        return [texts(v) for v in node] if isinstance(node, list) else node

    doc = texts(yaml.safe_load(ESS.read_text(encoding="utf-8")))
    doc["languages"] = langs
    return parse_instrument(yaml.safe_dump(doc, allow_unicode=True), file=f"ess-{'-'.join(langs)}.yaml")


def test_a_one_language_instrument_builds_every_form(tmp_path):
    inst = load_instrument(ESS)
    paths = forms.build(inst, formats="all", out=tmp_path)
    assert sorted(p.name for p in paths) == ["ess-trust.codebook.csv", "ess-trust.codebook.en.md", "ess-trust.en.html",
                                             "ess-trust.xlsx"]
    md = (tmp_path / "ess-trust.codebook.en.md").read_text(encoding="utf-8")
    assert "Missing codes: 77 = Refusal; 88 = Don't know; 99 = No answer." in md
    assert "| gndr | Gender | single | 1=Male; 2=Female; Missing codes: 9=No answer |" in md
    assert "## Outcomes" not in md  # the instrument declares none
    page = forms.paper_html(inst)  # default: English
    assert "Trust in parliament" in page and "Refusal" in page and "Tick one box." in page


@pytest.mark.parametrize("langs", [["nb"], ["de", "fr"]])
def test_other_languages_print_their_texts_and_english_instructions(tmp_path, langs):
    inst = _in_languages(langs)
    with pytest.warns(ToolkitWarning, match=r"in English for .*" + langs[-1]):
        page = forms.paper_html(inst, lang=langs[-1])
    assert f"Trust in parliament [{langs[-1]}]" in page and "Tick one box." in page
    with pytest.warns(ToolkitWarning, match="the toolkit has them only in en, da"):
        sheets = forms.xlsform_sheets(inst)  # default language: the first, as the instrument has no English
        md = forms.codebook_markdown(inst)
    assert sheets["settings"]["default_language"].item() == languages.lang_column(langs[0])
    assert f"label::{languages.lang_column(langs[0])}" in sheets["survey"].columns
    assert not any(c.endswith("(en)") for c in sheets["survey"].columns)
    assert sheets["settings"]["form_title"].item().endswith(f"[{langs[0]}]")
    assert md.startswith(f"# Codebook: Trust in institutions (ESS round 10 items) [{langs[0]}]")
    cb = inst.codebook().set_index("variable")
    assert cb.loc["gndr", "codes"] == f"1=Male [{langs[0]}]; 2=Female [{langs[0]}]"


def test_an_xlsform_in_norwegian_converts_with_pyxform(tmp_path):
    with pytest.warns(ToolkitWarning):
        path = forms.write_xlsform(_in_languages(["nb"]), tmp_path / "ess.xlsx")
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = convert(xlsform=str(path), warnings=found)
    assert found == []
    assert 'nodeset="/data/trust/trstprl"' in result.xform and "Norsk bokmål (nb)" in result.xform


def test_english_and_danish_need_no_note():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert languages.check_languages("dis-full", None) == ["en", "da"]


def test_build_notes_english_instructions_once(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forms.build(_in_languages(["de", "fr"]), formats="all", out=tmp_path)
    notes = [str(w.message) for w in caught if issubclass(w.category, ToolkitWarning)]
    assert len(notes) == 1 and "in English for de, fr" in notes[0]
