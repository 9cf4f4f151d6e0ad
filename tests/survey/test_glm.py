"""toolkit.survey.glm: survey GLMs against R's svyglm (fully converged fixtures), and behaviour.

Golden values: tests/results/survey_fixtures.json from tests/results/survey_fixtures.R
(svyglm with glm.control(epsilon = 1e-12, maxit = 100); confint(ddf = df.residual)).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.errors import ConvergenceWarning, ModelError, OptionError

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXTURES = json.loads((RESULTS / "survey_fixtures.json").read_text())
CASES, MARGINS = FIXTURES["cases"], FIXTURES["margins"]


@cache
def data(name):
    return pd.read_csv(RESULTS / f"survey_{name}.csv")


@cache
def design(name):
    nh = dict(weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU")
    clus1 = lambda: survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc")  # noqa: E731
    return {
        "strat_fpc": lambda: survey.Design(data("apistrat"), weights="pw", strata="stype", fpc="fpc"),
        "clus1_fpc": clus1,
        "clus2_uc": lambda: survey.Design(data("apiclus2"), weights="pw", psu=["dnum", "snum"]),
        "clus2_fpc": lambda: survey.Design(data("apiclus2"), psu=["dnum", "snum"],
                                           fpc=["fpc1", "fpc2"]),
        "nhanes": lambda: survey.Design(data("nhanes"), **nh),
        "lonely_adjust": lambda: survey.Design(data("nhanes").query("lonely_ok == 1"), **nh,
                                               lonely_psu="adjust"),
        "rake_tight": lambda: clus1().rake({"stype": MARGINS["stype"], "sch_wide": MARGINS["sch_wide"]},
                                           max_iter=100, tol=1e-12),
        "poststrat": lambda: clus1().poststratify("stype", MARGINS["stype"]),
    }[name]()


def py_formula(r_formula: str) -> str:
    return r_formula.replace("factor(", "C(")


GLM_CASES = sorted(k for k, c in CASES.items() if c["fun"] == "glm")


@pytest.mark.parametrize("case_id", GLM_CASES)
def test_glm_matches_r(case_id):
    case = CASES[case_id]
    fit = design(case["design"]).glm(py_formula(case["formula"]), family=case["family"])
    tab = fit.table
    assert len(tab) == len(case["term"])
    assert fit.df_resid_ == case["df_resid"]
    np.testing.assert_allclose(tab["coef"], case["coef"], rtol=1e-8, atol=0)
    for col in ("se", "t", "ci_low", "ci_high"):
        np.testing.assert_allclose(tab[col], case[col], rtol=1e-8, atol=0,
                                   err_msg=col)
    np.testing.assert_allclose(tab["p"], case["p"], rtol=1e-8, atol=1e-300)


PREDICT_CASES = sorted(k for k, c in CASES.items() if c["fun"] == "predict")


@pytest.mark.parametrize("case_id", PREDICT_CASES)
def test_predictions_match_r(case_id):
    case = CASES[case_id]
    fit = design(case["design"]).glm(py_formula(case["formula"]), family=case["family"])
    new = pd.DataFrame(case["newdata"])
    resp, link = fit.predict(new), fit.predict(new, type="link")
    np.testing.assert_allclose(resp["estimate"], case["estimate"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(resp["se"], np.ravel(case["se"]), rtol=1e-8, atol=0)
    np.testing.assert_allclose(link["estimate"], case["link"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(link["se"], np.ravel(case["link_se"]), rtol=1e-8, atol=0)


def test_logit_table_has_odds_ratios_and_predictions():
    fit = design("strat_fpc").glm("sch_wide01 ~ ell + meals + stype", family="binomial")
    np.testing.assert_allclose(fit.table["odds_ratio"], np.exp(fit.table["coef"]))
    assert (fit.table["odds_ratio_ci_low"] < fit.table["odds_ratio"]).all()
    new = pd.DataFrame({"ell": [10.0, 40.0], "meals": [20.0, 80.0], "stype": ["E", "H"]})
    pred = fit.predict(new)
    assert ((pred["estimate"] > 0) & (pred["estimate"] < 1) & (pred["se"] > 0)).all()
    link = fit.predict(new, type="link")
    np.testing.assert_allclose(1 / (1 + np.exp(-link["estimate"])), pred["estimate"])


def test_average_marginal_effects():
    d = design("strat_fpc")
    lin = d.glm("api00 ~ ell + meals + stype")
    ame = lin.marginal_effects()
    ell = ame[ame["variable"] == "ell"].iloc[0]
    coef = lin.table.set_index("term")
    assert ell["estimate"] == pytest.approx(coef.loc["ell", "coef"], rel=1e-6)
    assert ell["se"] == pytest.approx(coef.loc["ell", "se"], rel=1e-4)
    st = ame[ame["variable"] == "stype"]
    assert st["contrast"].tolist() == ["H - E", "M - E"]
    assert st["estimate"].iloc[0] == pytest.approx(coef.loc["stype[T.H]", "coef"], rel=1e-9)
    fit = d.glm("sch_wide01 ~ ell + meals", family="binomial")
    logit = fit.marginal_effects(variables="meals")
    # closed form: AME = mean_w(mu (1 - mu)) b_meals; its gradient in b gives the delta-method SE
    df, w = data("apistrat"), d.weights / d.weights.sum()
    X = np.column_stack([np.ones(len(df)), df["ell"], df["meals"]])
    mu = 1 / (1 + np.exp(-X @ fit.coef_))
    s = mu * (1 - mu)
    grad = (w * s * (1 - 2 * mu)) @ X * fit.coef_[2]
    grad[2] += w @ s
    assert len(logit) == 1
    assert logit["estimate"].iloc[0] == pytest.approx(w @ s * fit.coef_[2], rel=1e-7)
    assert logit["se"].iloc[0] == pytest.approx(np.sqrt(grad @ fit.vcov_ @ grad), rel=1e-7)


def test_poisson_gives_rate_ratios():
    # coefficients and SEs are checked against R in test_glm_matches_r (strat_fpc:glm_poisson)
    fit = design("strat_fpc").glm("mobility ~ meals + stype", family="poisson")
    np.testing.assert_allclose(fit.table["rate_ratio"], np.exp(fit.table["coef"]), rtol=1e-15)
    np.testing.assert_allclose(fit.table["rate_ratio_ci_high"], np.exp(fit.table["ci_high"]), rtol=1e-15)
    assert fit.converged_ and "odds_ratio" not in fit.table


def test_formula_errors_name_the_column():
    d = design("strat_fpc")
    with pytest.raises(ModelError, match="unknown column.*'nonexistent'"):
        d.glm("api00 ~ ell + nonexistent")
    with pytest.raises(OptionError, match="family must be one of"):
        d.glm("api00 ~ ell", family="gamma")
    with pytest.raises(ModelError, match=r"must lie in \[0, 1\]"):
        d.glm("api00 ~ ell", family="binomial")


def test_collinear_terms_are_named():
    df = data("apistrat").assign(ell2=lambda f: 2 * f["ell"])
    with pytest.raises(ModelError, match="ell2 is a linear combination"):
        survey.Design(df, weights="pw").glm("api00 ~ ell + ell2")


def test_predict_names_missing_columns():
    fit = design("strat_fpc").glm("api00 ~ ell + meals")
    with pytest.raises(ModelError, match=r"newdata has no column\(s\) 'meals'"):
        fit.predict(pd.DataFrame({"ell": [1.0]}))


def test_unused_categories_are_dropped_as_glm_does():
    df = data("apistrat").assign(
        st=lambda f: pd.Categorical(f["stype"], categories=["M", "E", "X", "H"]))
    d = survey.Design(df, weights="pw", strata="stype", fpc="fpc")
    fit = d.glm("sch_wide01 ~ ell + C(st)", family="binomial")
    assert fit.table["term"].tolist() == ["Intercept", "ell", "C(st)[T.E]", "C(st)[T.H]"]
    ame = fit.marginal_effects(variables="st")
    assert ame["contrast"].tolist() == ["E - M", "H - M"]


def test_the_fit_is_read_only_with_fitted_attributes_and_a_summary():
    fit = design("strat_fpc").glm("api00 ~ ell + meals")
    with pytest.raises(AttributeError):
        fit.coef_ = np.zeros(3)
    with pytest.raises(ValueError, match="read-only"):
        fit.coef_[0] = 0.0
    assert fit.coef_.shape == (3,) and fit.vcov_.shape == (3, 3) and fit.n_iter_ >= 1 and fit.converged_
    summary = fit.summary()
    pd.testing.assert_frame_equal(summary, fit.table)
    summary.loc[0, "coef"] = 0.0  # a copy: the fit is unchanged
    assert fit.table.loc[0, "coef"] != 0.0


@pytest.mark.parametrize("old, new", [("df_resid", "df_resid_"), ("n_iter", "n_iter_"),
                                      ("converged", "converged_"), ("level", "conf_level")])
def test_old_attribute_names_still_work_and_warn(old, new):
    fit = design("strat_fpc").glm("api00 ~ ell")
    with pytest.warns(FutureWarning, match=f"SurveyGLM.{old} is now SurveyGLM.{new}"):
        assert getattr(fit, old) == getattr(fit, new)


def test_old_level_keyword_of_glm_still_works_and_warns():
    d = design("strat_fpc")
    with pytest.warns(FutureWarning, match="level= is now conf_level="):
        old = d.glm("api00 ~ ell", level=0.9)
    new = d.glm("api00 ~ ell", conf_level=0.9)
    pd.testing.assert_frame_equal(old.table, new.table)
    assert new.conf_level == 0.9 and (new.table["ci_high"] < d.glm("api00 ~ ell").table["ci_high"]).all()


def test_glm_options_are_checked():
    fit = design("strat_fpc").glm("api00 ~ ell")
    with pytest.raises(OptionError, match="type must be one of 'response', 'link'"):
        fit.predict(pd.DataFrame({"ell": [1.0]}), type="probability")
    with pytest.raises(TypeError):
        design("strat_fpc").glm("api00 ~ ell", "binomial")  # family= is an option


# ---------------------------------------------------------------- edge cases (survey_edge_fixtures.R)
EDGE = json.loads((RESULTS / "survey_edge_fixtures.json").read_text())["cases"]
QUASI = [("quasibinomial", "strat_fpc", "sch_wide01 ~ ell + meals", "quasibinomial"),
         ("binomial", "strat_fpc", "sch_wide01 ~ ell + meals", "binomial"),
         ("quasipoisson", "clus1_fpc", "acs_k3 ~ ell + meals", "quasipoisson"),
         ("gaussian_disp", "clus1_fpc", "api00 ~ ell + meals", "gaussian")]


@pytest.mark.parametrize(("case", "name", "formula", "family"), QUASI, ids=[q[0] for q in QUASI])
def test_quasi_families_and_dispersion_match_svyglm(case, name, formula, family):
    """quasibinomial / quasipoisson fit as binomial / poisson with the same sandwich SEs; dispersion_
    is summary.svyglm's svyvar of the Pearson residuals. Fixtures fully converged (epsilon 1e-12): 1e-8."""
    fit = design(name).glm(formula, family=family)
    want = EDGE[case]
    np.testing.assert_allclose(fit.coef_, want["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.table["se"], want["se"], rtol=1e-8)
    assert fit.df_resid_ == want["df_resid"]
    assert fit.dispersion_ == pytest.approx(want["dispersion"], rel=1e-8)


def test_separated_logit_warns_naming_the_term():
    """R's glm.fit does not converge on api00 > 700 ~ api00 (complete separation); the toolkit says so."""
    from toolkit.errors import BoundaryWarning

    d = design("strat_fpc").update(high=lambda df: (df["api00"] > 700).astype(float))
    with pytest.warns(BoundaryWarning, match="separated.*'api00'") as rec:
        with pytest.warns(ConvergenceWarning):
            fit = d.glm("high ~ api00", family="binomial", max_iter=25)
    assert [r.filename for r in rec if r.category is BoundaryWarning] == [__file__]
    assert abs(fit.coef_[1]) > 1  # huge, as R's 4.85 (per point of api00)
    assert "did not converge" in EDGE["separation"]["warnings"]
