"""Differential item functioning (DIF) of knowledge items: Mantel-Haenszel with ETS classes.

For each item and each comparison of a focal group with the reference
group, respondents are stratified on their matching score -- by default the
total score on the items matched on, including the studied item -- and the
2 x 2 x K table (group x correct x stratum) goes to statsmodels'
``StratifiedTable``:

* ``alpha_mh``: the Mantel-Haenszel common odds ratio, odds of a correct
  answer in the reference group over the odds in the focal group;
* ``d_dif = -2.35 * ln(alpha_mh)`` (the ETS delta scale): negative values
  mean the item is harder for the focal group than for reference-group
  members of equal skill;
* ``se_d``: 2.35 times the Robins-Breslow-Greenland SE of ``ln(alpha_mh)``;
* ``chi2`` / ``p_value``: the Mantel-Haenszel test with continuity correction.

Why the total and not the rest score: with the studied item in the matching
score, MH is unbiased for items without DIF under the Rasch model (Holland &
Thayer 1988). Matching on the rest score is available (``matching="rest"``)
but, when groups differ in ability, lets that difference leak into the test:
in simulations with a half-SD group difference and 20 Rasch items about 15%
of unbiased items had p < 0.05 (3.8% with the total score), and with the
instrument's four-item knowledge scales it flags most items.

ETS classes (Zwick 2012):

* ``A`` (negligible): ``|D| < 1`` or the MH test is not significant (p >= 0.05);
* ``C`` (large): ``|D| >= 1.5`` and ``|D|`` significantly above 1
  (``(|D| - 1) / se_d > 1.645``, one-sided 5%);
* ``B`` (moderate): everything else.

Strata with fewer than two respondents or with only one group carry no
information and are left out. Respondents need an answer on every item
(listwise); "don't know" counts as incorrect, as in scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from toolkit._validation import as_instrument, as_list, check_frame, check_option, check_sig_level, renamed_keywords
from toolkit.errors import ScaleError
from toolkit.instrument.vocabulary import DEFAULT_MISSING_CODES, DONT_KNOW
from toolkit.scales._matrix import item_matrix
from toolkit.scales.scoring import _item_codes, _knowledge_matrix

__all__ = ["dif", "ets_class"]

ETS = ("A", "B", "C")
#: columns of the MH table, before the ETS class
COLUMNS = ["item", "scale", "group", "reference", "focal", "n_reference", "n_focal", "p_reference", "p_focal",
           "strata", "alpha_mh", "d_dif", "se_d", "chi2", "p_value", "anchor"]


@renamed_keywords(level="sig_level")
def ets_class(d: np.ndarray, se: np.ndarray, p_value: np.ndarray, *, sig_level: float = 0.05) -> pd.Categorical:
    """ETS A/B/C class from MH D-DIF, its SE and the MH test's p-value (as ``difR::difMH``'s ETS column).

    Parameters
    ----------
    d, se, p_value : array-like
        MH D-DIF, its standard error and the MH test's p-value, per item.
    sig_level : float
        Significance level of both tests (default 0.05). Formerly ``level``.

    Returns
    -------
    Categorical
        Ordered ``A < B < C``; missing where ``d`` or ``p_value`` is.

    Examples
    --------
    >>> from toolkit.scales.dif import ets_class
    >>> list(ets_class([0.2, -1.2, -2.0, 1.6], [0.1, 0.2, 0.2, 0.5], [0.5, 0.001, 0.0001, 0.01]))
    ['A', 'B', 'C', 'B']
    """
    d, se, p = (np.asarray(v, dtype=float) for v in (d, se, p_value))
    ad = np.abs(d)
    z = stats.norm.ppf(1 - sig_level)
    cls = np.where((ad < 1) | (p >= sig_level), "A", np.where((ad >= 1.5) & ((ad - 1) / se > z), "C", "B"))
    cls = np.where(np.isnan(d) | np.isnan(p), None, cls)
    return pd.Categorical(cls, categories=ETS, ordered=True)


def _item_sets(items, instrument):
    """(scale id or None, items) groups; each group is matched on its own items."""
    if items is not None:
        return [(None, list(items))]
    if instrument is None:
        raise ScaleError("give the knowledge items (items=...) or an instrument")
    # one knowledge scale per domain: matching across domains would mix different skills
    return [(s.id, list(s.items)) for s in instrument.scales.values() if s.kind == "knowledge"]


def _scored(data, items, correct, instrument):
    if correct is None and instrument is not None:
        correct = {i: instrument.item(i).correct for i in items}
    if correct is not None:
        codes, dont_know = (_item_codes(instrument, items) if instrument is not None
                            else (tuple(DEFAULT_MISSING_CODES.values()), DONT_KNOW))
        K, names = _knowledge_matrix(data, items, correct, dont_know, tuple(codes), "the DIF items")
    else:
        K, names = item_matrix(data, items, name="the DIF items", allow_constant=True)
        bad = [c for j, c in enumerate(names) if not np.isin(K[:, j][~np.isnan(K[:, j])], (0.0, 1.0)).all()]
        if bad:
            raise ScaleError(f"DIF items must be scored 0/1 (or give correct=...): {', '.join(bad)}")
    return K, names


def _mh_row(tables: np.ndarray) -> dict[str, float]:
    n_k = tables.sum(axis=(1, 2))
    rows = tables.sum(axis=2)
    keep = (n_k >= 2) & (rows > 0).all(axis=1)
    t = tables[keep]
    out = {"strata": int(keep.sum())}
    if keep.sum() == 0 or (t[:, :, 0].sum() == 0) or (t[:, :, 1].sum() == 0):
        return out | {"alpha_mh": np.nan, "d_dif": np.nan, "se_d": np.nan, "chi2": np.nan, "p_value": np.nan}
    st = StratifiedTable(np.moveaxis(t, 0, 2).astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = st.oddsratio_pooled
        se = st.logodds_pooled_se
        chi2 = mh_chi2(t)
        d_dif = -2.35 * np.log(a)
    return out | {
        "alpha_mh": a,
        "d_dif": d_dif,
        "se_d": 2.35 * se,
        "chi2": chi2,
        "p_value": float(stats.chi2.sf(chi2, 1)),
    }


def mh_chi2(tables: np.ndarray) -> float:
    """Mantel-Haenszel chi-square of ``K x 2 x 2`` tables, as ``mantelhaen.test(correct = TRUE)``.

    R subtracts the continuity correction of 0.5 only when ``|sum(a - E(a))| >= 0.5``;
    statsmodels' ``test_null_odds(correction=True)`` always does, which inflates the
    statistic of sparse tables.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([[[3, 1], [1, 3]], [[2, 2], [1, 3]]])
    >>> round(mh_chi2(t), 6)  # mantelhaen.test(array(c(3,1,1,3,2,1,2,3), c(2,2,2)))$statistic
    0.903226
    """
    t = tables.astype(float)
    n = t.sum(axis=(1, 2))
    row1, row2 = t[:, 0, :].sum(axis=1), t[:, 1, :].sum(axis=1)
    col1, col2 = t[:, :, 0].sum(axis=1), t[:, :, 1].sum(axis=1)
    delta = float((t[:, 0, 0] - row1 * col1 / n).sum())
    var = float((row1 * row2 * col1 * col2 / (n**2 * (n - 1))).sum())
    yates = 0.5 if abs(delta) >= 0.5 else 0.0
    return (abs(delta) - yates) ** 2 / var


@renamed_keywords(group="by", level="sig_level")
def dif(data: pd.DataFrame, items: Sequence[str] | None = None, *, by: str | Sequence[str], instrument=None,
        correct: Mapping[str, int] | None = None, reference: Mapping[str, object] | object | None = None,
        matching: str = "total", purify: bool = True, sig_level: float = 0.05) -> pd.DataFrame:
    """Mantel-Haenszel DIF for knowledge items, one row per item and group comparison.

    Mirrors R's ``stats::mantelhaen.test`` on each item's 2 x 2 x K table
    (``difR::difMH`` with ``purify = TRUE`` for the purification).

    Parameters
    ----------
    data : DataFrame
        Item answers plus the grouping column(s).
    items : sequence of str, optional
        Items to test, matched on each other. Default: the knowledge items of
        ``instrument``, each knowledge scale (domain) matched on its own items.
    by : str or sequence of str
        Grouping column(s), e.g. ``"age_band"`` or ``["age_band", "home_language"]``.
        Formerly ``group``.
    instrument : Instrument, str or path, optional
        Supplies the items and their correct answers: an Instrument, a
        bundled id such as ``"dis-full"`` or a YAML path.
    correct : mapping, optional
        Item -> correct code; without it (and without an instrument) the
        items must already be scored 0/1.
    reference : value or mapping, optional
        Reference group (per grouping column when a mapping); default the
        largest group. Every other group is compared with it.
    matching : {"total", "rest"}
        Stratify on the total score including the studied item (default;
        Holland-Thayer/ETS practice) or on the rest score (the other items
        only; see the module notes for why this is not the default).
    purify : bool
        Two-stage (iterative) purification: the item with the largest |D|
        among those flagged B or C leaves the matching score and all items
        are tested again, until no item of the matching score is flagged
        (or only two are left). Without it, one biased item in a short
        scale makes the others look biased the other way.
    sig_level : float
        Significance level for the ETS classes (default 0.05). Formerly ``level``.

    Returns
    -------
    DataFrame
        ``item``, ``scale`` (the knowledge scale matched on, or None),
        ``group`` (the grouping column), ``reference``, ``focal``,
        ``n_reference``, ``n_focal``, ``p_reference``, ``p_focal`` (share
        correct), ``strata``, ``alpha_mh``, ``d_dif``, ``se_d``, ``chi2``,
        ``p_value``, ``anchor`` (False when purification took the item out
        of the matching score), ``ets`` (A/B/C) and ``favours`` (the group
        the item favours when the class is B or C).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from scipy.special import expit
    >>> from toolkit import scales
    >>> rng = np.random.default_rng(0)
    >>> n = 4000
    >>> g = rng.choice(["young", "old"], n)
    >>> theta = rng.normal(size=n)
    >>> b = np.linspace(-1.5, 1.5, 8)
    >>> shift = np.where((g == "old")[:, None] & (np.arange(8) == 3), 1.5, 0.0)  # item k4 harder for "old"
    >>> x = (rng.random((n, 8)) < expit(theta[:, None] - b - shift)).astype(float)
    >>> df = pd.DataFrame(x, columns=[f"k{i}" for i in range(1, 9)]).assign(age=g)
    >>> res = scales.dif(df, [f"k{i}" for i in range(1, 9)], by="age", reference="young")
    >>> res.loc[res["ets"] != "A", ["item", "ets", "favours"]].to_string(index=False)
    'item ets favours\\n  k4   C   young'
    """
    check_sig_level(sig_level)
    by = as_list(by, "by")
    check_frame(data, columns=by, error=ScaleError)
    check_option(matching, "matching", ("total", "rest"))
    instrument = None if instrument is None else as_instrument(instrument)
    rows = []
    for scale_id, item_ids in _item_sets(items, instrument):
        K, names = _scored(data, item_ids, correct, instrument)
        if len(names) < 2:
            raise ScaleError(f"DIF needs at least 2 items to match on, got {len(names)}")
        complete = ~np.isnan(K).any(axis=1)
        for gcol in by:
            for ref, focal, sel, is_focal in _comparisons(data[gcol], complete, reference):
                res = _compare(K[sel].astype(int), is_focal, matching, purify, sig_level)
                rows += [{"item": item, "scale": scale_id, "group": gcol, "reference": ref, "focal": focal,
                          "n_reference": int((is_focal == 0).sum()), "n_focal": int(is_focal.sum()), **res[j]}
                         for j, item in enumerate(names)]
    return _classified(pd.DataFrame(rows, columns=COLUMNS), sig_level)


def _comparisons(g: pd.Series, complete: np.ndarray, reference):
    """(reference, focal, rows, is_focal) for each focal group against the reference group of column ``g``."""
    counts = g[complete].value_counts()
    ref = reference.get(g.name) if isinstance(reference, Mapping) else reference
    if ref is None:
        ref = counts.index[0]
    if ref not in counts.index:
        raise ScaleError(f"reference group {ref!r} has no complete answers in column {g.name!r}")
    for focal in [v for v in counts.index if v != ref]:
        sel = complete & g.isin([ref, focal]).to_numpy()
        yield ref, focal, sel, (g[sel] == focal).to_numpy().astype(int)


def _classified(out: pd.DataFrame, sig_level: float) -> pd.DataFrame:
    """Add the ETS class and the group a B or C item favours."""
    out["ets"] = ets_class(out["d_dif"], out["se_d"], out["p_value"], sig_level=sig_level)
    flagged = out["ets"].isin(["B", "C"]).to_numpy()
    fav = np.where(out["d_dif"] < 0, out["reference"].astype(object), out["focal"].astype(object))
    out["favours"] = pd.Series(np.where(flagged, fav, None), dtype=object)
    return out


def _compare(K: np.ndarray, is_focal: np.ndarray, matching: str, purify: bool, sig_level: float) -> list[dict]:
    """MH statistics of every item for one focal-reference comparison, with purification."""
    n_items = K.shape[1]
    anchor = np.ones(n_items, dtype=bool)
    while True:
        base = K[:, anchor].sum(axis=1)
        res = []
        for j in range(n_items):
            match = base - K[:, j] if anchor[j] else base  # the anchor score without the studied item
            if matching == "total":
                match = match + K[:, j]
            # cell index: stratum, group (0 = reference), answer (0 = correct)
            cell = (match * 2 + is_focal) * 2 + (1 - K[:, j])
            tables = np.bincount(cell, minlength=(n_items + 1) * 4).reshape(n_items + 1, 2, 2)
            res.append({"p_reference": K[is_focal == 0, j].mean(), "p_focal": K[is_focal == 1, j].mean(),
                        **_mh_row(tables), "anchor": bool(anchor[j])})
        if not purify or anchor.sum() <= 2:
            return res
        d = np.array([r["d_dif"] for r in res])
        cls = ets_class(d, np.array([r["se_d"] for r in res]), np.array([r["p_value"] for r in res]),
                        sig_level=sig_level)
        suspect = anchor & np.isin(np.asarray(cls, dtype=object), ["B", "C"])
        if not suspect.any():
            return res
        # the worst item leaves the matching score; the others are tested again
        anchor[np.argmax(np.where(suspect, np.abs(d), -1))] = False
