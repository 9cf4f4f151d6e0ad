"""alpha, omega, item analysis and instrument reliability against R psych 2.2.9 (tests/results/psych_fixtures.R)."""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit import scales
from toolkit.errors import DataQualityWarning, OptionError, ScaleError

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXTURE = json.loads((RESULTS / "psych_fixtures.json").read_text())
DATA = {name: pd.read_csv(RESULTS / f"psych_{name}.csv") for name in ("bfi", "lsat6", "lsat7")}
CASES = {c["name"]: c for c in FIXTURE["cases"]}
INST = toolkit.load_instrument("dis-full")

# The closed-form statistics agree with psych to rounding (worst ~2e-14, in
# signal_noise and raw_r, from summing in another order); omega comes from an
# iterative fit that psych stops at L-BFGS-B's default tolerance.
TOL = 5e-14
TOL_OMEGA = 1e-6


def _case_data(case):
    source = case["name"] if case["name"] in DATA else "bfi"
    keys = case["keys"]
    keys = [keys] if isinstance(keys, str) else list(keys)
    return DATA[source][case["items"]], keys, "listwise" if case["listwise"] else "pairwise"


@pytest.fixture(params=sorted(CASES), scope="module")
def case(request):
    return CASES[request.param]


def test_fixture_is_from_psych_229():
    assert FIXTURE["psych_version"] == "2.2.9"
    assert {"lsat6", "lsat7", "bfi_agree"} <= set(CASES)


def test_alpha_matches_psych(case):
    df, keys, missing = _case_data(case)
    got = scales.alpha(df, reverse=keys, missing=missing)
    for stat, want in case["alpha"].items():
        assert got[stat] == pytest.approx(want, abs=TOL), stat
    assert got["n_items"] == len(case["items"])
    assert got["n"] == case["nrow"]
    assert got["ci_low"] < got["alpha"] < got["ci_high"]


def test_item_analysis_matches_psych(case):
    df, keys, missing = _case_data(case)
    got = scales.item_analysis(df, reverse=keys, missing=missing)
    assert got["item"].tolist() == case["items"]
    for stat, want in case["item"].items():
        np.testing.assert_allclose(got[stat].to_numpy(float), np.asarray(want, float), atol=TOL, rtol=0, err_msg=stat)
    np.testing.assert_allclose(got["missing"], df.isna().mean().to_numpy() if missing == "pairwise" else 0.0)


