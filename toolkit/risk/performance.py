"""How well a risk model ranks and calibrates, with design-based uncertainty.

Every figure is design-weighted, and every standard error comes from the
survey design by linearisation: a figure ``θ`` is a smooth function of
weighted totals, its influence value ``z_i = ∂θ/∂w_i`` is computed for each
respondent, and ``Var(θ̂) ≈ Var(Σ w_i z_i)`` is the design variance of a total
(``Design.update(z=z).total("z")``), so strata, clusters, fpc and raking all
count, as R's ``survey`` does for any statistic it linearises.

Discrimination: the weighted AUC
--------------------------------
With respondents ``i`` who have the outcome (``y_i = 1``) and ``j`` who have
not, weights ``w`` and scores ``s``::

    AUC = Σ_i Σ_j w_i w_j H(s_i − s_j) / (T₁ T₀),   H(d) = 1 if d > 0, ½ if d = 0, 0 else,

where ``T₁ = Σ_i w_i`` and ``T₀ = Σ_j w_j`` (a ratio of weighted U-statistic
totals; with equal weights the Mann–Whitney AUC). Its influence values are
the weighted *placement values* of DeLong et al. (1988)::

    z_i = (V₁₀(i) − AUC) / T₁   for y_i = 1,   V₁₀(i) = Σ_j w_j H(s_i − s_j) / T₀,
    z_j = (V₀₁(j) − AUC) / T₀   for y_j = 0,   V₀₁(j) = Σ_i w_i H(s_i − s_j) / T₁,

and 0 for respondents without an outcome or a score. For equal weights and
simple random sampling ``Var(Σ z_i)`` is DeLong's variance (up to ``n/(n−1)``
factors); the tests check both that and a delete-one-PSU jackknife. The
scores are treated as fixed: the uncertainty of the fitted coefficients is
not in the in-sample SE, which is why the cross-validated AUC is the one to
quote. Intervals are Wald intervals on the logit scale, mapped back, so they
stay inside (0, 1). A group's AUC (``by=``) is a domain estimate: influence
values outside the group are 0 and the design is never subset. The groups of
one ``by`` column do not overlap, so their influence values share one array
and one pass of the design's linearisation (:mod:`toolkit.risk._influence`):
memory is O(n) per column, however many levels it has, and the figures of
several scores of the same rows (the model's in-sample and cross-validated
risks) share that pass too.

Calibration
-----------
* ``observed`` and ``expected``: the weighted mean outcome and mean predicted
  risk; ``citl`` (calibration-in-the-large) is ``observed − expected``, a mean
  residual with the linearised SE of a mean;
* ``slope``: the calibration slope ``b`` of the survey-weighted logistic
  recalibration ``logit P(y = 1) = a + b · logit(p)`` (``Design.glm``, R's
  ``svyglm``), with its design-based interval; 1 is perfect, below 1 means
  predictions too extreme. In-sample, a logistic model's slope is exactly 1;
* ``brier``: the weighted mean of ``(y − p)²``, with its linearised SE;
* :func:`calibration_table`: weighted observed against mean predicted risk in
  groups of predicted risk (deciles of the weighted distribution by default).

Every table leaves through :func:`toolkit.disclosure.suppress`: a row whose
respondents, or whose cases or non-cases, number under ``min_cell`` shows
neither its figures nor its count, and the groups of one variable form a set
(their counts add up to the total), so secondary suppression applies.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from toolkit import disclosure
from toolkit._validation import as_list, check_conf_level, check_frame
from toolkit.errors import ConvergenceWarning, ModelError
from toolkit.risk._influence import TMP as _TMP
from toolkit.risk._influence import as_columns, block, stack, stacked_variances
from toolkit.risk._influence import design_ses as _design_ses
from toolkit.survey._pattern_fit import pattern_glm

__all__ = ["category_key", "auc_influence", "discrimination", "calibration", "calibration_table", "cv_folds"]

#: the row of a table that covers every respondent
ALL = "all"


def category_key(value) -> str:
    """A category as text, so that the codes 1, 1.0 and "1" are one category.

    Examples
    --------
    >>> category_key(1.0), category_key("1"), category_key("18-29")
    ('1', '1', '18-29')
    """
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _as_float(values, name: str) -> np.ndarray:
    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series) or str(series.dtype) == "boolean":
        series = series.astype("Float64")
    try:
        return pd.to_numeric(series, errors="raise").to_numpy(np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be numeric (0/1 for an outcome, a risk for a score)") from None


def auc_influence(y, score, *, weights=None) -> tuple[float, np.ndarray]:
    """The weighted AUC and each respondent's influence value on it (see the module notes).

    Parameters
    ----------
    y : array-like
        Outcome, 1 (case), 0 (non-case) or missing.
    score : array-like
        Predicted risk or any score; a higher score should mean more risk.
    weights : array-like, optional
        Survey weights; equal weights if not given.

    Returns
    -------
    auc : float
        NaN when there are no cases or no non-cases.
    influence : numpy.ndarray
        ``∂AUC/∂w_i`` per row (0 for rows without an outcome or a score); the
        design variance of ``Σ w_i z_i`` is the AUC's linearised variance.

    Examples
    --------
    >>> auc, z = auc_influence([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1])
    >>> auc, z.round(3).tolist()
    (0.75, [0.125, -0.125, -0.125, 0.125])
    """
    y, s = _as_float(y, "y"), _as_float(score, "score")
    w = np.ones(len(y)) if weights is None else _as_float(weights, "weights")
    if not len(y) == len(s) == len(w):
        raise ModelError(f"y, score and weights need one value per row; got {len(y)}, {len(s)}, {len(w)}")
    ok = np.isfinite(y) & np.isfinite(s)
    if (ok & (y != 0) & (y != 1)).any():
        raise ModelError("the outcome of an AUC must be 0, 1 or missing")
    return _auc(w, *_score_ranks(s), ok & (y == 1), ok & (y == 0))


def _score_ranks(s: np.ndarray) -> tuple[np.ndarray, int]:
    """Each row's rank among the distinct finite scores (-1: not finite), and how many there are.

    A risk model on categories has a few hundred distinct scores, so the AUC sums run over those."""
    codes, uniques = pd.factorize(s)  # NaN: -1
    rank = np.empty(len(uniques), np.intp)
    rank[np.argsort(uniques, kind="stable")] = np.arange(len(uniques))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), len(uniques)


def _auc(w: np.ndarray, at: np.ndarray, n_ranks: int, pos: np.ndarray, neg: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`auc_influence` from score ranks (:func:`_score_ranks`) and the masks of cases and non-cases."""
    t1, t0 = w[pos].sum(), w[neg].sum()
    z = np.zeros(len(w))
    if not (t1 > 0 and t0 > 0):
        return float("nan"), z
    at_pos, at_neg = at[pos], at[neg]
    below_neg = _weighted_below(at_neg, w[neg], n_ranks)[at_pos] / t0  # V10 for the cases
    above_pos = 1.0 - _weighted_below(at_pos, w[pos], n_ranks)[at_neg] / t1  # V01 for the non-cases
    auc = float(np.dot(w[pos], below_neg) / t1)
    z[pos] = (below_neg - auc) / t1
    z[neg] = (above_pos - auc) / t0
    return auc, z


