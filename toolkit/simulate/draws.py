"""Random draws shared by the item models: graded-response categories and select-multiple answers.

:mod:`toolkit.simulate.items` (competence and attitude items) and
:mod:`toolkit.simulate.background` (access, help, background items) both draw
answers with these, so neither needs the other.

Examples
--------
>>> multiple_strings(np.array([[True, False, True]]), np.array([1.0, 2.0, 3.0])).tolist()
['1 3']
"""

from __future__ import annotations

import numpy as np


def grm_draw(theta: np.ndarray, a: float, b, rng: np.random.Generator) -> np.ndarray:
    """Category index 0..K-1 from the GRM, one logistic draw per person.

    ``P(theta - eps / a > b_k) = expit(a (theta - b_k))`` with ``eps`` standard
    logistic, so counting exceeded thresholds gives the GRM exactly.

    Parameters
    ----------
    theta : np.ndarray
        Latent value of each person.
    a : float
        Discrimination.
    b : sequence of float
        The K-1 ordered thresholds.
    rng : np.random.Generator

    Returns
    -------
    np.ndarray of int64
        0-based category of each person.

    Examples
    --------
    >>> idx = grm_draw(np.zeros(100_000), 1.5, [-1.0, 0.0, 1.0], np.random.default_rng(0))
    >>> np.round(np.bincount(idx) / idx.size, 2).tolist()  # expit(-1.5), 0.5 - expit(-1.5), ...
    [0.18, 0.32, 0.32, 0.18]
    """
    latent = theta - rng.logistic(size=theta.shape) / a
    idx = np.zeros(latent.shape, dtype=np.int64)
    for threshold in np.asarray(b, dtype=float):  # a few thresholds: cheaper than searchsorted
        idx += latent > threshold
    return idx


def multiple_strings(selected: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rows of 0/1 selections -> space-separated codes ("1 3"), as a select-multiple export has them.

    Parameters
    ----------
    selected : np.ndarray of bool, shape (n, k)
        Which of the ``k`` options each person selected.
    codes : np.ndarray, shape (k,)
        The code of each option.

    Returns
    -------
    np.ndarray of object
        One string per row; NaN where nothing is selected.

    Examples
    --------
    >>> multiple_strings(np.array([[1, 0, 1], [0, 0, 0]]), np.array([1.0, 2.0, 5.0])).tolist()
    ['1 5', nan]
    """
    k = selected.shape[1]
    mask = selected.astype(np.int64) @ (1 << np.arange(k))
    table = np.array(
        [" ".join(str(int(codes[j])) for j in range(k) if m >> j & 1) or np.nan for m in range(1 << k)],
        dtype=object,
    )
    return table[mask]


def exclusive_choices(selected: np.ndarray, codes: np.ndarray, exclusive) -> np.ndarray:
    """Selections that respect the item's exclusive codes ("None of these" stands alone).

    Where an exclusive option is selected with others, the others are kept;
    where only exclusive options are, the first of them is.

    Parameters
    ----------
    selected : np.ndarray of bool, shape (n, k)
    codes : np.ndarray, shape (k,)
    exclusive : sequence of int
        The item's exclusive codes (``Item.exclusive``).

    Returns
    -------
    np.ndarray of bool, shape (n, k)
        A new array; ``selected`` itself when there are no exclusive codes.

    Examples
    --------
    >>> picks = np.array([[True, False, True], [False, True, True], [False, False, True]])
    >>> exclusive_choices(picks, np.array([1.0, 2.0, 5.0]), (5,)).astype(int).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    """
    solo = np.isin(codes, list(exclusive))
    if not solo.any():
        return selected
    out = selected.copy()
    others = (selected & ~solo).any(axis=1)
    out[np.ix_(others, solo)] = False
    alone = ~others & (selected & solo).any(axis=1)
    first = np.argmax(selected & solo, axis=1)
    out[alone] = False
    out[alone, first[alone]] = True
    return out


__all__ = ["grm_draw", "multiple_strings", "exclusive_choices"]
