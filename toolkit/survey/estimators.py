"""Means, totals, ratios and proportions with linearised standard errors.

Numerical method
----------------
Each estimator is a smooth function of weighted totals and is linearised as
in R's ``survey`` 4.1:

* mean (``svymean``): influence ``w (y - ybar) / sum(w)``;
* total (``svytotal``): influence ``w y``;
* ratio (``svyratio``): influence ``w (y - R x) / sum(w x)``;
* proportion: the mean of a level's indicator, with a logit interval
  ``expit(logit(p) +/- t_df se / (p (1 - p)))`` on the domain's design df,
  which is ``svyciprop(method = "logit")`` (an intercept-only quasibinomial
  ``svyglm`` whose sandwich SE is exactly that delta-method SE). Every level of
  the variable is estimated at once: weight sums, unit totals and the IRLS of
  the interval come from bincounts over level x domain (x unit), see
  :mod:`toolkit.survey._shares`.

Domains (``by=``) keep every row: units outside the domain get a zero
influence, which is what ``svyby`` on a subset design gives. All domains are
handled at once by a single bincount on ``psu * n_domains + domain``.
Design effects follow ``deff = TRUE``: the design variance over the
without-replacement SRS variance ``s2_w (N - n) / (N n)`` (``s2_w`` the
weighted variance with the ``n / (n - 1)`` factor, ``N`` the sum of
weights), times ``N^2`` for totals. ``deff_kish`` is ``n sum(w^2) /
sum(w)^2``. Wald intervals use the normal quantile, as ``confint`` does for
``svystat`` objects.

Every table leaves through :func:`publish`, i.e. the one small-cell policy of
:mod:`toolkit.disclosure`; a proportion table declares its levels within a
domain as a set, so a lone suppressed share cannot be recovered from the others.
"""

from __future__ import annotations

import functools
import sys
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from toolkit import disclosure
from toolkit._validation import as_list, check_conf_level, check_option
from toolkit.errors import DataQualityWarning, DesignError
from toolkit.survey.ciprop import CI_METHODS, closed_form_ci, counted_share_fits, likelihood_ci, share_fits
from toolkit.survey._shares import ShareInfluence, ShareSums, design_atoms
from toolkit.survey.linearization import Influence, dense_codes, first_rows



def column(design, name: str, role: str = "variable") -> pd.Series:
    """The design's data column ``name``; a :class:`~toolkit.errors.DesignError` naming it when absent.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> column(survey.Design(pd.DataFrame({"y": [1, 2]})), "y").tolist()
    [1, 2]
    """
    if not isinstance(name, str) or name not in design.data.columns:
        raise DesignError(f"{role} column {name!r} not found in data "
                          f"(available: {', '.join(map(str, design.data.columns[:20]))})")
    return design.data[name]


def numeric(design, name: str) -> np.ndarray:
    """A numeric (or boolean) column as float64 with NaN for missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> numeric(survey.Design(pd.DataFrame({"b": pd.array([True, None], dtype="boolean")})), "b").tolist()
    [1.0, nan]
    """
    s = column(design, name)
    if s.dtype == bool or str(s.dtype) == "boolean":
        s = s.astype("Float64")
    if not (pd.api.types.is_numeric_dtype(s)):
        raise DesignError(f"variable column {name!r} must be numeric, got dtype {s.dtype}; "
                          "use proportion() for categorical variables")
    if s.dtype == np.float64:
        return s.to_numpy()
    return s.to_numpy(np.float64, na_value=np.nan)


def factorized(design, name: str, role: str) -> tuple[np.ndarray, np.ndarray]:
    """Cached ``pd.factorize(column, sort=True)`` (codes -1 where missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> codes, levels = factorized(survey.Design(pd.DataFrame({"c": ["b", None, "a"]})), "c", "variable")
    >>> codes.tolist(), list(levels)
    ([1, -1, 0], ['a', 'b'])
    """
    key = ("factorize", name)
    if key not in design._cache:
        design._cache[key] = pd.factorize(column(design, name, role), sort=True)
    return design._cache[key]


