"""Factor models behind omega: minres, varimax, oblimin and the Schmid-Leiman solution, as psych.

* :func:`minres` is ``psych::fa(fm = "minres")``: the uniquenesses minimise
  the unweighted least-squares criterion ``1/2 sum of the squared
  eigenvalues of R - Psi beyond the first k`` (its gradient is
  ``diag(LL' + Psi - R)``, psych's ``FAgr``), bounded to
  ``[0.005, max(smc, 1)]``. psych stops L-BFGS-B at its default tolerance;
  this fit goes to the optimum, so loadings differ from psych's around the
  6th decimal.
* :func:`varimax` is ``stats::varimax`` (Kaiser-normalised, ``eps = 1e-5``)
  and :func:`oblimin` GPArotation's ``GPFoblq`` with the oblimin criterion
  (``gam = 0``, ``eps = 1e-5``, from the identity), step for step, so the
  rotations stop where R's do.
* :func:`schmid_leiman` is ``psych::schmid``: minres with ``k`` factors,
  varimax (columns signed to positive sums and ordered by variance, as
  ``fa``), oblimin, then a general factor from the factor correlations (a
  one-factor minres of ``Phi`` for ``k >= 3``; for ``k = 2`` psych's
  ``option = "equal"``: both loadings ``sqrt(|phi_12|)``). The general
  loadings are ``F g``, the group loadings ``F sqrt(1 - g^2)``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from toolkit.scales._matrix import smc

_LOWER = 0.005
_EPS = np.finfo(float).eps


def _top_loadings(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    vals, vecs = np.linalg.eigh(S)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    return vecs[:, :k] * np.sqrt(np.maximum(vals[:k], 0.0)), vals


def _psych_fit(psi: np.ndarray, R: np.ndarray, k: int) -> float:
    """psych's ``fit.residuals`` for minres: squared off-diagonal residuals of ``R - Psi - LL'``."""
    S = R.copy()
    np.fill_diagonal(S, np.diag(R) - psi)
    vals, vecs = np.linalg.eigh(S)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    vals = np.where(vals < _EPS, 100 * _EPS, vals)
    L = vecs[:, :k] * np.sqrt(vals[:k])
    res = S - L @ L.T
    return float((res[np.tril_indices(len(R), -1)] ** 2).sum())


def minres(R: np.ndarray, n_factors: int = 1, *, stop: str = "optimum", tol: float = 1e-12,
           max_iter: int = 2000) -> tuple[np.ndarray, bool]:
    """Minres (unweighted least squares) loadings ``(p, k)`` of a correlation matrix, unrotated.

    ``stop="optimum"`` goes to the optimum of the concentrated criterion;
    ``stop="psych"`` runs psych's own fit instead: L-BFGS-B on its
    ``fit.residuals`` with the gradient ``FAgr``, ``parscale = 0.01`` and R's
    ``optim`` defaults (``factr = 1e7``, 5 corrections, 100 iterations), which
    reproduces ``psych::fa``'s uniquenesses to about 1e-13 where the
    optimum differs from them around 1e-5. Returns ``(loadings, converged)``;
    each column is signed to a positive sum.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([0.8, 0.7, 0.6, 0.5])
    >>> R = np.outer(L, L)
    >>> np.fill_diagonal(R, 1.0)
    >>> loadings, converged = minres(R)
    >>> np.round(loadings[:, 0], 6).tolist(), converged
    ([0.8, 0.7, 0.6, 0.5], True)
    """
    p, k = R.shape[0], n_factors
    diag = np.diag(R)

    def gradient(psi):
        L, _ = _top_loadings(R - np.diag(psi), k)
        return (L * L).sum(axis=1) + psi - diag

    def criterion(psi):
        L, vals = _top_loadings(R - np.diag(psi), k)
        f = 0.5 * float(np.sum(vals[k:] ** 2) + np.sum(np.minimum(vals[:k], 0.0) ** 2))
        return f, (L * L).sum(axis=1) + psi - diag

    upper = max(float(smc(R).max()), 1.0)
    start = diag - smc(R)
    if stop == "psych":
        scale = 0.01  # R's parscale: optim works on psi / 0.01
        res = optimize.minimize(lambda y: _psych_fit(scale * y, R, k), start / scale,
                                jac=lambda y: scale * gradient(scale * y), method="L-BFGS-B",
                                bounds=[(_LOWER / scale, upper / scale)] * p,
                                options={"ftol": 1e7 * _EPS, "gtol": 0.0, "maxcor": 5, "maxiter": 100})
        psi = scale * res.x
    else:
        res = optimize.minimize(criterion, start, jac=True, method="L-BFGS-B", bounds=[(_LOWER, upper)] * p,
                                options={"ftol": 1e-300, "gtol": tol, "maxiter": max_iter, "maxcor": 20})
        psi = res.x
    loadings, _ = _top_loadings(R - np.diag(psi), k)
    loadings = loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    g = gradient(psi)  # converged: the projected gradient is ~0 at the bounds and 0 inside
    at_lo, at_hi = psi <= _LOWER + 1e-12, psi >= upper - 1e-12
    pg = np.where(at_lo, np.minimum(g, 0), np.where(at_hi, np.maximum(g, 0), g))
    return loadings, bool(np.max(np.abs(pg)) < (1e-8 if stop == "optimum" else 1e-4))


def varimax(L: np.ndarray, *, eps: float = 1e-5) -> np.ndarray:
    """``stats::varimax(L)``: Kaiser-normalised varimax, R's stopping rule.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[0.7, 0.3], [0.6, 0.4], [0.3, -0.6], [0.2, -0.7]])
    >>> np.round(varimax(L), 3).tolist()
    [[0.761, -0.018], [0.712, 0.114], [0.023, -0.67], [-0.109, -0.72]]
    """
    sc = np.sqrt((L * L).sum(axis=1))
    x = L / sc[:, None]
    p, nc = x.shape
    TT, d = np.eye(nc), 0.0
    for _ in range(1000):
        z = x @ TT
        B = x.T @ (z**3 - z @ np.diag((z * z).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        TT = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            break
    return (x @ TT) * sc[:, None]


def _oblimin_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    X = (L * L) @ (1.0 - np.eye(L.shape[1]))
    return float((L * L * X).sum() / 4), L * X


def oblimin(A: np.ndarray, *, eps: float = 1e-5, max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray, bool]:
    """GPArotation's ``oblimin(A)`` (``GPFoblq``, ``gam = 0``): loadings, factor correlations, converged.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.7, 0.3], [0.6, 0.4], [0.3, 0.6], [0.2, 0.7]])
    >>> loadings, phi, ok = oblimin(A)
    >>> bool(ok), round(float(phi[0, 1]), 3)
    (True, 0.692)
    """
    T = np.eye(A.shape[1])
    al = 1.0
    L = A @ np.linalg.inv(T).T
    f, Gq = _oblimin_criterion(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    s = np.inf
    for _ in range(max_iter + 1):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = float(np.sqrt((Gp * Gp).sum()))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X * X).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = _oblimin_criterion(L)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        T, f = Tt, ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    return L, T.T @ T, s < eps


def _psych_order(L: np.ndarray) -> np.ndarray:
    """``fa``'s conventions: each column signed to a positive sum, columns by decreasing variance."""
    L = L * np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    return L[:, np.argsort(-(L * L).sum(axis=0), kind="stable")]


