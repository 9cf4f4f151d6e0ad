"""The result of :func:`toolkit.clean`: cleaned data, change log, quality flags and their counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit._validation import check_option
from toolkit.cleaning.flags import FLAGS
from toolkit.cleaning.log import RULES

#: The kinds of row in ``Cleaned.totals``.
TOTAL_KINDS = ("rows", "rule", "flag")


@dataclass(frozen=True, kw_only=True)
class Cleaned:
    """The result of :func:`toolkit.clean` (read-only).

    Attributes
    ----------
    data : pd.DataFrame
        One row per input row, same order and index. Item columns coded (float codes,
        select_multiple as space-separated codes, text as str), ``<item>_missing``
        categorical columns (the kinds of ``vocabulary.MISSING_KINDS``: dont_know, refused, ..., not_asked), metadata
        and unknown columns kept; ids pseudonymised, PII redacted.
    log : pd.DataFrame
        One row per changed cell, sorted by row: row (0-based position in the input),
        respondent_id (pseudonym, categorical), column, old, new, rule, position (character spans of PII
        matches, ``start-end;...``). A cell holding two kinds of PII gets one row per kind;
        a row removed by ``drop_flagged`` gets one row with column ``<row>`` and its flags as
        position. Privacy rules (pii_*, pseudonymise) never record the old value, and an old
        value holding PII is redacted; every other row's ``old`` is the raw value, so
        writing ``old`` back over ``new`` restores the input.
    flags : pd.DataFrame
        One row per respondent: a boolean per quality flag, ``flagged``, ``reasons`` and the
        diagnostics ``duration_ratio``, ``longstring``, ``missing_share``.
    totals : pd.DataFrame
        kind (rows, rule, flag), name, count; also returned by :meth:`summary`.
    read : dict
        Read metadata of the input (see :mod:`toolkit.io`).
    options : dict
        The options used, and what was found: ``id_columns`` (pseudonymised or kept),
        ``id_like_columns`` (taken for ids by their look), ``missing`` (the file's map),
        ``user_missing`` ({column: [{low, high, kind}]}, the file's user-missing values and
        ranges), ``duration_source`` (``duration_sec``, ``"start,end"``, ... or None).
    notes : tuple of str
        What the user should know about this pass (no duration source: no speeder flag).

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> res = toolkit.clean(pd.DataFrame({i: ["1"] for i in inst.item_ids}), inst)
    >>> len(res.data), len(res.log), res.summary().columns.tolist()
    (1, 0, ['kind', 'name', 'count'])
    """

    data: pd.DataFrame
    log: pd.DataFrame
    flags: pd.DataFrame
    totals: pd.DataFrame
    read: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        rules = {k: v for k, v in self.counts("rule").items() if v}
        return (f"Cleaned(rows={len(self.data)}, changes={len(self.log)} {rules}, "
                f"flagged={int(self.flags['flagged'].sum())})")

    @property
    def column_names(self) -> list[str]:
        """The cleaned data's columns (as :attr:`CleanedFiles.column_names <toolkit.cleaning.to_files.CleanedFiles>`).

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-screener")
        >>> toolkit.clean(pd.DataFrame({i: ["1"] for i in inst.item_ids}), inst).column_names[:1]
        ['net_use_3m']
        """
        return list(self.data.columns)

    def select(self, columns) -> pd.DataFrame:
        """These columns of the cleaned data, every row (a streamed result reads them from its file).

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-screener")
        >>> toolkit.clean(pd.DataFrame({i: ["1"] for i in inst.item_ids}), inst).select(["net_use_3m"]).shape
        (1, 1)
        """
        return self.data[list(columns)]

    def summary(self) -> pd.DataFrame:
        """The counts: one row per (kind, name) - rows in, out and dropped, changes by rule, flags.

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-screener")
        >>> res = toolkit.clean(pd.DataFrame({i: ["88"] for i in inst.item_ids}), inst)
        >>> res.summary().head(3).to_dict("records")
        [{'kind': 'rows', 'name': 'input', 'count': 1}, {'kind': 'rows', 'name': 'output', 'count': 1},
         {'kind': 'rows', 'name': 'dropped', 'count': 0}]
        """
        return self.totals

    def counts(self, kind: str) -> dict[str, int]:
        """{name: count} for one kind of summary row ('rows', 'rule' or 'flag').

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-screener")
        >>> raw = pd.DataFrame({i: ["88"] for i in inst.item_ids})
        >>> res = toolkit.clean(raw, inst)
        >>> res.counts("rows")
        {'input': 1, 'output': 1, 'dropped': 0}
        >>> res.counts("rule")["missing_code"] == len(inst.item_ids)
        True
        """
        return counts_of(self.totals, kind)


def counts_of(totals: pd.DataFrame, kind: str) -> dict[str, int]:
    """{name: count} of the ``totals`` rows of one kind ('rows', 'rule' or 'flag').

    Examples
    --------
    >>> counts_of(pd.DataFrame({"kind": ["rows"], "name": ["input"], "count": [3]}), "rows")
    {'input': 3}
    """
    check_option(kind, "kind", TOTAL_KINDS)
    s = totals[totals["kind"] == kind]
    return dict(zip(s["name"], s["count"].astype(int), strict=True))


def totals(n_input: int, data: pd.DataFrame, log: pd.DataFrame, flags: pd.DataFrame, n_dropped: int) -> pd.DataFrame:
    """The counts table of a cleaning pass: rows (input, output, dropped), changes per rule, flags.

    Examples
    --------
    >>> from toolkit.cleaning.log import LogBuilder
    >>> flags = pd.DataFrame({f: [False] for f in (*FLAGS, "flagged")})
    >>> t = totals(1, pd.DataFrame(index=[0]), LogBuilder().build(None), flags, 0)
    >>> t.groupby("kind").size().to_dict()
    {'flag': 7, 'rows': 3, 'rule': 12}
    """
    return totals_from(n_input, len(data), log["rule"].value_counts(), flags, n_dropped)


def totals_from(n_input: int, n_output: int, rule_counts: pd.Series, flags: pd.DataFrame,
                n_dropped: int) -> pd.DataFrame:
    """:func:`totals` from the counts: rows out, and the log's changes per rule (``value_counts`` of ``rule``).

    Examples
    --------
    >>> flags = pd.DataFrame({f: [False] for f in (*FLAGS, "flagged")})
    >>> t = totals_from(1, 1, pd.Series({"missing_code": 2}), flags, 0)
    >>> int(t.loc[t["name"] == "missing_code", "count"].iloc[0])
    2
    """
    rule_counts = rule_counts.reindex(list(RULES), fill_value=0)
    return pd.DataFrame({
        "kind": ["rows"] * 3 + ["rule"] * len(RULES) + ["flag"] * (len(FLAGS) + 1),
        "name": ["input", "output", "dropped", *RULES, *FLAGS, "flagged"],
        "count": [n_input, n_output, n_dropped, *rule_counts.to_numpy(),
                  *(int(flags[f].sum()) for f in (*FLAGS, "flagged"))],
    })