def groups(design, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 where a grouping value is missing) and the labels (cached).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> code, labels = groups(survey.Design(pd.DataFrame({"g": ["y", "x", "y"]})), "g")
    >>> code.tolist(), labels["g"].tolist()
    ([1, 0, 1], ['x', 'y'])
    """
    if by is None:
        if ("groups", None) not in design._cache:
            design._cache[("groups", None)] = (np.zeros(design.n, np.int64), pd.DataFrame(index=range(1)))
        return design._cache[("groups", None)]
    cols = [by] if isinstance(by, str) else list(by)
    key = ("groups", tuple(cols))
    if key in design._cache:
        return design._cache[key]
    raw = np.zeros(design.n, np.int64)
    missing = np.zeros(design.n, bool)
    for c in cols:
        codes, uniques = factorized(design, c, "grouping")
        missing |= codes < 0
        raw = raw * len(uniques) + np.maximum(codes, 0)
    keep = ~missing
    if not keep.any():
        raise DesignError(f"by={by!r}: no respondent has a value of {' and '.join(map(repr, cols))} (all missing); "
                          "group by a column with answers, or leave by= out for the overall figure")
    code = np.full(design.n, -1, np.int64)
    code[keep] = dense_codes(raw[keep])
    k = int(code.max()) + 1
    rows = np.flatnonzero(keep)
    first = rows[first_rows(code[rows], k)]
    labels = pd.DataFrame({c: design.data[c].iloc[first].to_numpy() for c in cols})
    design._cache[key] = (code, labels)
    return code, labels


def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(0.5 + check_conf_level(conf_level) / 2))


class _Domains:
    """Per-domain weight sums and counts shared by the estimators."""

    def __init__(self, design, g: np.ndarray, k: int, rows: ShareSums | None = None):
        self.g, self.k = g, k
        self.weights = design.weights
        self.everyone = bool((g >= 0).all())
        self.cells = design.cells
        if rows is not None and rows.atoms is not None:  # counts per atom and domain: no per-row passes
            inside_n, w = rows.domain_counts(), rows.w_atom
            self.W, self.n = (inside_n * w[:, None]).sum(0), inside_n.sum(0)
            self.npos = inside_n[w != 0].sum(0)
            self.kish = self.npos * (inside_n * (w * w)[:, None]).sum(0) / self.W**2
            return
        w = self.w
        self.W = self.sum(w)
        if self.cells is not None:  # a collapsed design: each row is a cell of respondents
            inside = g >= 0
            self.n = self.sum(np.where(inside, self.cells.n, 0.0))
            self.npos = self.sum(np.where(inside, self.cells.npos, 0.0))
            self.kish = self.npos * self.sum(w * w * self.cells.ww) / self.W**2
        elif k == 1 and self.everyone:  # the common overall case: no per-row passes for counts
            self.n = np.array([float(len(g))])
            self.npos = np.array([float(np.count_nonzero(w))])
            self.kish = self.npos * np.dot(w, w) / self.W**2
        else:
            self.n = self.sum((g >= 0).astype(float))
            self.npos = self.sum((w != 0).astype(float))
            self.kish = self.npos * self.sum(w * w) / self.W**2

    @functools.cached_property
    def gi(self) -> np.ndarray:
        return self.g if self.everyone else np.where(self.g >= 0, self.g, 0)

    @functools.cached_property
    def w(self) -> np.ndarray:
        return self.weights if self.everyone else np.where(self.g >= 0, self.weights, 0.0)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-domain sums of ``values`` (zero outside every domain)."""
        if self.k == 1:  # a plain sum: bincount into one bin is several times slower
            return np.array([values.sum()])
        return np.bincount(self.gi, weights=values, minlength=self.k)

    def wsum(self, values: np.ndarray) -> np.ndarray:
        return self.sum(self.w * values)

    def expand(self, per_domain: np.ndarray):
        """A per-domain value for every row (a scalar when there is one domain)."""
        return per_domain[0] if self.k == 1 else per_domain[self.gi]

    def wvar(self, values: np.ndarray, within=0.0) -> np.ndarray:
        """Weighted variance with R's n/(n-1) factor (``svyvar``); ``within`` adds the spread inside
        the cells of a collapsed design (:meth:`within`)."""
        m = self.wsum(values) / self.W
        dev = values - self.expand(m)
        if not self.everyone:
            dev = np.where(self.g >= 0, dev, 0.0)
        return self.npos / (self.npos - 1) * (self.wsum(dev * dev) + within) / self.W

    def within(self, a: str, b: str | None = None):
        """Per-domain ``sum w (a - a_cell)(b - b_cell)`` inside the cells of a collapsed design (0 otherwise)."""
        if self.cells is None:
            return 0.0
        return self.wsum(self.cells.within(a, a if b is None else b))

    def respondents(self, values: np.ndarray) -> np.ndarray:
        """Per-domain sums of ``values`` over respondents (a collapsed row counts its cell's size)."""
        return self.sum(values if self.cells is None else values * self.cells.n)

    def srs_var(self, s2: np.ndarray) -> np.ndarray:
        """Without-replacement SRS variance of a mean: ``s2 (N - n) / (N n)``."""
        v = s2 * (self.W - self.npos) / (self.W * self.npos)
        return np.where(self.W < self.npos, np.nan, v)