def test_omega_matches_psych(case):
    df, keys, missing = _case_data(case)
    got = scales.omega(df, reverse=keys or None, missing=missing)
    for stat in ("omega_total", "alpha", "g6"):
        assert got[stat] == pytest.approx(case["omega"][stat], rel=TOL_OMEGA, abs=0), stat
    # psych reports an omega_h with one factor but calls it meaningless; the toolkit gives NaN and says why
    assert np.isnan(got.omega_h) and "not meaningful" in got.note
    assert got["converged"] == 1.0
    # psych's loadings stop short of the optimum by up to ~6e-6; against the
    # same model converged in R they agree to 1e-8.
    loadings = got.loadings["g"].to_numpy()
    np.testing.assert_allclose(loadings, case["omega"]["loadings"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(loadings, case["omega_converged"]["loadings"], atol=1e-8, rtol=0)
    assert got["omega_total"] == pytest.approx(case["omega_converged"]["omega_total"], abs=1e-8)


def test_dichotomous_alpha_is_kr20():
    x = DATA["lsat6"]
    p = x.mean()
    total = x.sum(axis=1)
    k = x.shape[1]
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() * len(x) / (len(x) - 1) / total.var())
    assert scales.alpha(x)["alpha"] == pytest.approx(kr20, abs=1e-12)


def test_pairwise_uses_all_answers_and_listwise_drops_rows():
    df = DATA["bfi"][["N1", "N2", "N3", "N4", "N5"]]
    pairwise, listwise = scales.alpha(df), scales.alpha(df, missing="listwise")
    assert pairwise["n"] == len(df) and listwise["n"] == len(df.dropna())
    assert pairwise["alpha"] != listwise["alpha"]


def test_input_is_not_mutated():
    df = DATA["bfi"][["A1", "A2", "A3", "A4", "A5"]].copy()
    before = df.copy()
    scales.alpha(df, reverse=["A1"])
    scales.item_analysis(df, reverse=["A1"])
    scales.omega(df, reverse=["A1"])
    pd.testing.assert_frame_equal(df, before)


def test_weights_change_means_not_reliability():
    df = DATA["bfi"][["C1", "C2", "C3", "C4", "C5"]].dropna().reset_index(drop=True)
    w = np.random.default_rng(1).uniform(0.2, 3, len(df))
    plain, weighted = scales.alpha(df, reverse=["C4", "C5"]), scales.alpha(df, reverse=["C4", "C5"], weights=w)
    assert weighted["alpha"] == plain["alpha"]
    assert weighted["mean"] != pytest.approx(plain["mean"])
    flipped = df.assign(C4=7 - df["C4"], C5=7 - df["C5"])
    assert weighted["mean"] == pytest.approx(np.average(flipped.mean(axis=1), weights=w))
    items = scales.item_analysis(df, weights=w)
    np.testing.assert_allclose(items["mean"], [np.average(df[c], weights=w) for c in df])
    np.testing.assert_allclose(items["sd"], [np.sqrt(np.cov(df[c], aweights=w)) for c in df])
    # weighted=True: coefficients from the weighted covariance matrix
    C = np.cov(flipped.to_numpy().T, aweights=w)
    k = C.shape[0]
    want = k / (k - 1) * (1 - np.trace(C) / C.sum())
    got = scales.alpha(df, reverse=["C4", "C5"], weights=w, weighted=True)
    assert got["alpha"] == pytest.approx(want, abs=1e-12)


def test_unit_weights_equal_unweighted():
    df = DATA["bfi"][["E1", "E2", "E3", "E4", "E5"]]
    a, b = scales.alpha(df), scales.alpha(df, weights=np.ones(len(df)), weighted=True)
    pd.testing.assert_series_equal(a, b, atol=1e-12, rtol=0)


@settings(max_examples=25, deadline=None)
@given(st.permutations(["O1", "O2", "O3", "O4", "O5"]))
def test_alpha_and_omega_do_not_depend_on_column_order(order):
    df = DATA["bfi"][["O1", "O2", "O3", "O4", "O5"]].iloc[:600]
    base, shuffled = scales.alpha(df, reverse=["O2", "O5"]), scales.alpha(df[order], reverse=["O2", "O5"])
    pd.testing.assert_series_equal(base, shuffled, atol=1e-12, rtol=0)
    o1, o2 = scales.omega(df, reverse=["O2", "O5"]), scales.omega(df[order], reverse=["O2", "O5"])
    assert o1["omega_total"] == pytest.approx(o2["omega_total"], abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.1, 10), st.floats(-5, 5))
def test_alpha_is_invariant_to_a_common_linear_rescaling(a, b):
    df = DATA["bfi"][["A2", "A3", "A4"]]
    assert scales.alpha(df * a + b)["alpha"] == pytest.approx(scales.alpha(df)["alpha"], abs=1e-10)


def test_omega_flips_negative_items_without_keys():
    df = DATA["bfi"][["A1", "A2", "A3", "A4", "A5"]]
    auto, keyed = scales.omega(df), scales.omega(df, reverse=["A1"])
    assert auto["omega_total"] == pytest.approx(keyed["omega_total"], abs=1e-8)
    assert (auto.loadings["g"] > 0).all() and auto.loadings["reversed"].tolist() == [True] + [False] * 4


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"a": [1.0, 2, 3]}), "at least 2 items"),
        (pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 2, 2]}), "without variance.*b"),
        (pd.DataFrame({"a": [1.0, 2, 3], "b": ["x", "y", "z"]}), "non-numeric: b"),
    ],
)
def test_bad_items_raise_scale_error_naming_them(frame, message):
    for fn in (scales.alpha, scales.omega, scales.item_analysis):
        with pytest.raises(ScaleError, match=message):
            fn(frame, name="practical_sr")


