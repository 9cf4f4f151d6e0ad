"""ExclusionRiskModel on the bundled sample: fit, validation, prediction, guardrails and the model card.

Golden values: tests/results/risk_model_fixtures.json from tests/results/risk_model_fixtures.R (R's survey
4.1: svyglm, svymean, and the weighted AUC by its pairwise definition with svytotal of its influence values).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit

import toolkit
from toolkit import survey
from toolkit.errors import ConvergenceWarning, ModelError
from tests.risk import _helpers
from tests.risk._helpers import toy
from toolkit.risk import performance
from toolkit.risk.model import DEFAULT_PREDICTORS, ExclusionRiskModel

ID_COLUMNS = {"respondent_id", "id", "row", "pseudonym"}


@pytest.fixture(scope="module")
def bundled():
    return _helpers.bundled()


@pytest.fixture(scope="module")
def fitted():
    return _helpers.fitted()


def test_bundled_model_discriminates_and_is_calibrated_in_sample(fitted):
    model, _ = fitted
    assert 0.5 < model.auc_ < 1 and 0.5 < model.cv_auc_ < 1
    assert model.cv_auc_ < model.auc_  # out-of-fold predictions lose some optimism
    cal = model.calibration_.set_index("predictions")
    assert cal.loc["in_sample", "slope"] == pytest.approx(1, abs=1e-6)
    assert cal.loc["in_sample", "citl"] == pytest.approx(0, abs=1e-8)
    assert 0.6 < cal.loc["cross_validated", "slope"] < 1.2
    disc = model.discrimination_.set_index("predictions")
    assert (disc["ci_low"] < disc["estimate"]).all() and (disc["estimate"] < disc["ci_high"]).all()


def test_the_fit_is_design_glm_with_categorical_demographics(fitted):
    model, design = fitted
    assert model.categorical_ == list(DEFAULT_PREDICTORS)
    assert model.formula_ == "needs_help ~ C(age_band) + C(gender) + C(education) + C(home_lang)"
    direct = design.update(needs_help=design.data["needs_help"].astype(float)).glm(model.formula_, family="binomial")
    np.testing.assert_allclose(model.glm_.coef_, direct.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.table_["se"], direct.table["se"], rtol=1e-10)
    older = model.table_.set_index("term").loc["C(age_band)[T.75+]"]
    assert older["variable"] == "age_band" and older["level"] == "75+" and older["reference"] == "18-29"
    assert older["odds_ratio_ci_low"] < older["odds_ratio"] < older["odds_ratio_ci_high"]
    assert model.table_.set_index("term").loc["C(education)[T.5.0]", ["level", "reference"]].tolist() == ["5", "1"]
    assert set(model.marginal_effects_["variable"]) == set(DEFAULT_PREDICTORS)
    assert model.n_ == int(design.data[["needs_help", *DEFAULT_PREDICTORS]].notna().all(axis=1).sum())


def test_calibration_by_group_covers_age_gender_and_language(fitted):
    model, _ = fitted
    table = model.calibration_by_group_
    assert set(table["variable"]) == {"age_band", "gender", "home_lang"}
    assert set(table["predictions"]) == {"in_sample", "cross_validated"}
    for col in ("auc", "auc_ci_low", "citl", "slope", "brier", "n", "suppressed", "note"):
        assert col in table.columns
    cv = table[table["predictions"] == "cross_validated"]
    assert cv.groupby("variable")["n"].sum().eq(model.n_).all()


def test_calibration_table_has_deciles_with_counts_through_disclosure(fitted):
    model, _ = fitted
    table = model.calibration_table_
    assert {"suppressed", "note", "n", "observed", "predicted"} <= set(table.columns)
    for _, part in table.groupby("predictions"):
        assert len(part) == 10 and part["n"].sum() == model.n_


def test_small_groups_are_suppressed_in_published_tables():
    data = toy(200)
    data["area"] = np.where(np.arange(200) < 3, "small", "large")
    model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["area"]).fit(data)
    rows = model.calibration_by_group_.set_index(["predictions", "level"])
    small = rows.loc[("cross_validated", "small")]
    assert small["suppressed"] and pd.isna(small["n"]) and np.isnan(small["auc"]) and np.isnan(small["slope"])


def test_predict_proba_gives_bare_probabilities_without_identifiers(fitted, bundled):
    model, _ = fitted
    _, data = bundled
    profiles = data.loc[data[list(DEFAULT_PREDICTORS)].notna().all(axis=1)].head(25)
    assert "respondent_id" in profiles.columns
    out = model.predict_proba(profiles.set_index("respondent_id", drop=False))
    assert isinstance(out, np.ndarray) and out.shape == (25,)
    np.testing.assert_allclose(out, model.glm_.predict(profiles)["estimate"].to_numpy())
    assert ((out > 0) & (out < 1)).all()


def test_predict_proba_on_population_cells(fitted):
    model, _ = fitted
    population = toolkit.datasets.load("population.csv")
    risk = model.predict_proba(population)
    assert risk.shape == (len(population),) and np.isfinite(risk).all()
    # the same cell written with other codes gets the same risk
    cell = population.iloc[[0]]
    recoded = cell.astype({"gender": float, "education": str, "home_lang": float})
    assert model.predict_proba(recoded)[0] == pytest.approx(risk[0])


def test_unknown_categories_and_missing_values_in_profiles_are_named(fitted):
    model, _ = fitted
    cell = pd.DataFrame({"age_band": ["75+"], "gender": [1], "education": [9], "home_lang": [1]})
    with pytest.raises(ModelError, match=r"'education'.*'9'"):
        model.predict_proba(cell)
    with pytest.raises(ModelError, match="'gender' has 1 missing"):
        model.predict_proba(cell.assign(education=1, gender=np.nan))
    with pytest.raises(ModelError, match="home_lang"):
        model.predict_proba(cell.drop(columns="home_lang"))


def test_outcome_must_be_present_and_binary():
    data = toy()
    with pytest.raises(ModelError, match="'needs_help'"):
        ExclusionRiskModel(predictors=["x"]).fit(data)
    with pytest.raises(ModelError, match=r"outcome column 'y'.*2"):
        ExclusionRiskModel(outcome="y", predictors=["x"]).fit(data.assign(y=data["y"] * 2))
    booleans = data.assign(y=data["y"].astype(bool).astype(object).where(data.index % 9 > 0))
    model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"]).fit(booleans)
    assert model.n_ == booleans["y"].notna().sum()


def test_a_predictor_with_no_value_is_named():
    data = toy().assign(z=np.nan)
    with pytest.raises(ModelError, match=r"predictor column\(s\) 'z' hold no value \(all missing\)"):
        ExclusionRiskModel(outcome="y", predictors=["x", "z"]).fit(data)


def test_non_convergence_warns_with_the_model_name():
    with pytest.warns(ConvergenceWarning, match=r"ExclusionRiskModel\(outcome='y'"):
        ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], max_iter=1).fit(toy())


def test_numeric_predictors_stay_numeric_unless_listed():
    data = toy()
    assert ExclusionRiskModel(outcome="y", predictors=["x", "code"], by=[]).fit(data).categorical_ == ["x"]
    listed = ExclusionRiskModel(outcome="y", predictors=["x", "code"], categorical=["code"], by=[]).fit(data)
    assert listed.categorical_ == ["x", "code"] and listed.levels_["code"] == [1, 2]
    with pytest.raises(ModelError, match="not predictors"):
        ExclusionRiskModel(outcome="y", predictors=["x"], categorical=["code"]).fit(data)


def test_design_must_be_built_on_the_data_and_model_fitted_before_use():
    data = toy()
    with pytest.raises(ModelError, match="built on the data"):
        ExclusionRiskModel(outcome="y", predictors=["x"]).fit(data, design=survey.Design(data.head(50)))
    with pytest.raises(ModelError, match="not fitted"):
        ExclusionRiskModel(outcome="y", predictors=["x"]).predict_proba(data)


def test_cross_validation_folds_follow_the_clusters():
    data = toy(240)
    data["psu"] = np.repeat(np.arange(24), 10)
    design = survey.Design(data, psu="psu")
    model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=4).fit(data, design=design)
    assert np.isfinite(model.cv_auc_)
    assert model.discrimination_["n"].tolist() == [240, 240]


def _public_results(model) -> dict:
    out = {name: getattr(model, name) for name in dir(model) if name.endswith("_") and not name.startswith("_")}
    out["summary()"] = model.summary()
    return out


def test_no_public_result_holds_identifiers(fitted, bundled):
    model, _ = fitted
    _, data = bundled
    ids = set(data["respondent_id"].dropna().astype(str))
    for name, value in _public_results(model).items():
        if isinstance(value, pd.DataFrame):
            assert not ID_COLUMNS & set(map(str, value.columns)), name
            assert len(value) < 100, f"{name} looks like a per-respondent list"
            cells = set(value.astype(str).to_numpy().ravel()) | set(map(str, value.index))
            assert not ids & cells, name


def test_init_only_stores_parameters():
    model = ExclusionRiskModel(outcome="y", predictors=("x",), cv_folds=3)
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.predictors == ["x"] and model.cv_folds == 3
    assert ExclusionRiskModel().predictors == list(DEFAULT_PREDICTORS)


def test_summary_lists_headline_figures(fitted):
    model, _ = fitted
    summary = model.summary().set_index("figure")
    assert summary.loc["respondents", "estimate"] == model.n_
    assert summary.loc["cv_auc", "estimate"] == pytest.approx(model.cv_auc_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.summary()


RESULTS = Path(__file__).resolve().parents[1] / "results"


@pytest.mark.parametrize("case", json.loads((RESULTS / "risk_model_fixtures.json").read_text())["cases"],
                         ids=lambda c: c["case"])
def test_matches_r_svyglm_and_the_hand_written_weighted_auc(case):
    """tests/results/risk_model_fixtures.R: svyglm, svymean and svytotal of the AUC's influence values."""
    fixture = json.loads((RESULTS / "risk_model_fixtures.json").read_text())
    data = pd.read_csv(RESULTS / "risk_model.csv")
    design = survey.Design(data, weights="w", strata="stratum", psu="psu")
    if case["case"] == "raked":
        design = design.rake({list(m[0])[0]: {row[list(row)[0]]: row["Freq"] for row in m}
                              for m in fixture["margins"]})
    model = ExclusionRiskModel(outcome="y", predictors=["age_band", "lang"], by=["lang"]).fit(data, design=design)
    np.testing.assert_allclose(model.glm_.coef_, case["coef"], rtol=1e-8)
    np.testing.assert_allclose(model.table_["se"], case["se"], rtol=1e-8)
    disc = model.discrimination_.set_index("predictions").loc["in_sample"]
    assert disc["estimate"] == pytest.approx(case["auc"], rel=1e-10)
    assert disc["se"] == pytest.approx(case["auc_se"], rel=1e-8)
    other = model.calibration_by_group_.set_index(["predictions", "level"]).loc[("in_sample", "other")]
    assert other["auc"] == pytest.approx(case["auc_other"], rel=1e-10)
    assert other["auc_se"] == pytest.approx(case["auc_other_se"], rel=1e-8)
    cal = model.calibration_.set_index("predictions").loc["in_sample"]
    z = stats.norm.ppf(0.975)
    assert cal["citl"] == pytest.approx(case["citl"], abs=1e-12)
    assert (cal["citl"] - cal["citl_ci_low"]) / z == pytest.approx(case["citl_se"], rel=1e-8)
    assert cal["brier"] == pytest.approx(case["brier"], rel=1e-10)
    assert cal["brier_se"] == pytest.approx(case["brier_se"], rel=1e-8)
    assert cal["slope"] == pytest.approx(case["slope"], rel=1e-8)
    np.testing.assert_allclose(cal[["slope_ci_low", "slope_ci_high"]].astype(float), case["slope_ci"], rtol=1e-7)


