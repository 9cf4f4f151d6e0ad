"""Scale scores: self-report means, knowledge sums, levels and the confidence gap.

Self-report items are reverse-keyed on the response scale's own range
(``min + max - x``) and scored as the mean of the valid items. A respondent
with fewer valid items than the scale's ``min_valid`` gets NaN, and a
``<scale>_reason`` column says why: ``too_few_valid``, ``no_answers``, or
``not_asked`` (cleaned data whose ``<item>_missing`` companions mark every
item of the scale as not asked).

Knowledge items are scored correct / incorrect. "Don't know" counts as
incorrect; a real missing value (refused, "don't understand", not asked,
skipped) stays missing. "Don't know" is recognised in either form the data
may take:

* raw: the item column holds the code 88;
* cleaned: the item is NaN and a companion column ``<item>_missing`` holds
  the category ``"dont_know"`` (cleaning keeps the kind of missingness there).

The confidence-versus-performance gap of a domain is the standardised
self-report score minus the standardised knowledge score (z-scores over the
respondents with both scores; weighted mean and SD when weights are given).
A gap above ``gap_cutoff`` SDs (default 1) is ``overconfident``, below minus
the cut-off ``underconfident``, otherwise ``aligned``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, as_list, check_weights, renamed_keywords
from toolkit.errors import DataQualityWarning, ScaleError
from toolkit.instrument.vocabulary import DEFAULT_MISSING_CODES, DONT_KNOW
from toolkit.scales._matrix import item_matrix

__all__ = ["score_items", "score_knowledge", "confidence_gap", "gap_scales", "scale_items", "score", "DONT_KNOW",
           "REASONS", "CONFIDENCE"]

REASONS = ("too_few_valid", "no_answers", "not_asked")
CONFIDENCE = ("underconfident", "aligned", "overconfident")


def _min_valid(min_valid: int | None, n_items: int, name: str | None) -> int:
    if min_valid is None:
        return 1
    if not 1 <= int(min_valid) <= n_items:
        raise ScaleError(f"min_valid for {name or 'the scale'} must be from 1 to {n_items}, got {min_valid}")
    return int(min_valid)


def _categorical(codes: np.ndarray, categories: Sequence[str], index: pd.Index, ordered: bool = False) -> pd.Series:
    # from integer codes (-1 = missing): no million Python strings on large data
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, ordered=ordered), index=index)


def _reasons(n_valid: np.ndarray, need: int, index: pd.Index, not_asked: np.ndarray | None = None) -> pd.Series:
    codes = np.where(n_valid == 0, 1, np.where(n_valid < need, 0, -1))
    if not_asked is not None:
        codes = np.where((n_valid == 0) & not_asked, 2, codes)
    return _categorical(codes, REASONS, index)


def _mean_score(X: np.ndarray, need: int) -> tuple[np.ndarray, np.ndarray]:
    valid = ~np.isnan(X)
    n_valid = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(valid, X, 0.0).sum(axis=1) / n_valid
    return np.where(n_valid >= need, score, np.nan), n_valid


@renamed_keywords(df="data", scale="response_range")
def score_items(data: pd.DataFrame, items: Sequence[str], *, reverse: Sequence[str] = (),
                response_range: tuple[float, float] | None = None, min_valid: int | None = None,
                rescale: bool = False, name: str | None = None) -> pd.Series:
    """Mean score of self-report items, as ``psych::scoreItems`` (``totals = FALSE``, no imputation).

    Parameters
    ----------
    data : DataFrame
        Item columns coded as numbers, NaN = missing (clean data); other
        columns are ignored. Formerly ``df``.
    items : sequence of str
        The scale's items; column order does not matter.
    reverse : sequence of str
        Reverse-keyed items, scored ``min + max - x``.
    response_range : (min, max)
        The response scale's range. Required when ``reverse`` or ``rescale``
        is used; when given, values outside it raise :class:`ScaleError`.
        Formerly ``scale``.
    min_valid : int, optional
        Fewest valid items for a score (default 1: the mean of what was answered).
    rescale : bool
        Return ``100 * (score - min) / (max - min)`` instead of the raw mean.
    name : str, optional
        Name of the result (and of the scale in error messages).

    Returns
    -------
    Series
        One score per row of ``data`` (same index); NaN below ``min_valid``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"a": [1, 5, None], "b": [1, 5, None], "c": [5, 1, 3]})
    >>> # psych::scoreItems(list(s = c("a", "b", "-c")), df, min = 1, max = 5, impute = "none")
    >>> scales.score_items(df, ["a", "b", "c"], reverse=["c"], response_range=(1, 5), min_valid=2).tolist()
    [1.0, 5.0, nan]
    """
    X, names = item_matrix(data, items, name=name, allow_constant=True, min_items=1)
    reverse = as_list(reverse, "reverse")
    unknown = [r for r in reverse if r not in names]
    if unknown:
        raise ScaleError(f"reverse-keyed items not among the items of {name or 'the scale'}: {', '.join(unknown)}")
    if (reverse or rescale) and response_range is None:
        raise ScaleError(f"response_range=(min, max) is needed to reverse or rescale {name or 'the scale'}")
    if response_range is not None:
        lo, hi = map(float, response_range)
        bad = (X < lo) | (X > hi)
        if bad.any():
            cols = [f"{c} ({', '.join(map(_fmt, np.unique(X[bad[:, j], j])[:5]))})" for j, c in enumerate(names)
                    if bad[:, j].any()]
            raise ScaleError(
                f"values outside the response scale {lo:g}-{hi:g} in {name or 'the scale'}: {'; '.join(cols)}; "
                "recode missing codes to NaN first (toolkit.clean does this)"
            )
        flip = np.isin(names, reverse)
        X[:, flip] = lo + hi - X[:, flip]
    score, _ = _mean_score(X, _min_valid(min_valid, len(names), name))
    if rescale:
        score = 100 * (score - lo) / (hi - lo)
    return pd.Series(score, index=data.index, name=name or "score")


def _fmt(v: float) -> str:
    return f"{v:g}"


def _is_kind(companion: pd.Series, kind: str) -> np.ndarray:
    """Rows where a ``<item>_missing`` companion column holds ``kind``."""
    if isinstance(companion.dtype, pd.CategoricalDtype):  # fast path: compare codes, not strings
        cats = list(companion.cat.categories)
        return companion.cat.codes.to_numpy() == cats.index(kind) if kind in cats else np.zeros(len(companion), bool)
    return (companion == kind).to_numpy(dtype=bool, na_value=False)


def _not_asked(data: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    """Rows where cleaning marked every item of the scale as not asked (skip logic)."""
    cols = [f"{i}_missing" for i in items]
    if not all(c in data.columns for c in cols):
        return np.zeros(len(data), dtype=bool)
    return np.logical_and.reduce([_is_kind(data[c], "not_asked") for c in cols])


def _knowledge_matrix(data, items, correct, dont_know, missing_codes, name):
    """Knowledge items as 1 (correct), 0 (incorrect or "don't know") and NaN (missing)."""
    X, names = item_matrix(data, items, name=name, allow_constant=True, min_items=1)
    missing_keys = [c for c in names if c not in correct]
    if missing_keys:
        raise ScaleError(f"no correct answer given for knowledge items of {name or 'the scale'}: "
                         f"{', '.join(missing_keys)}")
    keyed = np.array([float(correct[c]) for c in names])
    dk = X == dont_know
    for j, c in enumerate(names):
        companion = f"{c}_missing"
        if companion in data.columns:
            dk[:, j] |= _is_kind(data[companion], "dont_know")
    right = X == keyed
    answered = ~np.isnan(X) & ~np.isin(X, list(missing_codes))
    valid = answered | dk
    return np.where(valid, right.astype(float), np.nan), names


@renamed_keywords(df="data")
def score_knowledge(data: pd.DataFrame, items: Sequence[str], correct: Mapping[str, int], *,
                    min_valid: int | None = None, dont_know: int = DONT_KNOW,
                    missing_codes: Sequence[int] = tuple(DEFAULT_MISSING_CODES.values()),
                    name: str | None = None) -> pd.DataFrame:
    """Number and share correct on knowledge items, as ``psych::score.multiple.choice(totals = TRUE)``.

    Unlike psych, "don't know" is scored incorrect and other missing answers
    stay missing (the number correct is prorated over them).

    Parameters
    ----------
    data : DataFrame
        Item columns with the answer codes (raw or cleaned, see the module
        notes); other columns are ignored. Formerly ``df``.
    items : sequence of str
        The knowledge items.
    correct : mapping
        Item id -> code of the correct answer.
    min_valid : int, optional
        Fewest items answered (incl. "don't know") for a score; default 1.
    dont_know : int
        The "don't know" code (88), scored incorrect.
    missing_codes : sequence of int
        Codes that are not answers (66, 88, 99); apart from ``dont_know`` they
        count as missing.
    name : str, optional
        Scale name, used as the prefix of the result's columns.

    Returns
    -------
    DataFrame
        ``<name>``: number correct, prorated to all items when some are
        missing (``share * n_items``; equal to the plain count when every
        item was answered), ``<name>_n_correct`` (plain count),
        ``<name>_share`` (share correct of the valid items),
        ``<name>_n_valid`` and ``<name>_reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> df = pd.DataFrame({"k1": [1, 2, 88, None], "k2": [3, 3, 3, None]})
    >>> scales.score_knowledge(df, ["k1", "k2"], {"k1": 1, "k2": 3}, name="kn")[["kn", "kn_share", "kn_reason"]]
        kn  kn_share   kn_reason
    0  2.0       1.0         NaN
    1  1.0       0.5         NaN
    2  1.0       0.5         NaN
    3  NaN       NaN  no_answers
    """
    label = name or "score"
    K, names = _knowledge_matrix(data, items, correct, dont_know, missing_codes, name)
    need = _min_valid(min_valid, len(names), name)
    share, n_valid = _mean_score(K, need)
    return pd.DataFrame(
        {
            label: share * len(names),
            f"{label}_n_correct": np.where(np.isnan(share), np.nan, np.nansum(K, axis=1)),
            f"{label}_share": share,
            f"{label}_n_valid": n_valid,
            f"{label}_reason": _reasons(n_valid, need, data.index),
        },
        index=data.index,
    )


def _standardise(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    ok = ~np.isnan(x)
    ww = np.ones_like(x) if w is None else w
    ww = np.where(ok, ww, 0.0)
    sw = ww.sum()
    mean = (ww * np.where(ok, x, 0.0)).sum() / sw
    denominator = sw - (ww * ww).sum() / sw
    var = (ww * np.where(ok, x - mean, 0.0) ** 2).sum() / denominator if denominator > 0 else np.nan
    if not var > 0:  # one respondent, or all alike: a z-score (and so the gap) is undefined
        warnings.warn("the confidence gap needs scores that differ between respondents; every score is the same "
                      "(or there is one respondent), so the gap is left empty", DataQualityWarning, stacklevel=4)
        return np.full_like(x, np.nan, dtype=float)
    return (x - mean) / np.sqrt(var)


def confidence_gap(self_report: pd.Series, knowledge: pd.Series, *, weights: pd.Series | np.ndarray | None = None,
                   cutoff: float = 1.0, name: str = "gap") -> pd.DataFrame:
    """Standardised self-report minus standardised knowledge, with a flag.

    Both scores are turned into z-scores over the respondents who have both
    (weighted mean and SD with the unbiased divisor when ``weights`` are
    given), as R's ``scale()`` does unweighted; psych has no equivalent.
    ``|gap| > cutoff`` flags ``overconfident`` (self-report above
    performance) or ``underconfident``; the rest are ``aligned``.

    Parameters
    ----------
    self_report, knowledge : Series
        The two scores, one value per respondent (same index).
    weights : Series or array, optional
        One survey weight per respondent.
    cutoff : float
        SD cut-off of the flag (default 1).
    name : str
        Name of the gap column (the flag is ``<name>_flag``).

    Returns
    -------
    DataFrame
        ``<name>`` (the gap, in SD units) and ``<name>_flag`` (ordered
        categorical: underconfident < aligned < overconfident).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import scales
    >>> sr = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> kn = pd.Series([5.0, 4.0, 3.0, 3.0, 0.0])
    >>> scales.confidence_gap(sr, kn).round(2)
        gap        gap_flag
    0 -2.33  underconfident
    1 -1.17  underconfident
    2  0.00         aligned
    3  0.63         aligned
    4  2.87   overconfident
    """
    s = pd.to_numeric(self_report, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    k = pd.to_numeric(knowledge, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    both = ~np.isnan(s) & ~np.isnan(k)
    w = None if weights is None else check_weights(weights, self_report.to_frame(), error=ScaleError)
    s, k = np.where(both, s, np.nan), np.where(both, k, np.nan)
    if both.sum() < 2:
        gap = np.full(len(s), np.nan)
    else:
        gap = _standardise(s, w) - _standardise(k, w)
    flag = np.where(np.isnan(gap), -1, np.where(gap > cutoff, 2, np.where(gap < -cutoff, 0, 1)))
    index = self_report.index
    return pd.DataFrame({name: gap, f"{name}_flag": _categorical(flag, CONFIDENCE, index, ordered=True)}, index=index)


def _item_codes(instrument, items: Sequence[str]) -> tuple[set[int], int]:
    """The missing codes of these items (each item's response set's) and the code of "don't know" among them.

    Examples
    --------
    >>> import toolkit
    >>> codes, dont_know = _item_codes(toolkit.load_instrument("dis-full"), ["prac_k1"])
    >>> sorted(codes), dont_know
    ([66, 88, 99], 88)
    """
    kinds = {code: kind for i in items for code, kind in instrument.missing_codes_of(i).items()}
    return set(kinds), next((code for code, kind in kinds.items() if kind == "dont_know"), DONT_KNOW)


def _chosen_scales(instrument, scales):
    if scales is None:
        return list(instrument.scales.values())
    unknown = [s for s in scales if s not in instrument.scales]
    if unknown:
        raise ScaleError(f"instrument {instrument.id!r} has no scale {', '.join(map(repr, unknown))}; "
                         f"its scales are {', '.join(instrument.scales)}")
    return [instrument.scales[s] for s in scales]


def scale_items(data: pd.DataFrame, instrument, scale_id: str) -> pd.DataFrame:
    """A scale's items ready for reliability analysis (the matrix ``psych::alpha`` is given).

    Self-report items: missing codes become NaN and reverse-keyed items are
    reversed on the response scale (``psych::reverse.code``). Knowledge
    items: 1 = correct, 0 = incorrect or "don't know", NaN = missing
    (``psych::score.multiple.choice(score = FALSE)``).

    Parameters
    ----------
    data : DataFrame
        Response data keyed by item id.
    instrument : Instrument, str or path
        An Instrument, a bundled id such as ``"dis-full"`` or a YAML path.
    scale_id : str
        The scale, by its id.

    Returns
    -------
    DataFrame
        The scale's items as floats, same index as ``data``.

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> from toolkit import scales
    >>> inst = toolkit.load_instrument("dis-full")
    >>> kn = inst.scales["practical_kn"].items
    >>> df = pd.DataFrame({i: [inst.item(i).correct, 88, 99] for i in kn})
    >>> scales.scale_items(df, "dis-full", "practical_kn")[list(kn[:2])]
       prac_k1  prac_k2
    0      1.0      1.0
    1      0.0      0.0
    2      NaN      NaN
    """
    instrument = as_instrument(instrument)
    sc = _chosen_scales(instrument, [scale_id])[0]
    items = [i for i in sc.items if i in data.columns or not instrument.item(i).optional]  # optional: may be absent
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise ScaleError(f"the data lack items of scale {sc.id}: {', '.join(absent)}")
    codes, dont_know = _item_codes(instrument, items)
    if sc.kind == "knowledge":
        correct = {i: instrument.item(i).correct for i in items}
        K, _ = _knowledge_matrix(data, items, correct, dont_know, codes, sc.id)
        return pd.DataFrame(K, columns=items, index=data.index)
    X, _ = item_matrix(data, items, name=sc.id, allow_constant=True, min_items=1)
    X[np.isin(X, list(codes))] = np.nan
    rs = instrument.response_set_of(items[0])
    flip = np.array([instrument.item(i).reverse for i in items])
    X[:, flip] = rs.min + rs.max - X[:, flip]
    return pd.DataFrame(X, columns=items, index=data.index)


def _check_codes(data: pd.DataFrame, chosen, instrument) -> None:
    """Every scale item holds only its response set's codes, missing codes or NaN (one error for all)."""
    problems = []
    for sc in chosen:
        X, names = item_matrix(data, sc.items, name=sc.id, allow_constant=True, min_items=1)
        for j, item_id in enumerate(names):
            missing = set(instrument.missing_codes_of(item_id))
            allowed = sorted(instrument.response_set_of(item_id).valid_codes | missing)
            x = X[:, j]
            bad = ~np.isnan(x) & ~np.isin(x, allowed)
            if bad.any():
                shown = ", ".join(map(_fmt, np.unique(x[bad])[:5]))
                problems.append(f"{item_id} (scale {sc.id}): {shown} in {int(bad.sum())} row(s), "
                                f"expected one of {', '.join(map(str, allowed))}")
    if problems:
        raise ScaleError("values that are not codes of the item's response set: " + "; ".join(problems))


