"""Survey GLMs over rows that stay in an engine: IRLS by chunk sums, the sandwich by PSU sums.

Numerical method
----------------
The fit is :func:`toolkit.survey.glm.fit_glm`'s, pass by pass. The coding of
the model matrix comes from patsy on a probe of rows holding every level
(:class:`~toolkit.survey._matrix.MatrixPlan`), and every chunk is coded with
it. One pass gives ``X'X`` (aliased columns), the outcome's range and the
column SDs; each IRLS iteration is one pass that adds up the chunks' deviance,
``X'WX`` and ``X'Wz`` (:func:`~toolkit.survey.glm.irls_loop`). A last pass
sums the influence values ``U A^-1`` per cell of the design (stratum x PSU x
raking margin x missingness) -- and, for raking, their sums divided by the
weights -- and the collapsed design of
:mod:`toolkit.survey.engines.design` linearises them. Row weights after
raking are the design weights times their margin cell's raking factor.
Without PSUs (every respondent its own PSU) the last pass also sums per cell
the respondents' ``x x'`` and ``w x`` (``Influence.gram``): calibration
subtracts ``w`` times a constant of the cell, so these give each stratum's sum
of squares (:func:`toolkit.survey._moments.cell_moments`). The coefficients and
SEs equal the in-memory fit up to the order of summation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._validation import check_conf_level, check_option
from toolkit.errors import ConvergenceWarning, DesignError, ModelError
from toolkit.survey._families import _EPS, FAMILIES
from toolkit.survey._matrix import MatrixPlan, categorical_columns
from toolkit.survey.engines._sources import MEMORY_ONLY, margin_columns, unique
from toolkit.survey._irls import BLOCK, block_sums, deviance_rows, irls_loop
from toolkit.survey.glm import (
    _KNOWN,
    SurveyGLM,
    _coef_table,
    _names,
    aliased_columns,
    check_model,
    separation_warning,
)
from toolkit.survey.linearization import Influence


class _Rows:
    """Turns a chunk of rows into the fit's arrays: complete rows, outcome, model matrix, weights."""

    def __init__(self, ed, plan: MatrixPlan, present: list[str], mean_w: float):
        self.plan, self.present = plan, present
        self.weights_col = ed.weights_col
        self.margins = margin_columns(ed.steps)
        self.mean_w = mean_w
        self.keys = unique([*ed._structure(), *self.margins])
        self.row_factor = ed.row_factor
        levels = {source: lv for kind, source, lv, _ in plan.columns if kind == "categorical"}
        # the engine may match the levels itself (not for key columns: cells are found by their values)
        self.coded = {c: levels[c] for c in ed.source.codable(levels) if c not in self.keys}

    def columns(self) -> list[str]:
        return unique([*self.present, self.weights_col, *self.keys])

    def __call__(self, chunk: pd.DataFrame):
        keep = chunk[self.present].notna().all(axis=1).to_numpy()
        used = chunk if keep.all() else chunk[keep]
        y, X = self.plan.build(used, self.coded)
        dw = np.ones(len(used)) if self.weights_col is None else used[self.weights_col].to_numpy(np.float64)
        if self.margins:
            dw = dw * self.row_factor(used)
        return used, y[:, 0], X, dw, dw / self.mean_w


