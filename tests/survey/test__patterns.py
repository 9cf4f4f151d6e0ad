"""toolkit.survey._patterns: sums over covariate patterns."""

from __future__ import annotations

import numpy as np

from toolkit.survey._patterns import pattern_sums


def test_pattern_sums():
    assert pattern_sums(np.array([2, 0, 2]), 4, np.array([1.0, 2.0, 3.0])).tolist() == [2.0, 0.0, 4.0, 0.0]
