"""IRLS as R's ``glm.fit``, written once for any way of passing over the rows.

:func:`irls_loop` is the iteration (start, stopping rule, step halving);
:func:`block_sums` what one block of rows adds to a pass. The in-memory fit
(:mod:`toolkit.survey.glm`) passes over row blocks in threads, the engines
(:mod:`toolkit.survey.engines.glm`) over chunks of rows in DuckDB or dask.
"""

from __future__ import annotations

import numpy as np

from toolkit.errors import ModelError
from toolkit.survey._families import _Family

BLOCK = 1 << 15  # rows per block: a block's temporaries stay in cache


def irls_loop(sweep, max_iter: int, tol: float):
    """IRLS exactly as ``glm.fit``: its start, its stopping rule ``|dev - dev_old| / (|dev| + 0.1) < tol``
    and step halving on a non-finite deviance.

    ``sweep(coef)`` evaluates the deviance at ``coef`` (``None``: the family's start) and, in the same
    pass, the next iteration's ``X'WX`` and ``X'Wz``; it returns them and a token (what the caller
    needs of that pass). Returns the coefficients, the token of the pass whose ``X'WX`` gave them (the
    working weights R reports and ``svy.varcoef`` uses), that ``X'WX``, the iterations and whether it
    converged.

    Examples
    --------
    >>> X, y = np.array([[1.0, 0], [1, 1], [1, 2]]), np.array([1.0, 2, 4])
    >>> def sweep(coef):
    ...     dev = 0.0 if coef is None else float(((y - X @ coef) ** 2).sum())
    ...     return dev, X.T @ X, X.T @ y, coef
    >>> irls_loop(sweep, 25, 1e-12)[0].round(4).tolist()
    [0.8333, 1.5]
    """
    dev_old, A, b, token = sweep(None)
    beta = None
    for it in range(1, max_iter + 1):
        A_used, token_used = A, token
        try:
            new = np.linalg.solve(A, b)
        except np.linalg.LinAlgError:
            raise ModelError("the model matrix is singular (collinear or constant columns)") from None
        dev, A, b, token = sweep(new)
        halvings = 0
        while not np.isfinite(dev):
            if beta is None or halvings == 50:
                raise ModelError("IRLS found no valid coefficients (separation or a degenerate model?)")
            new = (new + beta) / 2
            dev, A, b, token = sweep(new)
            halvings += 1
        beta = new
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            return beta, token_used, A_used, it, True
        dev_old = dev
    return beta, token_used, A_used, max_iter, False


def block_sums(Xt, y, w, fam: _Family, deviance, eta):
    """One block of an IRLS pass at linear predictor ``eta``: deviance, ``X'WX``, ``X'Wz`` and the working
    weights; ``Xt`` is the block's model matrix transposed.

    Examples
    --------
    >>> from toolkit.survey._families import FAMILIES
    >>> Xt = np.ones((1, 3))
    >>> dev, A, b, ww = block_sums(Xt, np.array([1.0, 2, 3]), np.ones(3), FAMILIES["gaussian"],
    ...                            FAMILIES["gaussian"].deviance, np.full(3, 2.0))
    >>> float(dev), A.tolist(), b.tolist()
    (2.0, [[3.0]], [6.0])
    """
    mu = fam.linkinv(eta)
    ww, z = fam.working(eta, mu, y, w)
    xtw = Xt * ww
    return deviance(y, mu, w), xtw @ Xt.T, xtw @ z, ww


def binary_outcome(fam: _Family, y: np.ndarray) -> bool:
    """Whether a binomial outcome is 0/1 throughout (its deviance then takes one log per row)."""
    return fam.base == "binomial" and bool(((y == 0) | (y == 1)).all())


def deviance_rows(fam: _Family, binary: bool):
    """``(y, mu, w) -> sum(dev.resids(y, mu, w))``, as R's family; a 0/1 outcome takes one log."""
    if binary:
        def one_log(y, mu, w):
            with np.errstate(divide="ignore"):
                return -2 * float((w * np.log(np.where(y == 1, mu, 1 - mu))).sum())
        return one_log
    return fam.deviance
