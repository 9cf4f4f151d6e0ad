"""Strict mode: every answer cleaning would discard is a failure case, all reported in one error.

:func:`failure_cases` lists them (out of range, unreadable, answered though not asked);
:func:`raise_failures` raises one :class:`~toolkit.errors.SchemaErrors` carrying them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cleaning.coding import VALUE_RULES, ColumnCoder, Decoded
from toolkit.cleaning.pii import redact_values
from toolkit.errors import SchemaErrors

#: Rules that discard an answer: in ``strict`` mode each such cell is a failure case.
FAILURE_RULES = ("out_of_range", "invalid_value", "not_asked")
FAILURE_COLUMNS = ("row", "column", "value", "expected")

_FAILURE_CODES = [VALUE_RULES.index(r) for r in FAILURE_RULES]
_NOT_ASKED = VALUE_RULES.index("not_asked")


def expected(item: Any, coder: ColumnCoder) -> str:
    """What an answer to ``item`` may be, in words (for a failure case).

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> item = inst.item("age")
    >>> expected(item, ColumnCoder(item, None, inst.missing_codes))
    'a number in [15, 110]'
    """
    if item.type == "numeric":
        return f"a number in [{item.min}, {item.max}]"
    if item.type == "text":
        return "text"
    codes = ", ".join(map(str, sorted(coder.valid)))
    miss = ", ".join(map(str, sorted(coder.missing)))
    if item.type == "multiple":
        return f"space-separated codes from {{{codes}}} or missing code {{{miss}}}"
    return f"a code in {{{codes}}}, a missing code {{{miss}}} or an answer label"


def _cases(frame: pd.DataFrame, column: str, decoded: Decoded, what: str,
           not_asked: str | None = None) -> pd.DataFrame | None:
    """The failure cases of one column: ``what`` was expected, or ``not_asked`` where the item was not asked."""
    hit = np.flatnonzero(np.isin(decoded.rule, _FAILURE_CODES))
    if not hit.size:
        return None
    expect = what if not_asked is None else np.where(decoded.rule[hit] == _NOT_ASKED, not_asked, what)
    return pd.DataFrame({"row": hit, "column": column, "expected": expect,
                         "value": redact_values(frame[column].iloc[hit].to_numpy(object))})


def failure_cases(frame: pd.DataFrame, items: Sequence[Any], coders: dict[str, ColumnCoder],
                  decoded: dict[str, Decoded], numeric_meta: dict[str, Decoded]) -> pd.DataFrame:
    """Every cell whose answer would be discarded: row, column, value (PII redacted), expected; sorted by row.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.cleaning.coding import decode_items
    >>> inst = toolkit.load_instrument("dis-full")
    >>> frame = pd.DataFrame({"prac_01": ["7", "3"]})
    >>> items = [inst.item("prac_01")]
    >>> coders, decoded = decode_items(frame, inst, items)
    >>> failure_cases(frame, items, coders, decoded, {})[["row", "column", "value"]].to_dict("records")
    [{'row': 0, 'column': 'prac_01', 'value': '7'}]
    """
    cases = [_cases(frame, item.id, decoded[item.id], expected(item, coders[item.id]),
                    f"blank (not asked unless {item.relevant})") for item in items]
    cases += [_cases(frame, column, d, "a non-negative number") for column, d in numeric_meta.items()]
    found = [c for c in cases if c is not None]
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})
    return pd.concat(found, ignore_index=True).sort_values(["row", "column"], kind="stable",
                                                          ignore_index=True)[list(FAILURE_COLUMNS)]


def raise_failures(cases: pd.DataFrame) -> None:
    """Raise one :class:`~toolkit.errors.SchemaErrors` for all ``cases`` (nothing if there are none).

    Examples
    --------
    >>> cases = pd.DataFrame({"row": [0], "column": ["age"], "value": ["5"], "expected": ["a number"]})
    >>> raise_failures(cases)
    Traceback (most recent call last):
    ...
    toolkit.errors.SchemaErrors: 1 invalid value(s) in 1 row(s): age (1); first: row 0, column age, ...
    """
    if cases.empty:
        return
    per_col = cases["column"].value_counts()
    detail = ", ".join(f"{c} ({k})" for c, k in per_col.head(10).items())
    more = f" and {len(per_col) - 10} more columns" if len(per_col) > 10 else ""
    first = cases.iloc[0]
    raise SchemaErrors(f"{len(cases)} invalid value(s) in {cases['row'].nunique()} row(s): {detail}{more}; "
                       f"first: row {first['row']}, column {first['column']}, value {first['value']!r}, "
                       f"expected {first['expected']}", cases)
