"""toolkit.survey.linearization: the variance core on cases with a closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
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
