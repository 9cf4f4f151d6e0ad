"""Assemble the cleaned data column by column, in input order, logging every change as it goes.

Item columns get their decoded values (float codes, select_multiple and text as str) and
a ``<item>_missing`` companion; numeric metadata its numbers; id columns their pseudonyms;
text and unknown columns their PII redacted (see :mod:`toolkit.cleaning.pii`). Other
columns (weights and other unknown columns, Kobo's timestamps) are typed: numbers as
numbers, dates as datetimes, the rest text, with the missing values the file declares for
them applied (:mod:`toolkit.cleaning.extras`). The design and grouping columns
(``district``, ``stratum``, ``mode``) keep their values as read: they are labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cleaning.coding import Decoded
from toolkit.cleaning.extras import type_column
from toolkit.cleaning.missing import DeclaredMissing
from toolkit.cleaning.log import LogBuilder
from toolkit.cleaning.pii import may_hold_pii, pseudonymise_column, redact_column, redact_other_column, redact_values
from toolkit.instrument.vocabulary import MISSING_KINDS

#: Metadata columns kept as read (not typed): they label groups and strata.
LABEL_COLUMNS = ("district", "stratum", "mode")


def _decoded_column(column: str, item_type: str | None, decoded: Decoded, src: pd.Series, scan_pii: bool,
                    log: LogBuilder) -> pd.Series:
    """A decoded column as its cleaned dtype (text items with their PII redacted), its changes logged."""
    if item_type == "text":
        values = pd.Series(decoded.values, index=src.index, dtype="str")
        if scan_pii:  # the raw cells are scanned: a number there is scanned as typed
            values = redact_column(column, values, log, probe=src.where(values.notna().to_numpy()))
    elif item_type == "multiple":
        values = pd.Series(decoded.values, index=src.index, dtype="str")
    else:
        values = pd.Series(decoded.values, index=src.index, dtype="float64", copy=False)
    # an old value that itself holds PII (a phone number in a numeric item) stays out of the log
    log.add_values(column, decoded, redact_values if scan_pii else None)
    return values


def assemble_columns(frame: pd.DataFrame, instrument: Any, decoded: dict[str, Decoded],
                     numeric_meta: dict[str, Decoded], *, ids: Sequence[str], key: bytes | None, scan_pii: bool,
                     log: LogBuilder, declared: Mapping[str, DeclaredMissing] | None = None,
                     respondent: str = "respondent_id") -> tuple[dict[str, pd.Series], pd.Series | None]:
    """The cleaned columns of ``frame`` in input order, and the respondents' pseudonyms (None if no ids).

    The input's ``<item>_missing`` columns are left out: :func:`assemble_data` rebuilds them.
    The pseudonyms are those of the ``respondent`` id column, else of the first id column
    pseudonymised, else the ``respondent`` column as it is. Columns that are neither items nor
    ids are typed (:func:`_other_column`); ``declared`` holds the file's user-missing values.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.cleaning.coding import decode_items
    >>> inst = toolkit.load_instrument("dis-full")
    >>> frame = pd.DataFrame({"net_use_3m": ["Yes"], "respondent_id": ["a"], "note": ["a@b.dk"]})
    >>> _, decoded = decode_items(frame, inst, [inst.item("net_use_3m")])
    >>> log = LogBuilder()
    >>> out, ids = assemble_columns(frame, inst, decoded, {}, ids=["respondent_id"], key=b"k", scan_pii=True,
    ...                             log=log)
    >>> out["note"].tolist(), ids.str.startswith("ps-").tolist()
    (['[EMAIL]'], [True])
    >>> log.build(None)["rule"].tolist()
    ['label_to_code', 'pseudonymise', 'pii_email']
    """
    companions = {f"{item.id}_missing" for item in instrument.items}
    types = {item.id: item.type for item in instrument.items}
    out: dict[str, pd.Series] = {}
    pseudonyms: pd.Series | None = None
    for col in frame.columns:
        if col in companions:
            continue
        src = frame[col]
        if col in decoded or col in numeric_meta:
            d = decoded[col] if col in decoded else numeric_meta[col]
            out[col] = _decoded_column(col, types.get(col) if col in decoded else None, d, src, scan_pii, log)
        elif col in ids and key is not None:
            out[col] = pseudonymise_column(col, src, key, log)
            if col == respondent or pseudonyms is None:
                pseudonyms = out[col]
        elif col in ids:
            out[col] = redact_other_column(col, src, ids, log) if scan_pii and may_hold_pii(src) else src
        else:
            _other_column(col, src, (declared or {}).get(col), scan_pii=scan_pii, ids=ids, log=log, out=out)
    if pseudonyms is None and respondent in out:
        pseudonyms = out[respondent]
    return out, pseudonyms


def _other_column(col: str, src: pd.Series, declared: DeclaredMissing | None, *, scan_pii: bool,
                  ids: Sequence[str], log: LogBuilder, out: dict[str, pd.Series]) -> None:
    """A column that is neither an item nor an id, into ``out``: PII redacted, typed, declared missing applied.

    A column with declared missing values gets a ``<column>_missing`` companion right after it.
    """
    values = redact_other_column(col, src, ids, log) if scan_pii and may_hold_pii(src) else src
    text = pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)
    if col in LABEL_COLUMNS or not (text or declared is not None):
        out[col] = values
        return
    typed = type_column(values, declared)
    log.add_values(col, typed.decoded)
    out[col] = typed.values
    if typed.kinds is not None:
        out[f"{col}_missing"] = typed.kinds


def assemble_data(columns: dict[str, pd.Series], items: Sequence[Any], decoded: dict[str, Decoded],
                  index: pd.Index) -> pd.DataFrame:
    """The cleaned DataFrame: ``columns``, then a ``<item>_missing`` category per item.

    Consumes ``columns`` and ``decoded`` (both are emptied) so that each array is
    released as soon as it is in the frame.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.cleaning.coding import decode_items
    >>> inst = toolkit.load_instrument("dis-full")
    >>> frame = pd.DataFrame({"prac_01": ["88"]})
    >>> items = [inst.item("prac_01")]
    >>> _, decoded = decode_items(frame, inst, items)
    >>> data = assemble_data({"prac_01": pd.Series(decoded["prac_01"].values)}, items, decoded, frame.index)
    >>> data.to_dict("records")
    [{'prac_01': nan, 'prac_01_missing': 'dont_know'}]
    """
    for item in items:
        columns[f"{item.id}_missing"] = pd.Categorical.from_codes(decoded[item.id].kind.astype(np.int64),
                                                                 categories=list(MISSING_KINDS))
    decoded.clear()
    return _frame(columns, index)


def _frame(columns: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """A DataFrame built a few columns at a time, each group's arrays released as it goes.

    ``pd.DataFrame(dict)`` stacks all float columns into one new block while the arrays
    are still alive (a second copy of every item column); groups bound that to 8 columns.
    """
    names = list(columns)
    parts = [pd.DataFrame({k: columns.pop(k) for k in names[i:i + 8]}, index=index) for i in range(0, len(names), 8)]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=index)
