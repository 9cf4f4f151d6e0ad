"""Logistic coefficients fitted on covariate patterns instead of rows, for refits that need no SEs.

On a 0/1 outcome, every IRLS pass of a (quasi)binomial GLM depends on the
rows of one covariate pattern ``p`` only through their summed weight ``W_p``
and weighted number of cases ``W1_p``: the working weights add up to
``W_p V(mu_p)``, the working responses to ``W_p V(mu_p) eta_p + W1_p - W_p mu_p``,
and the deviance is ``-2 sum_p (W1_p log mu_p + (W_p - W1_p) log(1 - mu_p))``,
the rows' deviance. :func:`pattern_logit` runs :func:`toolkit.survey._irls.irls_loop`
on those sums (the start, which R takes per row, is summed from the rows), so
it takes the same steps, stops at the same iteration and gives the
coefficients of :func:`toolkit.survey.glm.fit_glm` on the rows, without the
sandwich covariance, in time proportional to the number of patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import xlogy

from toolkit.survey._families import _EPS, FAMILIES
from toolkit.survey._irls import deviance_rows, irls_loop
from toolkit.survey._patterns import pattern_sums
from toolkit.survey.glm import _check_separation, _design_matrices, aliased_columns, build_matrix, check_model


@dataclass(frozen=True)
class PatternFit:
    """Coefficients of a logistic fit and the coding they go with.

    Examples
    --------
    >>> patterns = pd.DataFrame({"g": ["a", "b"]})
    >>> fit = pattern_logit("y ~ C(g)", patterns, np.array([0, 0, 1, 1]), np.array([1.0, 0, 1, 1]), np.ones(4))
    >>> fit.predict(patterns).round(6).tolist()
    [0.5, 1.0]
    """

    coef_: np.ndarray
    converged_: bool
    info: object
    order: np.ndarray

    def predict(self, newdata: pd.DataFrame) -> np.ndarray:
        """Fitted probabilities of ``newdata``'s rows; ModelError for a level the fit never saw."""
        return FAMILIES["binomial"].linkinv(build_matrix(self.info, self.order, newdata) @ self.coef_)


def pattern_logit(formula: str, patterns: pd.DataFrame, codes: np.ndarray, y: np.ndarray, w: np.ndarray,
                  *, max_iter: int = 100, tol: float = 1e-12) -> PatternFit:
    """``fit_glm(Design(rows, weights=w), formula, family="binomial")``'s coefficients, from patterns.

    ``patterns`` holds one row per covariate pattern (the right-hand side's columns), ``codes`` the
    pattern of each row, ``y`` the rows' 0/1 outcome and ``w`` their weights. Patterns no row has
    are left out, so the levels are those of the rows (as ``glm``'s ``drop.unused.levels``).
    """
    fit = _irls_patterns(formula, patterns, codes, y, w / w.mean(), max_iter, tol)  # rescaled as fit_glm
    _separation(formula, fit)
    return PatternFit(fit.beta, fit.converged, fit.info, fit.order)


def _separation(formula: str, fit: _Fitted) -> np.ndarray:
    """fit_glm's BoundaryWarning for fitted probabilities numerically 0 or 1, from the patterns; the
    patterns' fitted probabilities."""
    mu = FAMILIES["binomial"].linkinv(fit.X @ fit.beta)
    if ((mu > 1 - 10 * _EPS) | (mu < 10 * _EPS)).any():  # R's warning, counted on the rows
        _check_separation(formula, mu[fit.codes], fit.X[fit.codes], fit.beta, fit.terms)
    return mu


