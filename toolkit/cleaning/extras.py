"""Columns that are no item (weights, metadata, unknown columns): typed, with their declared missing values.

A text column whose every value is a number becomes a number column (a decimal comma is
read and logged as ``decimal_comma``), one whose every value is a date or timestamp becomes
a datetime column (ISO 8601 as Kobo writes it, with its time zone: converted to UTC; or
``DD.MM.YYYY`` / ``DD-MM-YYYY``), and anything else stays text. Numbers with a leading zero
(``0101``, a code) stay text. Values an SPSS/Stata file declares missing become NaN with
their kind in a ``<column>_missing`` companion, each logged as ``missing_code``.

Examples
--------
>>> typed = type_column(pd.Series(["1,5", "2", None]))
>>> typed.values.tolist(), [VALUE_RULES[r] if r >= 0 else None for r in typed.decoded.rule]
([1.5, 2.0, nan], ['decimal_comma', None, None])
>>> type_column(pd.Series(["2026-03-02T14:12:58.000+01:00"])).values.tolist()
[Timestamp('2026-03-02 13:12:58+0000', tz='UTC')]
>>> type_column(pd.Series(["0101", "2"])).values.tolist()
['0101', '2']
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cleaning.coding import VALUE_RULES, Decoded, is_blank, parse_number
from toolkit.cleaning.missing import DeclaredMissing
from toolkit.instrument.vocabulary import MISSING_KINDS

__all__ = ["TypedColumn", "type_column", "as_timestamps"]

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_DAY_FIRST = re.compile(r"^\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?$")
_ZONE = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_LEADING_ZERO = re.compile(r"^\s*[+-]?0\d")


@dataclass
class TypedColumn:
    """A column after typing: its new values, the decoded cells for the log, and missing kinds (or None)."""

    values: pd.Series
    decoded: Decoded
    kinds: pd.Categorical | None


def _is_date_text(value: Any) -> bool:
    return isinstance(value, str) and bool(_ISO.match(value.strip()) or _DAY_FIRST.match(value.strip()))


def as_timestamps(values: pd.Series, *, utc: bool = True) -> pd.Series:
    """Dates or timestamps (text, Excel dates) as datetimes; unreadable cells NaT.

    Text with a time zone (Kobo's ``2026-03-02T14:12:58.000+01:00``) is converted to UTC;
    without one it is taken as UTC when ``utc`` (Kobo's ``_submission_time``), else left naive.

    Examples
    --------
    >>> as_timestamps(pd.Series(["2026-03-02T14:00:00+01:00", "2026-03-02T13:30:00", "later"])).tolist()
    [Timestamp('2026-03-02 13:00:00+0000', tz='UTC'), Timestamp('2026-03-02 13:30:00+0000', tz='UTC'), NaT]
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
    else:  # parsed once per distinct value: interview timestamps repeat little, but the text tests are per value
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = _parse_stamps(pd.Series(np.asarray(uniques, dtype=object), dtype=object), utc)
        out = pd.Series(parsed.array.take(codes, allow_fill=True), index=values.index, name=values.name)
    if utc and out.dt.tz is None:
        return out.dt.tz_localize("UTC")
    return out


def _parse_stamps(values: pd.Series, utc: bool) -> pd.Series:
    """:func:`as_timestamps` of text values: ISO 8601 first, ``DD.MM.YYYY`` day first."""
    text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    day_first = text.map(lambda v: isinstance(v, str) and bool(_DAY_FIRST.match(v)), na_action="ignore")
    iso = text.where(~day_first.fillna(False).astype(bool))
    zoned = utc or bool(iso.dropna().astype(str).str.contains(_ZONE).any())
    out = pd.to_datetime(iso, format="ISO8601", errors="coerce", utc=zoned)
    if day_first.fillna(False).any():
        other = pd.to_datetime(text.where(day_first.fillna(False).astype(bool)), dayfirst=True,
                               errors="coerce", utc=zoned, format="mixed")
        out = out.fillna(other)
    return out


def _kinds(codes: np.ndarray, kind_of_unique: list[int]) -> pd.Categorical:
    table = np.array([*kind_of_unique, -1], dtype=np.int64)
    return pd.Categorical.from_codes(table[codes], categories=list(MISSING_KINDS))


def type_column(src: pd.Series, declared: DeclaredMissing | None = None) -> TypedColumn:
    """Type one non-item column (see the module docstring); declared missing values become NaN.

    Examples
    --------
    >>> d = DeclaredMissing(values={-9.0: "refused"})
    >>> t = type_column(pd.Series([1.5, -9.0]), d)
    >>> t.values.tolist(), t.kinds.tolist()
    ([1.5, nan], [nan, 'refused'])
    """
    codes, uniques = pd.factorize(src, use_na_sentinel=True)
    raw = list(np.asarray(uniques, dtype=object))
    kinds = [-1 if declared is None else _kind_index(declared.kind_of(u)) for u in raw]
    present = [u for u, k in zip(raw, kinds, strict=True) if k < 0 and not is_blank(u)]
    new, rules = _typed_uniques(src, raw, kinds, present)
    values = _broadcast(new, codes, src)
    rule_codes = np.array([*rules, -1], dtype=np.int8)
    new_uniques = np.empty(len(new) + 1, dtype=object)
    new_uniques[:-1] = list(new) if not isinstance(new, pd.Series | pd.Index) else new.astype(object).tolist()
    new_uniques[-1] = math.nan
    raw_uniques = np.empty(len(raw) + 1, dtype=object)
    raw_uniques[:-1] = raw
    raw_uniques[-1] = math.nan
    decoded = Decoded(values=values.to_numpy(), rule=rule_codes[codes], kind=np.full(len(src), -1, np.int8),
                      codes=codes, raw_uniques=raw_uniques, new_uniques=new_uniques)
    return TypedColumn(values=values, decoded=decoded,
                       kinds=_kinds(codes, kinds) if declared is not None else None)


def _kind_index(kind: str | None) -> int:
    return -1 if kind is None else MISSING_KINDS.index(kind)


def _typed_uniques(src: pd.Series, raw: list[Any], kinds: list[int], present: list[Any]) -> tuple[Any, list[int]]:
    """The new value of each distinct raw value, and its rule code (-1 unchanged)."""
    missing_rule = VALUE_RULES.index("missing_code")
    rules = [missing_rule if k >= 0 else -1 for k in kinds]
    keep_text = pd.api.types.is_object_dtype(src.dtype) or pd.api.types.is_string_dtype(src.dtype)
    if present and keep_text and all(_is_date_text(u) or isinstance(u, _dt.date) for u in present):
        stamps = as_timestamps(pd.Series(raw, dtype=object), utc=False)
        return stamps.where(pd.Series(kinds).lt(0).to_numpy()), rules
    if present and _all_numbers(present) and not all(isinstance(u, bool) for u in present):
        numbers = [parse_number(u) for u in raw]
        new = [math.nan if kinds[i] >= 0 or is_blank(u) else numbers[i][0] for i, u in enumerate(raw)]
        comma = VALUE_RULES.index("decimal_comma")
        rules = [comma if numbers[i][1] == "decimal_comma" and kinds[i] < 0 else r for i, r in enumerate(rules)]
        return new, rules
    return [math.nan if kinds[i] >= 0 else u for i, u in enumerate(raw)], rules


def _all_numbers(values: list[Any]) -> bool:
    """Every value reads as a number and none is a code with a leading zero (stops at the first that is not)."""
    for u in values:
        if isinstance(u, str) and _LEADING_ZERO.match(u):
            return False
        if not parse_number(u)[2]:
            return False
    return True


def _broadcast(new: Any, codes: np.ndarray, src: pd.Series) -> pd.Series:
    """The distinct new values back in row order (NaN/NaT for missing cells), in the column's new dtype."""
    if isinstance(new, pd.Series):
        table = pd.concat([new.reset_index(drop=True), pd.Series([pd.NaT], dtype=new.dtype)], ignore_index=True)
        return pd.Series(table.to_numpy()[codes], index=src.index, dtype=new.dtype, name=src.name)
    table = np.empty(len(new) + 1, dtype=object)
    table[:-1] = new
    table[-1] = math.nan
    out = pd.Series(table[codes], index=src.index, name=src.name)
    if all(isinstance(v, float) for v in new):
        return out.astype("float64")
    if pd.api.types.is_string_dtype(src.dtype) and not pd.api.types.is_object_dtype(src.dtype):
        return out.astype(src.dtype)
    return out if pd.api.types.is_object_dtype(src.dtype) else out.infer_objects()
