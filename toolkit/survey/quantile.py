"""Quantiles with Woodruff or score intervals, as R's ``svyquantile`` (survey 4.1).

Numerical method
----------------
``svyquantile.survey.design`` (the "new" quantile code of survey 4.x):

* the estimate is a weighted-quantile rule ``qrule`` on the domain's values
  and weights (zero weights dropped). ``"math"`` (R's default, the same as
  ``"hf1"``) takes the smallest value whose cumulative weight share reaches
  ``q``; ``"school"`` (and ``"hf2"``) averages the two values when the share
  hits ``q`` exactly; ``"hf3"`` to ``"hf9"`` and ``"shahvaish"`` are the
  weighted Hyndman-Fan rules of ``survey:::qrule_*``, reproduced line by line
  (cumulative sums in extended precision, as R's ``cumsum``);
* ``ci_method`` is R's ``interval.type``. ``"mean"`` (default), ``"beta"``,
  ``"xlogit"`` and ``"asin"`` are Woodruff intervals: the design-based share
  of the domain at or below the estimate, ``svymean(x <= qhat)``, gets the
  interval :func:`toolkit.survey.ciprop.closed_form_ci` gives a proportion
  (t on the domain's design df), and its ends are mapped back through
  ``qrule``; an end outside [0, 1] is NaN, as in R. ``"score"`` is
  Francisco and Fuller's test inversion: the roots of
  ``mean(x > theta) - (1 - q)`` over its SE at the t quantiles, found with
  Brent's method at R's tolerance ``1 / (100 sqrt(n))``, mapped through
  ``qrule`` at the unweighted share at or below each root (R's rule);
* ``se`` is the interval's width over ``2 t_df``, as R reports it.

Domains (``by=``) are R's ``svyby(..., svyquantile)``: each domain's own
values, its df, and design SEs with the rest of the sample outside the domain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from toolkit._validation import as_list, check_conf_level, check_option
from toolkit.errors import DesignError
from toolkit.survey.ciprop import closed_form_ci
from toolkit.survey.linearization import Influence

QUANTILE_CI_METHODS = ("mean", "beta", "xlogit", "asin", "score")
QRULES = ("math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")


def _cumsum(w: np.ndarray) -> np.ndarray:
    """R's ``cumsum`` (and ``sum``): accumulated in extended precision, rounded to double."""
    return np.cumsum(w.astype(np.longdouble)).astype(np.float64)


def _approx(xp: np.ndarray, fp: np.ndarray, v: float, constant: bool = False) -> float:
    """R's ``approx(xp, fp, v, rule = 2)`` (``method = "constant", f = 0`` when ``constant``); as R's
    ``regularize.values``, the points are ordered by ``xp`` and tied ``xp`` share the mean ``fp``."""
    order = np.argsort(xp, kind="stable")
    xp, fp = xp[order], fp[order]
    if (np.diff(xp) == 0).any():
        xp, inv = np.unique(xp, return_inverse=True)
        fp = np.bincount(inv, weights=fp) / np.bincount(inv)
    if v <= xp[0]:
        return float(fp[0])
    if v >= xp[-1]:
        return float(fp[-1])
    j = int(np.searchsorted(xp, v, side="left"))
    if xp[j] == v:
        return float(fp[j])
    i = j - 1
    if constant:
        return float(fp[i])
    return float(fp[i] + (fp[j] - fp[i]) * ((v - xp[i]) / (xp[j] - xp[i])))


def _qs(x: np.ndarray, w: np.ndarray, p: float):
    """``survey:::qs`` on sorted ``x``: the values and weight shares either side of ``p``."""
    cumw = _cumsum(w)
    total = cumw[-1]
    below = np.flatnonzero(cumw <= p * total)
    pos = int(below[-1]) if len(below) else 0
    nxt = pos if pos == len(x) - 1 else pos + 1
    return x[pos], x[nxt], pos + 1, p - cumw[pos] / total, cumw[nxt] / total - p


def qrule(x: np.ndarray, w: np.ndarray, p: float, rule: str = "math") -> float:
    """Weighted quantile ``p`` of ``x`` by R's ``survey:::qrule_<rule>``.

    Examples
    --------
    >>> import numpy as np
    >>> x, w = np.array([3.0, 1, 2, 4]), np.ones(4)
    >>> qrule(x, w, 0.5), qrule(x, w, 0.5, "school"), qrule(x, w, 0.5, "hf7")
    (2.0, 2.5, 2.5)
    """
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    if rule in ("math", "hf1", "school", "hf2", "hf4"):
        qlow, qup, _, wlow, wup = _qs(x, w, p)
        if rule == "hf4":
            gamma = wlow / (wup + wlow)
            return float(qlow * (1 - gamma) + qup * gamma)
        if wlow == 0:
            return float(qlow if rule in ("math", "hf1") else (qlow + qup) / 2)
        return float(qup)
    if rule == "hf3":
        ux, inv = np.unique(x, return_inverse=True)
        qlow, qup, ilow, wlow, _ = _qs(ux, np.bincount(inv, weights=w), p)
        return float(qlow if wlow == 0 and ilow % 2 == 0 else qup)
    n, cumw = len(x), _cumsum(w)
    if rule == "shahvaish":
        pk = (_cumsum(w / w.mean()) + 0.5 - w / 2) / (n + 1)
        return _approx(pk, x, p, constant=True)
    before = np.concatenate([[0.0], cumw[:-1]])
    pk = {"hf5": lambda: (cumw - w / 2) / cumw[-1],
          "hf6": lambda: cumw / (cumw[-1] + w[-1]),
          "hf7": lambda: before / cumw[-2],
          "hf8": lambda: (before / 3 + cumw * 2 / 3) / (cumw[-1] + w[-1] / 3),
          "hf9": lambda: (before * 3 / 8 + cumw * 5 / 8) / (cumw[-1] + w[-1] / 4)}[rule]()
    return _approx(pk, x, p)


