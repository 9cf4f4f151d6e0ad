"""toolkit.survey.estimators: disclosure of every estimate table, options and renamed keywords.

R parity of the numbers is in test_design.py (uncalibrated) and test_weighting.py (calibrated).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.disclosure import DEFAULT_MIN_CELL, ESTIMATE_COLUMNS
from toolkit.errors import OptionError
from toolkit.survey import estimators

RESULTS = Path(__file__).resolve().parents[1] / "results"


def frame(n_rare: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    return pd.DataFrame({
        "g": ["rare"] * n_rare + ["common"] * (n - n_rare),
        "y": rng.normal(10, 2, n),
        "x": rng.uniform(1, 2, n),
        "c": rng.choice(["lo", "hi"], n),
        "w": rng.uniform(1, 3, n),
        "s": np.repeat(["a", "b"], n // 2),
    })


ESTIMATORS = {
    "mean": lambda d, **kw: d.mean("y", by="g", **kw),
    "total": lambda d, **kw: d.total("y", by="g", **kw),
    "ratio": lambda d, **kw: d.ratio("y", "x", by="g", **kw),
    "proportion": lambda d, **kw: d.proportion("c", by="g", **kw),
    "mean of two variables": lambda d, **kw: d.mean(["y", "x"], by="g", **kw),
    "mean by two columns": lambda d, **kw: d.mean("y", by=["g", "s"], **kw),
}


def shown_values(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in (*ESTIMATE_COLUMNS, "n") if c in table.columns]]


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("calibrated", [False, True])
def test_a_group_under_the_threshold_shows_no_count_or_estimate(name, calibrated):
    d = survey.Design(frame(), weights="w", strata="s")
    if calibrated:
        d = d.rake({"s": {"a": 0.4, "b": 0.6}})
    out = ESTIMATORS[name](d)
    rare = (out["g"] == "rare").to_numpy()
    assert rare.any() and (out.loc[rare, "n"].isna()).all()
    assert shown_values(out)[rare].isna().all().all()
    assert out.loc[rare, "suppressed"].all()
    assert (out.loc[rare, "note"] == f"n < {DEFAULT_MIN_CELL}: suppressed").all()
    # the same table without suppression has the numbers, so they were there to hide
    plain = ESTIMATORS[name](d, min_cell=0)
    assert plain.loc[rare, "estimate"].notna().all() and (plain.loc[rare, "n"] > 0).all()
    assert not plain["suppressed"].any()


@pytest.mark.parametrize("name", [k for k in ESTIMATORS if k != "proportion"])  # levels: test below
def test_groups_at_the_threshold_are_published(name):
    d = survey.Design(frame(n_rare=DEFAULT_MIN_CELL), weights="w", strata="s")
    out = ESTIMATORS[name](d)
    by_g = out[out["g"] == "rare"] if "s" not in out else out[(out["g"] == "rare") & (out["s"] == "a")]
    assert not by_g["suppressed"].any() and by_g["estimate"].notna().all()


def test_the_design_threshold_applies_and_a_call_can_override_it():
    d = survey.Design(frame(n_rare=7), weights="w", min_cell=10)
    assert d.mean("y", by="g")["suppressed"].tolist() == [False, True]
    assert not d.mean("y", by="g", min_cell=0)["suppressed"].any()
    assert survey.Design(frame(), min_cell=0).mean("y", by="g")["n"].tolist() == [57, 3]


def test_a_level_held_by_few_respondents_takes_its_neighbour_with_it():
    df = frame()
    df["c"] = ["mid"] * 2 + ["lo"] * 20 + ["hi"] * 38  # "mid" is held by 2 of the 60
    df["g"] = "all"
    out = survey.Design(df, weights="w").proportion("c")
    assert out["level"].tolist() == ["hi", "lo", "mid"]
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["note"].tolist() == ["", "suppressed to protect a cell with n < 5", "n < 5: suppressed"]
    assert out.loc[[1, 2], ["estimate", "se", "n"]].isna().all().all()
    df["c"] = ["mid"] * 5 + ["lo"] * 20 + ["hi"] * 35  # held by exactly min_cell: published
    assert not survey.Design(df, weights="w").proportion("c")["suppressed"].any()


def test_a_design_with_too_few_respondents_publishes_no_weight_summary():
    small = survey.Design(frame().head(4), weights="w")
    row = small.weight_summary().iloc[0]
    assert row["suppressed"] and pd.isna(row["n"]) and np.isnan(row["sum"]) and np.isnan(row["kish_neff"])
    assert not survey.Design(frame(), weights="w").weight_summary()["suppressed"].any()


@pytest.mark.parametrize("name", ["mean", "total", "ratio", "proportion"])
def test_old_level_keyword_still_works_and_warns(name):
    d = survey.Design(frame(), weights="w")
    with pytest.warns(FutureWarning, match="level= is now conf_level="):
        old = ESTIMATORS[name](d, level=0.9)
    pd.testing.assert_frame_equal(old, ESTIMATORS[name](d, conf_level=0.9))
    assert not old.equals(ESTIMATORS[name](d))  # 0.9 was used, not the default 0.95


def test_old_ci_keyword_of_proportion_still_works_and_warns():
    d = survey.Design(frame(), weights="w")
    with pytest.warns(FutureWarning, match="ci= is now ci_method="):
        old = d.proportion("c", ci="wald")
    pd.testing.assert_frame_equal(old, d.proportion("c", ci_method="wald"))
    z = 1.959963984540054
    np.testing.assert_allclose(old["ci_high"], old["estimate"] + z * old["se"], rtol=1e-12)


def test_options_are_checked_and_keyword_only():
    d = survey.Design(frame(), weights="w")
    with pytest.raises(OptionError, match="ci_method must be one of 'logit', 'likelihood', .*; got 'exact'"):
        d.proportion("c", ci_method="exact")
    with pytest.raises(OptionError, match=r"conf_level must be a confidence level between 0 and 1"):
        d.mean("y", conf_level=95)
    with pytest.raises(TypeError):
        d.mean("y", "g")  # by= is an option: keyword only


def test_logit_interval_is_the_expit_of_a_wald_interval_on_the_logit_scale():
    p, se, df = np.array([0.2]), np.array([0.05]), np.array([20.0])
    lo, hi = estimators.logit_ci(p, se, df, 0.95)
    half = 2.0859634472658644 * 0.05 / (0.2 * 0.8)  # qt(0.975, 20)
    eta = np.log(0.2 / 0.8)
    np.testing.assert_allclose([lo[0], hi[0]], [1 / (1 + np.exp(-(eta - half))), 1 / (1 + np.exp(-(eta + half)))],
                               rtol=1e-14)


# ---------------------------------------------------------------- edge cases (survey_edge_fixtures.R)
EDGE = json.loads((RESULTS / "survey_edge_fixtures.json").read_text())["cases"]


def test_nan_design_effect_warns_naming_the_variable():
    """Weights of 0.5 (summing to less than n): R's deff is NA (and R warns); so is ours, with a warning."""
    from toolkit.errors import DataQualityWarning

    small = pd.read_csv(RESULTS / "survey_edge_small.csv")
    d = survey.Design(small, weights="w_small", min_cell=0)
    with pytest.warns(DataQualityWarning, match="design effect of variable 'api00' is NaN") as rec:
        m = d.mean("api00")
    assert rec[0].filename == __file__
    assert EDGE["deff_nan"]["deff"] is None and np.isnan(m["deff"].iloc[0])


