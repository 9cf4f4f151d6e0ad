"""Raking, post-stratification, trimming and weight diagnostics.

Numerical method
----------------
* :func:`rake` is R's ``rake()``: each sweep post-stratifies the weights to
  every margin in turn (``w <- w * N_c / sum_c(w)``); it stops when the
  largest change of the joint weighted table of all margin variables between
  two sweeps is below ``tol`` (``tol < 1`` is a fraction of the total weight,
  R's ``epsilon`` rule) or after ``max_iter`` sweeps. R's defaults are
  ``maxit = 10, epsilon = 1``.
* Variances after raking are *not* fixed-weight variances: the design keeps
  every margin of the final sweep (cells and weights after it) and the
  linearisation sweeps them out of the influence values exactly as
  ``survey:::svyrecvar`` does for a ``raking`` object (see
  :mod:`toolkit.survey.linearization`).
* :func:`poststratify` is ``postStratify()``; its variance uses the
  old-weight cell means, as ``svyrecvar`` does for an ordinary post-stratum.
* :func:`trim` is ``trimWeights()``: weights are clipped to ``[lower, upper]``
  and the trimmed amount is shared equally by the untrimmed units, so the
  total is unchanged; calibration information is kept, as in R.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit import disclosure
from toolkit._validation import as_list
from toolkit.errors import ConvergenceWarning, DataQualityWarning, DesignError
from toolkit.survey._calibration import Calibration, CalibrationPlan
from toolkit.survey.linearization import dense_codes

RAKE_SWEEPS = 10  # svyrecvar sweeps a raking object's margins ten times


@dataclass(frozen=True, eq=False)
class RakeResult:
    """Outcome of :func:`rake` (R's ``rake`` keeps none): how the sweeps ended; read-only.

    Attributes
    ----------
    converged : bool
        Whether the stopping rule was met within ``max_iter`` sweeps.
    sweeps : int
        Sweeps run.
    max_error : float
        Largest absolute difference between an achieved and a target margin total.
    margins : pandas.DataFrame
        One row per margin level: margin, level, target, achieved, error
        (achieved minus target).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"sex": list("mmf")})).rake({"sex": {"m": 4, "f": 6}})
    >>> d.rake_result.margins[["level", "achieved"]].to_dict("list")
    {'level': ['m', 'f'], 'achieved': [4.0, 6.0]}
    """

    converged: bool
    sweeps: int
    max_error: float
    margins: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row: converged, sweeps, max_error and the number of margins.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> d = survey.Design(pd.DataFrame({"a": list("xxy")})).rake({"a": {"x": 2, "y": 2}})
        >>> d.rake_result.summary()[["converged", "n_margins"]]
           converged  n_margins
        0       True          1
        """
        return pd.DataFrame([{"converged": self.converged, "sweeps": self.sweeps, "max_error": self.max_error,
                              "n_margins": int(self.margins["margin"].nunique())}])


def _cells(design, variables: list[str], levels: list[tuple]) -> np.ndarray:
    """Cell code of every row against the given level tuples; errors name the column."""
    from toolkit.survey.estimators import factorized

    lookup = {lv: i for i, lv in enumerate(levels)}
    # margins read from JSON/CSV have string keys; accept them for numeric codes too
    as_text = {tuple(map(str, lv)): i for i, lv in enumerate(levels)}
    code = np.zeros(design.n, np.int64)
    uniques = []
    for v in variables:
        c, u = factorized(design, v, "margin")
        if (c < 0).any():
            rows = design.data.index[c < 0]
            raise DesignError(f"margin column {v!r} has {len(rows)} missing value(s) at rows "
                              f"{list(rows[:5])}; a margin needs a value for every row")
        code = code * len(u) + c
        uniques.append(u)
    combos = dense_codes(code)
    first = np.zeros(combos.max() + 1, np.int64)
    first[combos[::-1]] = np.arange(design.n)[::-1]
    mapping = np.empty(len(first), np.int64)
    for j, row in enumerate(first):
        key = tuple(_plain(design.data[v].iloc[row]) for v in variables)
        if key not in lookup and tuple(map(str, key)) in as_text:
            key = levels[as_text[tuple(map(str, key))]]
        if key not in lookup:
            raise DesignError(f"margin {'/'.join(variables)}: value {key if len(key) > 1 else key[0]!r} "
                              f"at row {design.data.index[row]!r} is not among the population levels "
                              f"{[lv if len(lv) > 1 else lv[0] for lv in levels][:10]}")
        mapping[j] = lookup[key]
    return mapping[combos]


