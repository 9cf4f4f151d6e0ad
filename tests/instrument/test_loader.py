"""Instrument YAML: bundled instruments load, broken files get specific errors, rules evaluate vectorised."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.errors import InstrumentError, ResponseError, UnknownInstrumentError
from toolkit.instrument import available_instruments, load_instrument, parse_instrument, parse_rule
from toolkit.instrument.loader import _bundled_dir

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken_instruments"
DOMAINS = ("practical", "cognitive", "navigation", "bureaucratic")


@pytest.fixture(scope="module")
def full():
    return load_instrument("dis-full")


@pytest.fixture(scope="module")
def screener():
    return load_instrument("dis-screener")


@pytest.fixture(scope="module")
def screener_doc():
    return yaml.safe_load((_bundled_dir() / "dis-screener.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- bundled instruments
@pytest.mark.parametrize("inst_id", ["dis-full", "dis-screener"])
def test_every_bundled_instrument_loads(inst_id):
    inst = toolkit.load_instrument(inst_id)
    assert inst.id == inst_id and inst.version == "1.0.0"
    assert inst.languages == ("en", "da")
    assert set(inst.domains) == set(DOMAINS)
    assert {"offline", "exempt", "needs_help", *(f"low_{d}" for d in DOMAINS)} <= set(inst.outcomes)
    for it in inst.items:
        assert all(it.text[lang] for lang in inst.languages), it.id
    assert available_instruments() == ["dis-full", "dis-screener"]


def test_load_by_path_equals_load_by_id(full):
    by_path = load_instrument(_bundled_dir() / "dis-full.yaml")
    assert by_path.item_ids == full.item_ids


def test_full_instrument_content(full):
    for d in DOMAINS:
        sr = [it for it in full.items if it.domain == d and it.type == "likert"]
        kn = [it for it in full.items if it.domain == d and it.type == "knowledge"]
        assert len(sr) >= 6 and any(it.reverse for it in sr), d
        assert len(kn) >= 3, d
        for it in kn:
            rs = full.response_sets[it.response_set]
            assert it.correct in rs.valid_codes
        assert full.scales[f"{d}_sr"].items == tuple(it.id for it in sr)
        assert full.scales[f"{d}_kn"].items == tuple(it.id for it in kn)
    assert full.item("age").min == 15 and full.item("age").max == 110
    assert len(full.response_sets["district"].codes) == 8
    assert full.response_sets["mode"].valid_codes == {1, 2, 3, 4}
    assert full.item("devices").type == full.item("help_who").type == "multiple"
    checks = [it for it in full.items if it.check]
    assert [(it.id, it.check["expected"]) for it in checks] == [("attn_01", 4)]
    assert full.items[-1].type == "text"


def test_every_response_set_carries_the_missing_codes(full, screener):
    for inst in (full, screener):
        for rs in inst.response_sets.values():
            assert rs.missing_codes == {66: "dont_understand", 88: "dont_know", 99: "refused"}
            assert not rs.valid_codes & set(rs.missing_codes)
            assert rs.min == min(rs.valid_codes) and rs.max == max(rs.valid_codes)


def test_screener_shares_ids_and_codes_with_full(full, screener):
    assert len(screener.items) <= 15
    for it in screener.items:
        twin = full.item(it.id)
        assert (it.type, it.domain, it.reverse, it.correct, it.section) == (
            twin.type, twin.domain, twin.reverse, twin.correct, twin.section)
        assert dict(it.text) == dict(twin.text)
        if it.response_set:
            a, b = screener.response_sets[it.response_set], full.response_sets[twin.response_set]
            assert [(c.code, dict(c.label)) for c in a.codes] == [(c.code, dict(c.label)) for c in b.codes]
    for sid, scale in screener.scales.items():
        assert set(scale.items) <= set(full.scales[sid].items)
        assert scale.min_valid <= full.scales[sid].min_valid
    assert {k: o.rule for k, o in screener.outcomes.items()} == {k: o.rule for k, o in full.outcomes.items()}


def test_codebook_lists_every_item(full, screener):
    for inst in (full, screener):
        cb = inst.codebook()
        assert cb["variable"].tolist() == inst.item_ids
        assert {"variable", "section", "domain", "type", "reverse", "correct", "scale", "label_en",
                "label_da", "codes", "missing_codes"} <= set(cb.columns)
    cb = full.codebook().set_index("variable")
    assert cb.loc["prac_05", "reverse"] and cb.loc["prac_05", "scale"] == "practical_sr"
    assert cb.loc["bure_k2", "correct"] == 2
    assert cb.loc["net_use_3m", "codes"] == "1=Yes; 2=No"
    assert cb.loc["net_use_3m", "codes_da"] == "1=Ja; 2=Nej"
    assert cb.loc["prac_03", "kobo_path"] == "skills/prac_03"


def test_unknown_instrument_lists_available():
    with pytest.raises(UnknownInstrumentError, match="available: dis-full, dis-screener"):
        load_instrument("dis-nope")
    with pytest.raises(LookupError, match="no instrument file"):
        load_instrument("nowhere/x.yaml")


def test_unknown_item_is_a_lookup_error(full):
    with pytest.raises(LookupError, match="no item 'nope'"):
        full.item("nope")


# --------------------------------------------------------------------------- broken YAML
def _mutated(doc, mutate):
    doc = copy.deepcopy(doc)
    mutate(doc)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _item(doc, item_id):
    return next(it for s in doc["sections"] for it in s["items"] if it["id"] == item_id)


def _set(item_id, **fields):
    def mutate(doc):
        _item(doc, item_id).update(fields)
    return mutate


def _dup_item(doc):
    doc["sections"][4]["items"].append(copy.deepcopy(_item(doc, "prac_k1")))


def _drop_translation(doc):
    del _item(doc, "cogn_01")["text"]["da"]


def _drop_code_label(doc):
    del doc["response_sets"]["yes_no"][1]["da"]


def _drop_outcome(doc):
    del doc["outcomes"]["exempt"]


def _scale_unknown_item(doc):
    doc["scales"]["practical_kn"]["items"].append("prac_k9")


BROKEN_CASES = {
    "duplicate id": (_dup_item, "prac_k1", "id", "duplicate item id 'prac_k1'"),
    "unknown response set": (_set("prac_02", response_set="agree7"), "prac_02", "response_set",
                             "unknown response set 'agree7'"),
    "skip rule to a missing item": (_set("dp_exempt", relevant="nope == 1"), "dp_exempt", "relevant",
                                    "'nope', which is not an earlier item"),
    "skip rule to a later item": (_set("net_use_3m", relevant="help_any == 1"), "net_use_3m", "relevant",
                                  "'help_any', which is not an earlier item"),
    "skip rule to itself": (_set("dp_exempt", relevant="dp_exempt == 1"), "dp_exempt", "relevant",
                            "refers to the item itself"),
    "skip rule syntax": (_set("dp_exempt", relevant="net_use_3m = 1"), "dp_exempt", "relevant",
                         "cannot parse skip rule"),
    "skip rule on a missing code": (_set("dp_exempt", relevant="net_use_3m == 88"), "dp_exempt", "relevant",
                                    "88 is a missing code"),
    "skip rule on an unknown code": (_set("dp_exempt", relevant="net_use_3m == 7"), "dp_exempt", "relevant",
                                     "net_use_3m has no code 7"),
    "missing translation": (_drop_translation, "cogn_01", "text.da", "missing translation 'da'"),
    "missing code translation": (_drop_code_label, "response_sets.yes_no", "codes[code 2].da",
                                 "missing translation 'da'"),
    "knowledge key not a code": (_set("bure_k1", correct=7), "bure_k1", "correct", "7 is not a substantive code"),
    "knowledge without key": (_set("bure_k4", correct=None), "bure_k4", "correct", "needs the keyed correct code"),
    "bad type": (_set("prac_02", type="slider"), "prac_02", "type", "must be one of likert"),
    "reverse on knowledge": (_set("prac_k1", reverse=True), "prac_k1", "reverse", "only likert items"),
    "unknown field": (_set("prac_02", relevance="x == 1"), "prac_02", "relevance", "unknown field"),
    "exclusive on a single choice": (_set("dp_exempt", exclusive=[2]), "dp_exempt", "exclusive",
                                    "only select-multiple items"),
    "unknown domain": (_set("prac_02", domain="social"), "prac_02", "domain", "unknown domain 'social'"),
    "missing outcome": (_drop_outcome, "outcomes.exempt", "rule", "required outcome 'exempt'"),
    "scale with unknown item": (_scale_unknown_item, "scales.practical_kn", "items", "unknown item 'prac_k9'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_yaml_gets_its_specific_error(screener_doc, case):
    mutate, item, fld, message = BROKEN_CASES[case]
    with pytest.raises(InstrumentError) as info:
        parse_instrument(_mutated(screener_doc, mutate), "broken.yaml")
    problems = info.value.problems
    assert list(problems.columns) == ["file", "item", "field", "message"]
    hit = problems[(problems["item"] == item) & (problems["field"] == fld)]
    assert hit["message"].str.contains(message, regex=False).any(), problems.to_string()
    assert (problems["file"] == "broken.yaml").all()
    assert message in str(info.value) and "broken.yaml" in str(info.value)


def test_every_problem_is_reported_at_once(screener_doc):
    def many(doc):
        for m in (_dup_item, _drop_translation, _set("prac_02", response_set="agree7"),
                  _set("dp_exempt", relevant="help_any == 1")):
            m(doc)

    with pytest.raises(InstrumentError) as info:
        parse_instrument(_mutated(screener_doc, many), "many.yaml")
    fields = set(zip(info.value.problems["item"], info.value.problems["field"]))
    assert {("prac_k1", "id"), ("cogn_01", "text.da"), ("prac_02", "response_set"),
            ("dp_exempt", "relevant")} <= fields
    assert str(info.value).startswith("many.yaml: ")


@pytest.mark.parametrize("fixture, item, fld, message", [
    ("not_yaml.yaml", None, None, "not valid YAML (line 4)"),
    ("duplicate_key.yaml", None, "text", "duplicate key 'text'"),
    ("unquoted_yes.yaml", "response_sets.yes_no", "codes[code 1].en", "quote values such as Yes/No"),
    ("numeric_version.yaml", None, "version", "must be a quoted text"),
])
def test_broken_fixture_files(fixture, item, fld, message):
    path = BROKEN / fixture
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    problems = info.value.problems
    hit = problems[(problems["item"].fillna("-") == (item or "-")) & (problems["field"].fillna("-") == (fld or "-"))]
    assert hit["message"].str.contains(message, regex=False).any(), problems.to_string()
    assert str(path.resolve()) in problems["file"].iloc[0]


# --------------------------------------------------------------------------- rules
def test_relevant_is_vectorised_and_missing_is_false(full):
    df = pd.DataFrame({
        "devices": ["1 3", "2", None, "1"],
        "home_conn": [3, 3, 1, 99],
        "mobile_data": [1, np.nan, np.nan, 2],
        "help_any": [1, 2, 88, 1],
    })
    assert full.relevant(df, "mobile_data").tolist() == [True, False, False, True]
    assert full.relevant(df, "afford").tolist() == [True, False, True, False]
    assert full.relevant(df, "help_who").tolist() == [True, False, False, True]
    assert full.relevant(df, "devices").tolist() == [True] * 4
    assert full.relevant(df, "help_who").index.equals(df.index)


def test_relevant_needs_the_columns_it_names(full):
    with pytest.raises(ResponseError, match="needs column"):
        full.relevant(pd.DataFrame({"x": [1]}), "help_who")


def test_numeric_items_keep_88_as_a_value(full):
    # age 88 is an age, not "don't know": missing codes apply to coded items only
    df = pd.DataFrame({"age": [88, 40], "net_use_3m": [88, 1]})
    assert full.evaluate("age >= 65", df).tolist() == [True, False]
    assert full.evaluate("net_use_3m != 1", df).tolist() == [False, False]


def test_text_columns_are_compared_as_codes(full):
    # a raw export may hold codes as text: "88" is still a missing code
    df = pd.DataFrame({"net_use_3m": ["1", "88", "2", None]})
    assert full.evaluate("net_use_3m != 1", df).tolist() == [False, False, True, False]
    assert full.relevant(df, "net_freq").tolist() == [True, False, False, False]


def test_outcome_rules_on_level_columns(full):
    levels = ["low", "basic", "above_basic"]
    df = pd.DataFrame({"practical_kn_level": pd.Categorical(["low", "basic", None], categories=levels, ordered=True),
                       "practical_sr_level": ["basic", "low", "low"]})
    assert full.evaluate(full.outcomes["low_practical"].parsed, df).tolist() == [True, True, True]


def test_rule_renders_to_xlsform_and_words(full):
    rule = parse_rule("home_conn in [1, 2] or not selected(devices, 1)")
    assert rule.xlsform() == "${home_conn} = 1 or ${home_conn} = 2 or not(selected(${devices}, '1'))"
    assert rule.words("en") == "home_conn is 1 or 2 or it is not the case that devices includes 1"
    assert "eller" in rule.words("da")
    assert full.item("afford").rule.xlsform() == "${home_conn} = 1 or ${home_conn} = 2 or ${mobile_data} = 1"


def test_scale_levels_classify(full):
    scale = full.scales["practical_sr"]
    assert scale.levels == {"low": 1.0, "basic": 2.5, "above_basic": 4.0}
    got = scale.classify(pd.Series([1.0, 2.49, 2.5, 3.99, 4.0, 5.0, np.nan]))
    assert got.iloc[:6].tolist() == ["low", "low", "basic", "basic", "above_basic", "above_basic"]
    assert pd.isna(got.iloc[6]) and got.name == "practical_sr_level"


_codes = st.sampled_from([1, 2, 3, 66, 88, 99, np.nan])


@settings(max_examples=60, deadline=None)
@given(a=st.lists(_codes, min_size=1, max_size=30), data=st.data())
def test_rule_algebra_matches_elementwise_logic(a, data):
    b = data.draw(st.lists(_codes, min_size=len(a), max_size=len(a)))
    df = pd.DataFrame({"a": a, "b": b}, dtype=float)
    miss = {"a": {66, 88, 99}, "b": {66, 88, 99}}

    def ok(x):
        return not np.isnan(x) and x not in (66, 88, 99)

    expect_a = [ok(x) and x == 1 for x in a]
    expect_b = [ok(y) and y in (2, 3) for y in b]
    got = parse_rule("a == 1 and not b in [2, 3]").evaluate(df, miss).tolist()
    assert got == [x and not y for x, y in zip(expect_a, expect_b)]
    got = parse_rule("(a == 1) or b in [2, 3]").evaluate(df, miss).tolist()
    assert got == [x or y for x, y in zip(expect_a, expect_b)]
    assert parse_rule("a != 1").evaluate(df, miss).tolist() == [ok(x) and x != 1 for x in a]


@pytest.mark.parametrize("text, position", [("a ==", 5), ("a = 1", 3), ("(a == 1", 8), ("a == 1 b", 8),
                                            ("a in [1,", 9), ("and == 1", 1)])
def test_rule_syntax_errors_name_the_position(text, position):
    with pytest.raises(InstrumentError, match=f"position {position}"):
        parse_rule(text)
