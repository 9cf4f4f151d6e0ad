"""Confidence intervals for proportions, as R's ``svyciprop`` (survey 4.1).

Every method starts from the design-based share ``p`` and its linearised SE
``se`` (``svymean`` of the indicator) on the domain's design df:

* ``"logit"`` / ``"xlogit"``: Wald on the logit scale, ``se / (p (1 - p))``,
  with t on ``df`` (``logit`` goes through an intercept-only quasibinomial
  ``svyglm``, ``xlogit`` through ``svycontrast``);
* ``"mean"``: ``p +- t_df se``;
* ``"asin"``: ``sin(asin(sqrt(p)) +- t_df se / (2 sqrt(p (1 - p))))^2``;
* ``"beta"``: Korn and Graubard's beta interval on the effective n
  ``p (1 - p) / se^2``, scaled by ``(t_{n-1} / t_df)^2`` with ``n`` the rows
  of the domain;
* ``"likelihood"``: the profile likelihood interval of the intercept-only
  quasibinomial ``svyglm`` (``confint(method = "likelihood")``), with the
  Rao-Scott level adjustment ``lambda = var_design / var_model``. R profiles
  the deviance on a grid (MASS's ``profile.glm``: up to nine steps of
  ``zmax / 5`` SEs each way) and inverts an FMM spline through the grid; the
  same grid and spline are used here, so the result is R's, interpolation
  included. For an intercept-only model the deviance at any intercept has a
  closed form, ``-2 (S1 log mu + S0 log(1 - mu))`` over the domain's
  rescaled weights.

``"logit"`` and ``"likelihood"`` start from R's fit, which ``glm.fit`` stops
at ``epsilon = 1e-8``, about one IRLS step short of the design-based share:
:func:`intercept_fit` repeats those steps (the last working weights give the
model-based variance, the fitted share the centre), so the intervals are R's
to rounding. The estimate column stays the design-based share (R reports the
stopped fit's, within 1e-8 of it).
* ``"wald"`` (the toolkit's, not ``svyciprop``'s): ``p +- z se``, as
  ``confint(svymean(~factor(x)))``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import expit, logit

CI_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit", "wald")


def _t(conf_level: float, df) -> np.ndarray:
    df = np.asarray(df, float)
    return stats.t.ppf(0.5 + conf_level / 2, np.where(df > 0, df, np.nan))


@np.errstate(divide="ignore", invalid="ignore")
def closed_form_ci(method: str, p, se, df, n_rows, conf_level: float):
    """(low, high) for every method but ``"likelihood"``; arrays over domains (see module notes).

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = closed_form_ci("asin", np.array([0.3]), np.array([0.05]), np.array([30.0]), np.array([40]), 0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2037, 0.4062)
    """
    p, se = np.asarray(p, float), np.asarray(se, float)
    if method == "wald":
        z = stats.norm.ppf(0.5 + conf_level / 2)
        return p - z * se, p + z * se
    t = _t(conf_level, df)
    if method == "mean":
        return p - t * se, p + t * se
    if method in ("logit", "xlogit"):
        half = t * se / (p * (1 - p))
        return expit(logit(p) - half), expit(logit(p) + half)
    if method == "asin":
        centre, half = np.arcsin(np.sqrt(p)), t * se / (2 * np.sqrt(p * (1 - p)))
        return np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
    a = 1 - conf_level  # beta
    scale = stats.t.ppf(a / 2, np.asarray(n_rows, float) - 1) / stats.t.ppf(a / 2, np.asarray(df, float))
    n_eff = p * (1 - p) / se**2 * scale**2
    return (stats.beta.ppf(a / 2, n_eff * p, n_eff * (1 - p) + 1),
            stats.beta.ppf(1 - a / 2, n_eff * p + 1, n_eff * (1 - p)))


def fmm_spline(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R's ``spline(method = "fmm")`` through ``(x, y)`` evaluated at ``xout`` (Forsythe, Malcolm, Moler).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1, 2, 3, 4])
    >>> fmm_spline(x, x**3, np.array([2.5])).round(10).tolist()  # a cubic is reproduced exactly
    [15.625]
    """
    n = len(x)
    if n < 3:
        slope = (y[1] - y[0]) / (x[1] - x[0])
        return y[0] + (xout - x[0]) * slope
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    d[:-1] = np.diff(x)
    slopes = np.diff(y) / d[:-1]
    b[1:-1] = 2 * (d[:-2] + d[1:-1])
    c[1:-1] = slopes[1:] - slopes[:-1]
    b[0], b[-1] = -d[0], -d[-2]
    if n > 3:
        c0 = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        cn = c[-2] / (x[-1] - x[-3]) - c[-3] / (x[-2] - x[-4])
        c[0] = c0 * d[0] ** 2 / (x[3] - x[0])
        c[-1] = -cn * d[-2] ** 2 / (x[-1] - x[-4])
    for i in range(1, n):  # tridiagonal elimination over the knots (a handful), not rows
        t = d[i - 1] / b[i - 1]
        b[i] -= t * d[i - 1]
        c[i] -= t * c[i - 1]
    c[-1] /= b[-1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[-1] = (y[-1] - y[-2]) / d[-2] + d[-2] * (c[-2] + 2 * c[-1])
    b[:-1] = slopes - d[:-1] * (c[1:] + 2 * c[:-1])
    d[:-1] = (c[1:] - c[:-1]) / d[:-1]
    c *= 3
    d[-1] = d[-2]
    i = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, n - 1)
    dx = xout - x[i]
    return y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


