"""Respondent-level outcomes from the instrument's outcome rules, in three-valued (Kleene) logic.

An outcome (``offline``, ``exempt``, ``low_<domain>``, ``excluded_any``, ...) is a
rule over item answers and scale columns (``<scale>`` and ``<scale>_level``). The
scale scores come from the caller - :func:`toolkit.score` for survey data, the
simulator's own scorer for its truth - and this module applies the rules to both
in one way.

Unlike a skip rule (where a comparison with a missing value is simply false),
an outcome is *unknown* (``pd.NA``) where its inputs do not decide it: a
comparison with a missing value (blank, not asked, a missing code 66/88/99, no
scale score) is unknown, ``not`` of unknown is unknown, ``a or b`` is true when
any known part is true, false when every part is known false and unknown
otherwise; ``a and b`` is false when any known part is false, true when every
part is known true and unknown otherwise. On complete data this is ordinary
two-valued logic.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"net_use_3m": [1, 2], "dp_exempt": [2, 1]})
>>> rule_frame(data, {"dp_exempt"}).columns.tolist()
['dp_exempt']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit._rows import row_patterns
from toolkit.errors import ResponseError
from toolkit.instrument import rules as R
from toolkit.instrument.schema import Instrument


def rule_frame(data: Mapping, names) -> pd.DataFrame:
    """A small DataFrame of just the columns ``names`` (text stays object dtype, not Arrow strings).

    Parameters
    ----------
    data : DataFrame or mapping of column -> array
        Where the columns are found.
    names : iterable of str
        The columns a rule needs (``Rule.variables()``).

    Returns
    -------
    pd.DataFrame
        The columns in sorted order, with a fresh RangeIndex.

    Examples
    --------
    >>> import numpy as np
    >>> small = rule_frame({"b": np.array(["1 3", "2"], dtype=object), "a": np.array([1.0, 2.0])}, {"a", "b"})
    >>> small.columns.tolist(), str(small["b"].dtype)
    (['a', 'b'], 'object')
    """
    return pd.DataFrame({v: pd.Series(np.asarray(data[v]), dtype=object) if np.asarray(data[v]).dtype == object
                         else np.asarray(data[v]) for v in sorted(names)})


def _known(leaf: R.Rule, data: pd.DataFrame, missing: Mapping[str, set]) -> np.ndarray:
    """Where a leaf's variable holds a usable (non-missing) value."""
    if not isinstance(leaf, R.Selected):
        return R._operand(data, leaf.var, leaf.values(), missing)[1]
    col = data[leaf.var]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.notna().to_numpy(dtype=bool) & ~col.isin(list(missing.get(leaf.var, ()))).to_numpy(dtype=bool)
    text = col.astype("string").str.strip()
    codes = {str(c) for c in missing.get(leaf.var, ())}
    return (text.notna() & text.ne("") & ~text.isin(codes)).fillna(False).to_numpy(dtype=bool)


def kleene(rule: R.Rule, data: pd.DataFrame, missing: Mapping[str, set]) -> tuple[np.ndarray, np.ndarray]:
    """Three-valued evaluation of a parsed rule: the masks (known true, known false).

    A row in neither mask is unknown. See the module docstring for the logic.

    Parameters
    ----------
    rule : Rule
        A parsed rule (:func:`toolkit.instrument.rules.parse`).
    data : pd.DataFrame
        One column per variable the rule names.
    missing : mapping of column -> set of codes
        Codes that count as missing in that column.

    Returns
    -------
    (np.ndarray, np.ndarray)
        Boolean masks: where the rule is known true, and where it is known false.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, None, None], "b": [None, None, 1, 2]})
    >>> true, false = kleene(R.parse("a == 1 or b == 1"), df, {})
    >>> true.tolist(), false.tolist()
    ([True, False, True, False], [False, False, False, False])
    """
    if isinstance(rule, R.Not):
        true, false = kleene(rule.rule, data, missing)
        return false, true
    if isinstance(rule, R.Or | R.And):
        parts = [kleene(r, data, missing) for r in rule.rules]
        trues, falses = np.array([t for t, _ in parts]), np.array([f for _, f in parts])
        if isinstance(rule, R.Or):
            return trues.any(axis=0), falses.all(axis=0)
        return trues.all(axis=0), falses.any(axis=0)
    value = np.asarray(rule._eval(data, missing), dtype=bool)
    known = _known(rule, data, missing)
    return value & known, ~value & known


