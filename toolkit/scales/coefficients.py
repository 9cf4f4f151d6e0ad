"""Reliability coefficients and item statistics that agree with R's ``psych``.

* :func:`alpha` follows ``psych::alpha`` (2.2.9): the covariance matrix is
  pairwise-complete (``cov(x, use = "pairwise")``); standardised alpha and the
  average inter-item correlation come from that covariance matrix converted
  to correlations (``cov2cor``), not from pairwise correlations. The interval
  is the Feldt interval psych prints as "95% confidence boundaries", with
  ``n`` the number of rows, as psych counts it. For 0/1 items alpha is KR-20.
* :func:`omega` (in :mod:`toolkit.scales.omega`) follows ``psych::omega``:
  one factor (omega total), or a Schmid-Leiman hierarchy with ``n_factors``.
* :func:`item_analysis` gives psych's item statistics and "reliability if an
  item is dropped".

Weights: item and total means/SDs are weighted when ``weights`` are given.
The reliability coefficients stay unweighted (as in psych) unless
``weighted=True``, which uses the weighted pairwise covariance matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit._validation import (
    as_instrument,
    as_list,
    check_conf_level,
    check_option,
    check_weights,
    renamed_keywords,
)
from toolkit.errors import DataQualityWarning, ScaleError
from toolkit.scales._intervals import design_interval, feldt, kish_n, negative_on_first_component
from toolkit.scales._matrix import (
    MISSING,
    Weights,
    col_mean_sd,
    cov2cor,
    pairwise_cor,
    pairwise_cov,
    prepare_items,
    smc,
)
from toolkit.scales.factor import minres_loadings
from toolkit.scales.omega import Omega, omega

__all__ = ["alpha", "omega", "Omega", "item_analysis", "minres_loadings", "reliability", "item_statistics", "MISSING",
           "Weights"]

#: how :func:`alpha` computes its interval
ALPHA_CI_METHODS = ("feldt", "design")


@np.errstate(divide="ignore", invalid="ignore")  # degenerate item sets give NaN, not warnings
def _alpha_stats(C: np.ndarray, R: np.ndarray) -> dict[str, float]:
    """psych's internal ``alpha.1`` on a covariance and correlation matrix."""
    p = C.shape[0]
    total = C.sum()
    raw = (1 - np.trace(C) / total) * p / (p - 1)
    sum_r = R.sum()
    std = (1 - p / sum_r) * p / (p - 1)
    g6 = 1 - (p - smc(R).sum()) / sum_r
    av_r = (sum_r - p) / (p * (p - 1))
    CC = C @ C
    q = (2 * p**2 / ((p - 1) ** 2 * total**3)) * (
        total * (np.trace(CC) + np.trace(C) ** 2) - 2 * np.trace(C) * CC.sum()
    )
    return {
        "alpha": raw,
        "std_alpha": std,
        "g6": g6,
        "average_r": av_r,
        "median_r": float(np.median(R[np.tril_indices(p, -1)])),
        "signal_noise": p * av_r / (1 - av_r),
        "q": q,
    }


def _covariances(X, w, weighted):
    C = pairwise_cov(X, w if weighted else None)
    if not np.all(np.isfinite(C)):
        raise ScaleError("some pairs of items are never answered together; their covariance is undefined")
    return C, cov2cor(C)


def _total(X, w):
    """Row mean of the valid items, then its (weighted) mean and SD."""
    present = ~np.isnan(X)
    cnt = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(present, X, 0.0).sum(axis=1) / cnt
    _, mean, sd = col_mean_sd(total[:, None], w)
    return total, float(mean[0]), float(sd[0])




