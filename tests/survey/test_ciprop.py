"""toolkit.survey.ciprop: the svyciprop intervals (R parity is in test_estimators) and R's FMM spline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolkit.survey.ciprop import CI_METHODS, closed_form_ci, fmm_spline, intercept_fit, likelihood_ci

EDGE = json.loads((Path(__file__).resolve().parents[1] / "results" / "survey_edge_fixtures.json").read_text())["cases"]


@pytest.mark.parametrize("case", ["fmm_spline", "fmm_spline3"])
def test_fmm_spline_matches_r_spline(case):
    want = EDGE[case]
    got = fmm_spline(np.array(want["x"]), np.array(want["y"]), np.array(want["xout"]))
    np.testing.assert_allclose(got, want["yout"], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("method", [m for m in CI_METHODS if m != "likelihood"])
def test_intervals_contain_the_share_and_narrow_with_the_se(method):
    p, df, n = np.array([0.3, 0.3]), np.array([40.0, 40.0]), np.array([60, 60])
    lo, hi = closed_form_ci(method, p, np.array([0.08, 0.02]), df, n, 0.95)
    assert (lo < p).all() and (p < hi).all()
    assert hi[1] - lo[1] < hi[0] - lo[0]


def test_likelihood_interval_is_asymmetric_towards_the_centre():
    lo, hi = likelihood_ci(0.1, 0.1, 0.03 / 0.09, 100 * 0.09, 100 / 99, 100.0, 30.0, 0.95)
    assert lo < 0.1 < hi and (hi - 0.1) > (0.1 - lo)
    assert np.isnan(likelihood_ci(0.0, 0.0, 0.0, 0.0, 1.0, 100.0, 30.0, 0.95)[0])


def test_intercept_fit_stops_where_glm_fit_stops():
    """R's glm.fit stops one step short of the MLE (epsilon 1e-8); a tighter epsilon reaches it."""
    y = np.r_[np.ones(30), np.zeros(10)]
    w = np.linspace(1, 3, 40)
    g = np.zeros(40, int)
    p_hat = np.dot(w, y) / w.sum()
    mu, _ = intercept_fit(y, w, g, 1, np.array([40]))
    tight, _ = intercept_fit(y, w, g, 1, np.array([40]), epsilon=1e-15)
    assert tight[0] == pytest.approx(p_hat, rel=1e-14)
    assert abs(mu[0] - p_hat) < 1e-6
