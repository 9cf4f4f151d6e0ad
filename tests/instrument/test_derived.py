"""Derived variables: age bands as population.csv cuts them, one definition for analysis and simulation."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import toolkit
from toolkit.instrument.derived import AGE_BANDS, AGE_LIMITS, age_band


def test_age_band_cut_points():
    ages = [17, 17.9, 18, 29, 29.5, 30, 44, 45, 59, 60, 74, 75, 95, 110]
    assert age_band(ages).fillna("-").tolist() == ["-", "-", "18-29", "18-29", "18-29", "30-44", "30-44", "45-59",
                                                   "45-59", "60-74", "60-74", "75+", "75+", "75+"]


def test_age_band_keeps_the_index_and_blanks_what_is_not_an_age():
    got = age_band(pd.Series([40, None, "x", "61"], index=[5, 6, 7, 8]))
    assert list(got.index) == [5, 6, 7, 8]
    assert got.fillna("-").tolist() == ["30-44", "-", "-", "60-74"]


def test_limits_and_labels_agree():
    assert len(AGE_BANDS) == len(AGE_LIMITS)
    for (lo, hi), label in zip(AGE_LIMITS, AGE_BANDS, strict=True):
        assert age_band([lo, hi]).tolist() == [label, label]
    assert all(AGE_LIMITS[i][1] + 1 == AGE_LIMITS[i + 1][0] for i in range(len(AGE_LIMITS) - 1))


def test_population_csv_uses_these_bands():
    assert set(toolkit.datasets.load("population.csv")["age_band"]) == set(AGE_BANDS)


def test_the_simulator_name_still_works_with_a_warning():
    import toolkit.simulate

    with pytest.warns(FutureWarning, match="toolkit.instrument.derived.age_band"):
        moved = toolkit.simulate.age_band
    assert moved is age_band
    with pytest.warns(FutureWarning):
        from toolkit.simulate import age_band as imported  # noqa: F401
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert toolkit.simulate.AGE_BANDS == AGE_BANDS  # the simulator's own constant is not deprecated
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        toolkit.simulate.nope  # noqa: B018
