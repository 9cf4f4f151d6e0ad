"""toolkit.scales._intervals: Kish n, Feldt and the linearised contribution to alpha."""

from __future__ import annotations

import numpy as np

from toolkit.scales._intervals import design_influence, feldt, kish_n, negative_on_first_component


def test_kish_n_of_equal_weights_is_the_row_count():
    assert kish_n(np.full(7, 3.0)) == 7.0


def test_feldt_narrows_with_n():
    lo1, hi1 = feldt(0.8, 50, 4, 0.95)
    lo2, hi2 = feldt(0.8, 500, 4, 0.95)
    assert lo1 < lo2 < 0.8 < hi2 < hi1


def test_influence_is_the_derivative_of_alpha():
    """Adding eps to one row's weight moves alpha by eps * w_i-scaled influence (numerical check)."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 1)) + rng.normal(size=(60, 4))
    w = rng.uniform(0.5, 2, 60)

    def alpha(weights):
        m = weights @ X / weights.sum()
        d = X - m
        C = (d * weights[:, None]).T @ d / weights.sum()
        return 4 / 3 * (1 - np.trace(C) / C.sum())

    eps = 1e-6
    bumped = w.copy()
    bumped[5] += eps
    numeric = (alpha(bumped) - alpha(w)) / eps
    assert np.isclose(numeric, design_influence(X, w)[5], rtol=1e-4)
    assert abs((w * design_influence(X, w)).sum()) < 1e-12


def test_negative_items_are_flagged():
    R = np.array([[1.0, 0.6, -0.5], [0.6, 1.0, -0.4], [-0.5, -0.4, 1.0]])
    assert negative_on_first_component(R).tolist() == [False, False, True]
