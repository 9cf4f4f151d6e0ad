"""Item matrices: input checks and pairwise-complete moments.

Every public function in :mod:`toolkit.scales` turns its items into a float
matrix here, so the checks (and their error messages) are the same
everywhere. The moments reproduce R's ``cov(x, use = "pairwise")`` and
``cor(x, use = "pairwise")``: each pair of items uses the rows where both are
present, with means taken over those rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit._validation import as_list, check_option, check_weights
from toolkit.errors import ScaleError

#: the ways to treat missing answers: psych's pairwise default, or complete rows only
MISSING = ("pairwise", "listwise")
#: What ``weights`` may be (a survey Design lends its weights too)
Weights = pd.Series | np.ndarray | str | None

PAIR_BLOCK = 1 << 18  # rows per block of the pairwise sums (at 10M rows a scale's temporaries were 2 GB)


def item_matrix(data: pd.DataFrame, items: Sequence[str] | None = None, *, name: str | None = None,
                min_items: int = 2, allow_constant: bool = False) -> tuple[np.ndarray, list[str]]:
    """Return ``(X, names)``: the items as a float matrix (NaN = missing).

    All problems are gathered and raised together in one :class:`ScaleError`
    that names the scale (``name``) and the offending items.

    Examples
    --------
    >>> X, names = item_matrix(pd.DataFrame({"a": [1, 2, 3], "b": [2, None, 1], "t": ["x", "y", "z"]}), ["a", "b"])
    >>> X.tolist(), names
    ([[1.0, 2.0], [2.0, nan], [3.0, 1.0]], ['a', 'b'])
    >>> item_matrix(pd.DataFrame({"a": [1, 2], "t": ["x", "y"]}), name="practical_sr")
    Traceback (most recent call last):
    ...
    toolkit.errors.ScaleError: cannot analyse scale 'practical_sr': items must be numeric codes; non-numeric: t ...
    """
    if not isinstance(data, pd.DataFrame):
        raise ScaleError(f"expected a pandas DataFrame of items, got {type(data).__name__}")
    what = f"scale {name!r}" if name else "the scale"
    names = [str(c) for c in (data.columns if items is None else items)]
    problems: list[str] = []
    absent = [c for c in names if c not in data.columns]
    if absent:
        problems.append(f"items not in the data: {', '.join(absent)}")
    if len(names) < min_items:
        problems.append(f"needs at least {min_items} items, got {len(names)} ({', '.join(names) or 'none'})")
    present = [c for c in names if c in data.columns]
    non_numeric = [
        c for c in present if not (pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]))
    ]
    if non_numeric:
        kinds = ", ".join(f"{c} ({data[c].dtype})" for c in non_numeric)
        problems.append(f"items must be numeric codes; non-numeric: {kinds} (clean raw responses with toolkit.clean)")
    numeric = [c for c in present if c not in non_numeric]
    X = data[numeric].to_numpy(dtype=float, na_value=np.nan, copy=True) if numeric else np.empty((len(data), 0))
    if not allow_constant and numeric:
        lo = np.where(np.isnan(X), np.inf, X).min(axis=0)
        hi = np.where(np.isnan(X), -np.inf, X).max(axis=0)
        constant = [c for c, a, b in zip(numeric, lo, hi, strict=True) if not a < b]
        if constant:
            problems.append(f"items without variance (constant or all missing): {', '.join(constant)}")
    if problems:
        raise ScaleError(f"cannot analyse {what}: " + "; ".join(problems))
    return X, names


def _pair_sums(X: np.ndarray, w: np.ndarray | None):
    """Sums over pairwise-complete rows: n_ij, sum x_i, sum x_i^2 (rows where j is present), sum x_i x_j."""
    # centre on the column means first: covariance is shift-invariant and this
    # keeps the sums of squares small, so no precision is lost on 1M rows.
    centre = np.nanmean(X, axis=0)
    p = X.shape[1]
    sums = np.zeros((5, p, p))
    for first in range(0, max(len(X), 1), PAIR_BLOCK):  # a block of rows at a time: O(block x items) memory
        sums += _block_pair_sums(X[first:first + PAIR_BLOCK], None if w is None else w[first:first + PAIR_BLOCK],
                                 centre)
    n, s1, s2, sxy, wsq = sums
    return n, s1, s2, sxy, (n if w is None else wsq)


def _block_pair_sums(X: np.ndarray, w: np.ndarray | None, centre: np.ndarray) -> np.ndarray:
    """One block's part of :func:`_pair_sums`, stacked: n, s1, s2, sxy, wsq."""
    present = ~np.isnan(X)
    X0 = np.where(present, X - centre, 0.0)
    M = present.astype(float)
    if w is None:
        return np.stack([M.T @ M, X0.T @ M, (X0 * X0).T @ M, X0.T @ X0, np.zeros((X.shape[1],) * 2)])
    Mw = M * w[:, None]
    Xw = X0 * w[:, None]
    # s1[i, j] = sum over rows with i and j present of w x_i; wsq the sum of w^2 over the pair's rows
    return np.stack([Mw.T @ M, Xw.T @ M, (Xw * X0).T @ M, Xw.T @ X0, (Mw * w[:, None]).T @ M])


