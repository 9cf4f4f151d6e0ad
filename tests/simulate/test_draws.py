"""Shared draws: GRM categories follow the model exactly; select-multiple answers are coded as exports code them."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from toolkit.simulate import draws, items


def test_grm_draws_follow_the_model():
    rng = np.random.default_rng(0)
    theta = np.full(200_000, 0.4)
    a, b = 1.7, [-1.2, -0.3, 0.5, 1.4]
    idx = draws.grm_draw(theta, a, b, rng)
    at_least = np.array([1.0, *expit(a * (0.4 - np.array(b))), 0.0])
    expected = at_least[:-1] - at_least[1:]
    observed = np.bincount(idx, minlength=5) / theta.size
    np.testing.assert_allclose(observed, expected, atol=0.004)


def test_multiple_strings_lists_the_selected_codes_in_order():
    selected = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 1]], dtype=bool)
    got = draws.multiple_strings(selected, np.array([1.0, 2.0, 3.0, 6.0]))
    assert got[[0, 2, 3]].tolist() == ["1 3", "1 2 3 6", "6"] and np.isnan(got[1])
    assert got.dtype == object


def test_items_and_background_use_the_same_draws():
    from toolkit.simulate import background

    assert items.grm_draw is draws.grm_draw and background.multiple_strings is draws.multiple_strings