def _domains(design, g: np.ndarray, k: int, by, rows: ShareSums | None = None) -> _Domains:
    """``_Domains`` for these codes, cached per design when no row was dropped for NA (``rows``: see
    :class:`_Domains`)."""
    key = ("domains", by if by is None or isinstance(by, str) else tuple(by))
    cached = design._wcache.get(key)
    if cached is not None and cached.g is g:
        return cached
    dom = _Domains(design, g, k, rows)
    if g is groups(design, by)[0]:
        design._wcache[key] = dom
    return dom


def _domain_codes(design, by, valid: np.ndarray | None, na_rm: bool):
    g, labels = groups(design, by)
    k = len(labels)
    bad = np.zeros(k, bool)
    # svyciprop and degf count a domain's PSUs before missing values are dropped
    cached = design._wcache.get(("degf", id(g)))
    if cached is None or cached[0] is not g:
        cached = design._wcache[("degf", id(g))] = (g, design._degf(None, g, k))  # g is kept: its id stays its own
    df = cached[1]
    if valid is not None and not valid.all():
        if na_rm:
            g = np.where(valid, g, -1)
        else:  # R gives NA for a domain that contains a missing value
            bad = np.bincount(g[(~valid) & (g >= 0)], minlength=k) > 0
    return g, labels, k, bad, df


def _variance_diag(design, values: np.ndarray, dom: _Domains, calib: np.ndarray | None = None,
                   slopes: dict | None = None) -> np.ndarray:
    """SEs of the domain statistics whose influence values are ``values`` (``calib``, and ``slopes``, variable ->
    the slope of ``values`` in it, for a collapsed design without PSUs: see :class:`Influence`)."""
    def inside(v):
        return v if v is None or dom.everyone else np.where(dom.g >= 0, v, 0.0)
    vals, calib = inside(values), inside(calib)
    spread = None
    if slopes and design.stages[0].unit_ww is not None:
        names, cells = list(slopes), design.cells
        dense = [Influence(inside(slopes[a]), dom.k, None if dom.k == 1 else dom.g).dense() for a in names]
        spread = (dense, [cells.first(a) for a in names],
                  [[cells.second(a, b) for b in names] for a in names])
    x = (Influence(vals, 1, calib=calib, spread=spread) if dom.k == 1
         else Influence(vals, dom.k, dom.g, calib=calib, spread=spread))
    return np.sqrt(np.clip(design._variance(x, dom.g, diag=True), 0, None))


