"""McDonald's omega, as ``psych::omega``: one factor, or a Schmid-Leiman hierarchy of ``k`` factors.

* ``n_factors=1`` (the default, the toolkit's omega total so far): a
  one-factor minres model on the pairwise correlations, fitted to the
  optimum; omega total is ``(sum(R) - sum(u2)) / sum(R)``. psych says
  omega_h "is not meaningful" with one factor, so ``omega_h`` is NaN and
  ``note`` says why.
* ``n_factors=k >= 2``: ``psych::omega(nfactors = k)`` with ``fm = "minres"``
  and ``rotate = "oblimin"`` (the Schmid-Leiman solution of
  :func:`toolkit.scales.factor.schmid_leiman`, which follows psych's and
  GPArotation's iterations, stopping rules included). Items loading
  negatively on the general factor are reversed unless ``reverse`` is given
  (psych's ``flip``). ``omega_h = (sum g)^2 / sum(R)``; ``groups`` holds
  psych's ``omega.group`` (each item counts for the group factor it loads
  most on). With two factors psych fixes both general loadings to
  ``sqrt(phi_12)`` (its ``option = "equal"``), as here; psych warns that
  three factors are needed to identify the general factor.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit._validation import renamed_keywords
from toolkit.errors import ConvergenceWarning, ScaleError
from toolkit.scales._matrix import Weights, pairwise_cor, prepare_items, smc
from toolkit.scales.factor import minres, schmid_leiman

ONE_FACTOR_NOTE = "omega_h is not meaningful with one factor (psych); fit n_factors >= 3 for omega_h"


@dataclass(frozen=True, eq=False)
class Omega:
    """Omega coefficients, as ``psych::omega`` returns them; read-only.

    Attributes
    ----------
    omega_h : float
        Hierarchical omega, ``(sum of general loadings)^2 / sum(R)`` (NaN with one factor).
    omega_total : float
        ``(sum(R) - sum(u2)) / sum(R)`` (psych's ``omega.tot``).
    alpha, g6 : float
        Standardised alpha and Guttman's lambda 6 from the (keyed) correlations.
    explained : float
        Share of the items' variance the common factors explain (``mean(h2)``).
    n_factors, n_items, n : int
        Factors fitted, items, rows.
    converged : bool
        Whether the factor model (and rotation) converged.
    loadings : pandas.DataFrame
        One row per item: item, reversed, g (general loading; the loading with
        one factor), one ``F<j>`` column per group factor (psych's ``F<j>*``),
        h2, u2, p2 (``g^2 / h2``).
    groups : pandas.DataFrame
        psych's ``omega.group``: factor ("g", "F1", ...), total, general, group
        (empty with one factor).
    note : str
        Why a figure is missing, or "".

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [2, 2, 3, 5, 4, 1], "c": [1, 3, 2, 4, 5, 2]})
    >>> o = scales.omega(df)
    >>> round(o.omega_total, 3), o.loadings["item"].tolist()
    (0.933, ['a', 'b', 'c'])
    """

    omega_h: float
    omega_total: float
    alpha: float
    g6: float
    explained: float
    n_factors: int
    n_items: int
    n: int
    converged: bool
    loadings: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    note: str = ""
    name: str = "omega"

    _SCALARS = ("omega_h", "omega_total", "alpha", "g6", "explained", "n_items", "n", "converged", "n_factors")

    def __getitem__(self, key: str) -> float:
        """A coefficient by name, as the Series omega used to return (``o["omega_total"]``).

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import scales
        >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [2, 2, 3, 5, 4, 1], "c": [1, 3, 2, 4, 5, 2]})
        >>> round(scales.omega(df)["omega_total"], 3)
        0.933
        """
        if key not in self._SCALARS:
            raise KeyError(key)
        return float(getattr(self, key))

    def summary(self) -> pd.DataFrame:
        """One row: the coefficients, the number of factors and items, n and note.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import scales
        >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [2, 2, 3, 5, 4, 1], "c": [1, 3, 2, 4, 5, 2]})
        >>> list(scales.omega(df).summary().columns)[:3]
        ['name', 'omega_h', 'omega_total']
        """
        return pd.DataFrame([{"name": self.name, **{k: getattr(self, k) for k in self._SCALARS},
                              "note": self.note}])

    @property
    def attrs(self) -> dict:
        """Deprecated: ``attrs["loadings"]`` is now the ``loadings`` DataFrame.

        Examples
        --------
        >>> import warnings, pandas as pd
        >>> from toolkit import scales
        >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [2, 2, 3, 5, 4, 1], "c": [1, 3, 2, 4, 5, 2]})
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     scales.omega(df).attrs["loadings"].index.tolist()
        ['a', 'b', 'c']
        """
        warnings.warn("omega(...).attrs['loadings'] is now omega(...).loadings (a DataFrame); attrs goes in the "
                      "next release", FutureWarning, stacklevel=2)
        return {"loadings": pd.Series(self.loadings["g"].to_numpy(), index=self.loadings["item"], name="loading")}


def _group_omegas(m: np.ndarray, g: np.ndarray, group: np.ndarray, omega_total: float) -> pd.DataFrame:
    """psych's ``omega.group``: every item counts for the group factor it loads most on."""
    k = group.shape[1]
    sub = np.argmax(np.abs(group), axis=1)
    rows, grs = [], 0.0
    for j in range(k):
        idx = np.flatnonzero(sub == j)
        if not len(idx):
            rows.append((f"F{j + 1}", np.nan, np.nan, np.nan))
            continue
        v = m[np.ix_(idx, idx)].sum()
        gr, gg = group[idx, j].sum(), g[idx].sum()
        grs += gr**2
        rows.append((f"F{j + 1}", (gr**2 + gg**2) / v, gg**2 / v, gr**2 / v))
    first = ("g", omega_total, g.sum() ** 2 / m.sum(), grs / m.sum())
    return pd.DataFrame([first, *rows], columns=["factor", "total", "general", "group"])


