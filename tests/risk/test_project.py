"""risk.project: district shares and counts by the model, the direct estimate and Fay-Herriot, side by side."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import toolkit
from toolkit import datasets, survey
from toolkit.errors import BoundaryWarning, ModelError
from toolkit.instrument.derived import age_band
from toolkit.risk.fay_herriot import FayHerriot
from toolkit.risk.project import METHODS, project

PREDICTORS = ["age_band", "gender", "education", "home_lang"]
FORMULA = "needs_help ~ C(age_band) + C(gender) + C(education) + C(home_lang)"


@pytest.fixture(scope="module")
def sample():
    inst = toolkit.load_instrument("dis-full")
    raw = toolkit.read_responses(datasets.path("sample_survey.csv"), inst)
    data = toolkit.clean(raw, inst, pseudonym_key="test").data
    data = data.assign(age_band=age_band(data["age"]).astype(object), district=data["stratum"].astype(int),
                       needs_help=inst.evaluate("help_any == 1", data).astype(float).where(data["help_any"].notna()))
    return data.dropna(subset=[*PREDICTORS, "needs_help"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def design(sample):
    return survey.Design(sample, weights="design_weight", strata="stratum")


@pytest.fixture(scope="module")
def model(design):
    fit = design.glm(FORMULA, family="binomial")
    return SimpleNamespace(outcome="needs_help", predictors=PREDICTORS, categorical_=PREDICTORS, glm_=fit)


@pytest.fixture(scope="module")
def population():
    return datasets.load("population.csv")


@pytest.fixture(scope="module")
def table(model, population, design):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        return project(model, population, design=design)


def test_every_district_has_the_three_methods_and_one_preferred(table, population):
    assert set(table["method"]) == set(METHODS)
    per = table.groupby("district")
    assert per.size().eq(3).all() and len(per) == population["district"].nunique()
    assert per["preferred"].sum().eq(1).all()
    assert table.columns[:11].tolist() == ["district", "outcome", "method", "share", "se", "count", "ci_low",
                                           "ci_high", "n", "population", "preferred"]
    assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
    assert np.allclose(table["count"], table["share"] * table["population"])


def test_model_rows_add_up_the_population_cells(table, model, population):
    p = expit(model.glm_.model_matrix(population[PREDICTORS]) @ np.asarray(model.glm_.coef_))
    expected = (population.assign(c=population["count"] * p).groupby("district")["c"].sum())
    got = table[table["method"] == "model"].set_index("district")["count"]
    assert np.allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_delta_method_se_agrees_with_a_parametric_simulation(model, population):
    rng = np.random.default_rng(4)
    beta = rng.multivariate_normal(np.asarray(model.glm_.coef_), np.asarray(model.glm_.vcov_), size=4000)
    X = model.glm_.model_matrix(population[PREDICTORS])
    p = expit(X @ beta.T)  # cells x draws
    codes = population["district"].to_numpy() - 1
    N = population["count"].to_numpy(float)
    shares = np.stack([np.bincount(codes, weights=N * p[:, k]) / np.bincount(codes, weights=N)
                       for k in range(p.shape[1])])
    got = project(model, population)["se"].to_numpy()  # without a design: the coefficients' uncertainty only
    assert np.allclose(got, shares.std(axis=0), rtol=0.08)


def test_with_a_design_the_model_interval_adds_the_unexplained_district_variance(table, model, population):
    alone = project(model, population).set_index("district")
    rows = table[table["method"] == "model"].set_index("district")
    assert np.allclose(rows["share"], alone["share"])
    assert (rows["se"] >= alone["se"] - 1e-15).all()
    assert ((rows["ci_low"] <= alone["ci_low"] + 1e-15) & (rows["ci_high"] >= alone["ci_high"] - 1e-15)).all()


def test_direct_rows_are_the_design_based_proportions(table, design):
    ref = design.proportion("needs_help", by="district", na_rm=True, min_cell=0)
    ref = ref[ref["level"] == 1].reset_index(drop=True)
    direct = table[table["method"] == "direct"].reset_index(drop=True)
    assert np.allclose(direct["share"], ref["estimate"]) and np.allclose(direct["se"], ref["se"])
    assert direct["n"].tolist() == ref["n"].tolist()


def test_fay_herriot_combines_direct_and_model_as_documented(table):
    wide = table.pivot(index="district", columns="method", values="share")
    areas = pd.DataFrame({"district": wide.index, "share": wide["direct"].to_numpy(),
                          "se": table[table["method"] == "direct"].set_index("district").loc[wide.index, "se"],
                          "offset": np.arcsin(np.sqrt(wide["model"].to_numpy()))})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        fh = FayHerriot(method="reml", transform="arcsin", intercept=False).fit(
            areas, estimate="share", se="se", offset="offset", area="district")
    assert np.allclose(wide["fay_herriot"].to_numpy(), fh.table_["eblup"].to_numpy())
    t = fh.transformed_  # on the fitting scale each EBLUP lies between its direct and synthetic values
    lo, hi = np.minimum(t["estimate"], t["synthetic"]), np.maximum(t["estimate"], t["synthetic"])
    assert ((t["eblup"] >= lo - 1e-12) & (t["eblup"] <= hi + 1e-12)).all()
    assert np.allclose(t["synthetic"], areas["offset"].to_numpy())  # the projection is the prior mean
    se = table.pivot(index="district", columns="method", values="se")
    assert (se["fay_herriot"] <= se["direct"] * 1.05).all()  # borrowing strength does not add noise


def test_small_districts_prefer_fay_herriot(model, population, design):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        t = project(model, population, design=design, small_n=10_000)
    assert set(t.loc[t["preferred"], "method"]) == {"fay_herriot"}


def test_without_a_design_only_the_model_is_projected(model, population):
    t = project(model, population)
    assert set(t["method"]) == {"model"} and t["preferred"].all() and not t["suppressed"].any()


def test_population_errors_name_the_column_and_category(model, population):
    with pytest.raises(ModelError, match="population has no column.*'home_lang'"):
        project(model, population.drop(columns="home_lang"))
    odd = population.assign(age_band=population["age_band"].replace({"75+": "90+"}))
    with pytest.raises(ModelError, match="'age_band' has categories the survey never saw: 90\\+"):
        project(model, odd)
    with pytest.raises(ModelError, match="non-negative counts"):
        project(model, population.assign(count=-1))


def test_input_frames_are_not_modified(model, population, design):
    before_pop, before_data = population.copy(), design.data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        project(model, population, design=design)
    pd.testing.assert_frame_equal(population, before_pop)
    pd.testing.assert_frame_equal(design.data, before_data)