def _mirror(design, var: str, valid: np.ndarray) -> np.ndarray | None:
    """A collapsed design's unweighted cell means of ``var`` (0 where missing; ``None`` in memory): the
    influence values at them are what raking's per-respondent averages need
    (:class:`~toolkit.survey.linearization.Influence`)."""
    if design.cells is None:
        return None
    return np.where(valid, design.cells.mirror[var], 0.0)


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside the toolkit.

    Examples
    --------
    >>> user_stacklevel() >= 1
    True
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("toolkit."):
        frame, level = frame.f_back, level + 1
    return level


def _check_deff(extra: dict, labels: pd.DataFrame, est, se, deff) -> None:
    """A DataQualityWarning when a design effect is NaN although the estimate is not.

    A cell without any variation (a share of 0 or 1: its SE is 0) has no design effect
    to speak of, and is not warned about.
    """
    varies = ~(np.asarray(se, float) == 0)
    bad = np.isnan(np.asarray(deff, float)) & ~np.isnan(np.asarray(est, float)) & varies
    if not bad.any():
        return
    what = ", ".join(f"{k} {v!r}" for k, v in extra.items())
    where = "" if labels.empty or not len(labels.columns) else f" in {int(bad.sum())} domain(s)"
    warnings.warn(f"design effect of {what} is NaN{where}: the SRS variance is undefined (weights summing to "
                  "less than the number of respondents, a single respondent or no variation)",
                  DataQualityWarning, stacklevel=user_stacklevel())


def _frame(labels: pd.DataFrame, extra: dict, est, se, lo, hi, df, n, deff, kish) -> pd.DataFrame:
    _check_deff(extra, labels, est, se, deff)
    out = labels.reset_index(drop=True).copy()
    for key, val in extra.items():
        out[key] = val
    out["estimate"], out["se"], out["ci_low"], out["ci_high"] = est, se, lo, hi
    out["df"], out["n"], out["deff"], out["deff_kish"] = df, n.astype(np.int64), deff, kish
    return out


def publish(table: pd.DataFrame, design, min_cell: int | None, **rule) -> pd.DataFrame:
    """``table`` through the disclosure policy at the design's (or this call's) ``min_cell``.

    ``rule`` passes ``sets`` and ``cell_n`` on to :func:`toolkit.disclosure.suppress`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 2.0]}))
    >>> publish(pd.DataFrame({"estimate": [1.5], "n": [2]}), d, None)["n"].tolist()
    [<NA>]
    """
    limit = design.min_cell if min_cell is None else min_cell
    return disclosure.suppress(table, min_cell=limit, **rule)