def _weighted_below(ranks: np.ndarray, weights: np.ndarray, n_ranks: int) -> np.ndarray:
    """``Σ weights H(s − s_ref)`` at each distinct score ``s`` (by rank), over reference rows with these
    ``ranks``: the weight strictly below plus half the weight tied."""
    cum = np.concatenate([[0.0], np.cumsum(np.bincount(ranks, weights=weights, minlength=n_ranks))])
    return (cum[:-1] + cum[1:]) / 2


def _groups(design, by, ok: np.ndarray) -> Iterator[tuple[str, list, np.ndarray | None, list[np.ndarray]]]:
    """Per ``by`` column, or the whole sample: its levels in order, each ``ok`` row's level among them
    (-1: none or not ``ok``; None for the whole sample) and the ``ok`` rows of each level, ascending; one
    column at a time."""
    names = as_list(by, "by")
    if not names:
        yield ALL, [ALL], None, [np.flatnonzero(ok)]
        return
    check_frame(design.data, "the design's data", columns=names, error=ModelError)
    for name in names:
        codes, uniques = pd.factorize(design.data[name])  # one pass per column, not one comparison per level
        levels = uniques.tolist()
        order = sorted(range(len(levels)), key=lambda j: _sort_key(levels[j]))
        rank = np.empty(len(levels), np.int64)
        rank[order] = np.arange(len(levels))
        col = np.where(ok & (codes >= 0), rank[np.maximum(codes, 0)] if len(levels) else -1, -1)
        yield name, [levels[j] for j in order], col, _level_rows(col, len(levels))