def fit_engine_glm(ed, formula: str, *, family: str = "gaussian", conf_level: float = 0.95,
                   max_iter: int = 100, tol: float = 1e-12) -> SurveyGLM:
    """:func:`toolkit.survey.glm.fit_glm` on an engine design (see the module notes).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.survey.engines import EngineDesign
    >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1.0, 3, 2, 5, 4, 6, 8, 7], "p": [1, 1, 2, 2, 3, 3, 4, 4]})
    >>> fit_engine_glm(EngineDesign(df, psu="p", engine="memory"), "y ~ x").coef_.round(4).tolist()
    [1.25, 0.9286]
    """
    fam = FAMILIES[check_option(family, "family", tuple(FAMILIES))]
    conf_level = check_conf_level(conf_level)
    rows = _rows(ed, formula)
    terms = rows.plan.names
    first = _first_pass(ed, rows, fam, formula, terms)
    deviance = deviance_rows(fam, first["binary"])

    def sweep(coef):
        def chunk(frame):
            _, y, X, _, w = rows(frame)
            Xt = np.ascontiguousarray(X.T)
            eta = fam.start(y, w) if coef is None else coef @ Xt
            blocks = [block_sums(Xt[:, sl], y[sl], w[sl], fam, deviance, eta[sl])[:3]
                      for sl in (slice(s, s + BLOCK) for s in range(0, len(y), BLOCK))]
            return tuple(sum(b[i] for b in blocks) for i in range(3)) if blocks else (0.0, 0.0, 0.0)
        parts = ed.source.chunks(rows.columns(), chunk, rows.coded)
        return sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts), coef

    beta, coef_used, xtwx, n_iter, converged = irls_loop(sweep, max_iter, tol)
    if not converged:
        warnings.warn(f"IRLS for {formula!r} did not converge in {max_iter} iterations",
                      ConvergenceWarning, stacklevel=4)
    d, vcov, df_resid, last = _sandwich(ed, rows, fam, beta, coef_used, xtwx)
    if fam.link == "logit" and last["edge"] > 0:
        separation_warning(formula, int(last["edge"]), first["sd"], beta, terms)
    n, sw, swr, swrr = last["npos"], last["sw"], last["swr"], last["swrr"]
    dispersion = float(n / (n - 1) * (swrr - swr**2 / sw) / sw) if n > 1 else np.nan
    return SurveyGLM(d, formula, fam, terms, beta, vcov, df_resid, n_iter, converged,
                     _coef_table(terms, beta, vcov, df_resid, conf_level, fam.exp_name), rows.plan.info,
                     rows.plan.order, np.arange(0), conf_level=conf_level, dispersion_=dispersion)


def _rows(ed, formula: str) -> _Rows:
    """The formula's coding (from a probe of the engine's rows) and the chunk converter."""
    names, desc = _names(formula)
    dtypes = ed.source.dtypes
    unknown = [c for c in names if c not in dtypes and c not in _KNOWN]
    if unknown:
        raise ModelError(f"formula {formula!r} refers to unknown column(s): {', '.join(map(repr, unknown))}")
    if not desc.lhs_termlist:
        raise ModelError(f"formula {formula!r} has no outcome (left-hand side)")
    categorical = categorical_columns(formula, dtypes)
    plan = None
    present = [c for c in names if c in dtypes]
    if categorical is not None:
        probe = ed.source.probe(present, categorical)
        if probe.empty:
            raise ModelError(f"no complete rows for {formula!r}")
        for c in present:  # glm() drops unused factor levels
            if isinstance(probe[c].dtype, pd.CategoricalDtype):
                probe[c] = probe[c].cat.remove_unused_categories()
        plan = MatrixPlan.from_probe(formula, probe, categorical)
    if plan is None:
        raise DesignError(f"engine={ed.engine!r} builds formulas of numeric columns and C(column) terms; "
                          f"{formula!r} needs patsy on all rows: {MEMORY_ONLY}")
    mean_w = float(ed._base.weights.sum()) / ed.n  # svyglm rescales by the mean weight of every row
    return _Rows(ed, plan, present, mean_w)


def _first_pass(ed, rows: _Rows, fam, formula: str, terms: list) -> dict:
    """``X'X``, the outcome's range and 0/1-ness, and the column SDs: one pass."""
    def chunk(frame):
        _, y, X, _, _ = rows(frame)
        return (X.T @ X, y.min(initial=np.inf), y.max(initial=-np.inf), bool(((y == 0) | (y == 1)).all()),
                X.sum(0), (X * X).sum(0), len(y))
    parts = ed.source.chunks(rows.columns(), chunk, rows.coded)
    n = sum(p[6] for p in parts)
    if n == 0:
        raise ModelError(f"no complete rows for {formula!r}")
    y_min, y_max = min(p[1] for p in parts), max(p[2] for p in parts)
    check_model(formula, fam, y_min, y_max, aliased_columns(sum(p[0] for p in parts)), terms)
    mean = sum(p[4] for p in parts) / n
    sd = np.sqrt(np.maximum(sum(p[5] for p in parts) / n - mean**2, 0.0))
    return {"binary": fam.base == "binomial" and all(p[3] for p in parts), "sd": sd}