@renamed_keywords(scale="response_range", ci="conf_level")
def alpha(items: pd.DataFrame, *, reverse: Sequence[str] = (), response_range: tuple[float, float] | None = None,
          missing: str = "pairwise", weights: Weights = None, weighted: bool = False, conf_level: float = 0.95,
          ci_method: str = "feldt", check_keys: bool = False, name: str | None = None) -> pd.Series:
    """Cronbach's alpha with psych's companion statistics, as ``psych::alpha``.

    Parameters
    ----------
    items : DataFrame
        One numeric column per item (NaN = missing); every column is used.
    reverse : sequence of str
        Reverse-keyed items, scored ``min + max - x`` (psych's ``keys``).
    response_range : (min, max), optional
        Response range used for reversing; psych's default (the smallest and
        largest value among all items) when omitted. Formerly ``scale``.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` (psych's default) uses every pair's complete rows;
        ``"listwise"`` first drops rows with any missing item, the same as
        ``psych::alpha(na.omit(x))``.
    weights : column name, Series, array or survey Design, optional
        Survey weights (a :class:`toolkit.survey.Design` on the same rows
        lends its weights): the scale ``mean`` and ``sd`` are weighted.
    weighted : bool
        Also weight the covariance matrix behind the coefficients
        (default False: reliability is a property of the items, as in psych).
    conf_level : float
        Confidence level of the interval (default 0.95). Formerly ``ci``.
    ci_method : {"feldt", "design"}
        ``"feldt"`` (psych's "confidence boundaries"): Feldt's interval on
        ``n`` rows, or with ``weighted=True`` on Kish's effective sample size
        ``(sum w)^2 / sum w^2``, which also replaces ``n`` in ``ase``
        (see :mod:`toolkit.scales._intervals`). ``"design"``: a design-based
        interval, alpha +- t se on the design's degrees of freedom, with se
        linearised through the survey design given as ``weights`` (strata,
        clusters, fpc and calibration count; R: the delta method on
        ``svyvar``'s covariance); it needs ``weighted=True`` and a Design, and
        uses the rows with every item answered.
    check_keys : bool
        As psych's ``check.keys``: reverse the items that load negatively on
        the first principal component, with a warning naming them (then
        ``reverse`` must be empty). Without it an item that looks
        reverse-keyed but is not declared gets a :class:`DataQualityWarning`.
    name : str, optional
        Scale name: the name of the result and of the scale in error messages.

    Returns
    -------
    Series
        ``alpha`` (raw alpha; KR-20 for 0/1 items), ``std_alpha``, ``g6``
        (Guttman's lambda 6), ``average_r``, ``median_r``, ``signal_noise``,
        ``ase`` (Duhachek's standard error), ``mean`` and ``sd`` of the scale
        (mean of valid items), ``n_items``, ``n`` (rows, as psych counts
        them), ``n_eff`` (Kish's effective n with ``weighted=True``, else
        ``n``), ``ci_low``/``ci_high``; with ``ci_method="design"`` also
        ``se`` and ``df``. ``result.attrs["reversed"]`` lists the items
        ``check_keys`` reversed.

    Warns
    -----
    DataQualityWarning
        An item loads negatively on the first principal component of the
        (keyed) items: it is probably reverse-keyed and not declared.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 2, 4, 5]})
    >>> round(float(scales.alpha(df)["alpha"]), 4)  # psych::alpha(df)$total$raw_alpha
    0.9322
    >>> scales.alpha(df, conf_level=0.9)[["ci_low", "ci_high"]].round(3).tolist()
    [0.8, 0.98]
    """
    conf_level = check_conf_level(conf_level)
    check_option(ci_method, "ci_method", ALPHA_CI_METHODS)
    if ci_method == "design" and not (weighted and hasattr(weights, "degf")):
        raise ScaleError("ci_method='design' needs weights=<a survey Design on the same rows> and weighted=True")
    reverse = _keys(items, reverse, check_keys, response_range, missing, name)
    X, names, w = prepare_items(items, reverse, response_range, missing, weights, name)
    C, R = _covariances(X, w, weighted)
    if not check_keys:
        _warn_unkeyed(X, names, name)
    st = _alpha_stats(C, R)
    n, p = X.shape
    n_eff = kish_n(w) if weighted and w is not None else float(n)
    _, mean, sd = _total(X, w)
    coef = {k: st[k] for k in ("alpha", "std_alpha", "g6", "average_r", "median_r", "signal_noise")}
    out = {**coef, "ase": float(np.sqrt(st["q"] / n_eff)), "mean": mean, "sd": sd, "n_items": p, "n": n,
           "n_eff": n_eff}
    if ci_method == "design":
        out["se"], out["df"], out["ci_low"], out["ci_high"] = design_interval(st["alpha"], X, weights, conf_level)
    else:
        out["ci_low"], out["ci_high"] = feldt(st["alpha"], n_eff, p, conf_level)
    result = pd.Series(out, name=name or "alpha", dtype=float)
    result.attrs["reversed"] = list(reverse) if check_keys else []
    return result


