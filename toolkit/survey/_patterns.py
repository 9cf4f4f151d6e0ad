"""Covariate patterns: the distinct rows of a few columns, so that row-wise model work runs once per pattern.

A model on categorical predictors with few levels has as many distinct
linear predictors as there are distinct covariate patterns (often a few
hundred among a million rows). Anything that is a function of a row's
covariates alone (a prediction, its SE, a counterfactual prediction) is
computed on the patterns and expanded by the codes of
:func:`toolkit._rows.row_patterns`; a weighted sum over rows is the pattern
sums (:func:`pattern_sums`) times the per-pattern values. Continuous predictors simply give many patterns, so the
result is the same either way.
"""

from __future__ import annotations

import numpy as np


def pattern_sums(codes: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    """The sum of ``values`` over the rows of each of the ``size`` patterns.

    Examples
    --------
    >>> pattern_sums(np.array([0, 1, 0]), 2, np.array([1.0, 2.0, 3.0])).tolist()
    [4.0, 2.0]
    """
    return np.bincount(codes, weights=np.asarray(values, np.float64), minlength=size)