def _fit(R: np.ndarray, n_factors: int, flip: bool):
    """(keyed R, g, group loadings, h2, u2, key, converged) for one or ``k`` factors."""
    p = R.shape[0]
    if n_factors == 1:
        loadings, converged = minres(R, 1)
        g, group = loadings[:, 0], np.zeros((p, 0))
        h2 = g**2
    else:
        sl = schmid_leiman(R, n_factors)
        g, group, h2, converged = sl["g"], sl["group"], sl["h2"], sl["converged"]
    key = np.where(g < 0, -1.0, 1.0) if flip else np.ones(p)
    return R * np.outer(key, key), g * key, group * key[:, None], h2, np.diag(R) - h2, key, converged


@renamed_keywords(scale="response_range")
def omega(items: pd.DataFrame, *, n_factors: int = 1, reverse: Sequence[str] | None = None,
          response_range: tuple[float, float] | None = None, missing: str = "pairwise", weights: Weights = None,
          weighted: bool = False, name: str | None = None) -> Omega:
    """McDonald's omega, as ``psych::omega(nfactors = n_factors)`` (see the module notes).

    Parameters
    ----------
    items : DataFrame
        One numeric column per item.
    n_factors : int, default 1
        Factors of the model. 1: omega total only (omega_h is NaN, as psych
        advises). ``k >= 2``: the Schmid-Leiman solution, omega_h and the
        group-factor omegas (psych's default is 3).
    reverse : sequence of str, optional
        Reverse-keyed items (psych's ``key``). When omitted, items loading
        negatively (on the general factor) are reversed, as psych's ``flip``.
    response_range, missing, name
        As in :func:`toolkit.scales.alpha` (``response_range`` was ``scale``).
    weights, weighted
        ``weighted=True`` fits the factor model to the weighted pairwise
        correlations; otherwise omega is unweighted and ``weights`` are unused.

    Returns
    -------
    Omega
        The coefficients (also by name, ``result["omega_total"]``), the
        ``loadings`` and ``groups`` tables.

    Warns
    -----
    ConvergenceWarning
        When the factor model (or the rotation) did not converge.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [2, 2, 3, 5, 4, 1], "c": [1, 3, 2, 4, 5, 2]})
    >>> o = scales.omega(df)  # psych::omega(df, nfactors = 1)$omega.tot
    >>> round(o["omega_total"], 3), o.omega_h
    (0.933, nan)
    """
    if not isinstance(n_factors, int | np.integer) or n_factors < 1:
        raise ScaleError(f"n_factors must be a positive integer, got {n_factors!r}")
    X, names, w = prepare_items(items, reverse or (), response_range, missing, weights, name)
    if n_factors > 1 and len(names) < 2 * n_factors:
        raise ScaleError(f"{n_factors} factors need at least {2 * n_factors} items, got {len(names)}")
    R = pairwise_cor(X, w if weighted else None)
    if not np.all(np.isfinite(R)):
        raise ScaleError("some pairs of items are never answered together; their correlation is undefined")
    m, g, group, h2, u2, key, converged = _fit(R, n_factors, flip=reverse is None)
    if not converged:
        warnings.warn(f"{n_factors}-factor model for {name or 'the scale'} did not converge; omega may be "
                      "inaccurate", ConvergenceWarning, stacklevel=3)
    p, vt = len(names), m.sum()
    omega_total = (vt - u2.sum()) / vt
    table = pd.DataFrame({"item": names, "reversed": key < 0, "g": g})
    for j in range(group.shape[1]):
        table[f"F{j + 1}"] = group[:, j]
    table["h2"], table["u2"] = h2, u2
    with np.errstate(divide="ignore", invalid="ignore"):
        table["p2"] = g**2 / h2
    one = n_factors == 1
    return Omega(
        omega_h=np.nan if one else g.sum() ** 2 / vt, omega_total=float(omega_total),
        alpha=float(((vt - p) / vt) * p / (p - 1)), g6=float((vt + smc(m).sum() - p) / vt),
        explained=float(h2.mean()), n_factors=n_factors, n_items=p, n=X.shape[0], converged=bool(converged),
        loadings=table, groups=pd.DataFrame(columns=["factor", "total", "general", "group"]) if one
        else _group_omegas(m, g, group, float(omega_total)),
        note=ONE_FACTOR_NOTE if one else "", name=name or "omega")
