"""The vectorised model matrix equals patsy's, column names and order included."""

import numpy as np
import pandas as pd
import patsy
import pytest

from toolkit.survey._matrix import MatrixPlan, categorical_columns, fast_matrices


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "y": rng.integers(0, 2, n).astype(float), "x": rng.normal(size=n), "k": rng.integers(1, 4, n),
        "g": rng.choice(["c", "a", "b"], n), "b": rng.random(n) < 0.4,
        "cat": pd.Categorical(rng.choice(["lo", "hi", "mid"], n), categories=["lo", "mid", "hi"]),
    })


@pytest.mark.parametrize("formula", ["y ~ x", "y ~ x + C(g)", "y ~ C(g) + x + C(k)", "y ~ g + b + cat",
                                     "y ~ 0 + C(g) + x", "y ~ C(k) + k", "y ~ 1"])
def test_fast_matrix_is_patsys(formula):
    data = _data()
    y, X, info, order = fast_matrices(formula, data)
    ry, rX = patsy.dmatrices(formula, data, return_type="matrix")
    assert info.column_names == rX.design_info.column_names
    np.testing.assert_array_equal(X, np.asarray(rX)[:, order])
    np.testing.assert_array_equal(y, np.asarray(ry))


@pytest.mark.parametrize("formula", ["y ~ np.log(k)", "y ~ x:C(g)", "y ~ C(g, Treatment('b'))", "g ~ x"])
def test_formulas_outside_the_subset_go_to_patsy(formula):
    assert fast_matrices(formula, _data()) is None


def test_a_plan_codes_any_chunk_with_the_probes_levels():
    data = _data()
    plan = MatrixPlan.from_probe("y ~ x + C(g)", data, categorical_columns("y ~ x + C(g)", dict(data.dtypes)))
    whole = plan.build(data)[1]
    np.testing.assert_array_equal(np.vstack([plan.build(data.iloc[:7])[1], plan.build(data.iloc[7:])[1]]), whole)
    with pytest.raises(ValueError, match="level 'zz'"):
        plan.build(data.assign(g="zz"))
