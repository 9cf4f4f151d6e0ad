"""toolkit.survey._pattern_fit: logistic fits on covariate patterns equal fit_glm on the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.errors import BoundaryWarning, ModelError
from toolkit.survey._pattern_fit import pattern_glm, pattern_logit
from toolkit._rows import row_patterns
from toolkit.survey.linearization import Influence


def sample(n=600, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n), "h": rng.choice([1, 2], n),
                         "s": rng.choice([0, 1, 2], n), "psu": rng.integers(0, 60, n),
                         "w": rng.uniform(0.5, 3, n), "x": np.round(rng.normal(size=n), 1)})
    data["y"] = (rng.random(n) < np.where(data["g"] == "c", 0.6, 0.25)).astype(float)
    return data


@pytest.mark.parametrize("formula", ["y ~ C(g) + C(h)", "y ~ C(g) + x", "y ~ x"])
def test_coefficients_equal_fit_glm_on_the_rows(formula):
    data = sample()
    rhs = [c for c in ("g", "h", "x") if c in formula]
    codes, first = row_patterns(data[rhs])
    train = data.index % 5 != 0
    got = pattern_logit(formula, data[rhs].iloc[first], codes[train], data["y"].to_numpy()[train],
                        data["w"].to_numpy()[train])
    rows = survey.Design(data[train], weights="w").glm(formula, family="binomial")
    np.testing.assert_allclose(got.coef_, rows.coef_, rtol=1e-12, atol=1e-14)
    assert got.converged_
    np.testing.assert_allclose(got.predict(data[rhs].iloc[first]),
                               rows.predict(data[rhs].iloc[first])["estimate"], rtol=1e-12)


def test_a_level_the_training_rows_lack_cannot_be_predicted():
    data = sample()
    codes, first = row_patterns(data[["g"]])
    train = (data["g"] != "c").to_numpy()
    fit = pattern_logit("y ~ C(g)", data[["g"]].iloc[first], codes[train], data["y"].to_numpy()[train],
                        np.ones(int(train.sum())))
    with pytest.raises(ModelError, match="model matrix for newdata"):
        fit.predict(data[["g"]].iloc[first])


def test_influence_values_give_the_sandwich_covariance_of_fit_glm_on_a_domain():
    data = sample()
    design = survey.Design(data, weights="w", strata="s", psu="psu")
    keep = (data["h"] == 1).to_numpy()
    rows = np.flatnonzero(keep)
    codes, first = row_patterns(data.iloc[rows][["g", "x"]])
    coef, infl, df, converged = pattern_glm(design, "y ~ C(g) + x", data.iloc[rows][["g", "x"]].iloc[first],
                                            codes, rows, data["y"].to_numpy()[rows])
    ref = design.update(y=np.where(keep, data["y"], np.nan)).glm("y ~ C(g) + x", family="binomial")
    full = np.zeros((design.n, len(coef)), order="F")
    full[rows] = infl
    vcov = design._variance(Influence(full, len(coef)), np.where(keep, 0, -1))
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-12)
    np.testing.assert_allclose(vcov, ref.vcov_, rtol=1e-10)
    assert df == ref.df_resid_ and converged
    _, one, _, _ = pattern_glm(design, "y ~ C(g) + x", data.iloc[rows][["g", "x"]].iloc[first], codes, rows,
                               data["y"].to_numpy()[rows], column=2)
    np.testing.assert_allclose(one, infl[:, 2], rtol=1e-15)


def test_separation_warns_as_fit_glm_does():
    x = np.round(np.linspace(-2, 2, 40), 2)
    data = pd.DataFrame({"x": x, "y": (x > 0).astype(float)})
    codes, first = row_patterns(data[["x"]])
    with pytest.warns(BoundaryWarning, match="38 row"):
        pattern_logit("y ~ x", data[["x"]].iloc[first], codes, data["y"].to_numpy(), np.ones(40))
    with pytest.warns(BoundaryWarning, match="38 row"):
        survey.Design(data).glm("y ~ x", family="binomial")