def test_column_names_must_fit_a_formula():
    data = toy().rename(columns={"x": "home lang"})
    with pytest.raises(ModelError, match="'home lang' cannot enter a model formula"):
        ExclusionRiskModel(outcome="y", predictors=["home lang"]).fit(data)


def test_refitting_replaces_the_fit():
    model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2)
    first = model.fit(toy(seed=1)).glm_.coef_.copy()
    assert model.fit(toy(seed=2)) is model and not np.allclose(model.glm_.coef_, first)


def test_a_category_missing_from_a_training_fold_is_explained():
    data = toy(100)
    data.loc[0, "x"] = "rare"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ModelError, match=r"cross-validation fold \d of 5 holds a category"):
            ExclusionRiskModel(outcome="y", predictors=["x"], by=[]).fit(data)


def test_a_wide_survey_frame_fits_without_warnings():
    data = toy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        for i in range(120):  # a frame built column by column, as survey exports often are
            data[f"item_{i}"] = i
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data)


def test_cross_validated_risks_equal_refits_on_the_rows():
    data = toy(300, seed=2)
    rng = np.random.default_rng(2)
    data["z"] = rng.normal(size=300)  # continuous: every row its own covariate pattern
    data["w"] = rng.uniform(0.5, 2, 300)
    data.loc[[4, 50], "y"] = np.nan
    data.loc[7, "z"] = np.nan
    design = survey.Design(data, weights="w")
    model = ExclusionRiskModel(outcome="y", predictors=["x", "z"], by=["x"]).fit(data, design=design)
    used = data[["y", "x", "z"]].notna().all(axis=1).to_numpy()
    folds = performance.cv_folds(design, k=5, random_state=0)
    risk = np.full(len(data), np.nan)
    for fold in range(5):
        fit = survey.Design(data[used & (folds != fold)], weights="w").glm(model.formula_, family="binomial")
        test = used & (folds == fold)
        risk[test] = expit(fit.model_matrix(data[test]) @ fit.coef_)
    checked = model._design.update(_ref=risk)
    ref = performance.discrimination(checked, "y", "_ref", min_cell=0)
    assert model.cv_auc_ == pytest.approx(float(ref["estimate"].iloc[0]), rel=1e-12)
    cal = performance.calibration(checked, "y", "_ref", min_cell=0).iloc[0]
    got = model.calibration_.set_index("predictions").loc["cross_validated"]
    for figure in ("expected", "slope", "slope_ci_low", "brier", "brier_se"):
        assert got[figure] == pytest.approx(cal[figure], rel=1e-10)
    in_sample = np.where(used, model.glm_.predict(data.fillna({"z": 0.0}))["estimate"], np.nan)
    ref_in = performance.discrimination(model._design.update(_ref=in_sample), "y", "_ref", min_cell=0)
    assert model.auc_ == pytest.approx(float(ref_in["estimate"].iloc[0]), rel=1e-12)