class _Domain:
    """One domain's rows, values and weights, and its design share and SE of an indicator."""

    def __init__(self, design, x: np.ndarray, inside: np.ndarray, df: float):
        self.design, self.inside, self.df = design, inside, df
        self.x, self.w = x[inside], design.weights[inside]
        self.x_all = np.where(inside, x, 0.0)
        self.members = np.where(inside, 0, -1)
        self.w_all = np.where(inside, design.weights, 0.0)
        self.W = self.w_all.sum()

    def share(self, indicator: np.ndarray) -> tuple[float, float]:
        """``svymean(indicator, domain design)``: estimate and linearised SE (a share of 1 is exact)."""
        w = self.w_all
        est = float((w * indicator).sum() / self.W)
        infl = np.where(self.inside, w * (indicator - est) / self.W, 0.0)
        v = self.design._variance(Influence(infl, 1), self.members)
        return est, float(np.sqrt(max(v[0, 0], 0.0)))


def _woodruff(dom: _Domain, qhat: float, rule: str, method: str, conf_level: float) -> tuple[float, float]:
    p, se = dom.share((dom.x_all <= qhat).astype(float))
    lo, hi = closed_form_ci(method, np.array([p]), np.array([se]), np.array([dom.df]),
                            np.array([len(dom.x)]), conf_level)
    lo, hi = float(lo[0]), float(hi[0])
    lower = np.nan if np.isnan(lo) or lo < 0 else qrule(dom.x, dom.w, lo, rule)
    upper = np.nan if np.isnan(hi) or hi > 1 else qrule(dom.x, dom.w, hi, rule)
    return lower, upper


def _score(dom: _Domain, q: float, rule: str, conf_level: float) -> tuple[float, float]:
    t = stats.t.ppf((1 - conf_level) / 2, dom.df)

    def test(theta, limit):
        est, se = dom.share((dom.x_all > theta).astype(float))
        return (est - (1 - q)) / se - limit

    iqr = np.subtract(*np.percentile(dom.x, [75, 25]))
    lower_t, upper_t = dom.x.min() + iqr / 100, dom.x.max() - iqr / 100
    tol = 1 / (100 * np.sqrt(len(dom.x)))
    ends = []
    for limit in (-t, t):
        root = optimize.brentq(test, lower_t, upper_t, args=(limit,), xtol=tol, rtol=4 * np.finfo(float).eps)
        ends.append(qrule(dom.x, dom.w, float(np.mean(dom.x <= root)), rule))
    return ends[0], ends[1]


def _one_domain(dom: _Domain, qs: list[float], rule: str, ci_method: str, conf_level: float) -> list[tuple]:
    """(q, estimate, se, low, high) for every quantile of one domain."""
    tq = stats.t.ppf(0.5 + conf_level / 2, dom.df) if dom.df > 0 else np.nan
    rows = []
    for q in qs:
        est = qrule(dom.x, dom.w, q, rule)
        if ci_method == "score":
            lo, hi = _score(dom, q, rule, conf_level)
        else:
            lo, hi = _woodruff(dom, est, rule, ci_method, conf_level)
        rows.append((q, est, (hi - lo) / (2 * tq), lo, hi))
    return rows


def quantile(design, variables, q, *, by=None, ci_method: str = "mean", qrule: str = "math",
             conf_level: float = 0.95, na_rm: bool = False, min_cell: int | None = None) -> pd.DataFrame:
    """Weighted quantiles with design-based intervals (R's ``svyquantile``); the engine of
    :meth:`Design.quantile`, where the parameters are described.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 8]}), min_cell=0)
    >>> quantile(d, "y", [0.5])[["quantile", "estimate"]]
       quantile  estimate
    0       0.5       4.0
    """
    from toolkit.survey.estimators import _domain_codes, numeric, publish

    check_option(ci_method, "ci_method", QUANTILE_CI_METHODS)
    check_option(qrule, "qrule", QRULES)
    conf_level = check_conf_level(conf_level)
    qs = [float(v) for v in np.atleast_1d(q)]
    if not qs or any(not 0 <= v <= 1 for v in qs):
        raise DesignError(f"quantiles q must lie in [0, 1], got {q!r}")
    parts = []
    for var in as_list(variables, "variables"):
        y = numeric(design, var)
        valid = ~np.isnan(y)
        g, labels, k, bad, df = _domain_codes(design, by, valid, na_rm)
        rows = []
        for j in range(k):
            inside = (g == j) & valid
            if bad[j] or not inside.any():
                rows += [(j, v, np.nan, np.nan, np.nan, np.nan, int((g == j).sum())) for v in qs]
                continue
            dom = _Domain(design, np.where(valid, y, 0.0), inside, float(df[j]))
            rows += [(j, *r, int(inside.sum())) for r in _one_domain(dom, qs, qrule, ci_method, conf_level)]
        tab = pd.DataFrame(rows, columns=["_domain", "quantile", "estimate", "se", "ci_low", "ci_high", "n"])
        out = labels.iloc[tab["_domain"]].reset_index(drop=True)
        out.insert(len(out.columns), "variable", var)
        out = pd.concat([out, tab.drop(columns="_domain")], axis=1)
        out.insert(len(out.columns) - 1, "df", df[tab["_domain"]])
        parts.append(out)
    return publish(pd.concat(parts, ignore_index=True), design, min_cell)
