"""Item matrices: one set of input checks, and R's pairwise-complete moments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ScaleError
from toolkit.scales._matrix import col_mean_sd, cov2cor, item_matrix, pairwise_cor, pairwise_cov, smc


def _with_holes(seed: int, n: int = 200, p: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    X[rng.random((n, p)) < 0.15] = np.nan
    return X


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_pairwise_moments_equal_pandas_pairwise_complete(seed):
    # pandas' cov/corr use each pair's complete rows, as R's use = "pairwise"
    X = _with_holes(seed)
    frame = pd.DataFrame(X)
    np.testing.assert_allclose(pairwise_cov(X), frame.cov().to_numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pairwise_cor(X), frame.corr().to_numpy(), rtol=1e-12, atol=1e-12)


def test_weighted_moments_on_complete_data_equal_numpy_aweights():
    X = np.random.default_rng(3).normal(size=(300, 3))
    w = np.random.default_rng(4).uniform(0.2, 3, 300)
    np.testing.assert_allclose(pairwise_cov(X, w), np.cov(X, rowvar=False, aweights=w), rtol=1e-12)
    X[0, 0] = np.nan  # the pairwise path agrees with the fast path away from the hole
    got = pairwise_cov(X, w)
    np.testing.assert_allclose(got[1:, 1:], np.cov(X[:, 1:], rowvar=False, aweights=w), rtol=1e-12)
    n, mean, sd = col_mean_sd(X, w)
    assert n.tolist() == [299, 300, 300]
    assert mean[1] == pytest.approx(np.average(X[:, 1], weights=w))
    assert sd[1] ** 2 == pytest.approx(np.cov(X[:, 1], aweights=w))


def test_moments_survive_a_large_offset():
    X = _with_holes(1) + 1e8  # centring first keeps the sums of squares small
    np.testing.assert_allclose(pairwise_cov(X), pd.DataFrame(X).cov().to_numpy(), rtol=1e-6)


def test_cov2cor_and_smc():
    C = np.array([[4.0, 2.0, 0.0], [2.0, 9.0, 3.0], [0.0, 3.0, 1.0]])
    R = cov2cor(C)
    np.testing.assert_allclose(R, C / np.sqrt(np.outer(np.diag(C), np.diag(C))))
    # squared multiple correlation of each item on the others, from the regression R^2
    X = np.random.default_rng(5).normal(size=(500, 3)) @ np.array([[1, 0.5, 0.2], [0, 1, 0.4], [0, 0, 1]])
    R = np.corrcoef(X, rowvar=False)
    for j in range(3):
        others = np.delete(np.arange(3), j)
        r = R[np.ix_(others, others)]
        r2 = R[j, others] @ np.linalg.solve(r, R[others, j])
        assert smc(R)[j] == pytest.approx(r2, abs=1e-12)


def test_item_matrix_gathers_every_problem_in_one_error():
    frame = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 2, 2], "c": ["x", "y", "z"]})
    with pytest.raises(ScaleError, match="'sr': items not in the data: d; .*non-numeric: c .*without variance.*b"):
        item_matrix(frame, ["a", "b", "c", "d"], name="sr")
    with pytest.raises(ScaleError, match="expected a pandas DataFrame of items, got list"):
        item_matrix([[1, 2]])
    X, names = item_matrix(frame, ["b"], min_items=1, allow_constant=True)
    assert names == ["b"] and X.tolist() == [[2.0], [2.0], [2.0]]
    with pytest.raises(ScaleError, match="non-numeric: flag"):
        item_matrix(frame.assign(flag=[True, False, True]), ["a", "flag"])


@pytest.mark.parametrize("weighted", [False, True])
def test_blocks_of_rows_give_the_whole_matrix_pairwise_sums(monkeypatch, weighted):
    from toolkit.scales import _matrix

    rng = np.random.default_rng(4)
    X = rng.integers(1, 6, (1000, 5)).astype(float)
    X[rng.random(X.shape) < 0.1] = np.nan
    w = rng.uniform(0.5, 3, 1000) if weighted else None
    whole = (pairwise_cov(X, w), pairwise_cor(X, w))
    monkeypatch.setattr(_matrix, "PAIR_BLOCK", 7)
    for a, b in zip(whole, (pairwise_cov(X, w), pairwise_cor(X, w)), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-13)
