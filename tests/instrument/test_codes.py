"""The general schema: any languages, missing codes per instrument and per response set, optional items and
outcomes, level cut-offs in the scale's own range, every problem at once without ``nan``."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from toolkit.errors import InstrumentError
from toolkit.instrument import load_instrument, parse_instrument
from toolkit.instrument.vocabulary import DEFAULT_MISSING_CODES, MISSING_KIND_NAMES


def _parse(doc, file="ess.yaml"):
    return parse_instrument(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), file=file)


def _problems(doc) -> pd.DataFrame:
    with pytest.raises(InstrumentError) as info:
        _parse(doc)
    assert "nan" not in str(info.value)
    return info.value.problems


def _has(problems, item, fld, message) -> bool:
    hit = problems[(problems["item"].fillna("-") == (item or "-")) & (problems["field"].fillna("-") == (fld or "-"))]
    return bool(hit["message"].str.contains(message, regex=False).any())


def test_ess_like_instrument_loads(ess_doc):
    inst = _parse(ess_doc)
    assert inst.languages == ("en",) and inst.outcomes == {}
    assert inst.missing_codes == {77: "refused", 88: "dont_know", 99: "no_answer"}
    assert inst.missing_codes_of("trstprl") == {77: "refused", 88: "dont_know", 99: "no_answer"}
    assert inst.missing_codes_of("gndr") == {9: "no_answer"}  # the response set's own codes win
    assert inst.missing_codes_of(inst.item("agea")) == {}
    assert inst.missing_by_column["gndr"] == {9} and "agea" not in inst.missing_by_column
    assert inst.scales["trust"].levels == {"low": 0.0, "basic": 4.0, "above_basic": 7.0}
    assert inst.item("trstplc").optional and not inst.item("trstprl").optional
    cb = inst.codebook().set_index("variable")
    assert cb.loc["gndr", "missing_codes"] == "9=No answer" and cb.loc["trstprl", "codes"].startswith("0=No trust")
    assert bool(cb.loc["trstplc", "optional"]) and "label_da" not in cb.columns


def test_rules_treat_each_sets_own_missing_codes_as_missing(ess_doc):
    inst = _parse(ess_doc)
    df = pd.DataFrame({"gndr": [1, 9, 2], "trstprl": [9, 77, 10]})
    assert inst.evaluate("gndr == 1 or trstprl >= 9", df).tolist() == [True, False, True]


@pytest.mark.parametrize("langs", [["nb"], ["de", "fr"], ["pt-BR"]])
def test_any_languages(ess_doc, langs):
    def texts(node):
        if isinstance(node, dict):
            if "en" in node and set(node) <= {"en", "code", "kind"}:  # a text, or a code with its label
                rest = {k: v for k, v in node.items() if k != "en"}
                return {**rest, **{lang: f"{node['en']} ({lang})" for lang in langs}}
            return {k: texts(v) for k, v in node.items()}
        if isinstance(node, list):
            return [texts(v) for v in node]
        return node

    doc = texts(ess_doc)
    doc["languages"] = langs
    inst = _parse(doc)
    assert inst.languages == tuple(langs)
    assert inst.item("trstprl").text[langs[-1]] == f"Trust in parliament ({langs[-1]})"


def test_a_missing_translation_is_an_error_only_for_a_declared_language(ess_doc):
    ess_doc["languages"] = ["en", "nb"]
    problems = _problems(ess_doc)
    assert _has(problems, "trstprl", "text.nb", "missing translation 'nb'")
    assert _has(problems, None, "title.nb", "missing translation 'nb'")
    assert not problems["field"].fillna("").str.endswith(".da").any()


@pytest.mark.parametrize("value, fld, message", [
    ([], "languages", "must be a non-empty list of language codes"),
    ("en", "languages", "must be a non-empty list of language codes such as [en]"),
    (["en", "English"], "languages[1]", "must be a language code such as en, da, nb or pt-BR, got 'English'"),
    (["en", "en"], "languages[1]", "language 'en' is listed twice"),
])
def test_bad_languages(ess_doc, value, fld, message):
    ess_doc["languages"] = value
    assert _has(_problems(ess_doc), None, fld, message)


def test_default_missing_codes_when_none_are_declared(ess_doc):
    del ess_doc["missing_codes"]
    inst = _parse(ess_doc)
    assert inst.missing_codes == {v: k for k, v in DEFAULT_MISSING_CODES.items()}
    assert inst.response_sets["trust_0_10"].label(88) == "Don't know"
    assert inst.missing_codes_of("gndr") == {9: "no_answer"}


def test_no_missing_codes_at_all(ess_doc):
    ess_doc["missing_codes"] = []
    ess_doc["response_sets"]["gender"]["missing_codes"] = []
    inst = _parse(ess_doc)
    assert inst.missing_codes == {} and inst.missing_codes_of("gndr") == {} and inst.missing_by_column["gndr"] == set()


@pytest.mark.parametrize("kind", MISSING_KIND_NAMES)
def test_every_kind_of_the_vocabulary_is_allowed(ess_doc, kind):
    ess_doc["missing_codes"] = [{"code": -1, "kind": kind, "en": "x"}]
    assert _parse(ess_doc).missing_codes == {-1: kind}


def test_bad_missing_codes_are_all_reported(ess_doc):
    ess_doc["missing_codes"] = [{"code": 77, "kind": "skipped", "en": "Skipped"}, {"code": 78, "en": "No kind"},
                                {"code": "99", "kind": "no_answer", "en": "No answer"}]
    ess_doc["response_sets"]["gender"]["missing_codes"] = [{"code": 2, "kind": "no_answer", "en": "No answer"}]
    ess_doc["response_sets"]["gender"]["labels"] = {}
    problems = _problems(ess_doc)
    assert _has(problems, "missing_codes", "codes[0].kind", "kind must be one of dont_know, refused, "
                "dont_understand, not_applicable, no_answer; got 'skipped'")
    assert _has(problems, "missing_codes", "codes[1].kind", "code 78: kind must be one of")
    assert _has(problems, "missing_codes", "codes[2].code", "must be an integer, got '99'")
    assert _has(problems, "response_sets.gender", "codes[code 2]", "code 2 is a missing code (no_answer)")
    assert _has(problems, "response_sets.gender", "labels", "unknown field")


def test_substantive_codes_may_use_codes_another_set_reserves(ess_doc):
    # 9 is missing for gender only: the 0-10 trust scale keeps 9 as an answer
    inst = _parse(ess_doc)
    assert 9 in inst.response_sets["trust_0_10"].valid_codes


def test_outcomes_are_optional_with_any_names(ess_doc):
    ess_doc["outcomes"] = {"distrust": {"label": {"en": "Distrusts parliament"}, "rule": "trstprl <= 2"},
                           "low_trust": {"label": {"en": "Low trust"}, "rule": "trust_level == 'low'"}}
    inst = _parse(ess_doc)
    assert list(inst.outcomes) == ["distrust", "low_trust"]


@pytest.mark.parametrize("levels, fld, message", [
    ({"basic": 11}, "levels.basic", "must be a number above 0 and at most 10 (the scale runs from 0 to 10), got 11"),
    ({"basic": 0}, "levels.basic", "must be a number above 0 and at most 10"),
    ({"basic": 6, "above_basic": 5}, "levels.above_basic", "must be a number above 6 and at most 10"),
    ({"basic": "4"}, "levels.basic", "got '4'"),
    ({"above_basic": 5}, "levels", "must give the lower bounds {basic: <score>, above_basic: <score>}"),
    ({"basic": 4, "high": 8}, "levels.high", "unknown level"),
])
def test_levels_lie_in_the_scales_own_range(ess_doc, levels, fld, message):
    ess_doc["scales"]["trust"]["levels"] = levels
    assert _has(_problems(ess_doc), "scales.trust", fld, message)


def test_levels_of_a_0_to_10_scale_may_use_its_whole_range(ess_doc):
    ess_doc["scales"]["trust"]["levels"] = {"basic": 0.5, "above_basic": 10}
    assert _parse(ess_doc).scales["trust"].levels == {"low": 0.0, "basic": 0.5, "above_basic": 10.0}


def test_a_self_report_scale_needs_one_response_range(ess_doc):
    ess_doc["response_sets"]["agree5"] = [{"code": k, "en": str(k)} for k in range(1, 6)]
    ess_doc["sections"][0]["items"][1]["response_set"] = "agree5"
    problems = _problems(ess_doc)
    assert _has(problems, "scales.trust", "items", "must share one response range: trstprl runs 0-10; trstlgl runs 1-5")


def test_bundled_levels_keep_their_ranges():
    full = load_instrument("dis-full")
    assert full.scales["practical_sr"].levels["low"] == 1.0 and full.scales["practical_kn"].levels["low"] == 0.0


def test_optional_must_be_true_or_false(ess_doc):
    ess_doc["sections"][0]["items"][2]["optional"] = "yes"
    assert _has(_problems(ess_doc), "trstplc", "optional", "must be true or false, got 'yes'")


def test_no_problem_line_prints_nan(ess_doc):
    # problems of the instrument as a whole (no item, no field) used to print "nan:" under pandas 3
    ess_doc["version"] = 1
    ess_doc["colour"] = "blue"
    with pytest.raises(InstrumentError) as info:
        _parse(ess_doc)
    lines = str(info.value).splitlines()
    assert "  ess.yaml: (instrument): version: must be a quoted text such as \"1.0.0\", got 1" in lines
    assert any(line.startswith("  ess.yaml: (instrument): colour: unknown top-level field") for line in lines)
    assert "nan" not in str(info.value).lower()


def test_every_problem_in_one_pass(ess_doc):
    ess_doc["languages"] = ["en", "nb"]
    ess_doc["missing_codes"][0]["kind"] = "refusal"
    ess_doc["scales"]["trust"]["levels"] = {"basic": 12}
    ess_doc["sections"][0]["items"][0]["type"] = "slider"
    problems = _problems(ess_doc)
    assert len(problems) >= 4
    assert {"missing_codes", "scales.trust", "trstprl"} <= set(problems["item"].dropna())
