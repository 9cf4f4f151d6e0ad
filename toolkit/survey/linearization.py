"""Taylor-linearisation variance for stratified multistage designs.

Numerical method
----------------
An estimator is summarised by its influence values ``x`` (one row per
respondent, one column per statistic). Its variance is the one R's
``survey:::svyrecvar`` computes:

1. *Calibration.* Post-stratification and raking are undone on ``x`` first:
   a post-stratum replaces ``x`` by ``x - psw * mean_c(x * oldw / psw)``
   (``mean`` weighted by the old weights), a raking block repeats
   ``x <- x - psw * ave(x / psw, margin)`` ten times over its margins, with
   ``psw`` the weights after that margin's last post-stratification.
   Because every step only adds ``psw * a[cell]`` terms, the steps are run on
   small cell-level vectors (cross-tables of cell by cell, computed once per
   design) and ``x`` is rebuilt once at the end; the result is the same as R's
   row-level loop up to rounding. The sweeps are linear in the cell sums, so they
   are run once per plan on the identity, and each influence then needs one
   product with that operator (non-finite sums are swept as they are).
2. *Stage 1 (ultimate cluster).* PSU totals ``t_hi`` of ``x`` give
   ``V = sum_h f_h n_h / (n_h - 1) sum_i (t_hi - tbar_h)(t_hi - tbar_h)'``
   with ``f_h = (N_h - n_h) / N_h`` (1 without fpc), as ``survey:::onestrat``.
   Lonely PSUs follow ``options(survey.lonely.psu)``: ``remove`` and
   ``certainty`` add nothing, ``adjust`` centres at zero (the grand mean of an
   influence function), ``average`` scales the other strata up by
   ``H / H_ok``. Strata sampled completely (``f_h < 1e-7``) add nothing.
3. *Later stages* (only when an fpc is given for every stage, as
   ``survey:::multistage``): the units of stage ``s - 1`` act as strata for
   the units of stage ``s``, and their contribution is multiplied by the
   sampling fractions ``n/N`` of all earlier stages.
4. *Cells of one-respondent PSUs* (an engine's design without PSUs): the
   stage's units are cells of respondents, and stage 1 is step 2 from
   per-stratum sums of the respondents' values and of their squares
   (:func:`cell_moments`).

Every step is a ``np.bincount`` over precomputed integer codes; nothing loops
over rows. Calibration is undone on the unit totals (``x - psw a[cell]`` summed
per unit is the unit's total minus the (unit, cell) sums of ``psw`` times
``a``), so no rows x columns matrix is built. Where only the variances are
needed (``diag=True``, every estimator table) and every PSU is one row of a
calibrated design, the centred sums of squares come from per-stratum moments,
``sum (x - R)^2 = sum x^2 - 2 sum x R + sum R^2`` with ``R`` the calibration
term, whose pieces are sums over stratum x calibration cells; a column whose
variance calibration removes to below 1e-5 of that of ``x`` would lose digits
to cancellation there and is computed row by row instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Calibration is imported from here too (and pickled designs name this module)
from toolkit.survey._calibration import Calibration, CalibrationPlan, _sweep, _triples, _unit_sums  # noqa: F401
from toolkit.survey._moments import cell_moments, moment_variance

LONELY = ("fail", "remove", "adjust", "average", "certainty")
BLOCK_UNITS = 1 << 18  # units per block of centred totals in stage_variance (O(block x columns) memory)


def dense_codes(code: np.ndarray) -> np.ndarray:
    """Relabel non-negative integer codes to 0..k-1 keeping their order (an O(n) ``np.unique``).

    Examples
    --------
    >>> dense_codes(np.array([7, 2, 7, 40])).tolist()
    [1, 0, 1, 2]
    """
    if len(code) and code.max() < 4 * len(code) + 1024:
        present = np.bincount(code) > 0
        return (np.cumsum(present) - 1)[code]
    return np.unique(code, return_inverse=True)[1].reshape(-1)


def first_rows(code: np.ndarray, k: int) -> np.ndarray:
    """The first row of each code 0..k-1 (every code present), in one pass: ``np.unique``'s index without a sort.

    Examples
    --------
    >>> first_rows(np.array([1, 0, 1, 2, 0]), 3).tolist()
    [1, 0, 3]
    """
    first = np.zeros(k, np.int64)
    rows = np.arange(len(code) - 1, -1, -1)
    first[code[rows]] = rows  # the last write wins
    return first


@dataclass(frozen=True)
class Stage:
    """Sampling units of one stage and the "strata" they were drawn in.

    ``unit`` holds each row's unit code; ``unit_stratum`` the stratum code of
    every unit; ``scale`` the per-stratum factor ``mult * f * n / (n - 1)``
    (``mult * f`` for a lonely unit), 0 where the stratum adds nothing.

    A collapsed design without PSUs (:mod:`toolkit.survey.engines`) has cells of
    respondents for units, every respondent its own PSU: ``unit_n`` holds each
    cell's respondents (``n_per_stratum`` counts respondents) and ``unit_ww``
    its ``sum w^2 / (sum w)^2``, so the squares of the respondents' influence
    values in a cell sum to ``unit_ww * total^2`` (see :func:`cell_moments`).

    Examples
    --------
    >>> one = Stage(np.array([0, 1, 1]), 2, np.array([0, 0]), 1, np.array([2.0]), np.array([2.0]),
    ...             np.array([False]))
    >>> one.n_units, one.n_strata
    (2, 1)
    """

    unit: np.ndarray
    n_units: int
    unit_stratum: np.ndarray
    n_strata: int
    n_per_stratum: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray  # per stratum: one unit and a non-zero fpc factor
    unit_n: np.ndarray | None = None  # respondents per unit when units are cells of one-respondent PSUs
    unit_ww: np.ndarray | None = None  # per such unit: sum w^2 / (sum w)^2


@dataclass(frozen=True)
class Influence:
    """Influence values, dense ``(n, p)`` or one non-zero per row.

    For the sparse form ``values[i]`` sits in column ``col[i]`` (``-1``: the row
    is outside every domain); this is what a ``by=`` estimate produces and
    keeps it O(n) however many domains there are.

    ``calib`` serves a collapsed design (one row per cell of respondents, see
    :mod:`toolkit.survey.engines`): raking averages ``x / psw`` over
    respondents, which needs each cell's influence at its *unweighted* means;
    ``calib`` holds that, shaped as ``values`` (``None``: ``values``). Such a
    design without PSUs also needs the spread of its respondents' values inside
    a cell, ``spread`` (:func:`cell_moments`).

    Examples
    --------
    >>> Influence(np.array([1.0, 2.0]), 2, np.array([1, -1])).dense().tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """

    values: np.ndarray
    p: int
    col: np.ndarray | None = None
    calib: np.ndarray | None = None
    spread: tuple | None = None  # cells of one-respondent PSUs: (slopes, first, second), see cell_moments
    gram: tuple | None = None  # such cells: (sum x x', sum w x, sum w) per cell, see cell_moments

    def dense(self) -> np.ndarray:
        """The ``(n, p)`` matrix of influence values.

        Examples
        --------
        >>> Influence(np.array([1.0, 2.0]), 1).dense().shape
        (2, 1)
        """
        if self.col is None:
            return self.values.reshape(len(self.values), -1)
        out = np.zeros((len(self.values), self.p))
        keep = self.col >= 0
        out[np.flatnonzero(keep), self.col[keep]] = self.values[keep]
        return out

    def cell_sums(self, cells: np.ndarray, n_cells: int, row_weight=None) -> np.ndarray:
        """Totals of ``x * row_weight`` within each cell: ``(n_cells, p)``.

        Examples
        --------
        >>> Influence(np.array([1.0, 2.0, 4.0]), 1).cell_sums(np.array([0, 0, 1]), 2).tolist()
        [[3.0], [4.0]]
        """
        if self.col is None:
            x = self.dense()
            out = np.empty((n_cells, x.shape[1]))  # filled a column at a time: no second copy from stacking
            for j in range(x.shape[1]):
                out[:, j] = np.bincount(cells, weights=x[:, j] if row_weight is None else x[:, j] * row_weight,
                                        minlength=n_cells)
            return out.reshape(n_cells, self.p)
        keep = self.col >= 0
        vals = self.values[keep] if row_weight is None else (self.values * row_weight)[keep]
        flat = cells[keep] * self.p + self.col[keep]
        return np.bincount(flat, weights=vals, minlength=n_cells * self.p).reshape(n_cells, self.p)


@dataclass(frozen=True)
class Residual:
    """Influence values after the calibration sweeps: ``x - sum_c psw_c * a_c[cell]``, never built per row.

    Cell sums subtract ``M_c @ a_c`` with ``M_c`` the sums of ``psw_c`` per cell and
    calibration cell (:meth:`CalibrationPlan.by_cell`, cached in the plan).

    Examples
    --------
    >>> from toolkit.survey._calibration import Calibration
    >>> c = Calibration(np.array([0, 0, 1]), 2, np.ones(3), np.ones(3), np.array([2.0, 1.0]))
    >>> plan = CalibrationPlan([c], [0])
    >>> r = residualize(Influence(np.array([1.0, 3.0, 5.0]), 1), plan)
    >>> r.cell_sums(np.array([0, 1, 1]), 2).tolist()
    [[-1.0], [1.0]]
    """

    x: object
    plan: CalibrationPlan
    a: list

    @property
    def p(self) -> int:
        return self.x.p

    def cell_sums(self, cells: np.ndarray, n_cells: int) -> np.ndarray:
        out = self.x.cell_sums(cells, n_cells)
        for j, ak in enumerate(self.a):
            if ak.any():
                out = self.plan.undo(j, cells, n_cells, ak, out)
        return out

    def dense(self) -> np.ndarray:
        out = self.x.dense().copy()
        for c, ak in zip(self.plan.components, self.a, strict=True):
            out -= c.psw[:, None] * ak[c.cells]
        return out


def _square_sums(x, cells: np.ndarray, n_cells: int) -> np.ndarray:
    """Totals of ``x ** 2`` within each cell for any influence form."""
    if hasattr(x, "square_sums"):
        return x.square_sums(cells, n_cells)
    if x.col is not None:
        return Influence(x.values * x.values, x.p, x.col).cell_sums(cells, n_cells)
    return Influence(x.dense() ** 2, x.p).cell_sums(cells, n_cells)


def row_unit_moments(r: Residual, stage: Stage) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum of ``stage`` (every unit one row), the sums of the calibrated unit totals and of their
    squares, ``(n_strata, p)`` each, from cell sums: ``sum (x - R)^2 = sum x^2 - 2 sum x R + sum R^2`` with
    ``R = sum_c psw_c a_c[cell]``, so no ``rows x columns`` matrix is built."""
    plan, x, h_n = r.plan, r.x, stage.n_strata
    h = plan.memo(("row strata", id(stage.unit)), lambda: (stage.unit_stratum[stage.unit], stage.unit))[0]
    s1 = x.cell_sums(h, h_n)
    s2 = _square_sums(x, h, h_n)
    size = s2.copy()
    comps = [(j, c, a) for j, (c, a) in enumerate(zip(plan.components, r.a, strict=True)) if a.any()]
    for j, c, a in comps:
        s1 = plan.undo(j, h, h_n, a, s1)
        key = plan.memo(("stratum cells", id(stage.unit), j), lambda c=c: (h * c.n_cells + c.cells, stage.unit))[0]
        cross = x.cell_sums(key, h_n * c.n_cells, c.psw).reshape(h_n, c.n_cells, -1)
        s2 = s2 - 2 * (cross * a[None]).sum(1)
    for j, c, a in comps:
        for k, d, b in comps:
            hh, starts, cj, ck, q = plan.memo(("triples", id(stage.unit), j, k),
                                              lambda c=c, d=d: _triples(h, c, d, getattr(x, "atoms", None)))
            s2[hh[starts]] += np.add.reduceat(q[:, None] * a[cj] * b[ck], starts, axis=0)
    return s1, s2, size