def _plain(value):
    """numpy scalars as Python values, so they match the keys of a margin mapping."""
    return value.item() if isinstance(value, np.generic) else value


def _targets(name: str, population, total: float | None) -> tuple[list[tuple], np.ndarray, bool]:
    """Level tuples and target counts; shares (summing to 1) are scaled to ``total``."""
    if isinstance(population, pd.Series):
        population = population.to_dict()
    if not isinstance(population, Mapping) or not population:
        raise DesignError(f"margin {name!r} must be a non-empty mapping level -> count or share")
    levels = [k if isinstance(k, tuple) else (k,) for k in population]
    values = np.asarray([float(v) for v in population.values()])
    if not np.isfinite(values).all() or (values < 0).any():
        raise DesignError(f"margin {name!r}: targets must be non-negative numbers")
    shares = abs(values.sum() - 1) < 1e-9 and (values <= 1).all()
    if shares and total is not None:
        values = values * total
    return levels, values, shares


def _check_cells(name: str, levels, sample: np.ndarray, target: np.ndarray) -> None:
    only_pop = (sample == 0) & (target > 0)
    only_sample = (sample > 0) & (target == 0)
    if only_pop.any():
        raise DesignError(f"margin {name!r}: level(s) {[levels[i] for i in np.flatnonzero(only_pop)]} "
                          "have a population count but no weight in the sample")
    if only_sample.any():
        raise DesignError(f"margin {name!r}: level(s) {[levels[i] for i in np.flatnonzero(only_sample)]} "
                          "are in the sample but have a zero population count")


def _resolve_margins(design, margins: Mapping):
    """(variables, levels, cells, targets) per margin; shares scaled to a common total."""
    if not isinstance(margins, Mapping) or not margins:
        raise DesignError("margins must be a non-empty mapping: column -> {level: count or share}")
    parsed = []
    total = None
    counts = {}
    for name, pop in margins.items():
        levels, values, shares = _targets(str(name), pop, None)
        if not shares:
            counts[str(name)] = float(values.sum())
            total = counts[str(name)] if total is None else total
        parsed.append((name, pop))
    _check_totals(counts)
    if total is None:
        total = float(design.weights.sum())
    out = []
    for name, pop in parsed:
        variables = list(name) if isinstance(name, tuple) else [name]
        levels, values, _ = _targets(str(name), pop, total)
        out.append((variables, levels, _cells(design, variables, levels), values))
    return out


def _check_totals(counts: dict) -> None:
    """Count margins must agree in their totals; otherwise raking cannot meet them all (the last wins)."""
    if len(counts) < 2:
        return
    totals = np.array(list(counts.values()))
    if totals.max() - totals.min() > 1e-9 * max(totals.max(), 1.0):
        listed = ", ".join(f"{k!r} sums to {v:.10g}" for k, v in counts.items())
        warnings.warn(f"raking margins disagree in their totals ({listed}): no weights can meet every margin, "
                      "the last one swept is met and the others are off by the difference", DataQualityWarning,
                      stacklevel=5)


