"""Skip logic: answers given where the form's routing says the item was not asked are cleared (``not_asked``).

Items are visited in questionnaire order, so clearing one answer cascades to its
followers. By default an answer is cleared only where its rule is *decided*: every item
the rule names is answered or itself not asked. A parent that is missing (don't know,
out of range, blank) leaves the follower's answer alone - the data cannot say it was not
asked. ``clear_undecided=True`` applies the form's logic literally instead.

Examples
--------
>>> import toolkit
>>> from toolkit.cleaning.coding import decode_items
>>> inst = toolkit.load_instrument("dis-full")
>>> frame = pd.DataFrame({"net_use_3m": ["2", "1"], "net_freq": ["3", "3"]})
>>> items = [inst.item("net_use_3m"), inst.item("net_freq")]
>>> _, decoded = decode_items(frame, inst, items)
>>> asked = apply_skip_logic(inst, items, decoded, clear_undecided=False)
>>> asked["net_freq"].tolist(), decoded["net_freq"].values.tolist()
([False, True], [nan, 3.0])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cleaning.coding import VALUE_RULES, Decoded
from toolkit.errors import DataQualityWarning, ResponseError
from toolkit.instrument.vocabulary import MISSING_KINDS

_NOT_ASKED_KIND = MISSING_KINDS.index("not_asked")
#: Warnings point at clean()'s caller: apply_skip_logic < clean < its two keyword shims.
_CLEAN_CALLER = 5
_NOT_ASKED_RULE = VALUE_RULES.index("not_asked")


def _as_column(item: Any, decoded: Decoded) -> Any:
    """Decoded values as the instrument's rules read them (select_multiple and text as strings)."""
    return decoded.values if item.type not in ("multiple", "text") else pd.array(decoded.values, dtype="str")


def _decided(item: Any, decoded: dict[str, Decoded], n: int, clear_undecided: bool) -> np.ndarray:
    """Rows where every item the rule names is answered or itself not asked (all rows if ``clear_undecided``)."""
    decided = np.ones(n, dtype=bool)
    for var in () if clear_undecided else item.rule.variables():
        if var in decoded:
            decided &= pd.notna(decoded[var].values) | (decoded[var].kind == _NOT_ASKED_KIND)
    return decided


def apply_skip_logic(instrument: Any, items: Sequence[Any], decoded: dict[str, Decoded], *,
                     clear_undecided: bool) -> dict[str, np.ndarray]:
    """Clear answers to items that were not asked, in place in ``decoded``; return who was asked what.

    A cleared answer gets rule ``not_asked`` (if it held a value) and kind ``not_asked``.
    A rule that cannot be checked (it names a column the data lacks) warns
    :class:`~toolkit.errors.DataQualityWarning` and leaves its item alone.

    Returns
    -------
    dict
        {item id: boolean array, True where the item was asked}.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.cleaning.coding import decode_items
    >>> inst = toolkit.load_instrument("dis-full")
    >>> frame = pd.DataFrame({"help_any": ["88"], "help_freq": ["3"]})
    >>> items = [inst.item("help_any"), inst.item("help_freq")]
    >>> _, decoded = decode_items(frame, inst, items)
    >>> apply_skip_logic(inst, items, decoded, clear_undecided=True)["help_freq"].tolist()
    [False]
    """
    n = len(next(iter(decoded.values())).values) if decoded else 0
    by_id = {item.id: item for item in items}
    rule_vars = sorted({v for it in items if it.rule is not None for v in it.rule.variables()} & set(decoded))
    current = pd.DataFrame({v: _as_column(by_id[v], decoded[v]) for v in rule_vars}, index=pd.RangeIndex(n))
    asked: dict[str, np.ndarray] = {}
    for item in items:
        d = decoded[item.id]
        asked[item.id] = np.ones(n, dtype=bool)
        if item.rule is None:
            continue
        try:
            ok = instrument.relevant(current, item.id).to_numpy(dtype=bool)
        except ResponseError as exc:
            warnings.warn(f"skip rule of {item.id} not checked: {exc}", DataQualityWarning,
                          stacklevel=_CLEAN_CALLER)
            continue
        skipped = ~ok & _decided(item, decoded, n, clear_undecided)
        asked[item.id] = ~skipped
        clear = skipped & (pd.notna(d.values) | (d.rule >= 0))
        d.rule[clear] = _NOT_ASKED_RULE
        d.values[skipped] = np.nan
        d.kind[skipped] = _NOT_ASKED_KIND
        if clear.any() and item.id in current.columns:
            current[item.id] = _as_column(item, d)
    return asked
