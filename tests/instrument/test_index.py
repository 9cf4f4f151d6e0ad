"""The instrument's index: block: parsed into an IndexSpec, every mistake reported with file and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from toolkit.errors import InstrumentError
from toolkit.instrument import load_instrument, parse_instrument
from toolkit.instrument.loader import _bundled_dir
from toolkit.instrument.schema import Band


@pytest.fixture(scope="module")
def full_doc():
    return yaml.safe_load((_bundled_dir() / "dis-full.yaml").read_text(encoding="utf-8"))


def test_dis_full_declares_its_index():
    spec = load_instrument("dis-full").index
    assert list(spec.components) == ["access", "ability", "attitudes"]
    assert spec.weights == {c: pytest.approx(1 / 3) for c in spec.components}
    assert spec.components["ability"].knowledge_share == 0.6
    assert [str(b) for b in spec.bands] == ["[0, 45]", "(45, 61)", "[61, 80)", "[80, 100]"]
    assert spec.excluded == ("highly_excluded", "excluded")
    assert spec.sensitivity == {"weight_concentration": 30.0, "threshold_jitter": 2.0, "knowledge_share": (0.4, 0.8)}
    attitudes = {it.id: it for it in spec.components["attitudes"].items}
    assert attitudes["privacy_01"].reverse and not attitudes["motiv_01"].reverse
    assert {it.id: it.not_asked for it in spec.components["access"].items}["mobile_data"] == 0


def test_the_screener_declares_none():
    assert load_instrument("dis-screener").index is None


def test_band_contains_its_closed_ends_only():
    band = Band("b", 45, 61, lower_closed=False, upper_closed=True)
    assert band.contains([45, 45.5, 61, 61.5, None]).tolist() == [False, True, True, False, False]


def _comp(name):
    return lambda doc: doc["index"]["components"][name]


BROKEN = {
    "zero weight": (lambda d: _comp("access")(d).update(weight=0), "index.components.access", "weight",
                    "must be a positive number, got 0"),
    "unknown item": (lambda d: _comp("access")(d)["items"].update(wifi={}), "index.components.access.items.wifi",
                     None, "unknown item 'wifi'"),
    "points outside 0-100": (lambda d: _comp("access")(d)["items"]["home_conn"]["points"].update({1: 120}),
                             "index.components.access.items.home_conn", "points.1", "from 0 to 100, got 120"),
    "points for a code the item lacks": (
        lambda d: _comp("access")(d)["items"]["home_conn"]["points"].update({7: 10}),
        "index.components.access.items.home_conn", "points", "7 is not a substantive code"),
    "a code without points": (lambda d: _comp("access")(d)["items"]["afford"]["points"].pop(4),
                              "index.components.access.items.afford", "points", "gives no points for code 4"),
    "single item without points": (lambda d: _comp("access")(d)["items"].update(home_conn={}),
                                   "index.components.access.items.home_conn", "points", "needs points"),
    "not_asked on an item always asked": (
        lambda d: _comp("access")(d)["items"]["home_conn"].update(not_asked=0),
        "index.components.access.items.home_conn", "not_asked", "always asked"),
    "share above 1": (lambda d: _comp("ability")(d).update(knowledge_share=1.5), "index.components.ability",
                      "knowledge_share", "from 0 to 1, got 1.5"),
    "unknown domain": (lambda d: _comp("ability")(d)["domains"].append("social"), "index.components.ability",
                       "domains", "unknown domain 'social'"),
    "min_valid too large": (lambda d: _comp("attitudes")(d).update(min_valid=9), "index.components.attitudes",
                            "min_valid", "from 1 to 5, got 9"),
    "overlapping bands": (lambda d: d["index"]["bands"].update(excluded="[45, 61)"), "index.bands", "excluded",
                          "the boundary in exactly one band"),
    "a gap between bands": (lambda d: d["index"]["bands"].update(included="[62, 80)"), "index.bands", "included",
                            "must start where excluded"),
    "not an interval": (lambda d: d["index"]["bands"].update(included="61-80"), "index.bands", "included",
                        "must be an interval"),
    "excluded not the lowest bands": (lambda d: d["index"].update(excluded=["excluded"]), "index", "excluded",
                                      "must list the lowest bands"),
    "share range without the declared share": (
        lambda d: d["index"]["sensitivity"].update(knowledge_share=[0.7, 0.9]), "index.sensitivity",
        "knowledge_share", "must include the declared knowledge_share 0.6"),
    "negative jitter": (lambda d: d["index"]["sensitivity"].update(threshold_jitter=-1), "index.sensitivity",
                        "threshold_jitter", "non-negative number, got -1"),
    "unknown field": (lambda d: d["index"].update(weighting="equal"), "index", "weighting", "unknown field"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_index_block_names_file_field_and_value(full_doc, case):
    mutate, item, fld, message = BROKEN[case]
    doc = copy.deepcopy(full_doc)
    mutate(doc)
    with pytest.raises(InstrumentError) as info:
        parse_instrument(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), file="broken.yaml")
    p = info.value.problems
    hit = p[(p["item"] == item) & (p["field"].isna() if fld is None else p["field"] == fld)]
    assert hit["message"].str.contains(message, regex=False).any(), p.to_string()
    assert "broken.yaml" in str(info.value)