def _denominator(n: np.ndarray, wsq: np.ndarray) -> np.ndarray:
    # unbiased divisor: n - 1 unweighted; sum(w) - sum(w^2)/sum(w) weighted (numpy's aweights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return n - wsq / n


def pairwise_cov(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """R's ``cov(X, use = "pairwise")`` (optionally weighted, with numpy's ``aweights`` divisor).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [4.0, 4.0]])
    >>> pairwise_cov(X).round(4).tolist()  # cov(X, use = "pairwise") in R
    [[1.6667, 1.8333], [1.8333, 2.3333]]
    """
    if weights is None and not np.isnan(X).any():
        return np.atleast_2d(np.cov(X, rowvar=False))
    n, s1, _, sxy, wsq = _pair_sums(X, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        C = (sxy - s1 * s1.T / n) / _denominator(n, wsq)
    return C


def pairwise_cor(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """R's ``cor(X, use = "pairwise")``: variances also from the pair's rows.

    Examples
    --------
    Not the same as ``cov2cor`` of :func:`pairwise_cov`, whose variances use
    every row with the item (psych's alpha uses that one):

    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [4.0, 4.0]])
    >>> round(float(pairwise_cor(X)[0, 1]), 4), round(float(cov2cor(pairwise_cov(X))[0, 1]), 4)
    (0.7857, 0.9297)
    """
    if weights is None and not np.isnan(X).any():
        return np.atleast_2d(np.corrcoef(X, rowvar=False))
    n, s1, s2, sxy, _ = _pair_sums(X, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        cxy = sxy - s1 * s1.T / n
        vx = s2 - s1**2 / n  # variance of i over rows where j is present
        R = cxy / np.sqrt(vx * vx.T)
    np.fill_diagonal(R, 1.0)
    return R


def cov2cor(C: np.ndarray) -> np.ndarray:
    """A covariance matrix scaled to correlations, as R's ``stats::cov2cor``.

    Examples
    --------
    >>> cov2cor(np.array([[4.0, 2.0], [2.0, 9.0]])).round(4).tolist()
    [[1.0, 0.3333], [0.3333, 1.0]]
    """
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, as ``psych::smc`` (pseudo-inverse, clipped to [0, 1]).

    Examples
    --------
    >>> smc(np.array([[1.0, 0.5], [0.5, 1.0]])).round(4).tolist()
    [0.25, 0.25]
    """
    inv = np.linalg.pinv(R, rtol=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def col_mean_sd(X: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column valid n, mean and SD ignoring NaN (SD with the unbiased divisor; weighted with ``weights``).

    Examples
    --------
    >>> n, mean, sd = col_mean_sd(np.array([[1.0], [3.0], [np.nan]]))
    >>> n.tolist(), mean.tolist(), sd.round(4).tolist()  # as colMeans/sd(na.rm = TRUE) in R
    ([2], [2.0], [1.4142])
    """
    present = ~np.isnan(X)
    n = present.sum(axis=0)
    W = present.astype(float) if weights is None else present * weights[:, None]
    X0 = np.where(present, X, 0.0)
    sw = W.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (W * X0).sum(axis=0) / sw
        dev = np.where(present, X - mean, 0.0)
        ss = (W * dev * dev).sum(axis=0)
        sd = np.sqrt(ss / (sw - (W * W).sum(axis=0) / sw))
    return n, mean, sd


def prepare_items(items, reverse, response_range, missing, weights, name):
    """The items as a matrix (reverse-keyed items reversed, listwise-deleted if asked) and their weights.

    Examples
    --------
    >>> X, names, w = prepare_items(pd.DataFrame({"a": [1, 2, 5], "b": [5, 4, 1]}), ["b"], (1, 5), "pairwise",
    ...                             None, "s")
    >>> X[:, 1].tolist(), w is None
    ([1.0, 2.0, 5.0], True)
    """
    check_option(missing, "missing", MISSING)
    X, names = item_matrix(items, name=name)
    w = None if weights is None else check_weights(weights, items, error=ScaleError)
    reverse = as_list(reverse, "reverse")
    unknown = [r for r in reverse if r not in names]
    if unknown:
        raise ScaleError(f"reverse-keyed items not among the scale's items: {', '.join(map(str, unknown))}")
    if missing == "listwise":
        keep = ~np.isnan(X).any(axis=1)
        X = X[keep]
        w = None if w is None else w[keep]
        if len(X) < 2:
            raise ScaleError(f"fewer than 2 complete rows for {name or 'the scale'} after listwise deletion")
    if reverse:
        # psych reverses on the range of all items when no response range is given
        lo, hi = response_range if response_range is not None else (np.nanmin(X), np.nanmax(X))
        flip = np.isin(names, reverse)
        X = X.copy()
        X[:, flip] = lo + hi - X[:, flip]
    return X, names, w