def rake(design, margins: Mapping, *, max_iter: int = 10, tol: float = 1.0):
    """Rake the design weights to population margins by IPF, as R's ``rake``.

    Parameters
    ----------
    design : Design
    margins : mapping
        ``{column: {level: target}}``; targets are counts, or shares summing
        to 1 (scaled to the total of the count margins, else to the sum of the
        design weights). A key may be a tuple of columns for a joint margin.
    max_iter : int, default 10
        Largest number of sweeps (R's ``maxit``).
    tol : float, default 1
        Stop when the joint weighted table changes by less than this between
        sweeps; below 1 it is a fraction of the total weight (R's ``epsilon``).

    Returns
    -------
    Design
        A new design with raked weights; ``.rake_result`` says whether it
        converged, after how many sweeps, and the largest margin error.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` sweeps did not reach ``tol``.
    DataQualityWarning
        When count margins disagree in their totals (R rakes silently; the
        margins swept earlier then miss their targets by the difference).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"sex": list("mmffmf"), "age": list("yoyoyy")})
    >>> r = survey.Design(df).rake({"sex": {"m": 50, "f": 50}, "age": {"y": 60, "o": 40}})
    >>> r.rake_result.converged, round(float(r.weights.sum()), 6)
    (True, 100.0)
    """
    spec = _resolve_margins(design, margins)
    w = design.weights.copy()
    eps = tol * w.sum() if tol < 1 else tol
    joint = np.zeros(design.n, np.int64)
    for _, levels, cells, _ in spec:
        joint = joint * len(levels) + cells
    joint = dense_codes(joint)

    def table(weights):
        return np.bincount(joint, weights=weights)

    for (variables, levels, cells, target) in spec:
        _check_cells("/".join(variables), levels, np.bincount(cells, w, len(levels)), target)
    old, sweeps, converged, last = table(w), 0, False, []
    while sweeps < max_iter:
        last = []
        for _, levels, cells, target in spec:
            sample = np.bincount(cells, weights=w, minlength=len(levels))
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where(sample > 0, target / sample, 1.0)
            oldw = w
            w = w * factor[cells]
            last.append((cells, len(levels), w, oldw))
        new = table(w)
        delta = np.max(np.abs(old - new))
        if delta < eps:
            converged = True
            sweeps += 1
            break
        old = new
        sweeps += 1
    rows = []
    for variables, levels, cells, target in spec:
        got = np.bincount(cells, weights=w, minlength=len(levels))
        for lev, t, a in zip(levels, target, got, strict=True):
            rows.append(("/".join(variables), lev if len(lev) > 1 else lev[0], t, a, a - t))
    report = pd.DataFrame(rows, columns=["margin", "level", "target", "achieved", "error"])
    max_error = float(report["error"].abs().max())
    if not converged:
        warnings.warn(f"raking did not converge after {sweeps} sweeps (tol={eps:g}); the largest "
                      f"margin error is {max_error:.6g}", ConvergenceWarning, stacklevel=3)
    # R averages x / psw over respondents; a collapsed design's row holds cells.n of them
    size = None if design.cells is None else design.cells.n
    plan = _extend_plan(design.plan, [
        Calibration(cells, k, psw, (1.0 if size is None else size) / psw,
                    np.bincount(cells, weights=size, minlength=k).astype(float), per_respondent=True)
        for cells, k, psw, _ in last], sweeps=RAKE_SWEEPS)
    return design._replace(w, plan, RakeResult(converged, sweeps, max_error, report))


def _extend_plan(plan: CalibrationPlan | None, comps: list[Calibration], sweeps: int) -> CalibrationPlan:
    """A new plan: the old components and steps, then ``comps`` swept ``sweeps`` times."""
    old_c = [] if plan is None else list(plan.components)
    old_s = [] if plan is None else list(plan.steps)
    idx = list(range(len(old_c), len(old_c) + len(comps)))
    return CalibrationPlan(old_c + comps, old_s + idx * sweeps)


def poststratify(design, variables: str | Sequence[str], population: Mapping, *, partial: bool = False):
    """Post-stratify the weights to known population cell counts, as R's ``postStratify``.

    Parameters
    ----------
    design : Design
    variables : str or list of str
        Column(s) defining the post-strata.
    population : mapping
        ``{level: count}`` (a tuple of levels for several columns); shares
        summing to 1 are scaled to the sum of the design weights.
    partial : bool, default False
        Ignore population cells that have no one in the sample (with a
        warning naming them), as ``postStratify(partial = TRUE)``; without it
        they are an error. Cells with a count of 0 and no sample are always
        dropped, as in R.

    Returns
    -------
    Design
        A new design whose variances use the post-stratified linearisation.

    Warns
    -----
    DataQualityWarning
        With ``partial=True``, for the population cells that were ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"sex": list("mmff"), "y": [1.0, 2, 3, 5]})
    >>> ps = survey.Design(df).poststratify("sex", {"m": 30, "f": 70})
    >>> ps.weights.tolist()
    [15.0, 15.0, 35.0, 35.0]
    """
    cols = as_list(variables, "variables")
    name = "/".join(cols)
    levels, target, _ = _targets(name, population, float(design.weights.sum()))
    cells = _cells(design, cols, levels)
    k = len(levels)
    sample = np.bincount(cells, weights=design.weights, minlength=k)
    if partial:
        target = _drop_absent(name, levels, sample, target)
    _check_cells(name, levels, sample, target)
    factor = np.where(sample > 0, target / np.where(sample > 0, sample, 1), 1.0)
    oldw = design.weights
    w = oldw * factor[cells]
    psw = np.where((w == 0) & (oldw == 0), 1.0, w)
    comp = Calibration(cells, k, psw, oldw / psw, np.bincount(cells, weights=oldw, minlength=k))
    return design._replace(w, _extend_plan(design.plan, [comp], sweeps=1))


