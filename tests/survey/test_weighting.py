"""toolkit.survey weighting: raking, post-stratification, trimming against R, and properties.

Golden values: tests/results/survey_fixtures.json (tests/results/survey_fixtures.R): R's
rake() with default and tight control, postStratify() and trimWeights() on the api data.
"""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import survey
from toolkit.errors import ConvergenceWarning, DesignError

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXTURES = json.loads((RESULTS / "survey_fixtures.json").read_text())
CASES, MARGINS = FIXTURES["cases"], FIXTURES["margins"]
TWO = {"stype": MARGINS["stype"], "sch_wide": MARGINS["sch_wide"]}


@cache
def data(name):
    return pd.read_csv(RESULTS / f"survey_{name}.csv")


@cache
def design(name):
    clus1 = lambda: survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc")  # noqa: E731
    strat = lambda: survey.Design(data("apistrat"), weights="pw", strata="stype", fpc="fpc")  # noqa: E731
    return {
        "rake_default": lambda: clus1().rake(TWO),
        "rake_tight": lambda: clus1().rake(TWO, max_iter=100, tol=1e-12),
        "rake_strat": lambda: strat().rake({"sch_wide": MARGINS["sch_wide"], "awards": MARGINS["awards"]},
                                           max_iter=50, tol=1e-10),
        "poststrat": lambda: clus1().poststratify("stype", MARGINS["stype"]),
        "trim": lambda: strat().trim(lower=16, upper=40),
        "trim_raked": lambda: design("rake_tight").trim(upper=36),
    }[name]()


CALIBRATED = sorted(k for k, c in CASES.items()
                    if c["design"] in ("rake_default", "rake_tight", "rake_strat", "poststrat", "trim", "trim_raked")
                    and c["fun"] != "glm")


@pytest.mark.parametrize("case_id", CALIBRATED)
def test_calibrated_estimates_match_r(case_id):
    case = CASES[case_id]
    d = design(case["design"])
    if case["fun"] == "weights":
        np.testing.assert_allclose(d.weights, case["weights"], rtol=1e-8, atol=0)
        return
    if case["fun"] == "ratio":
        got = d.ratio(case["numerator"], case["denominator"], by=case["by"], min_cell=0)
    elif case["fun"] == "proportion":
        got = d.proportion(case["variable"], by=case["by"], min_cell=0)
    else:
        got = getattr(d, case["fun"])(case["variable"], by=case["by"], na_rm=case["na_rm"], min_cell=0)
    np.testing.assert_allclose(got["estimate"], np.ravel(case["estimate"]), rtol=1e-8, atol=0)
    # the issue asks 1e-6 for SEs after calibration; the raking sweeps reproduce R to ~1e-11
    for col in ("se", "ci_low", "ci_high", "deff"):
        np.testing.assert_allclose(got[col], np.ravel(case[col]), rtol=1e-8, atol=0, err_msg=col)
    np.testing.assert_array_equal(got["df"], np.ravel(case["df"]))


def test_raking_se_differs_from_fixed_weight_se():
    raked = design("rake_tight")
    fixed = survey.Design(data("apiclus1").assign(w=raked.weights), weights="w", psu="dnum", fpc="fpc")
    se_r, se_f = raked.mean("api00")["se"].iloc[0], fixed.mean("api00")["se"].iloc[0]
    assert se_r == pytest.approx(np.ravel(CASES["rake_tight:mean_api00"]["se"])[0], rel=1e-6)
    assert abs(se_r - se_f) / se_f > 1e-4


def test_default_rake_stops_like_r_and_reports():
    d = design("rake_default")
    res = d.rake_result
    assert res.converged and res.sweeps >= 1
    assert set(res.margins.columns) == {"margin", "level", "target", "achieved", "error"}
    assert res.max_error == pytest.approx(res.margins["error"].abs().max())
    summary = d.weight_summary().iloc[0]
    assert summary["kish_neff"] <= summary["n"] and summary["deff_weighting"] >= 1
    assert summary["converged"]


