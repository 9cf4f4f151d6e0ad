"""toolkit.survey.glm: predictions and marginal effects computed once per covariate pattern equal the
row-by-row computation (the model matrix of every row through patsy), for every kind of predictor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit import survey
from toolkit.errors import ModelError


def sample(n=400, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n), "h": rng.choice([1, 2, 3, 4], n),
                         "x": rng.normal(size=n), "w": rng.uniform(0.5, 2, n)})
    data["k"] = pd.Categorical(rng.choice(["lo", "hi"], n), categories=["lo", "hi", "never"])  # an unused level
    eta = -0.5 + 0.8 * (data["g"] == "c") + 0.3 * data["x"] - 0.4 * (data["k"] == "hi")
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    data.loc[[5, 17], "x"] = np.nan  # rows the fit leaves out
    data.loc[9, "g"] = None
    return data


FORMULAS = ["y ~ C(g) + C(h)", "y ~ C(g) + x", "y ~ x", "y ~ C(g) + C(k) + C(h) + x"]


def fit(formula, family="binomial"):
    return survey.Design(sample(), weights="w").glm(formula, family=family)


def rowwise_predict(f, newdata, type="response"):
    X = f.model_matrix(newdata)  # patsy on every row
    eta = X @ f.coef_
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, f.vcov_, X))
    if type == "link":
        return eta, se
    return f.family.linkinv(eta), se * f.family.mu_eta(eta)


def rowwise_marginal_effects(f, eps=1e-6):
    """The average marginal effects as computed before patterns: each counterfactual frame of all rows."""
    data = f.design.data.iloc[f._rows]
    w = f.design.weights[f._rows] / f.design.weights[f._rows].sum()

    def avg(frame):
        X = f.model_matrix(frame)
        eta = X @ f.coef_
        return w @ f.family.linkinv(eta), (w * f.family.mu_eta(eta)) @ X

    out = []
    for var, categorical in f._factors(data).items():
        if categorical:
            col = data[var]
            levels = ([c for c in col.cat.categories if (col == c).any()]
                      if isinstance(col.dtype, pd.CategoricalDtype) else sorted(col.dropna().unique().tolist()))
            base = avg(data.assign(**{var: levels[0]}))
            for lev in levels[1:]:
                other = avg(data.assign(**{var: lev}))
                out.append((other[0] - base[0], other[1] - base[1]))
        else:
            h = eps * max(1.0, float(np.abs(data[var]).mean()))
            up, down = avg(data.assign(**{var: data[var] + h})), avg(data.assign(**{var: data[var] - h}))
            out.append(((up[0] - down[0]) / (2 * h), (up[1] - down[1]) / (2 * h)))
    z = stats.norm.ppf(0.5 + f.conf_level / 2)
    est = np.array([e for e, _ in out])
    se = np.array([np.sqrt(g @ f.vcov_ @ g) for _, g in out])
    return est, se, est - z * se


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("type", ["response", "link"])
def test_predict_equals_the_row_by_row_computation(formula, type):
    f = fit(formula)
    rows = sample().dropna()
    newdata = rows.set_index(pd.Index(np.arange(len(rows)) * 7 + 100, name="id"))  # a non-default index
    got = f.predict(newdata, type=type)
    est, se = rowwise_predict(f, newdata, type)
    assert got.index.equals(newdata.index)
    np.testing.assert_allclose(got["estimate"], est, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(got["se"], se, rtol=1e-12, atol=1e-15)


def test_rows_of_one_pattern_get_exactly_one_prediction():
    f = fit("y ~ C(g) + C(h)")
    rows = sample().dropna(subset=["g"])
    got = f.predict(rows)["estimate"]
    assert got.groupby([rows["g"].to_numpy(), rows["h"].to_numpy()]).nunique().max() == 1


def test_predict_with_a_missing_or_unseen_value_still_fails():
    f = fit("y ~ C(g) + x")
    with pytest.raises(ModelError, match="model matrix for newdata"):
        f.predict(pd.DataFrame({"g": ["a", None], "x": [0.0, 1.0]}))
    with pytest.raises(ModelError, match="model matrix for newdata"):
        f.predict(pd.DataFrame({"g": ["a", "zzz"], "x": [0.0, 1.0]}))


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("family", ["binomial", "gaussian"])
def test_marginal_effects_equal_the_row_by_row_computation(formula, family):
    f = fit(formula, family)
    got = f.marginal_effects()
    est, se, low = rowwise_marginal_effects(f)
    np.testing.assert_allclose(got["estimate"], est, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(got["se"], se, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(got["ci_low"], low, rtol=1e-9, atol=1e-13)


def test_marginal_effects_skip_an_unused_category_level():
    got = fit("y ~ C(g) + C(k)").marginal_effects(variables="k")
    assert got["contrast"].tolist() == ["hi - lo"]
