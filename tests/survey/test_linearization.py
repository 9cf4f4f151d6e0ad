"""toolkit.survey.linearization: the variance core on cases with a closed form."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.survey import linearization
from toolkit.survey.linearization import Influence, dense_codes


def test_dense_codes_keep_order_and_close_gaps():
    assert dense_codes(np.array([7, 2, 7, 40])).tolist() == [1, 0, 1, 2]
    big = np.array([10**9, 3, 10**9])
    assert dense_codes(big).tolist() == [1, 0, 1]


def test_sparse_influence_expands_to_its_dense_form():
    x = Influence(np.array([1.0, 2.0, 3.0]), 2, np.array([0, -1, 1]))
    assert x.dense().tolist() == [[1.0, 0.0], [0.0, 0.0], [0.0, 3.0]]
    cells = np.array([0, 0, 1])
    np.testing.assert_array_equal(x.cell_sums(cells, 2), Influence(x.dense(), 2).cell_sums(cells, 2))


def test_srs_variance_of_a_mean_is_the_textbook_one():
    y = np.array([1.0, 4, 2, 8, 5, 3])
    d = survey.Design(pd.DataFrame({"y": y}), min_cell=0)
    se = d.mean("y")["se"].iloc[0]
    assert se == pytest.approx(y.std(ddof=1) / np.sqrt(len(y)), rel=1e-12)


def _share_case(seed=3, n=400):
    rng = np.random.default_rng(seed)
    codes = rng.integers(-1, 3, n)
    g = rng.integers(-1, 4, n)
    w = rng.uniform(0.5, 3, n)
    return codes, g, w


def test_share_influence_is_the_per_level_indicator_influence():
    from toolkit.survey._shares import ShareInfluence, ShareSums

    codes, g, w = _share_case()
    centre = np.random.default_rng(1).uniform(0, 1, (3, 4))
    scale = np.array([0.5, 1.0, 2.0, 3.0])
    x = ShareInfluence(ShareSums(w, codes, g, 3, 4), centre, scale)
    dense = np.column_stack([np.where(g == d, scale[d] * w * ((codes == i) - centre[i, d]), 0.0)
                             for i in range(3) for d in range(4)])
    cells = np.arange(len(w)) % 7
    np.testing.assert_allclose(x.cell_sums(cells, 7), Influence(dense, 12).cell_sums(cells, 7), atol=1e-12)
    np.testing.assert_allclose(x.square_sums(cells, 7), Influence(dense**2, 12).cell_sums(cells, 7), atol=1e-12)
    np.testing.assert_allclose(np.column_stack([x.column(j) for j in range(12)]), dense, atol=1e-15)
    part = ShareInfluence(x.rows, centre, scale, slice(1, 3))
    np.testing.assert_allclose(part.cell_sums(cells, 7), x.cell_sums(cells, 7)[:, 4:], atol=1e-12)


def test_diagonal_variance_is_the_diagonal_of_the_covariance():
    from toolkit.survey.linearization import variance

    rng = np.random.default_rng(2)
    df = pd.DataFrame({"s": rng.integers(0, 4, 300), "p": rng.integers(0, 40, 300), "w": rng.uniform(1, 3, 300)})
    d = survey.Design(df, weights="w", strata="s", psu="p", lonely_psu="adjust")
    g = rng.integers(-1, 3, 300)
    x = Influence(rng.normal(size=300), 3, g)
    full = variance(x, d.stages, d.lonely_psu, members=g)
    np.testing.assert_allclose(variance(x, d.stages, d.lonely_psu, members=g, diag=True), np.diag(full), rtol=1e-12)


@pytest.mark.parametrize("psu", [None, "pair"])
def test_calibrated_variance_without_a_rows_by_columns_matrix_is_the_row_level_one(psu):
    """One-row PSUs use per-stratum moments, PSUs of two rows the (unit, cell) pairs; both equal the
    row-level residuals' variance (what R's svyrecvar computes)."""
    from toolkit.survey.linearization import residualize, stage_variance

    rng = np.random.default_rng(4)
    n = 600
    df = pd.DataFrame({"s": rng.integers(0, 3, n), "pair": np.arange(n) // 2, "w": rng.uniform(1, 3, n),
                       "a": rng.choice(list("xyz"), n), "b": rng.choice(list("uv"), n), "y": rng.normal(size=n)})
    d = survey.Design(df, weights="w", strata="s", psu=psu).rake({"a": {"x": 500, "y": 300, "z": 200},
                                                                  "b": {"u": 600, "v": 400}})
    g = rng.integers(-1, 4, n)
    x = Influence(df["y"].to_numpy() * d.weights, 4, g)
    got = d._variance(x, g, diag=True)
    r = residualize(x, d.plan)
    stage = d.stages[0]
    rows = np.column_stack([r.dense()[:, j] for j in range(4)])
    want = stage_variance(Influence(rows, 4).cell_sums(stage.unit, stage.n_units), stage, "fail", diag=True)
    np.testing.assert_allclose(got, want, rtol=1e-10)



@pytest.mark.parametrize("lonely_psu", ["fail", "adjust", "average", "remove"])
@pytest.mark.parametrize("adjust_domain_lonely", [False, True])
def test_blocks_of_units_give_the_whole_frame_variance(monkeypatch, lonely_psu, adjust_domain_lonely):
    rng = np.random.default_rng(7)
    n = 900
    s = rng.integers(0, 6, n)
    if lonely_psu != "fail":
        s[-1] = 6  # stratum 6 holds one PSU
    df = pd.DataFrame({"s": s, "p": s * 100 + rng.integers(0, 30, n), "w": rng.uniform(1, 4, n),
                       "y": rng.normal(size=n), "x": rng.normal(size=n), "g": rng.choice(list("ab"), n)})

    def fits():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the lonely PSU, reported however the units are blocked
            design = survey.Design(df, weights="w", strata="s", psu="p", lonely_psu=lonely_psu,
                                   adjust_domain_lonely=adjust_domain_lonely)
            return design.mean(["y", "x"], by="g", min_cell=0), design.glm("y ~ x + C(g)").summary()

    whole = fits()
    monkeypatch.setattr(linearization, "BLOCK_UNITS", 7)
    for a, b in zip(whole, fits(), strict=True):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12)