def test_non_convergence_warns_with_sweeps_and_error():
    with pytest.warns(ConvergenceWarning, match=r"after 1 sweeps.*largest margin error"):
        r = survey.Design(data("apistrat"), weights="pw", strata="stype").rake(
            {"sch_wide": MARGINS["sch_wide"], "awards": MARGINS["awards"]}, max_iter=1, tol=1e-14)
    assert not r.rake_result.converged and r.rake_result.sweeps == 1


def test_shares_equal_counts():
    total = sum(MARGINS["stype"].values())
    shares = {"stype": {k: v / total for k, v in MARGINS["stype"].items()}, "sch_wide": MARGINS["sch_wide"]}
    a = survey.Design(data("apiclus1"), weights="pw", psu="dnum").rake(shares, max_iter=100, tol=1e-12)
    b = survey.Design(data("apiclus1"), weights="pw", psu="dnum").rake(TWO, max_iter=100, tol=1e-12)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-12)


def test_margin_errors_name_column_and_level():
    d = survey.Design(data("apiclus1"), weights="pw", psu="dnum")
    with pytest.raises(DesignError, match=r"margin stype: value .*'E'.* not among"):
        d.rake({"stype": {"H": 1, "M": 2}})
    with pytest.raises(DesignError, match="margin column 'nope' not found"):
        d.rake({"nope": {"a": 1}})
    with pytest.raises(DesignError, match=r"level\(s\) \[\('X',\)\] have a population count"):
        d.poststratify("stype", {"E": 1, "H": 1, "M": 1, "X": 5})


def test_trim_keeps_total_and_bounds():
    d = survey.Design(data("apistrat"), weights="pw", strata="stype")
    t = d.trim(lower=16, upper=40, strict=True)
    assert t.weights.sum() == pytest.approx(d.weights.sum(), rel=1e-12)
    assert t.weights.min() >= 16 - 1e-9 and t.weights.max() <= 40 + 1e-9