def _moment_stage(r: Residual, stage: Stage, lonely_psu: str, present, domain_lonely) -> np.ndarray:
    """The variances of a calibrated influence over one-row PSUs from moments (:func:`row_unit_moments`);
    columns where calibration removed all but 1e-5 of the spread are redone row by row, as the moments
    would lose digits to cancellation there."""
    s1, s2, size = row_unit_moments(r, stage)
    centred = s2 - s1 * s1 / stage.n_per_stratum[:, None]
    weight = stage.scale[:, None]
    close = np.flatnonzero(np.abs((centred * weight).sum(0)) < 1e-5 * np.abs((size * weight).sum(0)))
    if len(close):
        s1c, cssc = _exact_columns(r, stage, close)
        s1[:, close], centred[:, close] = s1c, cssc
        s2[:, close] = cssc + s1c * s1c / stage.n_per_stratum[:, None]
    return moment_variance(s1, s2, stage, lonely_psu, present, domain_lonely, centred)


def _exact_columns(r: Residual, stage: Stage, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stratum, the sum of the calibrated row values (every unit one row) and the centred sum of
    their squares for a few ``columns``, built row by row (no cancellation)."""
    h = stage.unit_stratum[stage.unit]
    s1, css = np.zeros((stage.n_strata, len(columns))), np.zeros((stage.n_strata, len(columns)))
    for m, j in enumerate(columns):
        x = r.x
        t = (x.column(j) if hasattr(x, "column") else x.values.reshape(len(x.values), -1)[:, j] if x.col is None
             else np.where(x.col == j, x.values, 0.0))
        for c, a in zip(r.plan.components, r.a, strict=True):
            if a.any():
                t = t - c.psw * a[c.cells, j]
        s1[:, m] = np.bincount(h, weights=t, minlength=stage.n_strata)
        dev = t - (s1[:, m] / stage.n_per_stratum)[h]
        css[:, m] = np.bincount(h, weights=dev * dev, minlength=stage.n_strata)
    return s1, css


def domains_of(x) -> int:
    """How many domain columns ``x`` spans (1: a dense influence, one domain for every column).

    Examples
    --------
    >>> domains_of(Influence(np.array([1.0, 2.0]), 2, np.array([0, 1])))
    2
    """
    if hasattr(x, "domains"):
        return x.domains
    return x.p if x.col is not None else 1


def residualize(x, plan: CalibrationPlan | None):
    """Apply the calibration sweeps of ``plan`` to ``x`` (see module notes).

    Examples
    --------
    >>> x = Influence(np.array([1.0, -1.0]), 1)
    >>> residualize(x, None) is x
    True
    """
    if plan is None or not plan.steps:
        return x
    comps = plan.components
    xc = x if x.calib is None else Influence(x.calib, x.p, x.col)
    sums = [(xc if c.per_respondent else x).cell_sums(c.cells, c.n_cells, c.v) for c in comps]
    stacked = np.concatenate(sums)
    if np.isfinite(stacked).all():  # the sweeps are linear in the cell sums: one product with their operator
        atoms = getattr(x, "atoms", None)
        operator = plan.memo("sweep operator", lambda: np.concatenate(_sweep(plan, _unit_sums(comps), atoms)))
        a = np.split(operator @ stacked, np.cumsum([c.n_cells for c in comps])[:-1])
    else:  # NaN or inf: swept as they are, so they spread only where the sweeps take them
        a = _sweep(plan, sums)
    return Residual(x, plan, a)


def stage_variance(totals: np.ndarray, stage: Stage, lonely_psu: str,
                   present: np.ndarray | None = None, domain_lonely: np.ndarray | None = None,
                   diag: bool = False) -> np.ndarray:
    """Between-unit covariance of unit totals within strata for one stage.

    ``present`` (strata x columns, bool) marks the strata a domain reaches; for
    ``lonely_psu="average"`` R scales by the strata of the (subset) domain
    design, ``H_d / (H_d - lonely_d)``. ``domain_lonely`` (strata x columns)
    marks the strata in which a domain holds a single PSU, for
    ``options(survey.adjust.domain.lonely = TRUE)``: ``adjust`` leaves their
    totals uncentred, ``average`` makes the variance NaN (R's ``NA``). With
    ``diag`` only the variances (the diagonal, ``(p,)``) are computed: O(units x p)
    instead of O(units x p^2).

    Examples
    --------
    >>> one = Stage(np.array([0, 1]), 2, np.array([0, 0]), 1, np.array([2.0]), np.array([2.0]),
    ...             np.array([False]))
    >>> stage_variance(np.array([[1.0], [3.0]]), one, "fail").tolist()
    [[4.0]]
    """
    h = stage.unit_stratum
    p = totals.shape[1]
    means = np.column_stack(
        [np.bincount(h, weights=totals[:, j], minlength=stage.n_strata) for j in range(p)]
    ) / stage.n_per_stratum[:, None]
    factor = 1.0
    if lonely_psu == "average" and domain_lonely is not None and domain_lonely.any():
        bad = domain_lonely.any(0)
        factor = np.where(bad[:, None] | bad[None, :], np.nan, 1.0)
    if lonely_psu == "average" and stage.lonely.any():
        if present is None:
            present = np.ones((stage.n_strata, p), bool)
        h_all, h_lonely = present.sum(0), (present & stage.lonely[:, None]).sum(0)
        f = np.sqrt(h_all / (h_all - h_lonely))
        factor = factor * np.outer(f, f)
    # the centred totals a block of units at a time: at 10M one-row PSUs and a GLM's 15 columns each
    # whole copy was 1.2 GB
    out = np.zeros(p if diag else (p, p))
    for start in range(0, len(totals), BLOCK_UNITS):
        rows = slice(start, start + BLOCK_UNITS)
        out += _centred_products(totals[rows], h[rows], means, stage, lonely_psu, domain_lonely, diag)
    return out * (np.diag(factor) if diag and np.ndim(factor) else factor)


def _centred_products(totals: np.ndarray, h: np.ndarray, means: np.ndarray, stage: Stage, lonely_psu: str,
                      domain_lonely: np.ndarray | None, diag: bool) -> np.ndarray:
    """One block's part of :func:`stage_variance`: the scaled products of its units' centred totals."""
    centred = totals - means[h]
    scale = stage.scale[h]
    lonely_unit = stage.lonely[h]
    if lonely_psu == "adjust":
        centred[lonely_unit] = totals[lonely_unit]
        if domain_lonely is not None:
            centred = np.where(domain_lonely[h], totals, centred)
    if lonely_psu == "average" and stage.lonely.any():
        scale = np.where(lonely_unit, 0.0, scale)
    if diag:
        return (centred * centred * scale[:, None]).sum(0)
    return (centred * scale[:, None]).T @ centred


def single_psu_domains(stage: Stage, members: np.ndarray, p: int, sparse: bool,
                       domains: int | None = None) -> np.ndarray:
    """(strata x columns) True where a domain holds exactly one of the stratum's several PSUs.

    ``members`` is each row's domain column (-1: none); with a dense influence
    (``sparse`` False) the one domain covers every column; ``domains`` (of
    :func:`domains_of`) says how many domain columns repeat across the ``p`` columns.

    Examples
    --------
    >>> st = Stage(np.array([0, 1, 2, 3]), 4, np.array([0, 0, 1, 1]), 2, np.array([2.0, 2.0]),
    ...            np.ones(2), np.zeros(2, bool))
    >>> single_psu_domains(st, np.array([0, -1, 0, 0]), 1, False).ravel().tolist()
    [True, False]
    """
    p_dom = domains if domains is not None else (p if sparse else 1)
    keep = members >= 0
    unit_hit = np.bincount(stage.unit[keep] * p_dom + members[keep],
                           minlength=stage.n_units * p_dom).reshape(stage.n_units, p_dom) > 0
    per_stratum = np.zeros((stage.n_strata, p_dom))
    np.add.at(per_stratum, stage.unit_stratum, unit_hit if stage.unit_n is None else unit_hit * stage.unit_n[:, None])
    lonely = (per_stratum == 1) & (stage.n_per_stratum > 1)[:, None]
    if p_dom == 1:
        return np.broadcast_to(lonely, (stage.n_strata, p))
    return lonely if p_dom == p else np.tile(lonely, (1, p // p_dom))


def variance(x: Influence, stages: list[Stage], lonely_psu: str,
             plan: CalibrationPlan | None = None, strata: np.ndarray | None = None,
             members: np.ndarray | None = None, adjust_domain_lonely: bool = False,
             diag: bool = False) -> np.ndarray:
    """Linearised covariance matrix ``(p, p)`` of the statistics behind ``x`` (``diag``: the variances, ``(p,)``).

    ``strata`` (row stratum codes) and ``members`` (row domain column, -1 for
    none) only matter for ``lonely_psu="average"``: without calibration R
    subsets the design to the domain, so only the strata the domain reaches
    count (a calibrated design keeps every row, as R does).

    Examples
    --------
    >>> srs = Stage(np.arange(4), 4, np.zeros(4, np.int64), 1, np.array([4.0]), np.array([4 / 3]),
    ...             np.array([False]))
    >>> round(float(variance(Influence(np.array([1.0, -1, 2, -2]), 1), [srs], "fail")[0, 0]), 4)
    13.3333
    """
    return sum(stage_contributions(x, stages, lonely_psu, plan, strata, members, adjust_domain_lonely, diag))


def stage_contributions(x: Influence, stages: list[Stage], lonely_psu: str,
                        plan: CalibrationPlan | None = None, strata: np.ndarray | None = None,
                        members: np.ndarray | None = None, adjust_domain_lonely: bool = False,
                        diag: bool = False) -> list[np.ndarray]:
    """The ``(p, p)`` variance each stage adds (they sum to :func:`variance`), as ``survey:::multistage``
    adds them: stage 1 between PSUs, later stages within the units of the stage before, scaled by the
    sampling fractions of the earlier stages.

    Examples
    --------
    >>> srs = Stage(np.arange(4), 4, np.zeros(4, np.int64), 1, np.array([4.0]), np.array([4 / 3]),
    ...             np.array([False]))
    >>> [round(float(v[0, 0]), 4) for v in stage_contributions(Influence(np.array([1.0, -1, 2, -2]), 1), [srs], "fail")]
    [13.3333]
    """
    present = None
    if lonely_psu == "average" and plan is None and strata is not None and members is not None:
        keep = members >= 0
        p_dom = domains_of(x)  # dense: one domain for every column
        hits = np.bincount(strata[keep] * p_dom + members[keep], minlength=stages[0].n_strata * p_dom)
        hit = hits.reshape(stages[0].n_strata, p_dom) > 0
        present = (np.broadcast_to(hit, (stages[0].n_strata, x.p)) if p_dom == 1
                   else np.tile(hit, (1, x.p // p_dom)))
    domain_lonely = None
    if adjust_domain_lonely and lonely_psu in ("adjust", "average") and members is not None:
        domain_lonely = single_psu_domains(stages[0], members, x.p, False, domains_of(x))
    x = residualize(x, plan)
    out = []
    for i, stage in enumerate(stages):
        if stage.unit_ww is not None:  # cells of respondents, each its own PSU: one stage
            out.append(cell_moments(x, stage, lonely_psu, present, domain_lonely, diag))
            continue
        # calibrated, every PSU one row: the unit totals would be a dense rows x columns matrix
        moments = diag and isinstance(x, Residual) and stage.n_units == len(stage.unit) and len(stages) == 1
        totals = None if moments else x.cell_sums(stage.unit, stage.n_units)
        if i == 0 and moments:
            out.append(_moment_stage(x, stage, lonely_psu, present, domain_lonely))
        elif i == 0:
            out.append(stage_variance(totals, stage, lonely_psu, present, domain_lonely, diag))
        else:  # "average" within one parent unit has nothing to average over
            out.append(stage_variance(totals, stage, "remove" if lonely_psu == "average" else lonely_psu,
                                      diag=diag))
    return out
