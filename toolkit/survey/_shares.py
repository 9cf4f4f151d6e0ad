"""Influence values of the shares of every level of a categorical variable in every domain, never built per row.

A proportion's influence for level ``i`` in domain ``d`` is ``w (1[level i] - p_id) / W_d``
on the domain's rows: every row has a non-zero value in each level's column of its
domain. Its sums over any cells (PSUs, calibration cells) are two bincounts, one over
cell x level x domain and one over cell x domain, shared by every level; this module
holds them for :mod:`toolkit.survey.linearization` (see :func:`~toolkit.survey.linearization.variance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class ShareSums:
    """Row data behind the influence values of every level's share in every domain (see :class:`ShareInfluence`).

    ``values`` is each row's ``w`` (or ``w / W_domain``), ``codes`` its level (-1: none),
    ``g`` its domain (-1: outside every domain). Cell sums of the level-by-domain and
    of the domain totals are computed once per set of cells and shared by every
    :class:`ShareInfluence` built on them.

    Examples
    --------
    >>> s = ShareSums(np.ones(3), np.array([0, 1, 1]), np.zeros(3, np.int64), 2, 1)
    >>> [a.tolist() for a in s.sums(np.array([0, 0, 1]), 2)]
    [[[1.0, 1.0], [0.0, 1.0]], [[2.0], [1.0]]]
    """

    def __init__(self, values: np.ndarray, codes: np.ndarray, g: np.ndarray, n_levels: int, k: int):
        inside = g >= 0
        self.values = np.where(inside, values, 0.0)
        self.g, self.codes = g, codes
        self.n_levels, self.k = n_levels, k
        self.hit = inside & (codes >= 0)
        self.col = np.where(self.hit, codes * k + np.maximum(g, 0), -1)
        self.gi = np.where(inside, g, 0)
        self._at = np.flatnonzero(self.hit)  # rows with a level in a domain, and their columns and values
        self._col, self._v = self.col[self._at], self.values[self._at]
        self._sums: dict = {}

    def sums(self, cells: np.ndarray, n_cells: int, row_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """``(level x domain, domain)`` cell sums of ``values * row_weight``: ``(n_cells, L * k)``, ``(n_cells, k)``."""
        key = (id(cells), None if row_weight is None else id(row_weight))
        if key not in self._sums:
            p = self.n_levels * self.k
            vh = self._v if row_weight is None else self._v * row_weight[self._at]
            a = np.bincount(cells[self._at] * p + self._col, weights=vh, minlength=n_cells * p).reshape(n_cells, p)
            v = self.values if row_weight is None else self.values * row_weight
            b = np.bincount(cells * self.k + self.gi, weights=v, minlength=n_cells * self.k).reshape(n_cells, self.k)
            self._sums[key] = (a, b, cells, row_weight)  # the arrays are kept so their ids stay theirs
        return self._sums[key][:2]


@dataclass(frozen=True)
class ShareInfluence:
    """Influence values ``scale_d * values * (1[level i] - centre[i, d])`` of every level ``i`` and domain ``d``.

    One column per level and domain (level-major: column ``i * k + d``), what the
    shares of a categorical variable produce; the columns are never built per row:
    cell sums come from two bincounts of :class:`ShareSums`.

    Examples
    --------
    >>> s = ShareSums(np.ones(3), np.array([0, 1, 1]), np.zeros(3, np.int64), 2, 1)
    >>> x = ShareInfluence(s, np.array([[1 / 3], [2 / 3]]), np.ones(1))
    >>> x.cell_sums(np.zeros(3, np.int64), 1).round(6).tolist()
    [[0.0, 0.0]]
    """

    rows: ShareSums
    centre: np.ndarray  # (levels, domains)
    scale: np.ndarray  # (domains,)
    levels: slice = field(default_factory=lambda: slice(None))  # the rows of ``centre`` it has columns for
    calib = None

    @property
    def p(self) -> int:
        return len(range(self.rows.n_levels)[self.levels]) * self.rows.k

    @property
    def domains(self) -> int:
        return self.rows.k

    def cell_sums(self, cells: np.ndarray, n_cells: int, row_weight=None) -> np.ndarray:
        """Totals of ``x * row_weight`` within each cell: ``(n_cells, p)``."""
        a, b = self.rows.sums(cells, n_cells, row_weight)
        a = a.reshape(n_cells, self.rows.n_levels, self.rows.k)[:, self.levels]
        out = a - b[:, None, :] * self.centre[self.levels][None]
        return (out * self.scale).reshape(n_cells, self.p)

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` of the influence values, one per row."""
        rows, k = self.rows, self.rows.k
        i = range(rows.n_levels)[self.levels][j // k]
        d = j % k
        return self.scale[d] * rows.values * ((rows.codes == i) - self.centre[i, d]) * (rows.g == d)

    def square_sums(self, cells: np.ndarray, n_cells: int) -> np.ndarray:
        """Totals of ``x ** 2`` within each cell: ``(n_cells, p)`` (``x^2 = s^2 v^2 (1[i] (1 - 2 c) + c^2)``)."""
        a, b = self.rows.sums(cells, n_cells, self.rows.values)
        a = a.reshape(n_cells, self.rows.n_levels, self.rows.k)[:, self.levels]
        c = self.centre[self.levels][None]
        return (((a * (1 - 2 * c)) + b[:, None, :] * c * c) * self.scale**2).reshape(n_cells, self.p)
