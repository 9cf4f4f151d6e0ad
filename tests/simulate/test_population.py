"""The municipality: cell counts sum exactly, districts have their profiles."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.simulate import population


@given(size=st.integers(100, 500_000), k=st.integers(1, 8))
@settings(max_examples=30, deadline=None)
def test_population_table_sums_to_size(size, k):
    tab = population.population_table(size, range(1, k + 1))
    assert tab["count"].sum() == size and (tab["count"] >= 0).all()


def test_shares_sum_to_one_and_keep_the_district_profiles():
    shares = population.cell_shares(8)
    assert shares.shape == (8, 5, 2, 3, 2) and np.isclose(shares.sum(), 1.0)
    by_age = shares.sum(axis=(2, 3, 4)) / shares.sum(axis=(1, 2, 3, 4))[:, None]
    assert by_age[1, 4] > 2 * by_age[0, 4]  # Strandvig is older
    assert by_age[0, 0] > 1.5 * by_age[4, 0]  # Nordby has students
    fine = population.fine_shares(8)
    np.testing.assert_allclose(fine.sum(axis=(3, 4)), shares.sum(axis=(3, 4)))


def test_population_table_is_fixed_and_in_instrument_codes():
    a, b = population.population_table(5000, [3, 7]), population.population_table(5000, [3, 7])
    assert a.equals(b)
    assert set(a["district"]) == {3, 7} and set(a["education"]) == set(range(1, 7))
    assert set(a["home_lang"]) == {1, 2, 3} and set(a["gender"]) == {1, 2}