def test_all_problems_reported_at_once():
    frame = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 2, 2], "c": ["x", "y", "z"]})
    with pytest.raises(ScaleError, match="practical_sr.*non-numeric: c.*without variance.*b") as err:
        scales.alpha(frame, name="practical_sr")
    assert isinstance(err.value, ValueError)


def test_reverse_item_must_belong_to_the_scale():
    with pytest.raises(ScaleError, match="not among the scale's items: Z9"):
        scales.alpha(DATA["lsat6"], reverse=["Z9"])


def test_factor_model_non_convergence_warns(monkeypatch):
    df = DATA["bfi"][["N1", "N2", "N3", "N4", "N5"]]
    R = df.corr().to_numpy()
    loadings, converged = scales.minres_loadings(R, max_iter=1)
    assert not converged and loadings.shape == (5,)
    from toolkit.errors import ConvergenceWarning
    import importlib

    omega_module = importlib.import_module("toolkit.scales.omega")

    monkeypatch.setattr(omega_module, "minres", lambda R, k: (np.full((R.shape[0], 1), 0.5), False))
    with pytest.warns(ConvergenceWarning, match="neuroticism"):
        got = scales.omega(df, name="neuroticism")
    assert got["converged"] == 0.0


def test_reliability_one_row_per_scale(fake_responses):
    df = fake_responses(400)
    rel = toolkit.reliability(df, INST)
    assert rel["scale"].tolist() == list(INST.scales)
    assert set(rel.loc[rel["kind"] == "knowledge", "coefficient"]) == {"kr20"}
    # same figures as alpha() on the prepared items
    items = scales.scale_items(df, INST, "navigation_sr")
    scored = toolkit.score(df, INST, scales=["navigation_sr"])["navigation_sr"].notna()
    assert 0 < (~scored).sum() < scored.sum()  # some respondents fall below min_valid
    a = scales.alpha(items[scored])
    row = rel.set_index("scale").loc["navigation_sr"]
    # the scored respondents only: those with at least min_valid valid items, as toolkit.score
    assert row["alpha"] == pytest.approx(a["alpha"], abs=1e-12) and row["n"] == a["n"] == scored.sum()
    assert row["mean"] == pytest.approx(toolkit.score(df, INST)["navigation_sr"].mean(), abs=1e-12)


def test_item_statistics_one_row_per_scale_item(fake_responses):
    df = fake_responses(400)
    table = scales.item_statistics(df, INST)
    assert len(table) == sum(len(s.items) for s in INST.scales.values())
    assert table.groupby("scale", sort=False).size().index.tolist() == list(INST.scales)
    nav = table[table["scale"] == "navigation_sr"].reset_index(drop=True)
    items = scales.scale_items(df, INST, "navigation_sr")
    min_valid = INST.scales["navigation_sr"].min_valid
    want = scales.item_analysis(items[items.notna().sum(axis=1) >= min_valid])
    pd.testing.assert_series_equal(nav["r_drop"], want["r_drop"])
    assert nav["reverse"].tolist() == [INST.item(i).reverse for i in nav["item"]]
    kn = table[table["kind"] == "knowledge"]
    assert kn["mean"].between(0, 1).all()


@pytest.mark.parametrize("instrument", ["dis-full", Path(toolkit.__file__).parent / "questionnaires" / "dis-full.yaml"],
                         ids=["id", "path"])
def test_reliability_and_item_statistics_take_an_id_or_a_path(fake_responses, instrument):
    df = fake_responses(150, seed=8)
    pd.testing.assert_frame_equal(toolkit.reliability(df, instrument, with_omega=False),
                                  toolkit.reliability(df, INST, with_omega=False))
    pd.testing.assert_frame_equal(scales.item_statistics(df, instrument), scales.item_statistics(df, INST))


