"""The change log of :func:`toolkit.clean`: one row per changed cell, built once from shared objects.

Rules (``RULES``) are the value rules, the privacy rules and ``drop_flagged``. The
builder collects changed cells column by column as index arrays pointing at each
column's distinct values, so a million changed cells cost no million Python objects
until the log is built, sorted by row, at the end.

Examples
--------
>>> log = LogBuilder()
>>> log.add(np.array([2, 0]), "age", np.array(["34,5", "200"], object), np.array([34.5, np.nan]),
...         np.array([RULES.index("decimal_comma"), RULES.index("out_of_range")]))
>>> log.build(None)[["row", "column", "old", "rule"]].to_dict("records")
[{'row': 0, 'column': 'age', 'old': '200', 'rule': 'out_of_range'},
 {'row': 2, 'column': 'age', 'old': '34,5', 'rule': 'decimal_comma'}]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from toolkit import privacy
from toolkit.cleaning.coding import VALUE_RULES, Decoded

PII_RULES = tuple(f"pii_{k}" for k in privacy.PII_KINDS)
#: Rules that never record the old value (it is personal data, or the id a pseudonym replaces).
PRIVACY_RULES = (*PII_RULES, "pseudonymise")
#: Every rule that can appear in ``Cleaned.log``.
RULES = (*VALUE_RULES, *PRIVACY_RULES, "drop_flagged")
LOG_COLUMNS = ("row", "respondent_id", "column", "old", "new", "rule", "position")
#: The column a dropped row is logged under.
ROW_COLUMN = "<row>"

_NOT_ASKED = VALUE_RULES.index("not_asked")
_NAN = np.array([np.nan], dtype=object)
#: rows, column, (old values or their distinct values, codes into them or None), new, rule codes, position
_Part = tuple[np.ndarray, str, tuple, np.ndarray, np.ndarray, "np.ndarray | None"]


class LogBuilder:
    """Collects changed cells column by column; :meth:`build` makes the sorted log once.

    Examples
    --------
    >>> log = LogBuilder()
    >>> log.add(np.array([1]), "<row>", np.array(["kept"], object), np.array(["dropped"], object),
    ...         "drop_flagged", np.array(["speeder"], object))
    >>> log.build(np.array(["ps-a", "ps-b"], object)).iloc[0].to_dict()["respondent_id"]
    'ps-b'
    """

    def __init__(self) -> None:
        self.parts: list[_Part] = []

    def add(self, rows: np.ndarray, column: str, old: np.ndarray | tuple, new: np.ndarray, rule: np.ndarray | str,
            position: np.ndarray | None = None) -> None:
        """Log ``rows`` of ``column``: old and new values, one rule (name) or a rule code per row.

        ``old`` is one value per row, or ``(distinct values, codes)`` with one code per row.

        Examples
        --------
        >>> log = LogBuilder()
        >>> log.add(np.array([0]), "age", np.array(["34,5"], object), np.array([34.5]), "decimal_comma")
        >>> log.build(None)[["old", "new", "rule"]].to_dict("records")
        [{'old': '34,5', 'new': 34.5, 'rule': 'decimal_comma'}]
        """
        if rows.size == 0:
            return
        codes = (np.full(rows.size, RULES.index(rule), np.int8) if isinstance(rule, str)
                 else np.asarray(rule, dtype=np.int8))
        old = (np.asarray(old[0], object), old[1]) if isinstance(old, tuple) else (np.asarray(old, object), None)
        self.parts.append((rows.astype(np.int64), column, old, np.asarray(new, object), codes, position))

    def add_values(self, column: str, decoded: Decoded,
                   redact: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        """Log the cells a value rule changed, their old values from the column's distinct raw values.

        ``redact`` (applied to those distinct values, only when a cell changed) keeps PII in
        an old value out of the log. Frees the column's per-row bookkeeping once logged.

        Examples
        --------
        >>> from toolkit.cleaning.coding import decode_number_column
        >>> log = LogBuilder()
        >>> log.add_values("duration_sec", decode_number_column(pd.Series(["60", "7,5"])))
        >>> log.build(None)[["row", "old", "new", "rule"]].to_dict("records")
        [{'row': 1, 'old': '7,5', 'new': 7.5, 'rule': 'decimal_comma'}]
        """
        changed = np.flatnonzero(decoded.rule >= 0)
        if not changed.size:
            return
        old = decoded.raw_uniques if redact is None else redact(decoded.raw_uniques)
        codes, rule = decoded.codes[changed], decoded.rule[changed]
        new = np.where(rule == _NOT_ASKED, _NAN, decoded.new_uniques[codes])
        self.add(changed, column, (old, codes), new, rule)  # old values stay codes until the log is built
        decoded.codes = decoded.rule = np.empty(0, np.int8)

    def add_pii(self, column: str, found: pd.DataFrame, new: np.ndarray) -> None:
        """One entry per (cell, kind of PII); position lists every span of that kind. No old value.

        ``found`` is the match table of :func:`toolkit.privacy.redact` (row, kind, start, end);
        ``new`` the column's values after redaction.

        Examples
        --------
        >>> from toolkit import privacy
        >>> new, found = privacy.redact(pd.Series(["ring 20 30 40 50 or 20304050"]))
        >>> log = LogBuilder()
        >>> log.add_pii("note", found, new.to_numpy(object))
        >>> log.build(None)[["old", "rule", "position"]].to_dict("records")
        [{'old': None, 'rule': 'pii_phone', 'position': '5-16;20-28'}]
        """
        if found.empty:
            return
        spans = found.assign(span=found["start"].astype("str") + "-" + found["end"].astype("str"))
        grouped = spans.groupby(["row", "kind"], sort=True)["span"].agg(";".join).reset_index()
        rows = grouped["row"].to_numpy(np.int64)
        rule = np.array([RULES.index(f"pii_{k}") for k in grouped["kind"]], dtype=np.int8)
        self.add(rows, column, np.full(rows.size, None, object), new[rows], rule, grouped["span"].to_numpy(object))

    def add_dropped(self, rows: np.ndarray, reasons: np.ndarray) -> None:
        """One entry per dropped row, under column ``<row>``, its flags as position.

        ``reasons`` has one entry per input row (``Cleaned.flags["reasons"]``).

        Examples
        --------
        >>> log = LogBuilder()
        >>> log.add_dropped(np.array([1]), np.array(["", "speeder"], object))
        >>> log.build(None)[["row", "column", "new", "position"]].to_dict("records")
        [{'row': 1, 'column': '<row>', 'new': 'dropped', 'position': 'speeder'}]
        """
        self.add(rows, ROW_COLUMN, np.full(rows.size, "kept", object), np.full(rows.size, "dropped", object),
                 "drop_flagged", reasons[rows])

    def build(self, pseudonyms: np.ndarray | None) -> pd.DataFrame:
        """The log (columns ``LOG_COLUMNS``), sorted by row; ``pseudonyms`` give each row's respondent_id.

        Examples
        --------
        >>> tuple(LogBuilder().build(None).columns) == LOG_COLUMNS
        True
        """
        parts = self.parts
        if not parts:
            return _empty_log()
        rows = np.concatenate([p[0] for p in parts])
        order = np.argsort(rows, kind="stable")
        names = list(dict.fromkeys(p[1] for p in parts))
        col_codes = np.concatenate([np.full(p[0].size, names.index(p[1]), np.int32) for p in parts])
        positions = [(p[5], None) if p[5] is not None else (np.array([None], object), np.zeros(p[0].size, np.intp))
                     for p in parts]
        rows = rows[order]
        return pd.DataFrame({
            "row": rows,
            "respondent_id": (_per_row(pseudonyms, rows) if pseudonyms is not None
                              else np.full(rows.size, None, object)),
            "column": pd.Categorical.from_codes(col_codes[order], categories=names),
            "old": _text([p[2] for p in parts], order),
            "new": np.concatenate([p[3] for p in parts])[order],
            "rule": pd.Categorical.from_codes(np.concatenate([p[4] for p in parts])[order].astype(np.int8),
                                              categories=list(RULES)),
            "position": _text(positions, order),
        })


def _per_row(pseudonyms: np.ndarray, rows: np.ndarray) -> pd.Categorical:
    """Each entry's respondent pseudonym, as a categorical: a log has about five entries per respondent,
    so codes into the distinct pseudonyms take a fraction of the memory of the repeated text."""
    codes, distinct = pd.factorize(pseudonyms)
    return pd.Categorical.from_codes(codes[rows], categories=pd.Index(distinct, dtype="str"))


def _text(parts: list[tuple[np.ndarray, np.ndarray | None]], order: np.ndarray | None):
    """Join ``values[codes]`` of the parts, in ``order``: the column pandas infers from that object array.

    Text (with missing values) goes through Arrow, converted once per distinct value and then
    taken in C: a 5M-entry log repeats each column's few raw values. Anything else is joined as objects.
    """
    if all(pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty") for values, _ in parts):
        import pyarrow as pa

        taken = pa.chunked_array([pa.array(values, type=pa.large_string(), from_pandas=True).take(
            pa.array(codes) if codes is not None else pa.array(np.arange(len(values)))) for values, codes in parts],
            type=pa.large_string()).combine_chunks()
        if taken.null_count < len(taken):  # all missing: pandas keeps an object column
            return pd.array(taken if order is None else taken.take(pa.array(order)),
                            dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    joined = np.concatenate([values if codes is None else values[codes] for values, codes in parts])
    return joined if order is None else joined[order]


def _empty_log() -> pd.DataFrame:
    empty = np.empty(0, object)
    return pd.DataFrame({
        "row": np.empty(0, np.int64), "respondent_id": empty,
        "column": pd.Categorical.from_codes(np.empty(0, np.int32), categories=[]),
        "old": empty, "new": empty,
        "rule": pd.Categorical.from_codes(np.empty(0, np.int8), categories=list(RULES)), "position": empty,
    })
