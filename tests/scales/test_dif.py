"""Mantel-Haenszel DIF: R parity (stats::mantelhaen.test), planted DIF, false-flag rate, ETS classes."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import toolkit
from toolkit import scales
from toolkit.errors import OptionError, ScaleError
from toolkit.scales.dif import ets_class

RESULTS = Path(__file__).resolve().parents[1] / "results"
MH = json.loads((RESULTS / "psych_fixtures.json").read_text())["mantel_haenszel"]
ITEMS = [f"k{i}" for i in range(20)]


def rasch(seed: int, n: int = 3000, impact: float = 0.5, biased: int | None = None, shift: float = 1.0):
    """Rasch responses for groups a (reference), b and c; b and c are less able (impact, not DIF).

    With ``biased``, that item is ``shift`` logits harder for group c at equal ability.
    """
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n)
    theta = rng.normal(size=n) - impact * (g != "a")
    b = np.linspace(-2, 2, len(ITEMS))
    extra = np.zeros((n, len(ITEMS)))
    if biased is not None:
        extra[:, biased] = shift * (g == "c")
    x = rng.random((n, len(ITEMS))) < expit(theta[:, None] - b - extra)
    return pd.DataFrame(x.astype(float), columns=ITEMS).assign(group=g)


def test_matches_r_mantelhaen_test():
    d = pd.read_csv(RESULTS / "psych_bfi_dif.csv").dropna()
    x = (d[MH["items"]] >= 4).astype(float).assign(gender=d["gender"])
    got = scales.dif(x, MH["items"], by="gender", reference=MH["reference"], matching="rest", purify=False)
    assert got["item"].tolist() == MH["items"]
    for stat in ("alpha_mh", "chi2", "p_value"):
        np.testing.assert_allclose(got[stat], [r[stat] for r in MH["rows"]], rtol=1e-10, atol=1e-12, err_msg=stat)
    np.testing.assert_allclose(got["d_dif"], -2.35 * np.log(got["alpha_mh"]))
    assert (got["n_reference"] + got["n_focal"] == len(x)).all()
    assert got["anchor"].all() and got["scale"].isna().all()


def test_planted_biased_item_is_found():
    res = scales.dif(rasch(1, biased=7, shift=1.2), ITEMS, by="group", reference="a")
    hit = res[(res["item"] == "k7") & (res["focal"] == "c")].iloc[0]
    assert hit["ets"] == "C" and hit["favours"] == "a" and hit["d_dif"] < -1.5
    # the same item is not flagged for group b, which it does not disadvantage
    assert res[(res["item"] == "k7") & (res["focal"] == "b")]["ets"].iloc[0] == "A"


def test_unbiased_items_are_not_flagged_beyond_the_nominal_rate():
    p_total, flagged, p_rest = [], [], []
    for seed in range(8):
        data = rasch(100 + seed)
        res = scales.dif(data, ITEMS, by="group", reference="a")
        p_total.append(res["p_value"])
        flagged.append(res["ets"] != "A")
        p_rest.append(scales.dif(data, ITEMS, by="group", reference="a", matching="rest")["p_value"])
    # 320 null item-comparisons with a half-SD ability difference between the groups
    assert pd.concat(p_total).lt(0.05).mean() <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 320)
    assert pd.concat(flagged).mean() <= 0.05
    # the rest score lets the ability difference leak in (why it is not the default)
    assert pd.concat(p_rest).lt(0.05).mean() > 0.08


def test_purification_keeps_a_biased_item_from_contaminating_a_short_scale():
    rng = np.random.default_rng(4)
    n = 6000
    g = rng.choice(["ref", "foc"], n)
    theta = rng.normal(size=n) - 0.3 * (g == "foc")
    b = np.array([-0.5, 0.0, 0.3, 0.6])
    shift = np.where((g == "foc")[:, None] & (np.arange(4) == 1), 1.5, 0.0)
    x = (rng.random((n, 4)) < expit(theta[:, None] - b - shift)).astype(float)
    df = pd.DataFrame(x, columns=["q1", "q2", "q3", "q4"]).assign(g=g)
    one_stage = scales.dif(df, ["q1", "q2", "q3", "q4"], by="g", reference="ref", purify=False)
    purified = scales.dif(df, ["q1", "q2", "q3", "q4"], by="g", reference="ref")
    assert (one_stage["ets"] != "A").sum() > 1  # the biased item drags the others along
    assert purified.loc[purified["ets"] != "A", "item"].tolist() == ["q2"]
    assert purified.set_index("item").loc["q2", "anchor"] == False  # noqa: E712


def test_several_grouping_columns_and_default_reference():
    data = rasch(3).assign(lang=lambda d: np.where(np.arange(len(d)) % 4 == 0, "other", "da"))
    res = scales.dif(data, ITEMS, by=["group", "lang"])
    assert set(res["group"]) == {"group", "lang"}
    assert len(res) == len(ITEMS) * 3  # two comparisons for group, one for lang
    assert set(res.loc[res["group"] == "lang", "reference"]) == {"da"}  # the largest group


def test_instrument_knowledge_items_with_raw_codes():
    inst = toolkit.load_instrument("dis-full")
    items = [i for s in inst.scales.values() if s.kind == "knowledge" for i in s.items]
    rng = np.random.default_rng(7)
    n = 1500
    theta = rng.normal(size=n)
    codes = {}
    for j, i in enumerate(items):
        it = inst.item(i)
        wrong = [c for c in sorted(inst.response_set_of(i).valid_codes) if c != it.correct]
        right = rng.random(n) < expit(theta + 0.5 - 0.1 * j)
        x = np.where(right, it.correct, rng.choice(wrong, n)).astype(float)
        x[rng.random(n) < 0.05] = 88  # don't know: incorrect, kept
        codes[i] = x
    df = pd.DataFrame(codes).assign(age_band=rng.choice(["18-39", "40-64", "65+"], n))
    res = scales.dif(df, by="age_band", instrument=inst)
    assert res["item"].nunique() == len(items)
    # "don't know" (88) is an incorrect answer, not a missing one: no respondent is dropped
    per_item = res.groupby("item").agg(ref=("n_reference", "first"), foc=("n_focal", "sum"))
    assert (per_item["ref"] + per_item["foc"] == n).all()
    k1 = res[res["item"] == items[0]].iloc[0]
    share = (df.loc[df["age_band"] == k1["reference"], items[0]] == inst.item(items[0]).correct).mean()
    assert k1["p_reference"] == pytest.approx(share, abs=1e-12)
    # each knowledge scale is matched on its own items
    assert set(res["scale"]) == {s.id for s in inst.scales.values() if s.kind == "knowledge"}
    assert res["ets"].isin(["A", "B", "C"]).all()


def test_ets_classes():
    d = [0.5, -1.2, -1.2, 1.8, -1.6, 2.0]
    cls = ets_class(d, [0.1, 0.2, 0.2, 0.2, 0.5, 0.3], [1e-4, 0.01, 0.2, 1e-6, 0.01, 1e-5])
    # |D| < 1 -> A; not significant -> A; 1.6 with large SE is not significantly above 1 -> B
    assert list(cls) == ["A", "B", "A", "C", "B", "C"]


def test_bad_input():
    data = rasch(0, n=200)
    with pytest.raises(ScaleError, match="data has no column.*'nope'"):
        scales.dif(data, ITEMS, by="nope")
    with pytest.raises(ScaleError, match="scored 0/1.*k0"):
        scales.dif(data.assign(k0=data["k0"] * 3), ITEMS, by="group")
    with pytest.raises(ScaleError, match="reference group 'z'"):
        scales.dif(data, ITEMS, by="group", reference="z")
    with pytest.raises(OptionError, match="matching must be one of 'total', 'rest'; got 'sum'"):
        scales.dif(data, ITEMS, by="group", matching="sum")


def test_instrument_is_an_id_or_a_path():
    inst = toolkit.load_instrument("dis-full")
    items = [i for s in inst.scales.values() if s.kind == "knowledge" for i in s.items]
    rng = np.random.default_rng(2)
    df = pd.DataFrame({i: rng.choice(sorted(inst.response_set_of(i).valid_codes), 400) for i in items})
    df["sex"] = rng.choice(["f", "m"], 400)
    want = scales.dif(df, by="sex", instrument=inst)
    path = Path(toolkit.__file__).parent / "questionnaires" / "dis-full.yaml"
    for instrument in ("dis-full", path):
        pd.testing.assert_frame_equal(scales.dif(df, by="sex", instrument=instrument), want)


def test_sig_level_sets_the_ets_tests():
    d, se, p = [-1.2, -1.8], [0.2, 0.45], [0.03, 0.03]
    assert list(ets_class(d, se, p)) == ["B", "C"]  # (1.8 - 1) / 0.45 = 1.78 > z(0.95) = 1.645
    assert list(ets_class(d, se, p, sig_level=0.01)) == ["A", "A"]  # p = 0.03 is not significant at 1%
    assert list(ets_class([-1.8], [0.45], [0.001], sig_level=0.01)) == ["B"]  # 1.78 < z(0.99) = 2.33
    data = rasch(1, biased=7, shift=0.8)
    default = scales.dif(data, ITEMS, by="group", reference="a", purify=False)
    hit = (default["item"] == "k7") & (default["focal"] == "c")
    assert default.loc[hit, "ets"].item() == "C"
    # a significance level below the biased item's p-value leaves it unflagged
    strict = scales.dif(data, ITEMS, by="group", reference="a", purify=False,
                        sig_level=default.loc[hit, "p_value"].item() / 2)
    assert (strict["ets"] == "A").all()


def test_renamed_keywords_still_work_with_a_future_warning():
    data = rasch(0, n=500)
    want = scales.dif(data, ITEMS, by="group", sig_level=0.01)
    with pytest.warns(FutureWarning, match="group= is now by="):
        got = scales.dif(data, ITEMS, group="group", sig_level=0.01)
    pd.testing.assert_frame_equal(got, want)
    with pytest.warns(FutureWarning, match="level= is now sig_level="):
        got = scales.dif(data, ITEMS, by="group", level=0.01)
    pd.testing.assert_frame_equal(got, want)
    with pytest.warns(FutureWarning, match="level= is now sig_level="):
        assert list(ets_class([-1.2], [0.2], [0.03], level=0.01)) == ["A"]


def test_options_are_keyword_only():
    for fn, positional in ((scales.dif, ["data", "items"]), (ets_class, ["d", "se", "p_value"])):
        params = inspect.signature(fn).parameters.values()
        assert [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY] == positional


@pytest.mark.parametrize("bad", [5, 0, 1.0, "0.05x"])
def test_sig_level_outside_zero_one_is_an_option_error(bad):
    from toolkit.errors import OptionError

    data = pd.DataFrame({"k1": [0, 1, 1, 0], "k2": [1, 1, 0, 0], "g": ["a", "b", "a", "b"]})
    with pytest.raises(OptionError, match="sig_level must be a significance level between 0 and 1, such as 0.05"):
        toolkit.scales.dif(data, ["k1", "k2"], by="g", sig_level=bad)


EDGE = json.loads((RESULTS / "psych_edge_fixtures.json").read_text())["cases"]


def test_sparse_strata_continuity_correction_as_r():
    """Two sparse strata with one focal respondent each (psych_edge_fixtures.R): R applies the
    continuity correction only when |sum(a - E(a))| >= 0.5; chi2 and p match mantelhaen.test to 1e-10."""
    data = pd.read_csv(RESULTS / "psych_edge_mh.csv")
    res = scales.dif(data, ["k1", "k2", "k3"], by="grp", reference="ref", purify=False).set_index("item")
    for item in ("k1", "k2", "k3"):
        want = EDGE[f"mh_{item}"]
        assert res.loc[item, "strata"] == want["strata"]
        np.testing.assert_allclose(res.loc[item, ["chi2", "p_value"]].astype(float),
                                   [want["chi2"], want["p_value"]], rtol=1e-10)
    assert res.loc["k2", "ets"] == "A"