def _edge_design(name):
    if name == "strat":
        return survey.Design(pd.read_csv(RESULTS / "survey_apistrat.csv"), weights="pw", strata="stype",
                             fpc="fpc", min_cell=0)
    return survey.Design(pd.read_csv(RESULTS / "survey_apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc",
                         min_cell=0)


CIPROP = sorted(k for k in EDGE if k.startswith("ciprop_"))
# "logit" and "likelihood" go through an intercept-only svyglm that R stops at glm's default
# epsilon = 1e-8; the toolkit follows those IRLS steps for the intervals (same profile grid and FMM
# spline as MASS's profile.glm for "likelihood"), so they agree to 1e-10, but reports the converged
# design-based share as the estimate, where R reports expit(coef) of its stopped fit: 1e-8 there.
# Every other method is closed form (1e-10).
ESTIMATE_TOL = {"likelihood": 1e-8, "logit": 1e-8}


@pytest.mark.parametrize("case_id", CIPROP)
def test_proportion_ci_methods_match_svyciprop(case_id):
    """svyciprop(method = logit, likelihood, asin, beta, mean, xlogit), overall and svyby(~stype)."""
    want = EDGE[case_id]
    d = _edge_design(want["design"])
    tol = ESTIMATE_TOL.get(want["method"], 1e-10)
    got = d.proportion("sch_wide01", ci_method=want["method"])
    row = got[got["level"] == 1].iloc[0]
    assert row["estimate"] == pytest.approx(want["estimate"], rel=tol)
    np.testing.assert_allclose(row[["se", "ci_low", "ci_high"]].astype(float),
                               [want["se"], want["ci_low"], want["ci_high"]], rtol=1e-10)
    by = d.proportion("sch_wide01", by="stype", ci_method=want["method"])
    by = by[by["level"] == 1]
    assert by["stype"].tolist() == want["by_groups"]
    np.testing.assert_allclose(by["estimate"], want["by_estimate"], rtol=tol)
    np.testing.assert_allclose(by[["ci_low", "ci_high"]].to_numpy(float),
                               np.column_stack([want["by_ci_low"], want["by_ci_high"]]), rtol=1e-10)


@pytest.mark.parametrize("method", ["mean", "total", "proportion"])
def test_a_grouping_column_with_no_value_is_named(method):
    from toolkit.errors import DesignError

    data = pd.DataFrame({"y": [1.0, 0, 1, 0], "g": [np.nan] * 4, "h": ["a", "b", None, None]})
    with pytest.raises(DesignError, match=r"no respondent has a value of 'g' \(all missing\)"):
        getattr(survey.Design(data), method)("y", by="g", min_cell=0)
    # one column of two with values is not enough: no row has both
    with pytest.raises(DesignError, match="'h' and 'g'"):
        getattr(survey.Design(data), method)("y", by=["h", "g"], min_cell=0)