def _as_boolean(true: np.ndarray, false: np.ndarray, index) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(true, ~(true | false)), index=index)


def _take(values, rows: np.ndarray):
    return values.iloc[rows] if isinstance(values, pd.Series) else np.asarray(values)[rows]


def _distinct_rows(columns: Mapping[str, object]) -> tuple[dict[str, object], np.ndarray]:
    """The distinct rows of ``columns`` (each an actual row of them) and which one every row is.

    A rule is a function of one row, so evaluating it on the few distinct rows (an
    outcome reads a handful of coded answers and levels) and mapping back gives the
    same masks as evaluating it on every row, without converting a million labels.
    Missing values (NaN, None, NA) count as one value: a rule treats them alike.
    """
    # by position: the data's and the scores' indexes need not be alike
    codes, first = row_patterns(pd.DataFrame({k: v.array if isinstance(v, pd.Series) else np.asarray(v)
                                              for k, v in columns.items()}, copy=False))
    return {k: _take(v, first) for k, v in columns.items()}, codes


def evaluate_outcomes(data, scores: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Every outcome the instrument declares, as one nullable boolean column per outcome.

    Parameters
    ----------
    data : DataFrame or mapping of item id -> array
        Answers, one row per respondent (missing codes count as missing).
    scores : pd.DataFrame
        Scale scores and levels for the same rows (``<scale>``, ``<scale>_level``),
        e.g. from :func:`toolkit.score`. A rule's name is looked up here first.
    instrument : Instrument
        Whose ``outcomes`` are evaluated.

    Returns
    -------
    pd.DataFrame
        One ``"boolean"`` column per outcome, in the instrument's order, on the
        index of ``data`` (of ``scores`` when ``data`` is a mapping). A value is
        ``pd.NA`` where the inputs do not decide the rule (Kleene logic, see the
        module docstring); on complete data no value is missing.

    Raises
    ------
    ResponseError
        If a column an outcome needs is in neither ``data`` nor ``scores``; the
        message names the outcome and the missing columns.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-screener")
    >>> answers = pd.DataFrame({"net_use_3m": [1, 2, 88], "dp_exempt": [2, 1, 2], "help_any": [2, 1, 2]})
    >>> levels = {f"{s}_level": ["basic", "low", "basic"] for s in inst.scales}
    >>> out = evaluate_outcomes(answers, pd.DataFrame(levels), inst)
    >>> out["offline"].tolist(), out["excluded_any"].tolist()
    ([False, True, <NA>], [False, True, <NA>])
    """
    index = data.index if isinstance(data, pd.DataFrame) else scores.index
    out = {}
    for oid, outcome in instrument.outcomes.items():
        names = outcome.parsed.variables()
        absent = sorted(k for k in names if k not in scores and k not in data)
        if absent:
            raise ResponseError(f"outcome {oid!r} ({outcome.rule}) needs column(s) {', '.join(absent)}, "
                                "which are in neither the data nor the scores")
        distinct, rows = _distinct_rows({**{k: data[k] for k in names if k not in scores},
                                         **{k: scores[k] for k in names if k in scores}})
        true, false = kleene(outcome.parsed, rule_frame(distinct, names), instrument.missing_by_column)
        out[oid] = _as_boolean(true[rows], false[rows], index)
    return pd.DataFrame(out, index=index)


__all__ = ["evaluate_outcomes", "kleene", "rule_frame"]