def _sandwich(ed, rows: _Rows, fam, beta, coef_used, xtwx):
    """R's ``svy.varcoef`` on the cells: per-cell sums of the influence values ``U A^-1``."""
    ainv = np.linalg.inv(xtwx)
    p = len(beta)
    d = ed.collapse(nulls=rows.present)  # the cells: design keys, margins and which rows the model used
    used = ~d.data[[f"__na_{c}" for c in rows.present]].to_numpy(bool).any(axis=1)
    where = np.flatnonzero(used)
    index = pd.MultiIndex.from_frame(d.data.loc[used, rows.keys]) if rows.keys else None  # None: one cell
    n_cells = len(d.data)

    def chunk(frame):
        rows_used, y, X, dw, w = rows(frame)
        eta_u = fam.start(y, w) if coef_used is None else X @ coef_used
        ww = fam.working(eta_u, fam.linkinv(eta_u), y, w)[0]
        eta = X @ beta
        mu = fam.linkinv(eta)
        infl = (X * (ww * (y - mu) / fam.mu_eta(eta, mu))[:, None]) @ ainv
        per_w = np.divide(infl, dw[:, None], out=np.zeros_like(infl), where=dw[:, None] > 0)
        cell = (where[index.get_indexer(pd.MultiIndex.from_frame(rows_used[rows.keys]))] if index is not None
                else np.full(len(rows_used), where[0]))
        sums = [np.column_stack([np.bincount(cell, weights=v[:, j], minlength=n_cells) for j in range(p)])
                for v in (infl, per_w)]
        if not ed.psu_cols:  # every respondent its own PSU: the cells' sums of x x' and of w x
            w = np.ones(len(rows_used)) if rows.weights_col is None else rows_used[rows.weights_col].to_numpy(
                np.float64)
            sums += [_cell_gram(cell, infl, n_cells), np.column_stack(
                [np.bincount(cell, weights=w * infl[:, j], minlength=n_cells) for j in range(p)])]
        r = (y - mu) / np.sqrt(fam.variance(mu))
        edge = int(((mu > 1 - 10 * _EPS) | (mu < 10 * _EPS)).sum()) if fam.link == "logit" else 0
        stats = {"edge": edge, "npos": int(np.count_nonzero(dw)), "sw": dw.sum(), "swr": dw @ r,
                 "swrr": dw @ (r * r)}
        return sums, stats

    parts = ed.source.chunks(rows.columns(), chunk, rows.coded)
    values, per_w, *gram = (sum(q[0][i] for q in parts) for i in range(len(parts[0][0])))
    last = {k: sum(q[1][k] for q in parts) for k in parts[0][1]}
    size = np.where(d.cells.n > 0, d.cells.n, 1.0)
    calib = per_w * (d.weights / size)[:, None]
    members = None if used.all() else np.where(used, 0, -1)
    gram = (gram[0].reshape(n_cells, p, p), gram[1], d.data["__w"].to_numpy()) if gram else None
    vcov = d._variance(Influence(values, p, calib=calib if ed.steps else None, gram=gram), members)
    df_resid = float(d._degf(None if used.all() else used)[0]) + 1 - p
    return d, vcov, df_resid, last


def _cell_gram(cell: np.ndarray, infl: np.ndarray, n_cells: int) -> np.ndarray:
    """Per cell the sum of ``x x'`` over its rows, ``(n_cells, p * p)``, a block of rows at a time (32 MB).

    Examples
    --------
    >>> _cell_gram(np.array([0, 1, 0]), np.array([[1.0, 2.0], [3.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [[2.0, 3.0, 3.0, 5.0], [9.0, 0.0, 0.0, 0.0]]
    """
    n, p = infl.shape
    out = np.zeros((n_cells, p * p))
    step = max(1, (1 << 22) // (p * p))
    for s in range(0, n, step):
        x = infl[s:s + step]
        one_hot = sparse.csr_matrix((np.ones(len(x)), (cell[s:s + step], np.arange(len(x)))), shape=(n_cells, len(x)))
        out += one_hot @ (x[:, :, None] * x[:, None, :]).reshape(len(x), p * p)
    return out