def _level_rows(col: np.ndarray, k: int) -> list[np.ndarray]:
    """The rows with each code ``0..k-1`` of ``col``, ascending, from one stable sort."""
    bounds = np.cumsum(np.bincount(col + 1, minlength=k + 1))
    small = col.astype(np.int16) if k < np.iinfo(np.int16).max else col  # a radix sort for small codes
    return np.split(np.argsort(small, kind="stable"), bounds[:-1])[1:]


def _sort_key(value) -> tuple:
    return (0, float(value), "") if isinstance(value, int | float | np.number) else (1, 0.0, str(value))


def _inputs(design, outcome: str, score: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    check_frame(design.data, "the design's data", columns=[outcome, score], error=ModelError)
    y, p = _as_float(design.data[outcome], outcome), _as_float(design.data[score], score)
    ok = np.isfinite(y) & np.isfinite(p)
    if (ok & (y != 0) & (y != 1)).any():
        raise ModelError(f"outcome column {outcome!r} must hold 0, 1 or missing values")
    return y, p, ok


def _logit_ci(est: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval on the logit scale, mapped back (NaN for an estimate of 0 or 1)."""
    inside = (est > 0) & (est < 1) & np.isfinite(se)
    est = np.where(inside, est, 0.5)
    half = z * se / (est * (1 - est))
    low, high = expit(logit(est) - half), expit(logit(est) + half)
    return np.where(inside, low, np.nan), np.where(inside, high, np.nan)


def _publish(table: pd.DataFrame, figures: Sequence[str], min_cell, sets, cell_n=None) -> pd.DataFrame:
    return disclosure.suppress(table, min_cell=min_cell, columns=list(figures), sets=sets, cell_n=cell_n)


def discrimination(design, outcome: str, score: str, *, by=None, conf_level: float = 0.95,
                   min_cell: int | None = None) -> pd.DataFrame:
    """Design-weighted AUC with a linearised design-based interval, overall or by group.

    Parameters
    ----------
    design : toolkit.survey.Design
        The survey design; its data hold ``outcome`` and ``score``.
    outcome, score : str
        Columns of the 0/1 outcome and the predicted risk.
    by : str or list of str, optional
        Group columns: one row per level of each (domain estimates).
    conf_level : float, default 0.95
    min_cell : int, optional
        Small-cell threshold (default the design's); a group with fewer
        respondents, cases or non-cases is suppressed.

    Returns
    -------
    pandas.DataFrame
        variable, level, estimate, se, ci_low, ci_high, n, n_cases,
        suppressed, note (variable and level are ``"all"`` without ``by``).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1, 1, 0, 0, 1, 0], "p": [0.9, 0.4, 0.5, 0.1, 0.8, 0.3]}))
    >>> discrimination(d, "y", "p", min_cell=0)[["estimate", "n"]].round(3)
       estimate  n
    0     0.889  6
    """
    return _discriminations(design, outcome, [score], by=by, conf_level=conf_level, min_cell=min_cell)[0]


def _common_rows(design, outcome: str, scores: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray], np.ndarray] | None:
    """The outcome, each score and the rows with an outcome and a score: ``None`` unless those rows are the
    same for every score (the model's in-sample and cross-validated risks)."""
    inputs = [_inputs(design, outcome, s) for s in scores]
    ok = inputs[0][2]
    if any(not np.array_equal(i[2], ok) for i in inputs[1:]):
        return None
    return inputs[0][0], [i[1] for i in inputs], ok


def _discriminations(design, outcome: str, scores: Sequence[str], *, by=None, conf_level: float = 0.95,
                     min_cell: int | None = None) -> list[pd.DataFrame]:
    """:func:`discrimination` of each of ``scores``; with the same rows scored, their AUCs share the
    design's passes (one per ``by`` variable, :func:`~toolkit.risk._influence.stacked_variances`)."""
    z = stats.norm.ppf(0.5 + check_conf_level(conf_level) / 2)
    common = _common_rows(design, outcome, scores)
    if common is None:
        return [_discriminations(design, outcome, [s], by=by, conf_level=conf_level, min_cell=min_cell)[0]
                for s in scores]
    y, ps, ok = common
    m = len(scores)
    rows, ses = [[] for _ in range(m)], [np.zeros((m, 0))]
    ranks = [_score_ranks(np.where(ok, p, np.nan)) for p in ps]
    for variable, levels, col, level_rows in _groups(design, by, ok):
        values = stack(design.n, m)
        for level, members in zip(levels, level_rows, strict=True):
            ym, wm = y[members], design.weights[members]
            cases = int((ym == 1).sum())
            for t, (at, n_ranks) in enumerate(ranks):  # the AUC on the level's rows alone: _auc's sums, in order
                auc, values[members, t] = _auc(wm, at[members], n_ranks, ym == 1, ym == 0)
                rows[t].append({"variable": variable, "level": level, "estimate": auc, "n": len(members),
                                "n_cases": cases, "_held": min(cases, len(members) - cases)})
        # a variable at a time, so the influence values in memory are O(n) however many groups there are
        var = stacked_variances(design, col, values, len(levels), [True] * m)
        ses.append(np.sqrt(np.clip(var, 0, None)) if var is not None else
                   _design_ses(design, as_columns(values, col, len(levels))).reshape(m, -1))
    se = np.concatenate(ses, axis=1)
    return [_auc_frame(pd.DataFrame(rows[t]), se[t], z, design.min_cell if min_cell is None else min_cell)
            for t in range(m)]


def _auc_frame(table: pd.DataFrame, se: np.ndarray, z: float, min_cell: int) -> pd.DataFrame:
    est = table["estimate"].to_numpy(np.float64)
    se = np.where(np.isfinite(est), se, np.nan)
    low, high = _logit_ci(est, se, z)
    table.insert(3, "se", se)
    table.insert(4, "ci_low", low)
    table.insert(5, "ci_high", high)
    held = table.pop("_held").to_numpy()
    return _publish(table, ["estimate", "se", "ci_low", "ci_high", "n_cases"], min_cell, "variable", cell_n=held)


def _slope(design, y: np.ndarray, lp: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> tuple | None:
    """Calibration slope of ``svyglm(y ~ logit(p), family = quasibinomial)`` on the domain of ``rows``:
    ``(slope, its influence values on those rows, residual df)``, or ``None`` when it cannot be fitted.

    ``lp`` is ``pd.factorize`` of every row's ``logit(p)``: the fit runs on the distinct predicted risks."""
    codes, values = lp
    yy = y[rows]
    if not ((yy == 1).any() and (yy == 0).any()) or np.ptp(values[codes[rows]]) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            coef, infl, df, converged = pattern_glm(
                design, f"{_TMP}y ~ {_TMP}lp", pd.DataFrame({_TMP + "lp": values}), codes[rows], rows, yy,
                matrix=np.column_stack([np.ones(len(values)), values]), column=1)
        except ModelError:
            return None
    return (float(coef[1]), infl, df) if converged else None


def _slope_intervals(slopes: list, var: np.ndarray, conf_level: float) -> np.ndarray:
    """``(slope, ci_low, ci_high)`` per level (NaN where :func:`_slope` gave ``None``): t intervals on the
    residual df with the design SE (variance ``var``), as ``confint(fit, ddf = fit$df.residual)``."""
    out = np.full((len(slopes), 3), np.nan)
    for i, s in enumerate(slopes):
        if s is not None:
            coef, _, df = s
            half = stats.t.ppf(0.5 + conf_level / 2, df if df > 0 else np.nan) * np.sqrt(var[i])
            out[i] = coef, coef - half, coef + half
    return out


def calibration(design, outcome: str, score: str, *, by=None, conf_level: float = 0.95,
                min_cell: int | None = None) -> pd.DataFrame:
    """Calibration-in-the-large, calibration slope and Brier score, design-weighted, overall or by group.

    The parameters are those of :func:`discrimination`; see the module notes
    for the definitions.

    Returns
    -------
    pandas.DataFrame
        variable, level, n, observed, expected, citl, citl_ci_low,
        citl_ci_high, slope, slope_ci_low, slope_ci_high, brier, brier_se,
        suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1, 1, 0, 0, 1, 0], "p": [0.9, 0.4, 0.5, 0.1, 0.8, 0.3]}))
    >>> calibration(d, "y", "p", min_cell=0)[["observed", "expected", "brier"]].round(3)
       observed  expected  brier
    0       0.5       0.5  0.127
    """
    return _calibrations(design, outcome, [score], by=by, conf_level=conf_level, min_cell=min_cell)[0]


def _calibrations(design, outcome: str, scores: Sequence[str], *, by=None, conf_level: float = 0.95,
                  min_cell: int | None = None) -> list[pd.DataFrame]:
    """:func:`calibration` of each of ``scores``; with the same rows scored, the citl, Brier score and slope
    of every score share the design's passes (one per ``by`` variable)."""
    z = stats.norm.ppf(0.5 + check_conf_level(conf_level) / 2)
    common = _common_rows(design, outcome, scores)
    if common is None:
        return [_calibrations(design, outcome, [s], by=by, conf_level=conf_level, min_cell=min_cell)[0]
                for s in scores]
    y, ps, ok = common
    m = len(scores)
    rows, ses, intervals = [[] for _ in range(m)], [np.zeros((2 * m, 0))], [[] for _ in range(m)]
    scored = []
    for p in ps:
        resid = np.where(ok, y - p, 0.0)
        scored.append((pd.factorize(logit(np.clip(np.where(ok, p, 0.5), 1e-12, 1 - 1e-12))),
                       np.column_stack([resid, resid**2, np.where(ok, y, 0.0), np.where(ok, p, 0.0)])))
    for variable, levels, col, level_rows in _groups(design, by, ok):
        figures, slopes = stack(design.n, 3 * m), []  # citl and Brier of each score, then their slopes
        for t, (lp, values) in enumerate(scored):
            _level_means(design, y, values, level_rows, rows[t], variable, levels, figures[:, 2 * t:2 * t + 2])
            slopes.append([_slope(design, y, lp, members) for members in level_rows])
            for members, s in zip(level_rows, slopes[t], strict=True):
                if s is not None:
                    figures[members, 2 * m + t] = s[1]
        # a variable at a time, so the influence values in memory are O(n) however many groups there are
        se, slope_var = _calibration_ses(design, col, figures, level_rows, slopes)
        ses.append(se)
        for t in range(m):
            intervals[t].append(_slope_intervals(slopes[t], slope_var[t], conf_level))
    se = np.concatenate(ses, axis=1)
    return [_calibration_frame(pd.DataFrame(rows[t]), np.concatenate(intervals[t]), se[2 * t], se[2 * t + 1], z,
                               design.min_cell if min_cell is None else min_cell) for t in range(m)]


def _level_means(design, y: np.ndarray, values: np.ndarray, level_rows: list[np.ndarray], rows: list,
                 variable: str, levels: list, out: np.ndarray) -> None:
    """Each level's weighted means of ``values`` (residual, its square, outcome, risk) as rows of the table;
    the influence values of the citl and of the Brier score into the two columns of ``out``."""
    for level, members in zip(levels, level_rows, strict=True):
        w = np.zeros(design.n)
        w[members] = design.weights[members]
        total = w.sum()
        # the four weighted means at once; values are 0 outside ok, weights 0 outside the level
        citl, brier, observed, expected = (w @ values) / total if total > 0 else (float("nan"),) * 4
        if total > 0:
            out[members, 0] = (values[members, 0] - citl) / total
            out[members, 1] = (values[members, 1] - brier) / total
        cases = int((y[members] == 1).sum())
        rows.append({"variable": variable, "level": level, "n": len(members), "observed": float(observed),
                     "expected": float(expected), "citl": float(citl), "brier": float(brier),
                     "_held": min(cases, len(members) - cases)})


def _calibration_ses(design, col: np.ndarray | None, figures: np.ndarray, level_rows: list[np.ndarray],
                     slopes: list[list]) -> tuple[np.ndarray, np.ndarray]:
    """The design SEs of the citl and the Brier score of each of ``m`` scores ``(2 m, k)`` and the variances
    of their slopes ``(m, k)``, per level of one group variable (``col`` and ``level_rows`` of
    :func:`_groups`; ``figures`` a :func:`~toolkit.risk._influence.stack` of the influence values of each
    score's citl and Brier score, then of each score's slope; ``slopes`` each score's :func:`_slope` per
    level, ``None`` where not fitted).

    In memory, where domains do not matter, all of them share one pass; otherwise the citl and Brier SEs
    are those of :func:`_design_ses` and each slope's variance is that of its fit's own domain, as its
    sandwich (``fit_glm``) has it."""
    k, m = len(level_rows), len(slopes)
    var = stacked_variances(design, col, figures, k, [True] * 2 * m + [False] * m)
    if var is not None:
        return np.sqrt(np.clip(var[:2 * m], 0, None)), var[2 * m:]
    se = _design_ses(design, as_columns(figures[:, :2 * m], col, k)).reshape(2 * m, k)
    var = np.full((m, k), np.nan)
    for t, ss in enumerate(slopes):
        for i, (rows, s) in enumerate(zip(level_rows, ss, strict=True)):
            if s is not None:
                members = np.full(design.n, -1)
                members[rows] = 0
                var[t, i] = design._variance(block(design.n, None, [(rows, s[1])]), members)[0, 0]
    return se, var


def _calibration_frame(table: pd.DataFrame, intervals: np.ndarray, citl_se: np.ndarray, brier_se: np.ndarray,
                       z: float, min_cell: int) -> pd.DataFrame:
    for j, name in enumerate(("slope", "slope_ci_low", "slope_ci_high")):
        table.insert(6 + j, name, intervals[:, j])
    table.insert(6, "citl_ci_low", table["citl"] - z * citl_se)
    table.insert(7, "citl_ci_high", table["citl"] + z * citl_se)
    table.insert(len(table.columns) - 1, "brier_se", np.where(np.isfinite(table["brier"]), brier_se, np.nan))
    held = table.pop("_held").to_numpy()
    figures = [c for c in table.columns if c not in ("variable", "level", "n")]
    return _publish(table, figures, min_cell, "variable", cell_n=held)


def calibration_table(design, outcome: str, score: str, *, bins: int = 10, conf_level: float = 0.95,
                      min_cell: int | None = None) -> pd.DataFrame:
    """Weighted observed outcome against mean predicted risk, by group of predicted risk.

    The groups are cut at the weighted quantiles of the predicted risk
    (deciles with ``bins=10``); tied risks stay in one group, so there may be
    fewer groups than ``bins``. The observed share has a linearised Wald
    interval (a domain mean).

    Returns
    -------
    pandas.DataFrame
        bin (1 = lowest risk), risk_low, risk_high, n, predicted, observed,
        ci_low, ci_high, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [0, 0, 1, 0, 1, 1], "p": [0.1, 0.2, 0.3, 0.6, 0.7, 0.9]}))
    >>> calibration_table(d, "y", "p", bins=2, min_cell=0)[["bin", "n", "predicted", "observed"]].round(3)
       bin  n  predicted  observed
    0    1  3        0.2     0.333
    1    2  3        0.733   0.667
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ModelError(f"bins must be a whole number of groups, 1 or more; got {bins!r}")
    z = stats.norm.ppf(0.5 + check_conf_level(conf_level) / 2)
    y, p, ok = _inputs(design, outcome, score)
    code = _risk_bins(p, design.weights, ok, bins)
    k = int(code.max()) + 1 if ok.any() else 0
    level_rows = _level_rows(code, k)
    # each bin's weighted means (R's svymean in a domain) on its own rows; their influence values in one array
    values, rows = stack(design.n, 1), []
    for b, members in enumerate(level_rows):
        w, yb, pb = design.weights[members], y[members], p[members]
        total = w.sum()
        observed, predicted = (float(np.dot(w, v) / total) if total > 0 else float("nan") for v in (yb, pb))
        if total > 0:
            values[members, 0] = (yb - observed) / total
        rows.append({"bin": b + 1, "risk_low": float(pb.min()), "risk_high": float(pb.max()), "n": len(members),
                     "predicted": predicted, "observed": observed})
    columns = ["bin", "risk_low", "risk_high", "n", "predicted", "observed", "ci_low", "ci_high"]
    table = pd.DataFrame(rows, columns=columns[:6])
    var = stacked_variances(design, code, values, k, [True]) if k else np.zeros((1, 0))
    se = np.sqrt(np.clip(var[0], 0, None)) if var is not None else _design_ses(design, as_columns(values, code, k))
    table["ci_low"], table["ci_high"] = table["observed"] - z * se, table["observed"] + z * se
    return _publish(table, columns[1:3] + columns[4:], design.min_cell if min_cell is None else min_cell, ())


def _risk_bins(p: np.ndarray, w: np.ndarray, ok: np.ndarray, bins: int) -> np.ndarray:
    """Group code (0..k-1) by weighted quantile of ``p``; -1 outside ``ok``; ties share a group."""
    code = np.full(len(p), -1)
    if not ok.any():
        return code
    scored = p[ok]
    ranks, n_ranks = _score_ranks(scored)  # a risk model has few distinct risks: sort their ranks, in O(n)
    order = np.argsort(ranks.astype(np.int16) if n_ranks < np.iinfo(np.int16).max else ranks, kind="stable")
    values, cum = scored[order], np.cumsum(w[ok][order])
    share = cum / cum[-1]
    edges = np.unique([values[min(np.searchsorted(share, q / bins), len(values) - 1)] for q in range(1, bins)])
    at = np.searchsorted(edges, scored, "left")
    present = np.bincount(at, minlength=len(edges) + 1) > 0
    code[ok] = (np.cumsum(present) - 1)[at]  # the groups that hold a risk, numbered in order
    return code


def cv_folds(design, *, k: int = 5, random_state: int | None = 0) -> np.ndarray:
    """Fold number (0..k-1) of every row for k-fold cross-validation that respects the design.

    Whole PSUs go to one fold when the design has clusters, so a cluster's
    respondents are never split between fitting and testing; the PSUs (or
    rows) are dealt out to folds in a random order within each stratum, so
    every fold holds a share of every stratum.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"c": [1, 1, 2, 2, 3, 3, 4, 4]}), psu="c")
    >>> folds = cv_folds(d, k=2)
    >>> bool((folds[::2] == folds[1::2]).all()), sorted(set(folds.tolist()))
    (True, [0, 1])
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 2:
        raise ModelError(f"the number of folds must be a whole number, 2 or more; got {k!r}")
    unit = np.asarray(design.psu)
    n_units = int(unit.max()) + 1 if len(unit) else 0
    if n_units < k:
        raise ModelError(f"{k} folds need at least {k} PSUs; the design has {n_units}")
    first = np.unique(unit, return_index=True)[1]
    stratum = np.asarray(design.strata)[first]
    shuffle = np.random.default_rng(random_state).permutation(n_units)
    dealt = np.lexsort((shuffle, stratum))  # units by stratum, in random order within each
    fold_of_unit = np.empty(n_units, int)
    fold_of_unit[dealt] = np.arange(n_units) % k
    return fold_of_unit[unit]
