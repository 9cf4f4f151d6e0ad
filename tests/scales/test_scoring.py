"""Scale scoring: psych::scoreItems parity, knowledge rules, levels, gaps, instrument scoring."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit import scales
from toolkit.errors import OptionError, ScaleError

RESULTS = Path(__file__).resolve().parents[1] / "results"
BFI = pd.read_csv(RESULTS / "psych_bfi.csv")
BFI_KEYS = json.loads((RESULTS / "psych_fixtures.json").read_text())["bfi_keys"]
INST = toolkit.load_instrument("dis-full")
PATH = Path(toolkit.__file__).parent / "questionnaires" / "dis-full.yaml"


def test_score_items_matches_psych_score_items():
    want = pd.read_csv(RESULTS / "psych_bfi_scores.csv")
    for scale, keys in BFI_KEYS.items():
        items = [k.lstrip("-") for k in keys]
        reverse = [k.lstrip("-") for k in keys if k.startswith("-")]
        got = scales.score_items(BFI, items, reverse=reverse, response_range=(1, 6), name=scale)
        np.testing.assert_allclose(got.to_numpy(), want[scale].to_numpy(), atol=1e-12, rtol=0, err_msg=scale)


def test_score_items_min_valid_and_rescale():
    df = pd.DataFrame({"a": [1.0, 5, np.nan, 3], "b": [1.0, np.nan, np.nan, 3], "c": [5.0, 1, 2, 3]})
    got = scales.score_items(df, ["a", "b", "c"], reverse=["c"], response_range=(1, 5), min_valid=2)
    assert got.tolist()[:2] == [1.0, 5.0] and np.isnan(got.iloc[2]) and got.iloc[3] == 3.0
    pct = scales.score_items(df, ["a", "b", "c"], reverse=["c"], response_range=(1, 5), min_valid=2, rescale=True)
    assert pct.iloc[0] == 0.0 and pct.iloc[1] == 100.0 and pct.iloc[3] == 50.0


@settings(max_examples=30, deadline=None)
@given(st.permutations([f"A{i}" for i in range(1, 6)]), st.integers(1, 5))
def test_scores_do_not_depend_on_column_order(order, min_valid):
    df = BFI.iloc[:300]
    keys = {"reverse": ["A1"], "response_range": (1, 6), "min_valid": min_valid}
    a = scales.score_items(df, [f"A{i}" for i in range(1, 6)], **keys)
    b = scales.score_items(df[order[::-1]], order, **keys)
    pd.testing.assert_series_equal(a, b, check_exact=False, atol=1e-14)


@settings(max_examples=10, deadline=None)
@given(st.randoms(use_true_random=False))
def test_instrument_scores_do_not_depend_on_column_order(fake_responses, rnd):
    df = fake_responses(200, seed=3)
    cols = list(df.columns)
    rnd.shuffle(cols)
    pd.testing.assert_frame_equal(toolkit.score(df, INST), toolkit.score(df[cols], INST))


def test_knowledge_dont_know_is_incorrect_and_missing_stays_missing():
    df = pd.DataFrame({"k1": [1, 88, 99, np.nan, 2, np.nan], "k2": [3, 3, 3, 3, 1, np.nan]})
    got = scales.score_knowledge(df, ["k1", "k2"], {"k1": 1, "k2": 3}, name="kn")
    np.testing.assert_array_equal(got["kn_n_valid"], [2, 2, 1, 1, 2, 0])
    np.testing.assert_array_equal(got["kn_n_correct"].fillna(-1), [2, 1, 1, 1, 0, -1])
    # prorated to both items when one is missing
    np.testing.assert_array_equal(got["kn"].fillna(-1), [2, 1, 2, 2, 0, -1])
    assert got["kn_reason"].tolist()[-1] == "no_answers"
    strict = scales.score_knowledge(df, ["k1", "k2"], {"k1": 1, "k2": 3}, min_valid=2, name="kn")
    assert strict["kn"].isna().tolist() == [False, False, True, True, False, True]
    assert strict["kn_reason"].tolist()[2:4] == ["too_few_valid", "too_few_valid"]


def test_knowledge_companion_missing_column_marks_dont_know():
    cleaned = pd.DataFrame({
        "k1": [np.nan, np.nan, 1.0],
        "k1_missing": pd.Categorical(["dont_know", "refused", None]),
        "k2": [3.0, 3.0, 3.0],
    })
    got = scales.score_knowledge(cleaned, ["k1", "k2"], {"k1": 1, "k2": 3}, min_valid=2, name="kn")
    assert got["kn"].tolist()[0] == 1.0 and np.isnan(got["kn"].iloc[1]) and got["kn"].iloc[2] == 2.0


def test_cleaned_companion_columns_give_dont_know_and_not_asked():
    kn = list(INST.scales["practical_kn"].items)
    df = pd.DataFrame({i: [INST.item(i).correct, np.nan, np.nan] for i in kn})
    kinds = pd.Categorical(["dont_know", "dont_know", "not_asked"],
                           categories=["dont_know", "refused", "dont_understand", "not_asked"])
    for i in kn:
        df[f"{i}_missing"] = pd.Series(kinds).where(df[i].isna())
    out = toolkit.score(df, INST, scales=["practical_kn"])
    assert out["practical_kn"].tolist()[:2] == [4.0, 0.0]
    assert np.isnan(out["practical_kn"].iloc[2]) and out["practical_kn_reason"].iloc[2] == "not_asked"


def test_score_instrument_columns_levels_and_reasons(fake_responses):
    df = fake_responses(500)
    before = df.copy()
    out = toolkit.score(df, INST)
    pd.testing.assert_frame_equal(df, before)  # input never mutated
    assert out.index.equals(df.index)
    for sc in INST.scales.values():
        assert {sc.id, f"{sc.id}_n_valid", f"{sc.id}_reason", sc.level_column} <= set(out.columns)
        assert list(out[sc.level_column].cat.categories) == ["low", "basic", "above_basic"]
        scored = out[sc.id].notna()
        assert (out.loc[~scored, f"{sc.id}_reason"].notna()).all()
        assert out.loc[scored, f"{sc.id}_reason"].isna().all()
        assert (out.loc[scored, f"{sc.id}_n_valid"] >= sc.min_valid).all()
    # one respondent by hand: practical self-report with reverse keys and missing codes
    sr = INST.scales["practical_sr"]
    row = df.loc[7, list(sr.items)].replace({88: np.nan, 99: np.nan, 66: np.nan})
    vals = [6 - v if INST.item(i).reverse else v for i, v in row.items()]
    want = np.nanmean(vals) if np.sum(~np.isnan(vals)) >= sr.min_valid else np.nan
    assert out.loc[7, "practical_sr"] == pytest.approx(want, nan_ok=True)
    lv = out["practical_sr_level"]
    assert (out.loc[lv == "low", "practical_sr"] < 2.5).all()
    assert (out.loc[lv == "above_basic", "practical_sr"] >= 4.0).all()


def test_gap_and_confidence_flag(fake_responses):
    df = fake_responses(2000, seed=5)
    out = toolkit.score(df, INST)
    for domain in INST.domains:
        gap, flag = out[f"{domain}_gap"], out[f"{domain}_confidence"]
        both = out[f"{domain}_sr"].notna() & out[f"{domain}_kn"].notna()
        assert gap.notna().eq(both).all()
        assert gap[both].mean() == pytest.approx(0, abs=1e-12)
        assert (flag[gap > 1] == "overconfident").all() and (flag[gap < -1] == "underconfident").all()
        assert (flag[gap.abs() <= 1] == "aligned").all()
    # weighted standardisation: the weighted mean of the gap is zero instead
    w = df["design_weight"]
    wout = toolkit.score(df, INST, weights="design_weight")
    g = wout["practical_gap"]
    ok = g.notna()
    assert np.average(g[ok], weights=w[ok]) == pytest.approx(0, abs=1e-12)
    assert not np.allclose(g[ok], out.loc[ok, "practical_gap"])
    # a survey design lends its weights
    design = toolkit.survey.Design(df, weights="design_weight")
    pd.testing.assert_frame_equal(toolkit.score(df, INST, weights=design), wout)


def test_rescale_adds_0_100_columns(fake_responses):
    out = toolkit.score(fake_responses(300), INST, rescale=True)
    assert out["practical_sr_100"].dropna().between(0, 100).all() and out["practical_sr_100"].notna().any()
    np.testing.assert_allclose(out["practical_sr_100"], 25 * (out["practical_sr"] - 1))
    np.testing.assert_allclose(out["practical_kn_100"], 100 * out["practical_kn_share"])


def test_levels_are_the_instruments_classification(fake_responses):
    out = toolkit.score(fake_responses(500, seed=9), INST)
    for sc in INST.scales.values():
        want = sc.classify(out[sc.id])
        got = out[sc.level_column]
        assert isinstance(got.dtype, pd.CategoricalDtype) and got.cat.ordered
        assert got.dtype == want.dtype  # one dtype everywhere: same ordered categories
        pd.testing.assert_series_equal(got, want, check_names=False)
        assert got.notna().any() and (got.isna() == out[sc.id].isna()).all()


@pytest.mark.parametrize("instrument", [INST, "dis-full", PATH, str(PATH)], ids=["Instrument", "id", "Path", "str"])
def test_instrument_is_an_instrument_an_id_or_a_path(fake_responses, instrument):
    df = fake_responses(60, seed=4)
    pd.testing.assert_frame_equal(toolkit.score(df, instrument), toolkit.score(df, INST))
    pd.testing.assert_frame_equal(scales.scale_items(df, instrument, "practical_sr"),
                                  scales.scale_items(df, INST, "practical_sr"))


def test_instrument_of_another_type_is_an_option_error(fake_responses):
    with pytest.raises(OptionError, match="instrument must be an Instrument, a bundled id"):
        toolkit.score(fake_responses(5), 42)


def test_renamed_keywords_still_work_with_a_future_warning():
    items = ["A1", "A2", "A3"]
    want = scales.score_items(BFI, items, reverse=["A1"], response_range=(1, 6))
    with pytest.warns(FutureWarning, match="scale= is now response_range="):
        got = scales.score_items(BFI, items, reverse=["A1"], scale=(1, 6))
    pd.testing.assert_series_equal(got, want)
    with pytest.warns(FutureWarning, match="df= is now data="):
        got = scales.score_items(df=BFI, items=items, reverse=["A1"], response_range=(1, 6))
    pd.testing.assert_series_equal(got, want)
    kn = pd.DataFrame({"k1": [1, 2], "k2": [3, 3]})
    with pytest.warns(FutureWarning, match="df= is now data="):
        got = scales.score_knowledge(df=kn, items=["k1", "k2"], correct={"k1": 1, "k2": 3})
    pd.testing.assert_frame_equal(got, scales.score_knowledge(kn, ["k1", "k2"], {"k1": 1, "k2": 3}))
    with pytest.raises(OptionError, match="both scale= and its new name response_range="):
        scales.score_items(BFI, items, scale=(1, 6), response_range=(1, 6))


@pytest.mark.parametrize(("fn", "positional"), [
    (scales.score_items, ["data", "items"]), (scales.score_knowledge, ["data", "items", "correct"]),
    (scales.confidence_gap, ["self_report", "knowledge"]), (toolkit.score, ["data", "instrument"]),
    (scales.scale_items, ["data", "instrument", "scale_id"]),
])
def test_options_are_keyword_only(fn, positional):
    params = inspect.signature(fn).parameters.values()
    assert [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY] == positional


def test_an_option_given_by_position_is_a_type_error():
    with pytest.raises(TypeError):
        scales.score_items(BFI, ["A1", "A2"], ["A1"])  # reverse is an option, not a positional


def test_weights_are_checked_with_informative_errors(fake_responses):
    df = fake_responses(20)
    with pytest.raises(ScaleError, match="weights column 'nope' is not in the data"):
        toolkit.score(df, INST, weights="nope")
    bad = df.assign(design_weight=df["design_weight"].where(df.index != 3, -1.0))
    with pytest.raises(ScaleError, match="weights column 'design_weight': 1 negative value.* rows 3"):
        toolkit.score(bad, INST, weights="design_weight")
    with pytest.raises(ScaleError, match=r"one value per row \(20\)"):
        toolkit.score(df, INST, weights=np.ones(3))
    with pytest.raises(ScaleError, match="every weight is zero"):
        scales.confidence_gap(pd.Series([1.0, 2.0, 3.0]), pd.Series([3.0, 1.0, 2.0]), weights=np.zeros(3))


def test_a_design_lends_its_weights():
    class Design:  # anything with a .weights attribute on the same rows
        weights = np.array([1.0, 2.0, 1.0, 3.0])

    sr, kn = pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([2.0, 1.0, 4.0, 3.0])
    pd.testing.assert_frame_equal(scales.confidence_gap(sr, kn, weights=Design()),
                                  scales.confidence_gap(sr, kn, weights=Design.weights))


def test_missing_items_are_named(fake_responses):
    df = fake_responses(50).drop(columns=["prac_03", "bure_k2"])
    with pytest.raises(ScaleError, match=r"practical_sr: prac_03.*bureaucratic_kn: bure_k2"):
        toolkit.score(df, INST)
    with pytest.raises(ScaleError, match="practical_sr: prac_03"):
        toolkit.reliability(df, INST)


def test_values_that_are_not_codes_are_named(fake_responses):
    df = fake_responses(30)
    df.loc[3, "prac_02"] = 7
    df.loc[4, "bure_k1"] = 2.5
    with pytest.raises(ScaleError, match=r"prac_02 \(scale practical_sr\): 7 in 1 row.*bure_k1 .*2\.5"):
        toolkit.score(df, INST)


def test_a_one_item_scale_is_its_item(fake_responses):
    one = scales.score_items(BFI, ["A1"], name="tiny")
    pd.testing.assert_series_equal(one, BFI["A1"].astype(float), check_names=False)


def test_bad_input_errors(fake_responses):
    with pytest.raises(ScaleError, match="at least 1 item"):
        scales.score_items(BFI, [], name="tiny")
    with pytest.raises(ScaleError, match=r"outside the response scale 1-5.*A1 \(6\)"):
        scales.score_items(BFI, ["A1", "A2"], response_range=(1, 5))
    with pytest.raises(ScaleError, match="non-numeric: txt"):
        scales.score_items(BFI.assign(txt="x"), ["A1", "txt"], response_range=(1, 6))
    with pytest.raises(ScaleError, match="response_range=\\(min, max\\) is needed"):
        scales.score_items(BFI, ["A1", "A2"], reverse=["A1"])
    with pytest.raises(ScaleError, match="no scale 'nope'"):
        toolkit.score(fake_responses(10), INST, scales=["nope"])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=4, max_size=4), min_size=1, max_size=40),
    st.integers(1, 4),
)
def test_score_is_the_mean_of_valid_reversed_items(rows, min_valid):
    df = pd.DataFrame(rows, columns=["a", "b", "c", "d"], dtype=float)
    got = scales.score_items(df, ["a", "b", "c", "d"], reverse=["b"], response_range=(1, 5), min_valid=min_valid)
    keyed = df.assign(b=6 - df["b"])
    want = keyed.mean(axis=1).where(keyed.notna().sum(axis=1) >= min_valid)
    pd.testing.assert_series_equal(got, want, check_names=False, atol=1e-12)
    assert got.dropna().between(1, 5).all()