def _keys(items, reverse, check_keys, response_range, missing, name) -> list:
    """The reverse-keyed items: as given, or psych's ``check.keys`` choice (with its warning)."""
    if not check_keys:
        return as_list(reverse, "reverse")
    if as_list(reverse, "reverse"):
        raise ScaleError("give reverse= or check_keys=True, not both")
    X, names, _ = prepare_items(items, (), response_range, missing, None, name)
    negative = negative_on_first_component(pairwise_cor(X))
    flipped = [c for c, neg in zip(names, negative, strict=True) if neg]
    if flipped:
        warnings.warn(f"{name or 'scale'}: item(s) {', '.join(flipped)} were negatively correlated with the "
                      "total scale and were automatically reversed (check_keys=True)",
                      DataQualityWarning, stacklevel=4)
    return flipped


def _warn_unkeyed(X: np.ndarray, names: list, name) -> None:
    """psych's warning: an item loading negatively on the first principal component is probably
    reverse-keyed; here it is tested after the declared items are reversed, so it names undeclared ones."""
    negative = negative_on_first_component(pairwise_cor(X))
    if negative.any():
        bad = ", ".join(c for c, neg in zip(names, negative, strict=True) if neg)
        warnings.warn(f"{name or 'scale'}: item(s) {bad} are negatively correlated with the total scale and "
                      "probably should be reversed (declare them in reverse=, or use check_keys=True)",
                      DataQualityWarning, stacklevel=4)


def _if_deleted(C: np.ndarray, R: np.ndarray) -> np.ndarray:
    """alpha, std_alpha and average_r without each item in turn (NaN with two items: one has no alpha)."""
    p = C.shape[0]
    drop = np.full((p, 3), np.nan)
    if p > 2:
        for i in range(p):  # one small matrix per item, never per row
            keep = np.arange(p) != i
            st = _alpha_stats(C[np.ix_(keep, keep)], R[np.ix_(keep, keep)])
            drop[i] = st["alpha"], st["std_alpha"], st["average_r"]
    return drop


@renamed_keywords(scale="response_range")
def item_analysis(items: pd.DataFrame, *, reverse: Sequence[str] = (),
                  response_range: tuple[float, float] | None = None, missing: str = "pairwise",
                  weights: Weights = None, weighted: bool = False, name: str | None = None) -> pd.DataFrame:
    """Item statistics and "reliability if the item is dropped", as ``psych::alpha``'s ``item.stats``.

    Parameters are those of :func:`alpha` but ``conf_level`` (``response_range`` was ``scale``).

    Returns
    -------
    DataFrame
        One row per item: ``item``, ``reverse``, ``n`` (valid answers),
        ``missing`` (share of rows without an answer), ``mean``, ``sd``
        (weighted when ``weights`` are given; reversed items on the reversed
        scale), ``raw_r`` (item with the scale score), ``std_r``, ``r_cor``
        (corrected for overlap), ``r_drop`` (corrected item-total
        correlation: item against the sum of the other items),
        ``alpha_if_deleted``, ``std_alpha_if_deleted``,
        ``average_r_if_deleted`` (psych's ``alpha.drop``). With only two
        items the "if deleted" columns are NaN (one item has no alpha).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 2, 4, 5]})
    >>> scales.item_analysis(df)[["item", "r_drop", "alpha_if_deleted"]].round(3)
      item  r_drop  alpha_if_deleted
    0    a   0.943             0.833
    1    b   0.809             0.947
    2    c   0.855             0.909
    """
    X, names, w = prepare_items(items, reverse, response_range, missing, weights, name)
    C, R = _covariances(X, w, weighted)
    drop = _if_deleted(C, R)
    c_rest = C.sum(axis=0) - np.diag(C)
    v_rest = C.sum() - 2 * C.sum(axis=0) + np.diag(C)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_drop = c_rest / np.sqrt(np.diag(C) * v_rest)
        RC = R.copy()
        np.fill_diagonal(RC, smc(R))
        r_cor = RC.sum(axis=0) / np.sqrt(RC.sum())
    total, _, _ = _total(X, w)
    raw_r = pairwise_cor(np.column_stack([total, X]))[0, 1:]
    n, mean, sd = col_mean_sd(X, w)
    return pd.DataFrame(
        {
            "item": names,
            "reverse": np.isin(names, as_list(reverse)),
            "n": n,
            "missing": 1 - n / X.shape[0],
            "mean": mean,
            "sd": sd,
            "raw_r": raw_r,
            "std_r": R.sum(axis=0) / np.sqrt(R.sum()),
            "r_cor": r_cor,
            "r_drop": r_drop,
            "alpha_if_deleted": drop[:, 0],
            "std_alpha_if_deleted": drop[:, 1],
            "average_r_if_deleted": drop[:, 2],
        }
    )


