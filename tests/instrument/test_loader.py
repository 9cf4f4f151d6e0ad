"""Instrument YAML: bundled instruments load, broken files get specific errors naming file, item and field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

import toolkit
from toolkit.errors import InstrumentError, UnknownInstrumentError
from toolkit.instrument import available_instruments, load_instrument, parse_instrument
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


def test_unknown_instrument_lists_available():
    with pytest.raises(UnknownInstrumentError, match="available: dis-full, dis-screener"):
        load_instrument("dis-nope")
    with pytest.raises(LookupError, match="no instrument file"):
        load_instrument("nowhere/x.yaml")


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


def _scale_unknown_item(doc):
    doc["scales"]["practical_kn"]["items"].append("prac_k9")


# --------------------------------------------------------------------------- broken YAML
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
    "scale with unknown item": (_scale_unknown_item, "scales.practical_kn", "items", "unknown item 'prac_k9'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_yaml_gets_its_specific_error(screener_doc, case):
    mutate, item, fld, message = BROKEN_CASES[case]
    with pytest.raises(InstrumentError) as info:
        parse_instrument(_mutated(screener_doc, mutate), file="broken.yaml")
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
        parse_instrument(_mutated(screener_doc, many), file="many.yaml")
    fields = set(zip(info.value.problems["item"], info.value.problems["field"], strict=True))
    assert {("prac_k1", "id"), ("cogn_01", "text.da"), ("prac_02", "response_set"),
            ("dp_exempt", "relevant")} <= fields
    assert str(info.value).startswith("many.yaml: ")


@pytest.mark.parametrize("fixture, item, fld, message", [
    ("not_yaml.yaml", None, None, "not valid YAML (line 4)"),
    ("duplicate_key.yaml", None, "text", "duplicate key 'text'"),
    ("unquoted_yes.yaml", "response_sets.yes_no", "codes[code 1].en", "quote values such as Yes/No"),
    ("numeric_version.yaml", None, "version", "must be a quoted text"),
    ("missing_kind.yaml", "missing_codes", "codes[2].kind", "kind must be one of dont_know, refused, dont_understand, "
     "not_applicable, no_answer; got 'skipped'"),
    ("levels_out_of_range.yaml", "scales.trust", "levels.above_basic",
     "must be a number above 4 and at most 10 (the scale runs from 0 to 10), got 12"),
    ("undeclared_language.yaml", None, "title.dk", "language 'dk' is not declared in languages (en, da)"),
])
def test_broken_fixture_files(fixture, item, fld, message):
    path = BROKEN / fixture
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    problems = info.value.problems
    hit = problems[(problems["item"].fillna("-") == (item or "-")) & (problems["field"].fillna("-") == (fld or "-"))]
    assert hit["message"].str.contains(message, regex=False).any(), problems.to_string()
    assert str(path.resolve()) in problems["file"].iloc[0]