def test_feldt_interval_at_another_confidence_level():
    df = DATA["lsat6"]
    a95, a90 = scales.alpha(df), scales.alpha(df, conf_level=0.90)
    assert a90["alpha"] == a95["alpha"]
    assert a95["ci_low"] < a90["ci_low"] < a90["alpha"] < a90["ci_high"] < a95["ci_high"]
    with pytest.raises(OptionError, match=r"conf_level must be a confidence level between 0 and 1"):
        scales.alpha(df, conf_level=95)


def test_renamed_keywords_still_work_with_a_future_warning():
    df = DATA["bfi"][["A1", "A2", "A3", "A4", "A5"]]
    with pytest.warns(FutureWarning, match="ci= is now conf_level="):
        got = scales.alpha(df, ci=0.9)
    pd.testing.assert_series_equal(got, scales.alpha(df, conf_level=0.9))
    for fn in (scales.alpha, scales.item_analysis, scales.omega):
        want = fn(df, reverse=["A1"], response_range=(1, 6))
        with pytest.warns(FutureWarning, match=r"scale= is now response_range="):
            got = fn(df, reverse=["A1"], scale=(1, 6))
        if isinstance(want, scales.Omega):
            assert got.summary().equals(want.summary())
        elif isinstance(want, pd.DataFrame):
            pd.testing.assert_frame_equal(got, want)
        else:
            pd.testing.assert_series_equal(got, want)


def test_response_range_sets_the_reversal():
    df = DATA["bfi"][["A1", "A2", "A3"]]
    got = scales.item_analysis(df, reverse=["A1"], response_range=(0, 10))
    # reversed as 0 + 10 - x: the mean moves by 10 - 7 against psych's default range 1-6
    assert got["mean"].iloc[0] == pytest.approx(10 - df["A1"].mean())


def test_option_mistakes_are_option_errors():
    df = DATA["lsat6"]
    for fn in (scales.alpha, scales.omega, scales.item_analysis):
        with pytest.raises(OptionError, match="missing must be one of 'pairwise', 'listwise'; got 'all'"):
            fn(df, missing="all")
    with pytest.raises(OptionError, match="missing must be one of"):
        toolkit.reliability(df, INST, missing="complete")


def test_weights_are_checked_with_informative_errors():
    df = DATA["lsat6"]
    w = np.ones(len(df))
    w[[2, 5]] = np.nan
    with pytest.raises(ScaleError, match="weights: 2 missing/non-finite value.* rows 2, 5"):
        scales.alpha(df, weights=w)
    with pytest.raises(ScaleError, match=r"one value per row \(1000\)"):
        scales.item_analysis(df, weights=np.ones(3))

    class Design:  # a survey design lends its weights
        weights = np.linspace(0.5, 2, len(df))

    pd.testing.assert_series_equal(scales.alpha(df, weights=Design()), scales.alpha(df, weights=Design.weights))


@pytest.mark.parametrize(("fn", "positional"), [
    (scales.alpha, ["items"]), (scales.item_analysis, ["items"]), (scales.omega, ["items"]),
    (scales.minres_loadings, ["R"]), (toolkit.reliability, ["data", "instrument"]),
    (scales.item_statistics, ["data", "instrument"]),
])
def test_options_are_keyword_only(fn, positional):
    params = inspect.signature(fn).parameters.values()
    assert [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY] == positional


def test_the_screener_with_one_item_scales_scores_and_reports_reliability():
    from toolkit import datasets

    inst = toolkit.load_instrument("dis-screener")
    cleaned = toolkit.clean(toolkit.read_responses(datasets.path("sample_screener.csv"), inst), inst,
                            pseudonym_key="k")
    scores = toolkit.score(cleaned.data, inst)
    assert scores["practical_sr"].notna().mean() > 0.9
    assert set(scores["practical_sr_level"].dropna()) <= {"low", "basic", "above_basic"}
    rel = toolkit.reliability(cleaned.data, inst).set_index("scale")
    one = rel.loc["practical_sr"]
    assert one["n_items"] == 1 and one["coefficient"] == "none" and pd.isna(one["alpha"])
    assert "one item" in one["note"] and one["n"] > 400
    assert rel.loc["practical_kn", "alpha"] > 0 and rel.loc["practical_kn", "note"] == ""
    items = toolkit.scales.item_statistics(cleaned.data, inst)
    assert "practical_sr" not in set(items["scale"]) and "practical_kn" in set(items["scale"])