def _scored_scales(data, instrument, scales, weights, missing):
    """Each chosen scale with its prepared items and weights, for the rows it scores.

    Those are the respondents with at least ``min_valid`` valid items, the rule
    of :func:`toolkit.score`.
    """
    from toolkit.scales.scoring import _chosen_scales, scale_items

    check_option(missing, "missing", MISSING)
    instrument = as_instrument(instrument)
    w_all = None if weights is None else check_weights(weights, data, error=ScaleError)
    for sc in _chosen_scales(instrument, scales):
        items = scale_items(data, instrument, sc.id)
        keep = (items.notna().sum(axis=1) >= sc.min_valid).to_numpy()
        yield sc, items[keep], None if w_all is None else w_all[keep]


def reliability(data: pd.DataFrame, instrument, *, scales: Sequence[str] | None = None, missing: str = "pairwise",
                weights: Weights = None, weighted: bool = False, with_omega: bool = True) -> pd.DataFrame:
    """Reliability of every scale of an instrument, one row per scale (``psych::alpha`` and ``psych::omega``).

    Self-report items are analysed after reversing the reverse-keyed items
    (missing codes 66/88/99 count as missing); knowledge items as 0/1
    ("don't know" = 0), so their alpha is KR-20. Only the respondents the
    scale scores enter its analysis: those with at least the scale's
    ``min_valid`` valid items (as :func:`toolkit.score`); the others (too few
    answers, not asked) are left out, and ``n`` counts who is left.

    Parameters
    ----------
    data : DataFrame
        Response data keyed by item id.
    instrument : Instrument, str or path
        An :class:`~toolkit.instrument.Instrument`, a bundled id such as
        ``"dis-full"`` or the path to an instrument YAML file.
    scales : sequence of str, optional
        Only these scales (default all).
    missing, weights, weighted
        As in :func:`alpha`: reliability is unweighted unless ``weighted=True``;
        ``weights`` weight the scale mean and SD.
    with_omega : bool
        Also fit the one-factor model for omega total (default True).

    Returns
    -------
    DataFrame
        ``scale``, ``domain``, ``kind``, ``coefficient`` ("alpha" or
        "kr20"), ``n_items``, ``n``, ``alpha``, ``ci_low``, ``ci_high``
        (Feldt), ``std_alpha``, ``average_r``, ``omega_total``, ``mean``,
        ``sd`` (of the scale's item mean), ``note``. A one-item scale gets a row
        with coefficient "none", no alpha or omega, and a note saying why.

    Examples
    --------
    >>> import numpy as np, pandas as pd, toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> items = inst.scales["practical_kn"].items
    >>> correct = [inst.item(i).correct for i in items]
    >>> rng = np.random.default_rng(1)
    >>> skill = rng.random((80, 1))
    >>> right = rng.random((80, 4)) < skill  # "don't know" (88) otherwise
    >>> df = pd.DataFrame(np.where(right, correct, 88), columns=list(items))
    >>> rel = toolkit.reliability(df, "dis-full", scales=["practical_kn"])
    >>> rel[["scale", "coefficient", "n", "alpha", "omega_total"]].round(3)
              scale coefficient   n  alpha  omega_total
    0  practical_kn        kr20  80  0.662        0.664
    """
    rows = []
    for sc, items, w in _scored_scales(data, instrument, scales, weights, missing):
        if items.shape[1] == 1:  # a one-item scale scores, but has no internal consistency to estimate
            rows.append(_one_item_row(sc, items.iloc[:, 0], w))
            continue
        a = alpha(items, missing=missing, weights=w, weighted=weighted, name=sc.id)
        row = {
            "scale": sc.id,
            "domain": sc.domain,
            "kind": sc.kind,
            "coefficient": "kr20" if sc.kind == "knowledge" else "alpha",
            **a[["n_items", "n", "alpha", "ci_low", "ci_high", "std_alpha", "average_r"]].to_dict(),
            "omega_total": np.nan,
            "mean": a["mean"],
            "sd": a["sd"],
        }
        if with_omega:
            row["omega_total"] = omega(items, reverse=(), missing=missing, weights=w, weighted=weighted,
                                       name=sc.id)["omega_total"]
        rows.append(row | {"note": ""})
    out = pd.DataFrame(rows)
    return out.astype({"n_items": int, "n": int})


