"""Intervals for reliability coefficients: Feldt on an effective n, and a design-based one.

* :func:`feldt` is psych's ``alpha.ci``: ``1 - (1 - alpha) F`` with ``F`` on
  ``n - 1`` and ``(n - 1)(p - 1)`` degrees of freedom. With survey weights
  the rows are not independent equal draws, so :func:`toolkit.scales.alpha`
  passes Kish's effective sample size ``(sum w)^2 / sum w^2`` as ``n``; with
  ESS-like weights that is often half the number of rows, and the row count
  gives an interval far too narrow.
* :func:`design_influence` linearises alpha as a function of the weighted
  covariance matrix ``M = sum w d d' / sum w`` (``d`` centred at the
  weighted means): ``d alpha / d M = p / (p - 1) (-I / S + T / S^2)`` with
  ``S = sum(M)`` and ``T = tr(M)``, so row ``i`` contributes
  ``p / (p - 1) w_i / W (T (sum_j d_ij)^2 / S^2 - |d_i|^2 / S)``. A survey
  design turns these into a variance (strata, clusters, fpc, calibration):
  the same delta method applied to ``svyvar``'s covariance of the variances
  in R.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def kish_n(w: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Examples
    --------
    >>> kish_n(np.array([1.0, 1.0, 2.0, 4.0]))
    2.909090909090909
    """
    return float(w.sum() ** 2 / np.dot(w, w))


def feldt(alpha: float, n: float, p: int, conf_level: float) -> tuple[float, float]:
    """Feldt's interval for alpha on ``n`` observations of ``p`` items (psych's ``alpha.ci``).

    Examples
    --------
    >>> [round(x, 4) for x in feldt(0.8, 100, 5, 0.95)]
    [0.7306, 0.8559]
    """
    tail = (1 - conf_level) / 2
    df1, df2 = n - 1, (n - 1) * (p - 1)
    return (float(1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)),
            float(1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)))


def design_influence(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per-row linearised contribution to alpha divided by the row's weight (0 for incomplete rows).

    What a survey design's ``total`` of this column estimates has alpha's
    linearised variance (the design multiplies by the weights itself).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 3.0]])
    >>> design_influence(X, np.ones(4)).round(4).tolist()
    [0.0415, 0.0215, 0.0077, -0.0707]
    """
    p = X.shape[1]
    complete = ~np.isnan(X).any(axis=1)
    wc = np.where(complete, w, 0.0)
    Xc = np.where(complete[:, None], X, 0.0)
    W = wc.sum()
    d = Xc - (wc @ Xc) / W
    M = (d * wc[:, None]).T @ d / W
    S, T = M.sum(), np.trace(M)
    per_row = p / (p - 1) / W * (T * d.sum(axis=1) ** 2 / S**2 - (d * d).sum(axis=1) / S)
    return np.where(complete, per_row, 0.0)


def design_interval(alpha: float, X: np.ndarray, design, conf_level: float) -> tuple[float, float, float, float]:
    """(se, df, low, high): the linearised SE of alpha through ``design`` and a t interval on its df.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> X = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 3.0], [5.0, 5.0]])
    >>> se, df, lo, hi = design_interval(0.9, X, survey.Design(pd.DataFrame({"w": np.ones(5)}), weights="w"), 0.95)
    >>> round(se, 4), df
    (0.0736, 4.0)
    """
    y = design_influence(X, np.asarray(design.weights, dtype=float))
    table = design.update(_alpha_influence=y).total("_alpha_influence", min_cell=0)
    se, df = float(table["se"].iloc[0]), float(design.degf)
    q = float(stats.t.ppf(0.5 + conf_level / 2, df)) if df > 0 else np.nan
    return se, df, alpha - q * se, alpha + q * se


def negative_on_first_component(R: np.ndarray) -> np.ndarray:
    """Items loading negatively on the first principal component (signed so the loadings sum >= 0),
    psych's test for items that should be reversed (``principal(x)`` in ``alpha``).

    Examples
    --------
    >>> R = np.array([[1.0, 0.5, -0.4], [0.5, 1.0, -0.3], [-0.4, -0.3, 1.0]])
    >>> negative_on_first_component(R).tolist()
    [False, False, True]
    """
    vals, vecs = np.linalg.eigh(R)
    first = vecs[:, -1]
    if first.sum() < 0:
        first = -first
    return first < 0