def first_step_terms(wt: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the deviance, working weight and working weight times response of ``glm.fit``'s first
    step from its ``mustart`` (rescaled weights ``wt``, 0/1 ``y``); 0 where ``wt`` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> [v.round(4).tolist() for v in first_step_terms(np.array([1.0, 0.0]), np.array([1.0, 1.0]))]
    [[0.5754, 0.0], [0.1875, 0.0], [0.456, 0.0]]
    """
    wt = np.where(wt > 0, wt, 0.0)  # a row without weight gives m = 1/2 and exact zeros below
    ones = np.ndim(y) == 0 and y == 1  # every row a one (share_fits): no per-row choice of m or 1 - m
    m = (wt + 0.5 if ones else wt * y + 0.5) / (wt + 1)
    om = 1 - m
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = -2 * wt * np.log(m if ones else np.where(y == 1, m, om))  # one log per row
        mom = m * om
        ww = wt * m * om
        z = logit(m) + (om if ones else y - m) / mom
        return dev + 0.0, ww, ww * z  # + 0.0: a weightless row's -0.0 deviance is 0.0


def intercept_fit(y: np.ndarray, w: np.ndarray, g: np.ndarray, k: int, n_rows: np.ndarray,
                  epsilon: float = 1e-8, max_iter: int = 25, start=None) -> tuple[np.ndarray, np.ndarray]:
    """R's ``glm.fit`` of the intercept-only quasibinomial ``svyglm`` in every domain at once.

    ``y`` is the 0/1 indicator, ``w`` the design weights and ``g`` each row's
    domain (-1 for none); the weights are rescaled to mean 1 over the domain's
    rows, as ``svyglm``. The first IRLS step starts from ``glm.fit``'s
    row-level ``mustart`` (:func:`first_step_terms`; ``start`` gives its
    per-domain sums of deviance, working weights and weights times response
    when the rows are elsewhere, as for an engine design); after it the fitted
    share is one number per domain and each step is ``eta + (S1 - n mu) / (n
    mu (1 - mu))``. Stops at ``glm.control()``'s ``epsilon = 1e-8`` as R.
    Returns the fitted share and the sum of the last iteration's working
    weights (``1 / naive.cov``).

    Examples
    --------
    >>> import numpy as np
    >>> mu, info = intercept_fit(np.array([1.0, 0, 1, 1]), np.ones(4), np.zeros(4, int), 1, np.array([4]))
    >>> round(float(mu[0]), 8), round(float(info[0]), 6)
    (0.75, 0.75)
    """
    inside = g >= 0
    gi = np.where(inside, g, 0)
    wt = np.where(inside, w, 0.0) / (np.bincount(gi, weights=np.where(inside, w, 0.0), minlength=k) / n_rows)[gi]
    wt = np.where(inside & (wt > 0), wt, 0.0)
    if start is None:
        start = [np.bincount(gi, weights=t, minlength=k) for t in first_step_terms(wt, y)]
    total = np.bincount(gi, weights=wt, minlength=k)
    s1 = np.bincount(gi, weights=wt * y, minlength=k)
    return _irls(*start, total, s1, epsilon, max_iter)


def share_fits(codes: np.ndarray, n_levels: int, w: np.ndarray, g: np.ndarray, k: int, n_rows: np.ndarray,
               epsilon: float = 1e-8, max_iter: int = 25, start=None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`intercept_fit` of every level's indicator at once: ``(levels, domains)`` fitted shares and infos.

    ``codes`` is each row's level (-1: none of them). ``glm.fit``'s first step
    depends on a row's indicator only through its sign: at ``y = 0`` the
    deviance and working weight are those at ``y = 1`` and the working response
    changes sign, so one pass over the rows serves every level. ``start``
    (levels x 3 per-domain sums) replaces that pass for an engine design.

    Examples
    --------
    >>> import numpy as np
    >>> mu, info = share_fits(np.array([1, 0, 1, 1]), 2, np.ones(4), np.zeros(4, int), 1, np.array([4]))
    >>> mu.round(8).tolist()
    [[0.25], [0.75]]
    """
    inside = g >= 0
    everyone = bool(inside.all())  # every row in a domain: no masks
    gi = g if everyone else np.where(inside, g, 0)
    w_in = w if everyone else np.where(inside, w, 0.0)
    wt = w_in / (np.bincount(gi, weights=w_in, minlength=k) / n_rows)[gi]
    wt = np.where((wt > 0) if everyone else inside & (wt > 0), wt, 0.0)
    hit = inside & (codes >= 0)
    every_level = bool(hit.all())
    col = codes * k + gi if every_level else codes[hit] * k + gi[hit]

    def per_level(values):  # (levels, domains) sums over each level's rows
        return np.bincount(col, weights=values if every_level else values[hit],
                           minlength=n_levels * k).reshape(n_levels, k)

    if start is None:
        dev, ww, wwz = first_step_terms(wt, 1.0)
        whole = np.bincount(gi, weights=wwz, minlength=k)
        start = (np.broadcast_to(np.bincount(gi, weights=dev, minlength=k), (n_levels, k)),
                 np.broadcast_to(np.bincount(gi, weights=ww, minlength=k), (n_levels, k)),
                 2 * per_level(wwz) - whole)  # the level's ones minus everyone else
    else:
        start = [np.stack(parts) for parts in zip(*start, strict=True)]
    total = np.broadcast_to(np.bincount(gi, weights=wt, minlength=k), (n_levels, k))
    return _irls(*start, total, per_level(wt), epsilon, max_iter)


def counted_share_fits(level_n: np.ndarray, inside_n: np.ndarray, w: np.ndarray, n_rows: np.ndarray,
                       epsilon: float = 1e-8, max_iter: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """:func:`share_fits` for rows that come in groups of equal weight (atoms): the same sums, each term
    computed once per atom and domain and multiplied by its number of rows.

    ``level_n`` (atoms, levels, domains) counts each level's rows, ``inside_n`` (atoms, domains) every
    row of the domain, ``w`` (atoms,) is the atoms' weight and ``n_rows`` the domains' rows.

    Examples
    --------
    >>> import numpy as np
    >>> level_n = np.array([[[1.0], [1.0]], [[0.0], [2.0]]])  # two atoms of weight 1: 1 + 3 rows
    >>> mu, info = counted_share_fits(level_n, level_n.sum(1), np.ones(2), np.array([4]))
    >>> mu.round(8).tolist()
    [[0.25], [0.75]]
    """
    n_levels, k = level_n.shape[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        wt = w[:, None] / (np.einsum("a,ad->d", w, inside_n) / n_rows)[None, :]
    wt = np.where((inside_n > 0) & (wt > 0), wt, 0.0)
    dev, ww, wwz = first_step_terms(wt, 1.0)

    def per_domain(values):
        return np.broadcast_to((inside_n * values).sum(0), (n_levels, k))

    def per_level(values):
        return (level_n * values[:, None, :]).sum(0)

    start = (per_domain(dev), per_domain(ww), 2 * per_level(wwz) - per_domain(wwz))
    return _irls(*start, per_domain(wt), per_level(wt), epsilon, max_iter)


def _irls(devold, info, wwz, total, s1, epsilon: float, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """``glm.fit``'s iterations after the first step, elementwise over domains (see :func:`intercept_fit`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = wwz / info
    done = np.zeros(np.shape(eta), bool)
    for _ in range(max_iter):
        mu = expit(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = -2 * (s1 * np.log(mu) + (total - s1) * np.log(1 - mu))
        done |= np.abs(dev - devold) / (np.abs(dev) + 0.1) < epsilon
        if done.all():
            break
        step = ~done
        info = np.where(step, total * mu * (1 - mu), info)
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.where(step, eta + (s1 - total * mu) / (total * mu * (1 - mu)), eta)
        devold = np.where(step, dev, devold)
    return expit(eta), info


def likelihood_ci(mu: float, p: float, se_beta: float, info: float, dispersion: float, n: float, df: float,
                  conf_level: float) -> tuple[float, float]:
    """``svyciprop(method = "likelihood")`` for one domain (see module notes).

    ``mu`` is R's fitted share (:func:`intercept_fit`), ``p`` the design-based
    share (the rescaled weights of the ones sum to ``n p``), ``se_beta`` the
    sandwich SE of its logit, ``info`` the summed working weights (the
    model-based variance is ``1 / info``), ``dispersion`` ``summary.svyglm``'s
    and ``n`` the domain's rows (its rescaled weights sum to ``n``).

    Examples
    --------
    >>> lo, hi = likelihood_ci(0.3, 0.3, 0.05 / 0.21, 40 * 0.21, 40 / 39, 40.0, 30.0, 0.95)
    >>> round(lo, 4), round(hi, 4)
    (0.2045, 0.4089)
    """
    if not (0 < mu < 1) or not se_beta > 0 or not df > 0 or n <= 1:
        return np.nan, np.nan
    s1, s0 = n * p, n * (1 - p)
    beta0 = logit(mu)
    lam = se_beta**2 * info  # sandwich over model-based variance of the intercept
    alpha = stats.norm.cdf(stats.t.ppf((1 - conf_level) / 2, df) * np.sqrt(lam)) / 2
    zmax = np.sqrt(stats.f.isf(alpha, 1, round(n) - 1))

    def z(b):
        m = expit(b)
        dev = -2 * (s1 * (np.log(m) - np.log(mu)) + s0 * (np.log(1 - m) - np.log(1 - mu)))
        return np.sign(b - beta0) * np.sqrt(max(dev / dispersion, 0.0))

    points = [(0.0, beta0)]
    for sgn in (-1, 1):
        step, zz = 0, 0.0
        while (step := step + 1) < 10 and abs(zz) < zmax:
            b = beta0 + sgn * step * zmax / 5 * se_beta
            zz = z(b)
            points.append((zz, b))
    points.sort()
    zs, bs = np.array([q[0] for q in points]), np.array([q[1] for q in points])
    grid = np.linspace(bs.min(), bs.max(), 3 * len(bs))
    curve = fmm_spline(bs, zs, grid)
    cut = stats.norm.ppf([2 * alpha, 1 - 2 * alpha])
    order = np.argsort(curve, kind="stable")
    lo, hi = np.interp(cut, curve[order], grid[order], left=np.nan, right=np.nan)
    return float(expit(lo)), float(expit(hi))