def _one_item_row(sc, item: pd.Series, w: np.ndarray | None) -> dict:
    ok = item.notna().to_numpy()
    x = item.to_numpy(float)[ok]
    weights = np.ones(x.size) if w is None else w[ok]
    mean = float(np.average(x, weights=weights)) if x.size else np.nan
    sd = float(np.sqrt(np.average((x - mean) ** 2, weights=weights) * x.size / (x.size - 1))) if x.size > 1 else np.nan
    empty = dict.fromkeys(("alpha", "ci_low", "ci_high", "std_alpha", "average_r", "omega_total"), np.nan)
    return {"scale": sc.id, "domain": sc.domain, "kind": sc.kind, "coefficient": "none", "n_items": 1,
            "n": int(ok.sum()), **empty, "mean": mean, "sd": sd,
            "note": "one item: no internal consistency to estimate (alpha and omega need two or more items)"}


def item_statistics(data: pd.DataFrame, instrument, *, scales: Sequence[str] | None = None,
                    missing: str = "pairwise", weights: Weights = None, weighted: bool = False) -> pd.DataFrame:
    """:func:`item_analysis` of every scale of an instrument in one tidy table (``psych::alpha``'s item stats).

    One-item scales are left out: an item-rest correlation needs a rest.

    Items and respondents are chosen as in :func:`reliability` (reverse-keyed
    self-report items reversed, knowledge items 0/1, only respondents with at
    least ``min_valid`` valid items), so ``mean`` of a knowledge item is its
    share correct among the scored respondents.

    Parameters
    ----------
    data, instrument, scales, missing, weights, weighted
        As in :func:`reliability` (``instrument`` an Instrument, a bundled id
        or a YAML path).

    Returns
    -------
    DataFrame
        ``scale``, ``domain``, ``kind`` and the columns of :func:`item_analysis`
        (``reverse`` there is the instrument's reverse key).

    Examples
    --------
    >>> import numpy as np, pandas as pd, toolkit
    >>> from toolkit import scales
    >>> inst = toolkit.load_instrument("dis-full")
    >>> items = inst.scales["navigation_sr"].items
    >>> rng = np.random.default_rng(3)
    >>> trait = rng.normal(size=(200, 1))
    >>> codes = np.clip(np.round(3 + trait + rng.normal(size=(200, len(items)))), 1, 5)
    >>> keyed = np.array([inst.item(i).reverse for i in items])
    >>> codes[:, keyed] = 6 - codes[:, keyed]  # reverse-keyed items are answered the other way round
    >>> table = scales.item_statistics(pd.DataFrame(codes, columns=items), inst, scales=["navigation_sr"])
    >>> table[["item", "reverse", "mean", "r_drop"]].round(2)
          item  reverse  mean  r_drop
    0  navi_01    False  3.13    0.62
    1  navi_02     True  3.00    0.69
    2  navi_03    False  3.07    0.59
    3  navi_04    False  3.06    0.64
    4  navi_05     True  3.08    0.64
    5  navi_06    False  3.10    0.65
    6  navi_07     True  3.04    0.72
    """
    instrument = as_instrument(instrument)
    frames = []
    for sc, items, w in _scored_scales(data, instrument, scales, weights, missing):
        if items.shape[1] < 2:  # item-rest statistics need a rest
            continue
        table = item_analysis(items, missing=missing, weights=w, weighted=weighted, name=sc.id)
        table["reverse"] = [instrument.item(i).reverse for i in table["item"]]
        frames.append(table.assign(scale=sc.id, domain=sc.domain, kind=sc.kind))
    out = pd.concat(frames, ignore_index=True)
    return out[["scale", "domain", "kind", *[c for c in out.columns if c not in ("scale", "domain", "kind")]]]