# ------------------------------------------------- edge cases (tests/results/psych_edge_fixtures.R)
EDGE = json.loads((RESULTS / "psych_edge_fixtures.json").read_text())["cases"]
A5 = ["A1", "A2", "A3", "A4", "A5"]


def test_undeclared_reverse_keyed_item_warns_as_psych():
    """psych::alpha warns that A1 "probably should be reversed"; so does the toolkit, naming it
    (alpha itself is psych's raw alpha of the unkeyed items, to 1e-12)."""
    with pytest.warns(DataQualityWarning, match=r"A1 are negatively correlated"):
        a = scales.alpha(DATA["bfi"][A5])
    assert a["alpha"] == pytest.approx(EDGE["alpha_unkeyed"]["alpha"], rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        scales.alpha(DATA["bfi"][A5], reverse=["A1"])  # declared: no warning


def test_check_keys_reverses_like_psych():
    """psych::alpha(check.keys = TRUE) reverses A1 and warns; alpha and std. alpha match to 1e-12."""
    with pytest.warns(DataQualityWarning, match="A1 were negatively correlated"):
        a = scales.alpha(DATA["bfi"][A5], check_keys=True)
    want = EDGE["alpha_check_keys"]
    assert a.attrs["reversed"] == [want["reversed"]]
    np.testing.assert_allclose(a[["alpha", "std_alpha"]].astype(float), [want["alpha"], want["std_alpha"]],
                               rtol=1e-12)
    with pytest.raises(ScaleError, match="not both"):
        scales.alpha(DATA["bfi"][A5], check_keys=True, reverse=["A1"])


@pytest.fixture(scope="module")
def weighted_c():
    from toolkit import survey

    data = pd.read_csv(RESULTS / "psych_edge_weighted.csv")
    return data, survey.Design(data, weights="w", strata="stratum")


def test_weighted_alpha_interval_uses_kish_effective_n(weighted_c):
    """With ESS-like weights (2,448 rows, Kish n 1,176) the Feldt interval and the ASE use the
    effective n (R: psych::alpha.ci(n.obs = n_eff) on svyvar's covariance); to 1e-10."""
    data, design = weighted_c
    want = EDGE["weighted_alpha"]
    a = scales.alpha(data[want["items"]], weights=data["w"], weighted=True)
    np.testing.assert_allclose(a[["alpha", "n_eff", "ci_low", "ci_high", "ase"]].astype(float),
                               [want["alpha"], want["n_eff"], want["feldt_low"], want["feldt_high"],
                                want["ase_kish"]], rtol=1e-10)
    rows = scales.alpha(data[want["items"]])  # unweighted: the row count, as psych
    assert rows["n_eff"] == rows["n"] == want["n"]


def test_weighted_alpha_design_interval_matches_svyvar_delta_method(weighted_c):
    """ci_method="design": SE linearised through the stratified design, the delta method on R's
    svyvar covariance of the variances; t interval on degf. To 1e-10."""
    data, design = weighted_c
    want = EDGE["weighted_alpha"]
    a = scales.alpha(data[want["items"]], weights=design, weighted=True, ci_method="design")
    np.testing.assert_allclose(a[["alpha", "se", "df", "ci_low", "ci_high"]].astype(float),
                               [want["alpha"], want["se_design"], want["df"], want["design_low"],
                                want["design_high"]], rtol=1e-10)
    with pytest.raises(ScaleError, match="needs weights"):
        scales.alpha(data[want["items"]], weights=data["w"], weighted=True, ci_method="design")