def pattern_glm(design, formula: str, patterns: pd.DataFrame, codes: np.ndarray, rows: np.ndarray, y: np.ndarray,
                *, matrix: np.ndarray | None = None, column: int | None = None, max_iter: int = 100,
                tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """``design.glm(formula, family="binomial")`` fitted on patterns: coefficients, the rows' influence values,
    the residual df and convergence.

    ``rows`` are the positions of the fitted rows in the design, ``codes`` their patterns and ``y`` their
    0/1 outcome. The influence values ``U A^-1`` (one row per fitted row, one column per coefficient) are
    :func:`toolkit.survey.glm.fit_glm`'s sandwich ones, expanded from the patterns; their design variance
    (``design._variance(Influence(...), members)``, with ``members`` 0 on ``rows`` and -1 elsewhere) is
    the fit's ``vcov_``, and the df is ``fit.df_resid_``. ``matrix``, when given, is the model matrix of
    the patterns (one row each), which saves building it with patsy; with ``column`` only that
    coefficient's influence values are returned (a vector).
    """
    fam = FAMILIES["binomial"]
    w = design.weights[rows] / design.weights.mean()  # svyglm(rescale = TRUE), as fit_glm
    fit = _irls_patterns(formula, patterns, codes, y, w, max_iter, tol, matrix)
    eta_p = fit.X @ fit.beta
    mu_p = _separation(formula, fit)
    kind, values = fit.token  # the working weights of the pass that gave beta, as svy.varcoef
    if kind == "rows":
        ww = values
    else:  # a row's working weight is its prior weight times its pattern's
        ww = w * fam.working(values, fam.linkinv(values), np.zeros(len(values)), np.ones(len(values)))[0][fit.codes]
    # U A^-1 = (the rows' working residual times working weight) times (x A^-1), the latter once per pattern
    xa = fit.X @ np.linalg.inv(fit.A)
    r = ww * (y - mu_p[fit.codes]) / fam.mu_eta(eta_p, mu_p)[fit.codes]
    infl = xa[fit.codes] * r[:, None] if column is None else xa[fit.codes, column] * r
    used = None
    if len(rows) != design.n:
        used = np.zeros(design.n, bool)
        used[rows] = True
    return fit.beta, infl, float(design._degf(used)[0]) + 1 - fit.X.shape[1], fit.converged


@dataclass(frozen=True)
class _Fitted:
    beta: np.ndarray
    converged: bool
    info: object
    order: np.ndarray
    terms: list
    X: np.ndarray  # one row per pattern the rows have
    codes: np.ndarray  # each row's row of X
    A: np.ndarray  # X'WX of the pass that gave beta
    token: tuple  # that pass's working weights: ("rows", per row) or ("patterns", linear predictor per pattern)


def _irls_patterns(formula: str, patterns: pd.DataFrame, codes: np.ndarray, y: np.ndarray, w: np.ndarray,
                   max_iter: int, tol: float, matrix: np.ndarray | None = None) -> _Fitted:
    """IRLS of a binomial GLM on the patterns' sums (module notes); ``w`` are the rescaled prior weights,
    ``matrix`` the patterns' model matrix if the caller has it (columns: the intercept, then the others)."""
    fam = FAMILIES["binomial"]
    present = np.flatnonzero(np.bincount(codes, minlength=len(patterns)))
    where = np.full(len(patterns), -1, np.intp)
    where[present] = np.arange(len(present))
    codes = where[codes]
    k = len(present)
    W, W1 = pattern_sums(codes, k, w), pattern_sums(codes, k, w * y)
    outcome = formula.split("~")[0].strip()
    ybar = np.divide(W1, W, out=np.zeros(k), where=W > 0)
    if matrix is None:
        _, X, _, info, order = _design_matrices(formula, patterns.iloc[present].assign(**{outcome: ybar}))
        terms = [info.column_names[i] for i in order]
    else:
        X, info, order = matrix[present], None, None
        terms = ["Intercept", *patterns.columns]
    counts = pattern_sums(codes, k, np.ones(len(codes)))
    check_model(formula, fam, 0.0, 1.0, aliased_columns((X.T * counts) @ X), terms)
    row_deviance = deviance_rows(fam, True)

    def sweep(coef):
        if coef is None:  # R's start is per row: sum the rows' working weights and responses
            eta = fam.start(y, w)
            mu = fam.linkinv(eta)
            ww, z = fam.working(eta, mu, y, w)
            dev, ww_p, wz_p = row_deviance(y, mu, w), pattern_sums(codes, k, ww), pattern_sums(codes, k, ww * z)
            token = ("rows", ww)
        else:
            eta = X @ coef
            mu = fam.linkinv(eta)
            with np.errstate(divide="ignore", invalid="ignore"):
                dev = -2 * float((xlogy(W1, mu) + xlogy(W - W1, 1 - mu)).sum())
            ww_p, z = fam.working(eta, mu, ybar, W)
            wz_p, token = ww_p * z, ("patterns", eta)
        return dev, (X.T * ww_p) @ X, X.T @ wz_p, token

    beta, token, A, _, converged = irls_loop(sweep, max_iter, tol)
    return _Fitted(beta, converged, info, order, terms, X, codes, A, token)