def _drop_absent(name: str, levels, sample: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Targets with the population cells absent from the sample set to 0 (R: "ignored"), and a warning."""
    absent = (sample == 0) & (target > 0)
    if absent.any():
        listed = [lv if len(lv) > 1 else lv[0] for lv in (levels[i] for i in np.flatnonzero(absent))]
        warnings.warn(f"poststratify: margin {name!r} level(s) {listed} are absent from the sample and were "
                      f"ignored (partial=True); the weights total {float(target[~absent].sum()):.10g}, not "
                      f"{float(target.sum()):.10g}", DataQualityWarning, stacklevel=4)
    return np.where(absent, 0.0, target)


def trim(design, *, lower: float = -np.inf, upper: float = np.inf, strict: bool = False):
    """Trim weights to ``[lower, upper]`` and share the excess, as R's ``trimWeights``.

    Parameters
    ----------
    design : Design
    lower, upper : float
        Bounds for the weights (default none).
    strict : bool, default False
        Repeat until no weight is outside the bounds (sharing the excess can
        push weights past ``upper`` again), as ``trimWeights(strict = TRUE)``.

    Returns
    -------
    Design
        A new design; the total weight is unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"w": [1.0, 1, 1, 9]})
    >>> survey.Design(df, weights="w").trim(upper=5).weights.tolist()
    [2.333..., 2.333..., 2.333..., 5.0]
    """
    if lower > upper:
        raise DesignError(f"trim: lower ({lower}) is above upper ({upper})")
    w = design.weights
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        new = np.clip(w, lower, upper)
        new[~outside] += (w - new).sum() / (~outside).sum()
        w = new
        if not strict:
            break
    return design._replace(w, design.plan)  # margins are no longer hit exactly


def weight_summary(design) -> pd.DataFrame:
    """One-row table of weight diagnostics (R has no single call; ``summary(weights(d))`` comes close).

    Columns: n, sum, min, max, mean, cv, max_min_ratio, kish_neff (Kish's
    effective sample size ``(sum w)^2 / sum w^2``), deff_weighting
    (``n / kish_neff = 1 + cv^2``), and, after raking, converged, sweeps and
    max_margin_error; then suppressed and note. Like every published table it
    goes through :func:`toolkit.disclosure.suppress`: a design with fewer than
    ``min_cell`` respondents shows no count and no statistics.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"w": [1.0, 1, 2, 4]})
    >>> s = survey.Design(df, weights="w", min_cell=0).weight_summary()
    >>> float(s["kish_neff"].iloc[0]), float(s["deff_weighting"].iloc[0])
    (2.909..., 1.375)
    >>> survey.Design(df, weights="w").weight_summary()[["n", "kish_neff", "note"]]
          n  kish_neff               note
    0  <NA>        NaN  n < 5: suppressed
    """
    w = design.weights
    n, tot = len(w), w.sum()
    neff = tot**2 / (w**2).sum()
    row = {"n": n, "sum": tot, "min": w.min(), "max": w.max(), "mean": w.mean(),
           "cv": w.std() / w.mean(), "max_min_ratio": w.max() / w.min() if w.min() > 0 else np.inf,
           "kish_neff": neff, "deff_weighting": n / neff}
    stats = list(row)[1:]
    if design.rake_result is not None:
        r = design.rake_result
        row.update(converged=r.converged, sweeps=r.sweeps, max_margin_error=r.max_error)
    return disclosure.suppress(pd.DataFrame([row]), min_cell=design.min_cell, columns=stats)