def _score_knowledge_scale(data, instrument, sc, missing_codes, rescale) -> pd.DataFrame:
    correct = {i: instrument.item(i).correct for i in sc.items}
    part = score_knowledge(data, list(sc.items), correct, min_valid=sc.min_valid, missing_codes=tuple(missing_codes),
                           dont_know=_item_codes(instrument, sc.items)[1],
                           name=sc.id)
    if rescale:
        part[f"{sc.id}_100"] = 100 * part[f"{sc.id}_share"]
    return part


def _score_self_report_scale(data, instrument, sc, missing_codes, rescale) -> pd.DataFrame:
    items = list(sc.items)
    rs = instrument.response_set_of(items[0])
    lo, hi = rs.min, rs.max
    X = data[items].mask(data[items].isin(list(missing_codes)))
    reverse = [i for i in items if instrument.item(i).reverse]
    mean = score_items(X, items, reverse=reverse, response_range=(lo, hi), min_valid=sc.min_valid, name=sc.id)
    part = pd.DataFrame({sc.id: mean, f"{sc.id}_n_valid": X.notna().sum(axis=1).to_numpy()}, index=data.index)
    if rescale:
        part[f"{sc.id}_100"] = 100 * (mean - lo) / (hi - lo)
    return part


def _score_scale(data, instrument, sc, missing_codes, rescale) -> pd.DataFrame:
    """One scale's columns: score, n_valid, reason (not asked recognised), level and 0-100 score."""
    part = (_score_knowledge_scale if sc.kind == "knowledge" else _score_self_report_scale)(
        data, instrument, sc, missing_codes, rescale)
    n_valid = part[f"{sc.id}_n_valid"].to_numpy()
    part[f"{sc.id}_reason"] = _reasons(n_valid, sc.min_valid, data.index, _not_asked(data, sc.items))
    part[sc.level_column] = sc.classify(part[sc.id])
    columns = [sc.id, f"{sc.id}_n_correct", f"{sc.id}_share", f"{sc.id}_n_valid", f"{sc.id}_reason",
               f"{sc.id}_100", sc.level_column]
    return part[[c for c in columns if c in part.columns]]


