"""Influence values of the risk model's figures held sparsely, and the design variances of their totals.

A figure of a domain (a group's AUC, a calibration bin's observed share) has influence values that are 0
outside the domain; the domains of one ``by`` variable do not overlap, so their values share one array,
domain-coded (:class:`~toolkit.survey.linearization.Influence` with ``col``), and one pass of the design's
linearisation gives the variance of each: O(n) memory per variable, however many levels it has.
:class:`Stacked` holds several such figures of the same domains (the citl, Brier and slope of each group)
in one array of columns, so they share that pass too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from toolkit.errors import DataQualityWarning
from toolkit.survey.linearization import Influence

TMP = "_risk_tmp_"  # column names used on a design's copy; never in a published table


def design_ses(design, influences: list) -> np.ndarray:
    """Design SEs of ``Σ w_i z_i`` for each column of influence values: R's ``svytotal``, all in one call.

    ``influences`` are :class:`Influence` blocks (:func:`block`: one dense column, or the columns of
    non-overlapping domains in one domain-coded array, O(n) however many domains there are) or plain
    arrays (one column each); the SEs come column by column in their order. In memory the totals'
    influence values ``w_i z_i`` go through the design's linearisation directly (:func:`total_variances`;
    ``Design.total`` takes one variable at a time, with the same numbers)."""
    blocks = [z if isinstance(z, Influence) else Influence(np.asarray(z, np.float64), 1) for z in influences]
    if not blocks:
        return np.zeros(0)
    if design.cells is None:
        weighted = [Influence(design.weights * b.values, b.p, b.col) for b in blocks]
        return np.sqrt(np.clip(total_variances(design, weighted), 0, None))
    columns = [c for b in blocks for c in dense_columns(b)]
    names = [f"{TMP}{i}" for i in range(len(columns))]
    with warnings.catch_warnings():  # influence values have no SRS design effect to speak of; only the SE is used
        warnings.filterwarnings("ignore", message="design effect of variable", category=DataQualityWarning)
        table = design.update(**dict(zip(names, columns, strict=True))).total(names, min_cell=0)
    return table.set_index("variable").loc[names, "se"].to_numpy(np.float64)


def domains_free(design) -> bool:
    """Whether the design variance of a total ignores which rows form its domain: true unless
    ``lonely_psu="average"`` without calibration or ``adjust_domain_lonely`` (see ``linearization.variance``)."""
    return not design.adjust_domain_lonely and not (design.lonely_psu == "average" and design.plan is None)


def block(n: int, col: np.ndarray | None, parts: list[tuple[np.ndarray, np.ndarray]], p: int = 1) -> Influence:
    """One :class:`Influence` from each domain's ``(rows, values)`` (0 elsewhere): ``p`` columns coded by
    ``col`` (each row's domain, -1: none), or one dense column when ``col`` is None."""
    values = np.zeros(n)
    for rows, z in parts:
        values[rows] = z
    return Influence(values, 1) if col is None else Influence(values, p, col)


def dense_columns(x: Influence):
    """The columns of ``x`` one at a time, each a dense array of every row."""
    if x.col is None:
        yield x.values
        return
    for j in range(x.p):
        yield np.where(x.col == j, x.values, 0.0)


def total_variances(design, blocks: list[Influence]) -> np.ndarray:
    """Design variance of the total of each column of influence values (weights included), a pass per block.

    A domain-coded block (the groups of one ``by`` variable, the bins of a calibration table) is one pass
    with one column per domain; the variances are those of each column alone (the domains matter only
    where :func:`domains_free` is false, and then every column has its own pass, as a dense array)."""
    everyone = np.zeros(design.n, np.int64)
    free = domains_free(design)
    out = [np.zeros(0)]
    for x in blocks:
        for part in [x] if free or x.col is None else [Influence(c, 1) for c in dense_columns(x)]:
            out.append(design._variance(part, everyone, diag=True))
    return np.concatenate(out)


@dataclass(frozen=True)
class Stacked:
    """Influence values of ``m`` figures of the same ``k`` non-overlapping domains: ``values[i, t]`` sits in
    column ``t * k + col[i]`` (``col`` -1: the row is in no domain), so ``p = m * k``.

    The cell sums are those of ``m`` domain-coded :class:`~toolkit.survey.linearization.Influence` arrays,
    from one set of row codes: the same numbers, in one pass of the design's linearisation.

    Examples
    --------
    >>> x = Stacked(np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]]), np.array([0, 1, 1]), 2)
    >>> x.cell_sums(np.array([0, 0, 1]), 2).tolist()
    [[1.0, 2.0, 10.0, 20.0], [0.0, 4.0, 0.0, 40.0]]
    """

    values: np.ndarray  # (n, m)
    col: np.ndarray  # (n,)
    k: int
    calib = None

    @property
    def p(self) -> int:
        return self.values.shape[1] * self.k

    @property
    def domains(self) -> int:
        return self.k

    def cell_sums(self, cells: np.ndarray, n_cells: int, row_weight=None, square: bool = False) -> np.ndarray:
        """Totals of ``x * row_weight`` (``square``: of ``x ** 2``) within each cell: ``(n_cells, p)``."""
        keep = self.col >= 0
        every = bool(keep.all())  # then no row is left out, and nothing needs selecting

        def rows(a: np.ndarray) -> np.ndarray:
            return a if every else a[keep]

        flat = rows(cells) * self.k + rows(self.col)
        weight = None if row_weight is None else rows(row_weight)
        sums = []
        for v in self.values.T:  # one column at a time: no rows x columns temporary
            v = rows(v)
            v = v * v if square else v
            sums.append(np.bincount(flat, weights=v if weight is None else v * weight, minlength=n_cells * self.k))
        m = self.values.shape[1]
        return np.stack(sums, axis=1).reshape(n_cells, self.k, m).transpose(0, 2, 1).reshape(n_cells, self.p)

    def square_sums(self, cells: np.ndarray, n_cells: int) -> np.ndarray:
        """Totals of ``x ** 2`` within each cell: ``(n_cells, p)``."""
        return self.cell_sums(cells, n_cells, square=True)

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` of the influence values, one per row."""
        t, d = divmod(j, self.k)
        return np.where(self.col == d, self.values[:, t], 0.0)

    def dense(self) -> np.ndarray:
        """The ``(n, p)`` matrix of influence values."""
        return np.column_stack([self.column(j) for j in range(self.p)])


def stack(n: int, m: int) -> np.ndarray:
    """An ``(n, m)`` array of zeros for the influence values of ``m`` figures, each column contiguous (as
    :meth:`Stacked.cell_sums` reads them); a figure's values go on its domains' rows."""
    return np.zeros((m, n)).T


def as_columns(values: np.ndarray, col: np.ndarray | None, k: int) -> list[Influence]:
    """Each column of a :func:`stack` as its own :class:`~toolkit.survey.linearization.Influence`."""
    return [Influence(v, 1) if col is None else Influence(v, k, col) for v in values.T]


def stacked_variances(design, col: np.ndarray | None, values: np.ndarray, k: int,
                      weighted: list[bool]) -> np.ndarray | None:
    """Design variances ``(m, k)`` of the totals of ``m`` figures of the same ``k`` domains (``col``, or None
    for the whole sample), their influence values the columns of ``values`` (a :func:`stack`), in one pass;
    ``weighted[t]``: figure ``t``'s values are ``z`` of ``Σ w_i z_i`` (multiplied by the design weights
    here, in place) rather than the totals' own. ``None``, leaving ``values`` as they are, where that pass
    does not apply (a collapsed design, or domains that matter, see :func:`domains_free`): then each
    column has its own (:func:`design_ses` of :func:`as_columns`)."""
    if design.cells is not None or not domains_free(design):
        return None
    if k == 0:  # a group column without a value: no domain, no pass
        return np.zeros((values.shape[1], 0))
    for t in np.flatnonzero(weighted):
        values[:, t] *= design.weights
    everyone = np.zeros(design.n, np.int64)
    # a row in no domain holds 0 in every column: put in the first, it adds nothing and no row needs selecting
    x = Stacked(values, everyone if col is None else np.maximum(col, 0), k)
    return design._variance(x, everyone, diag=True).reshape(values.shape[1], k)
