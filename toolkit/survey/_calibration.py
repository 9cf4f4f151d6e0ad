"""Calibration components and their sweeps for :mod:`toolkit.survey.linearization` (see its notes).

Post-stratification and raking leave a plan: the components (cells, weights after each margin)
and the order in which ``svyrecvar`` sweeps them. The cross-tables of cells a sweep needs are
cached on the plan, and the sweeps themselves, being linear in the cell sums, are run once on
the identity (:func:`_sweep` on :func:`_unit_sums`) to give one operator per plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNDO_BLOCK = 1 << 18  # rows per block of the calibration undo (CalibrationPlan.undo)


@dataclass
class Calibration:
    """One post-stratification margin: its cells, weights after it, and the
    row weights / denominators its cell means use (see module notes).

    Examples
    --------
    >>> c = Calibration(np.array([0, 1, 1]), 2, np.ones(3), np.ones(3), np.array([1.0, 2.0]))
    >>> c.n_cells
    2
    """

    cells: np.ndarray
    n_cells: int
    psw: np.ndarray
    v: np.ndarray
    denom: np.ndarray
    per_respondent: bool = False  # a raking margin: averages over respondents (see Influence.calib)


@dataclass
class CalibrationPlan:
    """Calibration components and the order in which ``svyrecvar`` sweeps them.

    Examples
    --------
    >>> CalibrationPlan().steps
    []
    """

    components: list[Calibration] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    _cross: dict = field(default_factory=dict, repr=False)

    def cross(self, j: int, k: int, atoms=None) -> np.ndarray:
        """``T[c, c'] = sum over rows in cell c of j and c' of k of v_j * psw_k`` (cached; ``atoms``, see
        :class:`~toolkit.survey._shares.Atoms`: summed over atoms when the cells and weights are theirs).

        Examples
        --------
        >>> c = Calibration(np.array([0, 1, 1]), 2, np.ones(3), np.ones(3), np.array([1.0, 2.0]))
        >>> CalibrationPlan([c], [0]).cross(0, 0).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
        """
        key = (j, k)
        if key not in self._cross:
            a, b = self.components[j], self.components[k]
            flat, q = _by_atom(atoms, (a.cells, b.cells), (a.v, b.psw))
            flat = flat[0] * b.n_cells + flat[1]
            self._cross[key] = np.bincount(flat, weights=q, minlength=a.n_cells * b.n_cells).reshape(a.n_cells,
                                                                                                     b.n_cells)
        return self._cross[key]

    def by_cell(self, j: int, cells: np.ndarray, n_cells: int) -> tuple:
        """Sums of ``psw_j`` per cell u (of ``cells``) and calibration cell c of margin ``j`` (cached): a dense
        ``(n_cells, n_c)`` matrix when that is smaller than the rows, else the pairs ``(u, c, sum)`` that occur.

        Examples
        --------
        >>> c = Calibration(np.array([0, 1, 1, 1]), 2, np.ones(4), np.ones(4), np.array([1.0, 3.0]))
        >>> CalibrationPlan([c], [0]).by_cell(0, np.array([0, 0, 1, 1]), 2)[1].tolist()
        [[1.0, 1.0], [0.0, 2.0]]
        """
        key = ("cells", j, id(cells))
        if key not in self._cross:
            comp = self.components[j]
            if n_cells * comp.n_cells <= len(cells):
                found = ("dense", np.bincount(cells * comp.n_cells + comp.cells, weights=comp.psw,
                                              minlength=n_cells * comp.n_cells).reshape(n_cells, comp.n_cells))
            elif n_cells == len(cells):  # one row per cell (every row its own PSU)
                found = ("pairs", cells, comp.cells, comp.psw, None)
            else:
                pairs, at = np.unique(cells.astype(np.int64) * comp.n_cells + comp.cells, return_inverse=True)
                u = pairs // comp.n_cells
                starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
                found = ("pairs", u, pairs % comp.n_cells, np.bincount(at.reshape(-1), weights=comp.psw), starts)
            self._cross[key] = (found, cells)  # the cells are kept so their id stays theirs
        return self._cross[key][0]

    def memo(self, key, make):
        """A value cached on the plan (the structures depend on the plan and the stages only)."""
        if key not in self._cross:
            self._cross[key] = make()
        return self._cross[key]

    def undo(self, j: int, cells: np.ndarray, n_cells: int, a: np.ndarray, totals: np.ndarray) -> np.ndarray:
        """``totals`` (per cell of ``cells``) minus the cell sums of ``psw_j * a[calibration cell]``."""
        found = self.by_cell(j, cells, n_cells)
        if found[0] == "dense":
            return totals - found[1] @ a
        _, u, c, m, starts = found
        out = totals.copy()
        if starts is None:  # a block of rows at a time: with one-row units a whole rows x columns part was 1.2 GB
            for first in range(0, len(u), UNDO_BLOCK):  # at 10M rows for a GLM's 15 columns, and its copy as much
                rows = slice(first, first + UNDO_BLOCK)
                out[u[rows]] -= m[rows, None] * a[c[rows]]
        else:
            out[u[starts]] -= np.add.reduceat(m[:, None] * a[c], starts, axis=0)
        return out


def _by_atom(atoms, codes: tuple, weights: tuple) -> tuple[list, np.ndarray]:
    """``codes`` and the product of ``weights`` per row, or per atom (times its rows) when ``atoms`` is given
    and every array is constant within atoms (:class:`~toolkit.survey._shares.Atoms`)."""
    if atoms is not None:
        per = [atoms.of(a) for a in (*codes, *weights)]
        if all(p is not None for p in per):
            q = atoms.count
            for p in per[len(codes):]:
                q = q * p
            return per[:len(codes)], q
    q = weights[0]
    for w in weights[1:]:
        q = q * w
    return list(codes), q


def _triples(h: np.ndarray, c: Calibration, d: Calibration, atoms=None) -> tuple:
    """The (stratum, cell of c, cell of d) combinations that occur (sorted; where each stratum starts) and
    their sums of ``psw_c psw_d`` (``atoms``: see :func:`_by_atom`)."""
    (h, cc, dc), weights = _by_atom(atoms, (h, c.cells, d.cells), (c.psw, d.psw))
    key = (h.astype(np.int64) * c.n_cells + cc) * d.n_cells + dc
    size = (int(h.max()) + 1) * c.n_cells * d.n_cells if len(h) else 0
    if size <= 4 * len(key) + 1024:  # a small key space: bincounts in place of a sort
        found = np.flatnonzero(np.bincount(key, minlength=size))
        q = np.bincount(key, weights=weights, minlength=size)[found]
    else:
        found, at = np.unique(key, return_inverse=True)
        q = np.bincount(at.reshape(-1), weights=weights)
    hh = found // (c.n_cells * d.n_cells)
    starts = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    return hh, starts, (found // d.n_cells) % c.n_cells, found % d.n_cells, q


def _unit_sums(comps: list[Calibration]) -> list[np.ndarray]:
    """The cell sums of the identity: one column per calibration cell, stacked over the components."""
    eye = np.eye(sum(c.n_cells for c in comps))
    return np.split(eye, np.cumsum([c.n_cells for c in comps])[:-1])


def _sweep(plan: CalibrationPlan, sums: list[np.ndarray], atoms=None) -> list[np.ndarray]:
    """``svyrecvar``'s calibration sweeps on cell sums: the per-cell terms ``a`` of every component
    (``atoms``: see :meth:`CalibrationPlan.cross`)."""
    comps = plan.components
    a = [np.zeros((c.n_cells, sums[0].shape[1])) for c in comps]
    for j in plan.steps:
        s = sums[j].copy()
        for k in range(len(comps)):
            if a[k].any():
                s -= plan.cross(j, k, atoms) @ a[k]
        # a level with no sample and a zero target is an empty cell: R drops it (no 0/0)
        denom = comps[j].denom[:, None]
        a[j] += np.divide(s, denom, out=np.zeros_like(s), where=denom != 0)
    return a
