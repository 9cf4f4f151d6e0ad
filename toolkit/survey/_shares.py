"""Influence values of the shares of every level of a categorical variable in every domain, never built per row.

A proportion's influence for level ``i`` in domain ``d`` is ``w (1[level i] - p_id) / W_d``
on the domain's rows: every row has a non-zero value in each level's column of its
domain. Its sums over any cells (PSUs, calibration cells) are two bincounts, one over
cell x level x domain and one over cell x domain, shared by every level; this module
holds them for :mod:`toolkit.survey.linearization` (see :func:`~toolkit.survey.linearization.variance`).

Rows that agree on their weight, stratum, units and calibration cells (and calibration row
weights) are interchangeable in every one of those sums: an *atom* (:class:`Atoms`). A
stratified sample with one weight per stratum, raked to a few margins, has a few thousand
atoms at any n (1,325 for the benchmark's 1M respondents). A proportion then counts its rows
once per atom x level x domain (one bincount) and every cell sum is a sum over atoms of
count x weight x row weight, in atom order: the numbers are the row-by-row ones up to
rounding (1e-12 relative). Designs with (nearly) distinct weights keep the row-level path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.survey.linearization import first_rows


class Atoms:
    """Rows that agree on every design quantity a share's variance uses: their weight, stratum, units and
    calibration cells (and the calibration's row weights, checked per array by :meth:`of`).

    Within an atom the influence values of a share differ only through the row's level and domain, so
    any cell sum is a count per atom and column times one value per atom: one pass over the rows per
    estimate (a bincount of atom x column) instead of one per set of cells. A stratified sample with
    one weight per stratum, raked to a few margins, has a few thousand atoms however many rows it has.

    Examples
    --------
    >>> a = Atoms(np.array([0, 1, 0]), 2, np.array([0, 1]))
    >>> a.of(np.array([5.0, 7.0, 5.0])).tolist(), a.of(np.array([5.0, 7.0, 6.0]))
    ([5.0, 7.0], None)
    """

    def __init__(self, code: np.ndarray, n_atoms: int, first: np.ndarray):
        self.code, self.n, self.first = code, n_atoms, first
        self._of: dict = {}

    def of(self, values: np.ndarray) -> np.ndarray | None:
        """The per-atom value of a design-fixed row array (cached), ``None`` where it varies within an atom."""
        key = id(values)
        if key not in self._of:
            per = values[self.first]
            same = len(per) == self.n and np.array_equal(per[self.code], values)
            self._of[key] = (per if same else None, values)  # the array is kept so its id stays its own
        return self._of[key][0]

    @functools.cached_property
    def count(self) -> np.ndarray:
        """Rows per atom."""
        return np.bincount(self.code, minlength=self.n).astype(float)

    def base(self, groups: np.ndarray, k: int) -> np.ndarray:
        """``atom * (k + 1) + domain`` per row (domain ``k``: none), cached per array of domain codes."""
        key = ("base", id(groups))
        if key not in self._of:
            base = self.code * (k + 1) + np.where(groups >= 0, groups, k)
            small = self.n * (k + 1) < np.iinfo(np.int32).max  # held per grouping: half the memory
            self._of[key] = (base.astype(np.int32) if small else base, groups)
        return self._of[key][0]

    def cell_sums(self, cells: np.ndarray, n_cells: int, values: np.ndarray) -> np.ndarray | None:
        """Totals of per-atom ``values`` (atoms x columns) within each cell of a design-fixed ``cells`` array
        (``None`` where the cells vary within an atom); the atoms of a cell are added in order."""
        key = ("segments", id(cells))
        if key not in self._of:
            at_cell = self.of(cells)
            if at_cell is None:
                self._of[key] = (None, cells)
            else:
                order = np.argsort(at_cell, kind="stable")
                ordered = at_cell[order]
                starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
                self._of[key] = ((order, starts, ordered[starts]), cells)
        found = self._of[key][0]
        if found is None:
            return None
        order, starts, present = found
        out = np.zeros((n_cells, values.shape[1]))
        out[present] = np.add.reduceat(values[order], starts, axis=0)
        return out


ATOM_SHARE = 0.25  # compress to atoms when there are at most this share of the rows of them
PROBE_ROWS = 1 << 16  # the weights looked at before paying a full factorize for the atoms


def design_atoms(design) -> Atoms | None:
    """The :class:`Atoms` of an in-memory design (cached with its weights), ``None`` when there are too many."""
    if "atoms" not in design._wcache:
        design._wcache["atoms"] = _find_atoms(design) if design.cells is None and design.n else None
    return design._wcache["atoms"]


def _more_distinct_than(probe: np.ndarray, limit: float) -> bool:
    """Whether ``probe`` (draws from an array) shows more distinct values than ``limit`` values would.

    ``m`` draws from ``D`` equally common values show ``D (1 - exp(-m / D))`` of them on average,
    fewer when some are more common. The share of distinct values in the probe would say nothing:
    25,000 atoms among 10M rows, far fewer than the rows, still look all but distinct in 4,096 draws.

    Examples
    --------
    >>> _more_distinct_than(np.arange(100_000.0), 50_000)
    True
    >>> _more_distinct_than(np.tile(np.arange(25_000.0), 4), 50_000)
    False
    """
    m = len(probe)
    return bool(len(pd.unique(probe)) > limit * -np.expm1(-m / limit))


def _find_atoms(design) -> Atoms | None:
    limit = ATOM_SHARE * design.n
    if design.n > PROBE_ROWS and _more_distinct_than(design.weights[::design.n // PROBE_ROWS], limit):
        return None  # weights all but distinct: no full pass
    code, uniques = pd.factorize(design.weights)
    arrays = [design.strata] + [s.unit for s in design.stages if s.n_units < design.n]
    arrays += [] if design.plan is None else [c.cells for c in design.plan.components]
    for cells in arrays:
        if len(uniques) > limit:
            return None
        code, uniques = pd.factorize(code.astype(np.int64) * (int(cells.max()) + 1) + cells)
    if len(uniques) > limit:
        return None
    code = code.astype(np.int64)
    return Atoms(code, len(uniques), first_rows(code, len(uniques)))


class ShareSums:
    """Row data behind the influence values of every level's share in every domain (see :class:`ShareInfluence`).

    ``values`` is each row's ``w`` (or ``w / W_domain``), ``codes`` its level (-1: none),
    ``g`` its domain (-1: outside every domain). Cell sums of the level-by-domain and
    of the domain totals are computed once per set of cells and shared by every
    :class:`ShareInfluence` built on them. With ``atoms`` (:func:`design_atoms`; ``values``
    are then the design's weights) the rows are counted once per atom and column, and
    every cell sum whose cells and row weights are constant within atoms comes from
    that table; ``groups`` are the domain codes before rows without a level were left out
    (``na_rm``), whose atoms x domain base is cached.

    Examples
    --------
    >>> s = ShareSums(np.ones(3), np.array([0, 1, 1]), np.zeros(3, np.int64), 2, 1)
    >>> [a.tolist() for a in s.sums(np.array([0, 0, 1]), 2)]
    [[[1.0, 1.0], [0.0, 1.0]], [[2.0], [1.0]]]
    """

    def __init__(self, values: np.ndarray, codes: np.ndarray, g: np.ndarray, n_levels: int, k: int,
                 atoms: Atoms | None = None, groups: np.ndarray | None = None):
        self.weights, self.g, self.codes = values, g, codes
        self.n_levels, self.k = n_levels, k
        if atoms is not None and atoms.n * (n_levels + 1) * (k + 1) > len(codes):
            atoms = None  # a table of atoms x columns larger than the rows saves nothing
        self.atoms = atoms
        self._sums: dict = {}
        if atoms is not None:
            self.table = self._count(atoms, g if groups is None else groups, groups is not None and groups is not g)
            self.w_atom = values[atoms.first]

    def _count(self, atoms: Atoms, groups: np.ndarray, dropped: bool) -> np.ndarray:
        """Rows per atom and column: level x domain (level-major), "in a domain without a level" per domain,
        outside. ``groups`` are the domains before the rows without a level were left out (``dropped``)."""
        n_levels, k = self.n_levels, self.k
        lk = n_levels * k
        key = atoms.base(groups, k) * np.int64(n_levels + 1) + self.codes % (n_levels + 1)  # no level: -1 -> n_levels
        t = np.bincount(key, minlength=atoms.n * (k + 1) * (n_levels + 1)).reshape(atoms.n, k + 1, n_levels + 1)
        table = np.zeros((atoms.n, lk + k + 1))
        table[:, :lk] = t[:, :k, :n_levels].transpose(0, 2, 1).reshape(atoms.n, lk)
        table[:, -1] = t[:, k].sum(1)
        if dropped:
            table[:, -1] += t[:, :k, n_levels].sum(1)
        else:
            table[:, lk:-1] = t[:, :k, n_levels]
        return table

    @functools.cached_property
    def values(self) -> np.ndarray:
        return np.where(self.g >= 0, self.weights, 0.0)

    @functools.cached_property
    def hit(self) -> np.ndarray:
        return (self.g >= 0) & (self.codes >= 0)

    @functools.cached_property
    def col(self) -> np.ndarray:
        return np.where(self.hit, self.codes * self.k + np.maximum(self.g, 0), -1)

    @functools.cached_property
    def _rows(self) -> tuple:
        at = np.flatnonzero(self.hit)  # rows with a level in a domain, and their columns and values
        return at, self.col[at], self.values[at], np.maximum(self.g, 0)

    def level_sums(self, weighted: bool = True) -> np.ndarray:
        """``(levels, domains)`` sums of ``values`` (``weighted`` False: counts) over each level's rows."""
        lk = self.n_levels * self.k
        if self.atoms is not None:
            t = self.table[:, :lk]
            return (t * self.w_atom[:, None] if weighted else t).sum(0).reshape(self.n_levels, self.k)
        at, col, v, _ = self._rows
        return np.bincount(col, weights=v if weighted else None, minlength=lk).reshape(self.n_levels, self.k)

    def domain_counts(self) -> np.ndarray:
        """With atoms: ``(atoms, domains)`` numbers of each atom's rows in each domain."""
        lk = self.n_levels * self.k
        return self.table[:, :lk].reshape(-1, self.n_levels, self.k).sum(1) + self.table[:, lk:-1]

    def sums(self, cells: np.ndarray, n_cells: int, row_weight=None,
             squared: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(level x domain, domain)`` cell sums of ``values * row_weight`` (``squared``: of ``values ** 2``):
        ``(n_cells, L * k)``, ``(n_cells, k)``."""
        key = (id(cells), None if row_weight is None else id(row_weight), squared)
        if key not in self._sums:
            found = self._atom_sums(cells, n_cells, row_weight, squared)
            if found is None:
                found = self._row_sums(cells, n_cells, self.values if squared else row_weight)
            self._sums[key] = (*found, cells, row_weight)  # the arrays are kept so their ids stay theirs
        return self._sums[key][:2]

    def _atom_sums(self, cells, n_cells, row_weight, squared):
        if self.atoms is None:
            return None
        rw = self.w_atom if squared else 1.0 if row_weight is None else self.atoms.of(row_weight)
        if rw is None:
            return None
        lk = self.n_levels * self.k
        out = self.atoms.cell_sums(cells, n_cells, self.table[:, :lk + self.k] * (self.w_atom * rw)[:, None])
        if out is None:
            return None
        a = out[:, :lk]
        return a, a.reshape(n_cells, self.n_levels, self.k).sum(1) + out[:, lk:]

    def _row_sums(self, cells, n_cells, row_weight):
        at, col, v, gi = self._rows
        p = self.n_levels * self.k
        vh = v if row_weight is None else v * row_weight[at]
        a = np.bincount(cells[at] * p + col, weights=vh, minlength=n_cells * p).reshape(n_cells, p)
        v = self.values if row_weight is None else self.values * row_weight
        b = np.bincount(cells * self.k + gi, weights=v, minlength=n_cells * self.k).reshape(n_cells, self.k)
        return a, b


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

    @property
    def atoms(self) -> Atoms | None:
        return self.rows.atoms

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
        a, b = self.rows.sums(cells, n_cells, squared=True)
        a = a.reshape(n_cells, self.rows.n_levels, self.rows.k)[:, self.levels]
        c = self.centre[self.levels][None]
        return (((a * (1 - 2 * c)) + b[:, None, :] * c * c) * self.scale**2).reshape(n_cells, self.p)
