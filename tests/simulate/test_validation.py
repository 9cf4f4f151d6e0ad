"""The district estimates recover the simulator's truth (a fast version of benchmarks/validate_risk.py)."""

from __future__ import annotations

import pytest

from toolkit.simulate.validation import METHODS, summarise, validate


@pytest.fixture(scope="module")
def estimates():
    return validate([11, 12, 13], n=2000)


@pytest.fixture(scope="module")
def summary(estimates):
    return summarise(estimates).set_index("method")


def test_every_method_estimates_every_district_of_every_survey(estimates):
    counts = estimates.groupby(["seed", "method"])["district"].nunique()
    assert set(estimates["method"]) == set(METHODS) and (counts == 8).all()
    assert estimates["truth"].between(0, 1).all()


def test_raked_and_model_based_intervals_cover_the_truth(summary):
    # 24 intervals per method: below 0.79 would be 3.5 binomial SDs under the nominal 95%
    for method in ("direct", "model", "fay_herriot"):
        assert summary.loc[method, "coverage"] >= 0.79, method


def test_raking_removes_the_nonresponse_bias_the_unweighted_estimate_has(summary):
    assert summary.loc["unweighted", "bias"] < -0.01  # the simulator's nonresponse understates help needs
    for method in ("direct", "model", "fay_herriot"):
        assert abs(summary.loc[method, "bias"]) < 0.01, method


def test_fay_herriot_lowers_the_mse_of_the_smallest_districts(summary):
    assert summary.loc["fay_herriot", "mse_smallest_vs_direct"] < 1.0
    assert summary.loc["fay_herriot", "rmse"] < summary.loc["direct", "rmse"]