def _quiet(func):
    """Evaluate with numpy's divide/invalid warnings off: empty domains give NaN, as in R."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(divide="ignore", invalid="ignore"):
            return func(*args, **kwargs)
    return wrapper


@_quiet
def _mean_or_total(design, variables, by, na_rm, conf_level, min_cell, kind: str) -> pd.DataFrame:
    z = _z(conf_level)
    parts = []
    for var in as_list(variables, "variables"):
        y = numeric(design, var)
        valid = ~np.isnan(y)
        g, labels, k, bad, df = _domain_codes(design, by, valid, na_rm)
        dom = _domains(design, g, k, by)
        y0 = y if valid.all() else np.where(valid, y, 0.0)
        tot = dom.wsum(y0)
        if kind == "mean":
            est = tot / dom.W
            dev = y0 - dom.expand(est)
            infl = dom.w * dev / dom.expand(dom.W)
            # svyvar from the same pass: sum(infl * dev) = sum(w dev^2) / W
            vsrs = dom.srs_var(dom.npos / (dom.npos - 1) * (dom.sum(infl * dev) + dom.within(var) / dom.W))
            yu = _mirror(design, var, valid)
            calib = None if yu is None else dom.w * (yu - dom.expand(est)) / dom.expand(dom.W)
            slope = dom.w / dom.expand(dom.W)
        else:
            est = tot
            infl = dom.w * y0
            vsrs = dom.srs_var(dom.wvar(y0, dom.within(var))) * dom.W**2
            yu = _mirror(design, var, valid)
            calib = None if yu is None else dom.w * yu
            slope = dom.w
        se = _variance_diag(design, infl, dom, calib, {var: slope})
        est, se = np.where(bad, np.nan, est), np.where(bad, np.nan, se)
        parts.append(_frame(labels, {"variable": var}, est, se, est - z * se, est + z * se,
                            df, dom.n, se**2 / vsrs, dom.kish))
    return publish(pd.concat(parts, ignore_index=True), design, min_cell)


def mean(design, variables, *, by=None, na_rm=False, conf_level=0.95, min_cell=None) -> pd.DataFrame:
    """Weighted means (R's ``svymean``, by domain ``svyby``); the engine of :meth:`Design.mean`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 3.0]}), min_cell=0)
    >>> float(mean(d, "y")["estimate"].iloc[0])
    2.0
    """
    return _mean_or_total(design, variables, by, na_rm, conf_level, min_cell, "mean")


def total(design, variables, *, by=None, na_rm=False, conf_level=0.95, min_cell=None) -> pd.DataFrame:
    """Weighted totals (R's ``svytotal``); the engine of :meth:`Design.total`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 3.0], "w": [2.0, 1.0]}), weights="w", min_cell=0)
    >>> float(total(d, "y")["estimate"].iloc[0])
    5.0
    """
    return _mean_or_total(design, variables, by, na_rm, conf_level, min_cell, "total")


@_quiet
def ratio(design, numerator, denominator, *, by=None, na_rm=False, conf_level=0.95,
          min_cell=None) -> pd.DataFrame:
    """Ratio of two totals (R's ``svyratio``); the engine of :meth:`Design.ratio`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 3.0], "x": [4.0, 4.0]}), min_cell=0)
    >>> float(ratio(d, "y", "x")["estimate"].iloc[0])
    0.5
    """
    z = _z(conf_level)
    y, x = numeric(design, numerator), numeric(design, denominator)
    valid = ~(np.isnan(y) | np.isnan(x))
    g, labels, k, bad, df = _domain_codes(design, by, valid, na_rm)
    dom = _domains(design, g, k, by)
    y0, x0 = np.where(valid, y, 0.0), np.where(valid, x, 0.0)
    X = dom.wsum(x0)
    est = dom.wsum(y0) / X
    r = (y0 - est[dom.gi] * x0) / X[dom.gi]
    within = (dom.within(numerator) - 2 * est * dom.within(numerator, denominator)
              + est**2 * dom.within(denominator)) / X**2
    yu, xu = _mirror(design, numerator, valid), _mirror(design, denominator, valid)
    calib = None if yu is None else dom.w * (yu - est[dom.gi] * xu) / X[dom.gi]
    slopes = {numerator: dom.w / X[dom.gi]}
    slopes[denominator] = slopes.get(denominator, 0.0) - dom.w * est[dom.gi] / X[dom.gi]
    se = _variance_diag(design, dom.w * r, dom, calib, slopes)
    vsrs = dom.srs_var(dom.wvar(r, within)) * dom.W**2
    est, se = np.where(bad, np.nan, est), np.where(bad, np.nan, se)
    table = _frame(labels, {"numerator": numerator, "denominator": denominator}, est, se,
                   est - z * se, est + z * se, df, dom.n, se**2 / vsrs, dom.kish)
    return publish(table, design, min_cell)


def logit_ci(p: np.ndarray, se: np.ndarray, degf: np.ndarray, conf_level: float):
    """R's ``svyciprop(method="logit")`` interval: Wald on the logit scale with t on ``degf``.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = logit_ci(np.array([0.5]), np.array([0.1]), np.array([30.0]), 0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.3064, 0.6936)
    """
    return closed_form_ci("logit", p, se, degf, None, conf_level)


_BLOCK = 1 << 23  # unit totals held at once by a share's variance (64 MB): levels are taken in blocks


def _share_se(design, dom: _Domains, rows: ShareSums, centre: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """SEs ``(levels, domains)`` of the influence values ``scale * w * (1[level] - centre)`` (see
    :class:`~toolkit.survey.linearization.ShareInfluence`), a block of levels at a time."""
    n_levels, k = centre.shape
    step = max(1, _BLOCK // max(1, design.stages[0].n_units * k))
    out = np.empty((n_levels, k))
    for i in range(0, n_levels, step):
        x = ShareInfluence(rows, centre, scale, slice(i, i + step))
        out[i:i + step] = design._variance(x, dom.g, diag=True).reshape(-1, k)
    return np.sqrt(np.clip(out, 0, None))


def _prop_ci(ci_method: str, est, se, df, conf_level: float, design, dom, rows: ShareSums, codes):
    """Intervals ``(levels, domains)`` of every share by ``svyciprop``'s method (see :mod:`toolkit.survey.ciprop`)."""
    df = np.broadcast_to(df, est.shape)
    if ci_method not in ("likelihood", "logit"):
        return closed_form_ci(ci_method, est, se, df, np.broadcast_to(dom.n, est.shape), conf_level)
    # R's intercept-only quasibinomial svyglm per level and domain, stopped where glm.fit stops
    start = None if design.cells is None or design.cells.first_step is None else \
        [design.cells.first_step[i] for i in range(est.shape[0])]
    if rows.atoms is not None:
        lk = rows.n_levels * rows.k
        level_n = rows.table[:, :lk].reshape(-1, rows.n_levels, rows.k)
        mu, info = counted_share_fits(level_n, rows.domain_counts(), rows.w_atom, dom.n)
    else:
        mu, info = share_fits(codes, est.shape[0], design.weights, dom.g, dom.k, dom.n, start=start)
    se_total = _share_se(design, dom, rows, mu, np.ones(dom.k))
    se_beta = se_total / (dom.W * mu * (1 - mu))
    if ci_method == "logit":  # confint(fit, method = "Wald", ddf = df) on the logit scale
        return closed_form_ci("logit", mu, se_beta * mu * (1 - mu), df, dom.n, conf_level)
    dispersion = dom.npos / (dom.npos - 1) * est * (1 - est) / (mu * (1 - mu))
    n = np.broadcast_to(dom.n, est.shape)
    pairs = [likelihood_ci(*args, conf_level) for args in
             zip(mu.ravel(), est.ravel(), se_beta.ravel(), info.ravel(), dispersion.ravel(), n.ravel(), df.ravel(),
                 strict=True)]
    return (np.array([q[0] for q in pairs]).reshape(est.shape), np.array([q[1] for q in pairs]).reshape(est.shape))


def _level_codes(design, variable: str) -> tuple[np.ndarray, list]:
    """Codes of ``variable`` and its levels: every category of a categorical, as R's factor."""
    s = column(design, variable)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), list(s.cat.categories)
    codes, uniques = factorized(design, variable, "variable")
    return codes, list(uniques)


@_quiet
def proportion(design, variable, *, by=None, na_rm=False, conf_level=0.95, ci_method="logit",
               min_cell=None) -> pd.DataFrame:
    """Share of each level (R's ``svymean`` on a factor, CIs ``svyciprop``); see :meth:`Design.proportion`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"c": ["a", "b", "b", "b"]}), min_cell=0)
    >>> proportion(d, "c", ci_method="wald")["estimate"].tolist()
    [0.25, 0.75]
    """
    check_option(ci_method, "ci_method", CI_METHODS)
    conf_level = check_conf_level(conf_level)
    codes, levels = _level_codes(design, variable)
    codes = np.asarray(codes, np.int64)
    g, labels, k, bad, df = _domain_codes(design, by, codes >= 0, na_rm)
    n_levels = len(levels)
    rows = ShareSums(design.weights, codes, g, n_levels, k, design_atoms(design), groups(design, by)[0])
    dom = _domains(design, g, k, by, rows)
    raw = rows.level_sums() / dom.W
    se = _share_se(design, dom, rows, raw, 1 / dom.W)
    est, se = np.where(bad, np.nan, raw), np.where(bad, np.nan, se)
    lo, hi = _prop_ci(ci_method, est, se, df, conf_level, design, dom, rows, codes)
    # svyvar of a level's indicator: sum w (1[level] - p)^2 / W is p (1 - p)
    deff = se**2 / dom.srs_var(dom.npos / (dom.npos - 1) * raw * (1 - raw))
    held = (rows.level_sums(weighted=False) if dom.cells is None else
            np.bincount(rows.col[rows.hit], weights=dom.cells.n[rows.hit], minlength=n_levels * k).reshape(n_levels, k))
    for i, lev in enumerate(levels):
        _check_deff({"variable": variable, "level": lev}, labels, est[i], se[i], deff[i])
    domain = np.repeat(np.arange(k), n_levels)  # rows by domain, then level (R's svyby order)
    columns = {c: labels[c].iloc[domain].reset_index(drop=True) for c in labels.columns}
    columns["variable"] = pd.Series(variable, index=range(len(domain)))
    # each level's column as a scalar gives, concatenated, the dtype the table always had
    level = pd.concat([pd.Series([lev]) for lev in levels], ignore_index=True)
    columns["level"] = level.iloc[np.tile(np.arange(n_levels), k)].reset_index(drop=True)
    columns.update(estimate=est.T.ravel(), se=se.T.ravel(), ci_low=lo.T.ravel(), ci_high=hi.T.ravel(),
                   df=np.broadcast_to(df, (n_levels, k)).T.ravel(), n=np.repeat(dom.n.astype(np.int64), n_levels),
                   deff=deff.T.ravel(), deff_kish=np.repeat(dom.kish, n_levels))
    table = pd.DataFrame(columns, index=pd.RangeIndex(len(domain)))  # one frame: no column-by-column inserts
    # the levels of one variable in one domain sum to 1: a lone suppressed share could be recovered
    return publish(table, design, min_cell, sets=["variable", *as_list(by)], cell_n=held.T.ravel())


@_quiet
def variance_by_stage(design, variables, *, statistic="mean", na_rm=False, min_cell=None) -> pd.DataFrame:
    """Each stage's share of the variance of a mean or total; the engine of :meth:`Design.variance_by_stage`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 3.0, 2.0]}), min_cell=0)
    >>> variance_by_stage(d, "y")[["stage", "share"]].to_dict("records")
    [{'stage': 1, 'share': 1.0}]
    """
    check_option(statistic, "statistic", ("mean", "total"))
    rows = []
    for var in as_list(variables, "variables"):
        y = numeric(design, var)
        valid = ~np.isnan(y)
        keep = valid if na_rm else np.ones(design.n, bool)
        w = np.where(keep, design.weights, 0.0)
        y0 = np.where(keep, y, 0.0)
        W = w.sum()
        infl = w * (y0 - (w * y0).sum() / W) / W if statistic == "mean" else w * y0
        parts = [float(v[0, 0]) for v in design._stage_variances(Influence(infl, 1))]
        whole = sum(parts)
        rows += [{"variable": var, "stage": i + 1, "variance": v, "share": v / whole, "n": int(keep.sum())}
                 for i, v in enumerate(parts)]
    return publish(pd.DataFrame(rows), design, min_cell)