def schmid_leiman(R: np.ndarray, n_factors: int) -> dict:
    """``psych::schmid(R, nfactors)``: general and group loadings, h2, u2 and the rotations (see notes).

    Examples
    --------
    >>> import numpy as np
    >>> g, s = np.full(9, 0.6), np.kron(np.eye(3), np.ones((3, 1))) * 0.5
    >>> R = np.outer(g, g) + s @ s.T
    >>> np.fill_diagonal(R, 1.0)
    >>> sl = schmid_leiman(R, 3)
    >>> np.round(sl["g"], 3).tolist()[:3], np.round(np.abs(sl["group"]).max(axis=1), 3).tolist()[:3]
    ([0.6, 0.6, 0.6], [0.5, 0.5, 0.5])
    """
    unrotated, converged = minres(R, n_factors, stop="psych")
    orth = _psych_order(varimax(unrotated))
    fload, phi, rotated = oblimin(orth)
    if n_factors > 2:
        gload, g_ok = minres(phi, 1, stop="psych")
        gload, converged = gload[:, 0], converged and g_ok
    else:
        gload = np.array([np.sqrt(abs(phi[0, 1])), np.sign(phi[0, 1]) * np.sqrt(abs(phi[0, 1]))])
    h2 = (orth * orth).sum(axis=1)
    uniq2 = np.clip(fload**2 - (fload * gload) ** 2, 0, None)
    return {"g": fload @ gload, "group": np.sign(fload) * np.sqrt(uniq2), "h2": h2, "u2": np.diag(R) - h2,
            "phi": phi, "oblique": fload, "converged": bool(converged and rotated)}


def minres_loadings(R: np.ndarray, *, tol: float = 1e-12, max_iter: int = 2000) -> tuple[np.ndarray, bool]:
    """One-factor minres loadings of a correlation matrix, fitted to the optimum (see :func:`minres`).

    Returns ``(loadings, converged)``; the loadings sum to >= 0. psych stops
    its fit a little short, so loadings can differ from psych's in the 6th
    decimal while omega agrees to about 1e-7.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit import scales
    >>> L = np.array([0.8, 0.7, 0.6, 0.5])
    >>> R = np.outer(L, L)
    >>> np.fill_diagonal(R, 1.0)
    >>> loadings, converged = scales.minres_loadings(R)
    >>> np.round(loadings, 6).tolist(), converged
    ([0.8, 0.7, 0.6, 0.5], True)
    """
    loadings, converged = minres(R, 1, tol=tol, max_iter=max_iter)
    return loadings[:, 0], converged