def score(data: pd.DataFrame, instrument, *, weights: pd.Series | np.ndarray | str | None = None,
          rescale: bool = False, gap_cutoff: float = 1.0, scales: Sequence[str] | None = None) -> pd.DataFrame:
    """Score every scale of an instrument (``psych::scoreItems`` per scale, plus levels and confidence gaps).

    Parameters
    ----------
    data : DataFrame
        Response data keyed by item id (clean, or raw with missing codes
        66/88/99 in the item columns, which are treated as missing; 88 on a
        knowledge item is "don't know", i.e. incorrect). Each item's missing
        codes are its response set's; an item the instrument declares
        ``optional`` may be absent (it counts as missing).
    instrument : Instrument, str or path
        An :class:`~toolkit.instrument.Instrument`, a bundled id such as
        ``"dis-full"`` or the path to an instrument YAML file.
    weights : column name, Series, array or survey Design, optional
        Survey weights (a :class:`toolkit.survey.Design` on the same rows
        lends its, possibly raked, weights); the gap's standardisation then
        uses weighted means and SDs. Scores themselves are per respondent
        and never weighted.
    rescale : bool
        Add ``<scale>_100``: self-report means on 0-100 (min of the response
        scale = 0), knowledge share correct times 100.
    gap_cutoff : float
        SD cut-off for the confidence flag (default 1).
    scales : sequence of str, optional
        Score only these scales (default: all of the instrument's scales).

    Returns
    -------
    DataFrame
        Same index as ``data``. Per scale: ``<scale>`` (mean, or number
        correct for knowledge), ``<scale>_n_valid``, ``<scale>_reason``,
        ``<scale>_level`` (low / basic / above_basic from the scale's
        thresholds), knowledge also ``<scale>_share``; per domain with both
        a self-report and a knowledge scale: ``<domain>_gap`` and
        ``<domain>_confidence``. The input is not modified.

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> kn = inst.scales["practical_kn"].items
    >>> df = pd.DataFrame({i: [inst.item(i).correct, 88, None] for i in kn})
    >>> toolkit.score(df, "dis-full", scales=["practical_kn"])[["practical_kn", "practical_kn_level"]]
       practical_kn practical_kn_level
    0           4.0        above_basic
    1           0.0                low
    2           NaN                NaN
    """
    instrument = as_instrument(instrument)
    w = None if weights is None else check_weights(weights, data, error=ScaleError)
    chosen = _chosen_scales(instrument, scales)
    optional = [i for s in chosen for i in s.items if i not in data.columns and instrument.item(i).optional]
    data = data.assign(**dict.fromkeys(optional, np.nan)) if optional else data  # an absent optional item: missing
    absent = {s.id: [i for i in s.items if i not in data.columns] for s in chosen}
    absent = {k: v for k, v in absent.items() if v}
    if absent:
        raise ScaleError("the data lack items of these scales: "
                         + "; ".join(f"{k}: {', '.join(v)}" for k, v in absent.items()))
    _check_codes(data, chosen, instrument)
    out: dict[str, pd.Series] = {}
    for sc in chosen:
        part = _score_scale(data, instrument, sc, _item_codes(instrument, sc.items)[0], rescale)
        out.update({c: part[c] for c in part.columns})
    for domain, (self_report, knowledge) in _gap_pairs(chosen).items():
        gap = confidence_gap(out[self_report], out[knowledge], weights=w, cutoff=gap_cutoff, name=f"{domain}_gap")
        out[f"{domain}_gap"] = gap[f"{domain}_gap"]
        out[f"{domain}_confidence"] = gap[f"{domain}_gap_flag"]
    return pd.DataFrame(out, index=data.index)


def _gap_pairs(scales) -> dict[str, tuple[str, str]]:
    """{domain: (self-report scale, knowledge scale)} of the domains among ``scales`` that have both."""
    by_domain: dict[str, dict[str, str]] = {}
    for sc in scales:
        if sc.domain is not None:
            by_domain.setdefault(sc.domain, {})[sc.kind] = sc.id
    return {d: (k["self_report"], k["knowledge"]) for d, k in by_domain.items()
            if {"self_report", "knowledge"} <= set(k)}


def gap_scales(instrument) -> dict[str, tuple[str, str]]:
    """{domain: (self-report scale, knowledge scale)}: the domains :func:`score` gives a confidence gap.

    Examples
    --------
    >>> gap_scales("dis-full")["practical"]
    ('practical_sr', 'practical_kn')
    """
    return _gap_pairs(as_instrument(instrument).scales.values())
