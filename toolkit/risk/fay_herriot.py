"""Area-level small-area estimation: the Fay–Herriot model.

Each area ``i`` has a direct estimate ``y_i`` with a known sampling variance
``D_i`` (its squared design-based SE). The model is ``y_i = x_i'β + u_i + e_i``
with ``u_i ~ N(0, σ²ᵤ)`` and ``e_i ~ N(0, D_i)``. The EBLUP shrinks each direct
estimate towards the regression (synthetic) estimate by ``γ_i = σ²ᵤ / (σ²ᵤ + D_i)``:
areas with a noisy direct estimate borrow more strength from the others.

Choices made here, in one place:

* σ²ᵤ is the root of the REML (or ML) score equation, found by bracketing on
  ``[0, ∞)`` and Brent's method to machine precision; when the score is negative
  at zero the estimate is 0 (with a :class:`~toolkit.errors.BoundaryWarning`).
  These are the likelihoods of ``metafor::rma(yi, vi, mods, method = "REML")``
  and ``sae::eblupFH``; the tests compare with ``rma`` run to a tight threshold.
* Every matrix is ``p × p`` (covariates), built from per-area weights
  ``1 / (σ²ᵤ + D_i)``: the variance is diagonal, so nothing ``m × m`` is formed
  or inverted, and a positive ``D_i`` keeps it from going singular.
* MSE: Prasad–Rao for REML and Datta–Lahiri for ML, as ``sae::mseFH`` computes
  them: ``g1 + g2 + 2 g3`` (minus the ML bias term). An area outside the sample
  gets the synthetic estimate with MSE ``σ²ᵤ + x'(X'V⁻¹X)⁻¹x``.
* Proportions (``transform="arcsin"``): ``y = asin(√p)`` with ``D = 1/(4 n_eff)``,
  where the effective sample size is ``n_eff = p(1 − p)/se²`` (the design effect
  is kept). The back-transformation is bias-corrected,
  ``E[sin²θ] = (1 − cos(2θ̂) e^{−2 g1}) / 2`` for ``θ ~ N(θ̂, g1)``; the MSE on the
  proportion scale is the delta-method ``(sin 2θ̂)² mse``, and the interval is
  the transformed interval mapped back (so it stays inside [0, 1]).
* Benchmarking (``benchmark=``): ratio benchmarking of the EBLUPs to a total such
  as the direct municipal estimate, ``Σ wᵢ θ̂ᵢᴮ = T``; the reported MSE adds the
  squared benchmarking adjustment ``(θ̂ᵢᴮ − θ̂ᵢ)²`` (Steorts & Ghosh 2013).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from toolkit._validation import as_list, check_conf_level, check_frame, check_option
from toolkit.errors import BoundaryWarning, ModelError

METHODS = ("reml", "ml")
TRANSFORMS = ("none", "arcsin")

__all__ = ["FayHerriot", "METHODS", "TRANSFORMS"]


@dataclass(frozen=True)
class _Fit:
    """The model at one σ²ᵤ: weights, coefficients and their covariance."""

    sigma2: float
    v: np.ndarray  # 1 / (σ²ᵤ + D)
    beta: np.ndarray
    Q: np.ndarray  # (X' V⁻¹ X)⁻¹
    resid: np.ndarray  # y − Xβ


def _fit_at(sigma2: float, y: np.ndarray, X: np.ndarray, D: np.ndarray) -> _Fit:
    v = 1.0 / (sigma2 + D)
    XtVX = X.T @ (X * v[:, None])
    Q = np.linalg.inv(XtVX)
    beta = Q @ (X.T @ (v * y))
    return _Fit(sigma2, v, beta, Q, y - X @ beta)


def _score(sigma2: float, y: np.ndarray, X: np.ndarray, D: np.ndarray, method: str) -> float:
    """d loglik / d σ²ᵤ: ML ``−½ Σv + ½ Σ v² r²``; REML replaces Σv by tr(P) = Σv − tr(Q X'V²X)."""
    f = _fit_at(sigma2, y, X, D)
    trace = f.v.sum()
    if method == "reml":
        trace -= np.trace(f.Q @ (X.T @ (X * (f.v**2)[:, None])))
    return 0.5 * (np.sum((f.v * f.resid) ** 2) - trace)


def _loglik(f: _Fit, X: np.ndarray, method: str) -> float:
    m, p = X.shape
    ll = -0.5 * (m * np.log(2 * np.pi) - np.log(f.v).sum() + np.sum(f.v * f.resid**2))
    if method == "reml":  # the restricted likelihood as metafor reports it (Harville's, with the log|X'X| term)
        ll += (0.5 * p * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(X.T @ (X * f.v[:, None]))[1]
               + 0.5 * np.linalg.slogdet(X.T @ X)[1])
    return float(ll)


def _solve_sigma2(y: np.ndarray, X: np.ndarray, D: np.ndarray, method: str) -> tuple[float, int]:
    """The root of the score on [0, ∞), or 0 when the likelihood falls from zero on."""
    if _score(0.0, y, X, D, method) <= 0:
        return 0.0, 0
    hi = max(float(np.var(y)), float(np.mean(D)), 1e-12)
    steps = 0
    while _score(hi, y, X, D, method) > 0:  # the score turns negative for large σ²ᵤ
        hi *= 4.0
        steps += 1
        if steps > 200:
            raise ModelError("Fay-Herriot: the likelihood has no maximum for a finite area variance")
    root, info = optimize.brentq(_score, 0.0, hi, args=(y, X, D, method), xtol=1e-15 * hi, rtol=4 * np.finfo(float).eps,
                                 maxiter=500, full_output=True)
    return float(root), int(info.iterations) + steps


def _mse(f: _Fit, X: np.ndarray, D: np.ndarray, method: str) -> pd.DataFrame:
    """Prasad–Rao (REML) or Datta–Lahiri (ML) MSE of the EBLUPs, with its parts."""
    B = D * f.v  # 1 − γ
    sum_v2 = np.sum(f.v**2)
    var_sigma2 = 2.0 / sum_v2
    g1 = D * (1.0 - B)
    g2 = B**2 * np.einsum("ij,jk,ik->i", X, f.Q, X)
    g3 = B**2 * var_sigma2 * f.v
    mse = g1 + g2 + 2.0 * g3
    if method == "ml":
        bias = -np.trace(f.Q @ (X.T @ (X * (f.v**2)[:, None]))) / sum_v2
        mse = mse - bias * B**2
    return pd.DataFrame({"g1": g1, "g2": g2, "g3": g3, "mse": mse})


class FayHerriot:
    """Fay–Herriot area-level model: EBLUPs of area means or shares with their MSE.

    Mirrors ``sae::eblupFH`` and ``sae::mseFH`` (REML with Prasad–Rao MSE, ML
    with Datta–Lahiri MSE); the likelihood is that of
    ``metafor::rma(yi, vi, mods, method = "REML")``, which the tests match.

    Parameters
    ----------
    method : {"reml", "ml"}
        How the area-effect variance σ²ᵤ is estimated.
    transform : {"none", "arcsin"}
        ``"arcsin"`` for shares (proportions): fit on ``asin(√p)`` and back-transform
        with a bias correction (see the module notes).
    intercept : bool
        Include an intercept. ``False`` with an ``offset`` and no covariates is the
        plain composite of a direct and a model-based estimate.
    conf_level : float
        Confidence level of the intervals in ``table_``.

    Attributes
    ----------
    sigma2_u_ : float
        The area-effect variance (on the transformed scale with ``transform="arcsin"``).
    coef_ : pd.Series
        Regression coefficients, ``Intercept`` first (empty without intercept and covariates).
    vcov_ : pd.DataFrame
        Their covariance ``(X'V⁻¹X)⁻¹``.
    table_ : pd.DataFrame
        One row per area: area, direct, direct_se, synthetic, gamma, eblup, mse,
        rmse, ci_low, ci_high (and ``benchmarked``, ``mse_benchmarked`` when
        benchmarking).
    loglik_ : float
        The (restricted) log-likelihood at the estimate.
    transformed_ : pd.DataFrame
        With ``transform="arcsin"``: the fit on the arcsine scale (area, estimate,
        variance, synthetic, eblup, mse), before the back-transformation.
    n_eff_ : pd.Series
        With ``transform="arcsin"``: the effective sample size of every area.
    diagnostics_ : pd.DataFrame
        Shapiro–Wilk tests of the standardised residuals and area effects, and
        the share of areas whose direct estimate gets less than half the weight.

    Examples
    --------
    >>> areas = pd.DataFrame({"district": list("ABCDEFGH"),
    ...                       "estimate": [0.21, 0.45, 0.12, 0.40, 0.27, 0.33, 0.18, 0.52],
    ...                       "se": [0.04, 0.06, 0.03, 0.08, 0.05, 0.05, 0.04, 0.07],
    ...                       "x": [0.2, 0.3, 0.1, 0.5, 0.3, 0.4, 0.3, 0.4]})
    >>> fh = FayHerriot(method="reml").fit(areas, covariates=["x"], area="district")
    >>> round(fh.sigma2_u_, 6), list(fh.coef_.index)
    (0.006598, ['Intercept', 'x'])
    >>> fh.table_.loc[3, ["direct", "eblup", "rmse"]].astype(float).round(3).tolist()
    [0.4, 0.43, 0.072]
    """

    def __init__(self, *, method: str = "reml", transform: str = "none", intercept: bool = True,
                 conf_level: float = 0.95):
        self.method = method
        self.transform = transform
        self.intercept = intercept
        self.conf_level = conf_level

    # ------------------------------------------------------------------ fitting
    def _inputs(self, data, estimate, se, covariates, area):
        check_option(self.method, "method", METHODS)
        check_option(self.transform, "transform", TRANSFORMS)
        check_conf_level(self.conf_level)
        covs = as_list(covariates, "covariates")
        check_frame(data, "areas", columns=[estimate, se, *covs, area], error=ModelError)
        names = data[area].astype(str)
        y = pd.to_numeric(data[estimate], errors="coerce").to_numpy(float)
        s = pd.to_numeric(data[se], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(s) | (s <= 0)
        if bad.any():
            raise ModelError(f"Fay-Herriot needs a positive direct SE in every area; {se!r} is zero or missing for "
                             f"{', '.join(names[bad].tolist()[:10])} (drop those areas, or predict them as out-of-"
                             "sample areas with predict())")
        if not np.isfinite(y).all():
            raise ModelError(f"{estimate!r} is missing for {', '.join(names[~np.isfinite(y)].tolist()[:10])}")
        X = self._design_matrix(data, covs)
        if X.shape[0] <= X.shape[1]:
            raise ModelError(f"Fay-Herriot needs more areas ({X.shape[0]}) than coefficients ({X.shape[1]})")
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise ModelError(f"the covariates {covs} are collinear across areas; drop one")
        return names.to_numpy(object), y, s, X, covs

    def _design_matrix(self, data: pd.DataFrame, covs: Sequence[str]) -> np.ndarray:
        cols = [np.ones(len(data))] if self.intercept else []
        for c in covs:
            x = pd.to_numeric(data[c], errors="coerce").to_numpy(float)
            if not np.isfinite(x).all():
                raise ModelError(f"covariate {c!r} must be numeric and complete in every area")
            cols.append(x)
        return np.column_stack(cols) if cols else np.empty((len(data), 0))

    def fit(self, data: pd.DataFrame, *, estimate: str = "estimate", se: str = "se",
            covariates: Sequence[str] | str | None = None, area: str = "area", offset: str | None = None,
            benchmark: float | None = None, benchmark_weights: str | None = None) -> FayHerriot:
        """Fit the model to one row per area.

        Parameters
        ----------
        data : pd.DataFrame
            One row per area with the direct estimate, its SE and the covariates.
        estimate, se : str
            Columns of the direct estimate and its design-based standard error.
        covariates : list of str, optional
            Area-level covariates (an intercept is always included).
        area : str
            Column naming the areas.
        offset : str, optional
            A column added to the regression with its coefficient fixed at 1, on the
            fitting scale (after ``transform``): a model-based estimate that the
            direct estimates are combined with (as an offset in R's ``glm``).
        benchmark : float, optional
            A total the EBLUPs are benchmarked to: ``Σ w θ̂ᴮ = benchmark`` with the
            weights scaled to sum to one (for example the direct municipal estimate).
        benchmark_weights : str, optional
            Column of area weights for the benchmark (population shares); equal
            weights summing to one if not given.

        Returns
        -------
        FayHerriot
            ``self``, fitted.

        Examples
        --------
        >>> areas = pd.DataFrame({"area": list("ABCDEF"), "estimate": [1.0, 2.6, 1.5, 3.0, 2.2, 0.7],
        ...                       "se": [0.3, 0.4, 0.3, 0.5, 0.3, 0.2]})
        >>> fh = FayHerriot().fit(areas)
        >>> bool(fh.sigma2_u_ > 0), round(float(fh.coef_["Intercept"]), 2)
        (True, 1.78)
        """
        names, y, s, X, covs = self._inputs(data, estimate, se, covariates, area)
        direct = y
        if self.transform == "arcsin":
            y, D = self._to_arcsin(y, s, names)
        else:
            D = s**2
        off = self._offset(data, offset)
        sigma2, iterations = _solve_sigma2(y - off, X, D, self.method)
        if sigma2 == 0.0:
            warnings.warn("Fay-Herriot: the area-effect variance is estimated as 0, so every EBLUP equals its "
                          "synthetic (regression) estimate; check the covariates and the direct SEs",
                          BoundaryWarning, stacklevel=2)
        f = _fit_at(sigma2, y - off, X, D)
        labels = ["Intercept"] * bool(self.intercept) + covs
        self.sigma2_u_ = sigma2
        self.coef_ = pd.Series(f.beta, index=labels, name="coef")
        self.vcov_ = pd.DataFrame(f.Q, index=labels, columns=labels)
        self.loglik_ = _loglik(f, X, self.method)
        self.n_iter_ = iterations
        self.covariates_, self.offset_ = covs, offset
        self._fit, self._D = f, D
        parts = _mse(f, X, D, self.method)
        self.table_ = self._table(names, direct, s, X @ f.beta + off, f, D, parts)
        if benchmark is not None:
            self.table_ = self._benchmark(self.table_, data, benchmark, benchmark_weights)
        self.diagnostics_ = self._diagnostics(f, D)
        return self

    def _to_arcsin(self, p: np.ndarray, s: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        outside = (p <= 0) | (p >= 1)
        if outside.any():
            raise ModelError("transform='arcsin' needs shares strictly between 0 and 1; got "
                             f"{', '.join(f'{a}={v:g}' for a, v in zip(names[outside], p[outside], strict=True))}")
        self.n_eff_ = pd.Series(p * (1 - p) / s**2, index=names, name="n_eff")
        return np.arcsin(np.sqrt(p)), 1.0 / (4.0 * self.n_eff_.to_numpy())

    @staticmethod
    def _offset(data: pd.DataFrame, column: str | None) -> np.ndarray | float:
        if column is None:
            return 0.0
        check_frame(data, "areas", columns=[column], error=ModelError)
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
        if not np.isfinite(values).all():
            raise ModelError(f"offset {column!r} must be numeric and complete in every area")
        return values

    def _table(self, names, direct, s, synthetic, f: _Fit, D, parts: pd.DataFrame) -> pd.DataFrame:
        gamma = f.sigma2 / (f.sigma2 + D)
        eblup = gamma * (synthetic + f.resid) + (1 - gamma) * synthetic
        z = stats.norm.ppf(0.5 + self.conf_level / 2)
        mse = parts["mse"].to_numpy()
        lo, hi = eblup - z * np.sqrt(mse), eblup + z * np.sqrt(mse)
        if self.transform == "arcsin":
            self.transformed_ = pd.DataFrame({"area": names, "estimate": synthetic + f.resid, "variance": D,
                                              "synthetic": synthetic, "eblup": eblup, "mse": mse})
            synthetic, eblup, mse, lo, hi = self._from_arcsin(synthetic, eblup, mse, lo, hi, parts["g1"].to_numpy())
        return pd.DataFrame({"area": names, "direct": direct, "direct_se": s, "synthetic": synthetic,
                             "gamma": gamma, "eblup": eblup, "mse": mse, "rmse": np.sqrt(mse),
                             "ci_low": lo, "ci_high": hi})

    @staticmethod
    def _from_arcsin(synthetic, theta, mse, lo, hi, g1):
        def share(t):
            return np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2

        corrected = 0.5 * (1.0 - np.cos(2.0 * theta) * np.exp(-2.0 * g1))
        return share(synthetic), corrected, np.sin(2.0 * theta) ** 2 * mse, share(lo), share(hi)

    @staticmethod
    def _benchmark(table: pd.DataFrame, data: pd.DataFrame, total: float, weights: str | None) -> pd.DataFrame:
        w = (np.full(len(table), 1.0 / len(table)) if weights is None
             else pd.to_numeric(data[weights], errors="coerce").to_numpy(float))
        if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
            raise ModelError(f"benchmark_weights {weights!r} must be non-negative numbers in every area")
        w = w / w.sum()
        eblup = table["eblup"].to_numpy()
        adjusted = eblup * float(total) / float(np.sum(w * eblup))
        return table.assign(benchmarked=adjusted, mse_benchmarked=table["mse"] + (adjusted - eblup) ** 2)

    def _diagnostics(self, f: _Fit, D: np.ndarray) -> pd.DataFrame:
        std_resid = f.resid * np.sqrt(f.v)
        u = f.sigma2 * f.v * f.resid  # predicted area effects
        rows = [("shapiro_residuals", *stats.shapiro(std_resid))]
        if f.sigma2 > 0 and len(u) >= 3:
            rows.append(("shapiro_area_effects", *stats.shapiro(u / np.sqrt(f.sigma2))))
        shrunk = float(np.mean(f.sigma2 / (f.sigma2 + D) < 0.5))
        rows.append(("share_mostly_synthetic", shrunk, np.nan))
        return pd.DataFrame(rows, columns=["check", "statistic", "p_value"])

    # ------------------------------------------------------------------ use
    def _check_fitted(self) -> None:
        if not hasattr(self, "sigma2_u_"):
            raise ModelError("this FayHerriot is not fitted yet; call fit(areas, ...) first")

    def predict(self, data: pd.DataFrame, *, area: str = "area") -> pd.DataFrame:
        """Synthetic estimates, with their MSE, for areas outside the sample.

        The MSE is ``σ²ᵤ + x'(X'V⁻¹X)⁻¹x``, as for an area without a direct estimate.

        Examples
        --------
        >>> areas = pd.DataFrame({"area": list("ABCDEF"), "estimate": [1.0, 2.6, 1.5, 3.0, 2.2, 0.7],
        ...                       "se": [0.3, 0.4, 0.3, 0.5, 0.3, 0.2], "x": [1, 2, 2, 3, 1, 1]})
        >>> fh = FayHerriot().fit(areas, covariates=["x"])
        >>> fh.predict(pd.DataFrame({"area": ["F"], "x": [2.5]})).columns.tolist()
        ['area', 'synthetic', 'mse', 'rmse']
        """
        self._check_fitted()
        check_frame(data, "new areas", columns=[area, *self.covariates_], error=ModelError)
        X = self._design_matrix(data, self.covariates_)
        synthetic = X @ self.coef_.to_numpy() + self._offset(data, self.offset_)
        mse = self.sigma2_u_ + np.einsum("ij,jk,ik->i", X, self.vcov_.to_numpy(), X)
        if self.transform == "arcsin":
            synthetic, mse = np.sin(synthetic) ** 2, np.sin(2 * synthetic) ** 2 * mse
        return pd.DataFrame({"area": data[area].astype(str).to_numpy(object), "synthetic": synthetic, "mse": mse,
                             "rmse": np.sqrt(mse)})

    def summary(self) -> pd.DataFrame:
        """Coefficients with SEs, and the area variance, as one table.

        Examples
        --------
        >>> areas = pd.DataFrame({"area": list("ABCDEF"), "estimate": [1.0, 2.6, 1.5, 3.0, 2.2, 0.7],
        ...                       "se": [0.3, 0.4, 0.3, 0.5, 0.3, 0.2]})
        >>> FayHerriot().fit(areas).summary()["term"].tolist()
        ['Intercept', 'sigma2_u']
        """
        self._check_fitted()
        se = np.sqrt(np.diag(self.vcov_.to_numpy()))
        table = pd.DataFrame({"term": self.coef_.index, "estimate": self.coef_.to_numpy(), "se": se})
        return pd.concat([table, pd.DataFrame({"term": ["sigma2_u"], "estimate": [self.sigma2_u_],
                                               "se": [np.sqrt(2.0 / np.sum(self._fit.v**2))]})],
                         ignore_index=True)

    def __repr__(self) -> str:
        state = f", sigma2_u_={self.sigma2_u_:.4g}" if hasattr(self, "sigma2_u_") else ""
        return f"FayHerriot(method={self.method!r}, transform={self.transform!r}{state})"
