"""The risk figures' sparse influence values: a Stacked array is its columns, one Influence each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.risk._influence import Stacked, as_columns, stack, stacked_variances
from toolkit.survey.linearization import Influence


def _stacked(n=500, m=3, k=4, seed=0, everyone=False):
    rng = np.random.default_rng(seed)
    col = rng.integers(0 if everyone else -1, k, n)
    values = stack(n, m)
    values[col >= 0] = rng.normal(size=(int((col >= 0).sum()), m))
    return Stacked(values, col, k)


@pytest.mark.parametrize("everyone", [False, True])
def test_cell_sums_are_those_of_each_figure_alone(everyone):
    x = _stacked(everyone=everyone)
    rng = np.random.default_rng(1)
    cells, weight = rng.integers(0, 7, 500), rng.uniform(0.5, 2, 500)
    alone = [Influence(v, x.k, x.col) for v in x.values.T]
    for got, want in ((x.cell_sums(cells, 7), [a.cell_sums(cells, 7) for a in alone]),
                      (x.cell_sums(cells, 7, weight), [a.cell_sums(cells, 7, weight) for a in alone]),
                      (x.square_sums(cells, 7),
                       [Influence(a.values**2, x.k, x.col).cell_sums(cells, 7) for a in alone])):
        np.testing.assert_array_equal(got, np.hstack(want))
    np.testing.assert_array_equal(x.dense(), np.hstack([a.dense() for a in alone]))
    assert all(np.array_equal(x.column(j), x.dense()[:, j]) for j in range(x.p))


@pytest.mark.parametrize("raked", [False, True])
def test_one_pass_gives_each_figures_design_variance(raked):
    rng = np.random.default_rng(2)
    data = {"s": rng.integers(0, 3, 600), "w": rng.uniform(1, 4, 600), "g": rng.choice(list("ab"), 600)}
    data["psu"] = data["s"] * 50 + rng.integers(0, 10, 600)
    design = survey.Design(pd.DataFrame(data), weights="w", strata="s", psu="psu")
    if raked:
        design = design.rake({"g": {"a": 900.0, "b": 1100.0}})
    x = _stacked(600, seed=3)
    everyone = np.zeros(600, np.int64)
    want = np.concatenate([design._variance(Influence(design.weights * c.values, c.p, c.col), everyone, diag=True)
                           for c in as_columns(x.values, x.col, 4)])
    got = stacked_variances(design, x.col, x.values.copy(), 4, [True, True, True])
    np.testing.assert_allclose(got.ravel(), want, rtol=1e-12)
    assert stacked_variances(survey.Design(design.data, lonely_psu="average", strata="s", psu="psu"), x.col,
                             x.values, 4, [True] * 3) is None  # domains matter there: one column at a time