# ----------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.1, 0.9), st.floats(0.1, 0.9))
def test_raked_weights_hit_their_margins(seed, p_sex, p_young):
    rng = np.random.default_rng(seed)
    n = 200
    df = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "age": rng.choice(["y", "m", "o"], n),
                       "w": rng.uniform(0.5, 3, n)})
    margins = {"sex": {"f": p_sex, "m": 1 - p_sex},
               "age": {"y": p_young * 1000, "m": (1 - p_young) * 600, "o": (1 - p_young) * 400}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        r = survey.Design(df, weights="w").rake(margins, max_iter=200, tol=1e-12)
    for col, target in margins.items():
        got = pd.Series(r.weights).groupby(df[col].to_numpy()).sum()
        want = pd.Series(target) * (1000 if col == "sex" else 1)
        np.testing.assert_allclose(got[want.index], want, rtol=1e-9)


def test_string_margin_keys_match_numeric_codes():
    nh = pd.read_csv(RESULTS / "survey_nhanes.csv")
    d = survey.Design(nh, weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU")
    a = d.poststratify("RIAGENDR", {1: 1.4e8, 2: 1.5e8})
    b = d.poststratify("RIAGENDR", {"1": 1.4e8, "2": 1.5e8})
    np.testing.assert_array_equal(a.weights, b.weights)


def test_rake_result_is_read_only_with_a_summary():
    res = design("rake_tight").rake_result
    with pytest.raises(AttributeError):
        res.converged = False
    summary = res.summary()
    assert summary.to_dict("records") == [{"converged": True, "sweeps": res.sweeps, "max_error": res.max_error,
                                           "n_margins": 2}]


def test_weighting_options_are_keyword_only():
    d = survey.Design(data("apistrat"), weights="pw", strata="stype")
    with pytest.raises(TypeError):
        d.trim(16, 40)
    with pytest.raises(TypeError):
        d.rake(TWO, 100)


# ---------------------------------------------------------------- edge cases (survey_edge_fixtures.R)
EDGE = json.loads((RESULTS / "survey_edge_fixtures.json").read_text())["cases"]
STYPE0 = {"E": 4421, "H": 755, "M": 1018, "X": 0}
SCH = {"No": 1072, "Yes": 5122}


@cache
def raked_with_empty_level():
    clus1 = survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    return clus1.rake({"stype": STYPE0, "sch_wide": SCH}, max_iter=100, tol=1e-12)


def test_rake_with_an_empty_zero_count_level_matches_r():
    """A margin level with a count of 0 and no sample (stype "X") is dropped, as R's rake does; the
    SEs were NaN (a 0/0 for the empty cell). R's rake stops at epsilon=1e-12: values to 1e-8."""
    d = raked_with_empty_level()
    np.testing.assert_allclose(d.weights, EDGE["rake_empty_weights"]["weights"], rtol=1e-8)
    m = d.mean("api00", min_cell=0)
    want = EDGE["rake_empty_mean"]
    np.testing.assert_allclose(m[["estimate", "se"]].to_numpy().ravel(),
                               [want["estimate"], np.ravel(want["se"])[0]], rtol=1e-8)
    by = d.mean("api00", by="stype", min_cell=0)
    assert by["stype"].tolist() == EDGE["rake_empty_by"]["groups"]
    np.testing.assert_allclose(by["estimate"], EDGE["rake_empty_by"]["estimate"], rtol=1e-8)
    np.testing.assert_allclose(by["se"], EDGE["rake_empty_by"]["se"], rtol=1e-8)
    for case, family in (("rake_empty_glm", "gaussian"), ("rake_empty_logit", "binomial")):
        formula = "api00 ~ ell + meals" if family == "gaussian" else "sch_wide01 ~ ell"
        fit = d.glm(formula, family=family)
        np.testing.assert_allclose(fit.coef_, EDGE[case]["coef"], rtol=1e-8)
        np.testing.assert_allclose(fit.table["se"], EDGE[case]["se"], rtol=1e-8)


def test_rake_margins_that_disagree_in_their_totals_warn():
    """R rakes silently (survey_edge_fixtures.R: no warning, total weight 6706); the toolkit names the
    margins and their totals, and still gives R's weights total."""
    from toolkit.errors import DataQualityWarning

    clus1 = survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    off = {"No": 1072 + 512, "Yes": 5122}
    with pytest.warns(DataQualityWarning, match=r"'stype' sums to 6194, 'sch_wide' sums to 6706") as rec:
        d = clus1.rake({"stype": STYPE0, "sch_wide": off})
    assert rec[0].filename == __file__
    assert EDGE["rake_disagree"]["warnings"] == []
    assert d.weights.sum() == pytest.approx(EDGE["rake_disagree"]["weights_total"], rel=1e-12)


def test_poststratify_partial_ignores_cells_absent_from_the_sample():
    """postStratify(partial = TRUE) drops stype "X" (250 in the population, none sampled) with a warning;
    weights, mean and domain means match R to 1e-10."""
    from toolkit.errors import DataQualityWarning

    clus1 = survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    pop = {"E": 4421, "H": 755, "M": 1018, "X": 250}
    with pytest.raises(DesignError, match="no weight in the sample"):
        clus1.poststratify("stype", pop)
    with pytest.warns(DataQualityWarning, match=r"\['X'\] are absent from the sample"):
        d = clus1.poststratify("stype", pop, partial=True)
    want = EDGE["poststrat_partial"]
    assert "absent from sample" in want["warnings"]
    np.testing.assert_allclose(d.weights, want["weights"], rtol=1e-10)
    m = d.mean("api00", min_cell=0)
    np.testing.assert_allclose(m[["estimate", "se"]].to_numpy().ravel(),
                               [want["estimate"], np.ravel(want["se"])[0]], rtol=1e-10)
    by = d.mean("api00", by="sch_wide", min_cell=0)
    np.testing.assert_allclose(by["estimate"], want["by"]["estimate"], rtol=1e-10)
    np.testing.assert_allclose(by["se"], want["by"]["se"], rtol=1e-10)
