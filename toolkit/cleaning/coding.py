"""Value rules: turn one raw column into coded values, a missing kind and a rule per cell.

Each column is factorised and every DISTINCT raw value is decoded once (a handful
for coded items), then the results are broadcast back with ``take``: no Python
work per row. A cell counts as changed, and gets a rule, only when its value
changes; reading ``"3"`` or ``" 3 "`` as the number 3 is not a change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cleaning.missing import DeclaredMissing
from toolkit.instrument.vocabulary import MISSING_KINDS, NUMERIC_METADATA
from toolkit.io import normalise_label

#: Rules a value can be changed by, in the order they appear in summaries.
VALUE_RULES = ("label_to_code", "decimal_comma", "recode_multiple", "missing_code", "out_of_range",
               "invalid_value", "not_asked")

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")
_TOKEN_SPLIT = re.compile(r"[\s,;|]+")


@dataclass
class Decoded:
    """One column after the value rules.

    ``values`` are the new cells; ``rule`` holds an index into ``VALUE_RULES`` per row
    (-1 = unchanged) and ``kind`` an index into ``MISSING_KINDS`` (-1 = none).
    ``codes`` index every row's raw value in ``raw_uniques`` / its decoded value in
    ``new_uniques`` (-1, the last entry, = missing), so the log can point at shared
    objects instead of copying a value per changed cell.

    Examples
    --------
    >>> d = decode_number_column(pd.Series(["1", "1", "2,5"]))
    >>> d.codes.tolist(), d.raw_uniques.tolist(), d.new_uniques.tolist()
    ([0, 0, 1], ['1', '2,5', nan], [1.0, 2.5, nan])
    """

    values: np.ndarray
    rule: np.ndarray
    kind: np.ndarray
    codes: np.ndarray
    raw_uniques: np.ndarray
    new_uniques: np.ndarray


def _rule(name: str | None) -> int:
    return -1 if name is None else VALUE_RULES.index(name)


def _kind(name: str | None) -> int:
    return -1 if name is None else MISSING_KINDS.index(name)


def parse_number(value: Any) -> tuple[float, str | None, bool]:
    """(number, rule, ok) for a raw cell; rule is 'decimal_comma' when a comma was the decimal mark.

    Examples
    --------
    >>> parse_number("3,5"), parse_number(" 4 "), parse_number("abc")[2]
    ((3.5, 'decimal_comma', True), (4.0, None, True), False)
    """
    if isinstance(value, (bool, np.bool_)):
        return float(value), None, True
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), None, not math.isnan(float(value))
    text = str(value).strip()
    if _NUMBER.match(text):
        return float(text), None, True
    if _COMMA_NUMBER.match(text):
        return float(text.replace(",", ".")), "decimal_comma", True
    return math.nan, None, False


def is_blank(value: Any) -> bool:
    """Missing cell or whitespace-only text.

    Examples
    --------
    >>> [is_blank(v) for v in (None, float("nan"), "  ", "0", 0)]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


class ColumnCoder:
    """Decoding rules for one item, built from the instrument once.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> coder = ColumnCoder(inst.item("net_use_3m"), inst.response_set_of("net_use_3m"), inst.missing_codes)
    >>> sorted(coder.valid), coder.labels["ja"]
    ([1, 2], 1)
    """

    def __init__(self, item: Any, response_set: Any | None, missing_codes: dict[int, str],
                 declared: DeclaredMissing | None = None):
        self.item = item
        self.type = item.type
        self.valid: set[int] = set(response_set.valid_codes) if response_set is not None else set()
        self.missing = dict(missing_codes) if response_set is not None else {}
        self.declared = declared  # the file's own user-missing values (SPSS/Stata), for any item type
        self.labels: dict[str, int] = {}
        if response_set is not None:
            for code in [*response_set.codes, *response_set.missing]:
                for label in code.label.values():
                    self.labels.setdefault(normalise_label(label), code.code)

    # -- one distinct value -> (new value, kind, rule)
    def _coded(self, raw: Any) -> tuple[Any, str | None, str | None]:
        rule = None
        key = normalise_label(raw) if isinstance(raw, str) else None
        # numeric text is a code (as in _multiple): "5" on a 0-10 set labelled "5" changes nothing
        if key is not None and key in self.labels and not _NUMBER.match(key):
            x, rule = float(self.labels[key]), "label_to_code"
        else:
            x, rule, ok = parse_number(raw)
            if not ok:
                return math.nan, None, "invalid_value"
        if x.is_integer() and int(x) in self.missing:
            return math.nan, self.missing[int(x)], "missing_code"
        if not x.is_integer() or int(x) not in self.valid:
            return math.nan, None, "out_of_range"
        return x, None, rule

    def _multiple(self, raw: Any) -> tuple[Any, str | None, str | None]:
        parts = self._parts(raw) if isinstance(raw, str) else [raw]
        codes, labelled, bad = [], False, False
        for part in parts:
            if isinstance(part, str) and part in self.labels and not _NUMBER.match(part):
                codes.append(self.labels[part])
                labelled = True
                continue
            x, _, ok = parse_number(part)
            if ok and x.is_integer():
                codes.append(int(x))
            else:
                bad = True
        miss = [c for c in codes if c in self.missing]
        valid = sorted({c for c in codes if c in self.valid})
        other = [c for c in codes if c not in self.valid and c not in self.missing]
        if not valid:
            if miss and not (bad or other):
                return math.nan, self.missing[miss[0]], "missing_code"
            return math.nan, None, "invalid_value" if bad and not other else "out_of_range"
        new = " ".join(map(str, valid))
        if other or miss:
            rule = "out_of_range"  # impossible codes dropped, the valid choices kept
        elif bad:
            rule = "invalid_value"
        elif labelled:
            rule = "label_to_code"
        elif isinstance(raw, str):
            rule = None if raw.strip() == new else "recode_multiple"
        else:
            rule = None if len(valid) == 1 and float(raw) == valid[0] else "recode_multiple"
        return new, None, rule

    def _parts(self, text: str) -> list[Any]:
        """The choices in one select_multiple cell: codes or labels, separated by spaces, ``,``, ``;`` or ``|``."""
        whole = normalise_label(text)
        if whole in self.labels:
            return [whole]
        if re.search(r"[,;|]", text):
            parts = [normalise_label(p) for p in re.split(r"[,;|]", text) if p.strip()]
            if all(p in self.labels or _NUMBER.match(p) for p in parts):
                return parts
        # labels joined by spaces (a Kobo label export) or plain codes "1 3"
        return self._segment(whole.split(" ")) or [p for p in _TOKEN_SPLIT.split(whole) if p]

    def _segment(self, words: list[str]) -> list[str] | None:
        """Split space-joined words into known labels or codes (dynamic programming); None if impossible."""
        best: list[list[str] | None] = [[]] + [None] * len(words)
        for end in range(1, len(words) + 1):
            for start in range(end):
                head = best[start]
                piece = " ".join(words[start:end])
                if head is not None and (piece in self.labels or _NUMBER.match(piece)):
                    best[end] = [*head, piece]
                    break
        return best[-1]

    def _numeric(self, raw: Any) -> tuple[Any, str | None, str | None]:
        x, rule, ok = parse_number(raw)
        if not ok:
            return math.nan, None, "invalid_value"
        lo, hi = self.item.min, self.item.max
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            return math.nan, None, "out_of_range"
        return x, None, rule

    def _text(self, raw: Any) -> tuple[Any, str | None, str | None]:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # 12.0 typed in Excel reads as text "12", not "12.0"
        return str(raw), None, None

    def decode_one(self, raw: Any) -> tuple[Any, str | None, str | None]:
        """Decode one distinct, non-blank raw value: (new value, missing kind or None, rule or None).

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-full")
        >>> coder = ColumnCoder(inst.item("net_use_3m"), inst.response_set_of("net_use_3m"), inst.missing_codes)
        >>> coder.decode_one("Nej"), coder.decode_one("88"), coder.decode_one("7")
        ((2.0, None, 'label_to_code'), (nan, 'dont_know', 'missing_code'), (nan, None, 'out_of_range'))
        """
        if self.declared is not None:
            kind = self.declared.kind_of(raw)
            if kind is not None:
                return math.nan, kind, "missing_code"
        if self.type == "multiple":
            return self._multiple(raw)
        if self.type == "numeric":
            return self._numeric(raw)
        if self.type == "text":
            return self._text(raw)
        return self._coded(raw)

    def decode(self, column: pd.Series) -> Decoded:
        """Apply the rules to a whole column (vectorised over distinct values).

        Examples
        --------
        >>> import toolkit
        >>> inst = toolkit.load_instrument("dis-full")
        >>> coder = ColumnCoder(inst.item("net_use_3m"), inst.response_set_of("net_use_3m"), inst.missing_codes)
        >>> d = coder.decode(pd.Series(["Ja", "2", None, "Ja"]))
        >>> d.values.tolist(), [VALUE_RULES[r] if r >= 0 else None for r in d.rule]
        ([1.0, 2.0, nan, 1.0], ['label_to_code', None, None, 'label_to_code'])
        """
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        codes = _small(codes, len(uniques))
        results = [(math.nan, None, None) if is_blank(u) else self.decode_one(u) for u in uniques]
        results.append((math.nan, None, None))  # position -1: missing cells
        text_like = self.type in ("multiple", "text")
        values = np.array([r[0] for r in results], dtype=object if text_like else float)
        kinds = np.array([_kind(r[1]) for r in results], dtype=np.int8)
        rules = np.array([_rule(r[2]) for r in results], dtype=np.int8)
        # Blank text ("  ") in a text item becomes NaN: not a change of value.
        return Decoded(values=values[codes], rule=rules[codes], kind=kinds[codes], codes=codes,
                       raw_uniques=_with_missing(uniques), new_uniques=values.astype(object))


def decode_number_column(column: pd.Series, lower: float | None = None) -> Decoded:
    """Numeric metadata (duration, weight): decimal commas, unreadable or negative values.

    Examples
    --------
    >>> d = decode_number_column(pd.Series(["612", "7,5", "-3", "fast", None]), lower=0.0)
    >>> d.values.tolist()
    [612.0, 7.5, nan, nan, nan]
    >>> [VALUE_RULES[r] if r >= 0 else None for r in d.rule]
    [None, 'decimal_comma', 'out_of_range', 'invalid_value', None]
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes = _small(codes, len(uniques))
    out = []
    for u in uniques:
        if is_blank(u):
            out.append((math.nan, None))
            continue
        x, rule, ok = parse_number(u)
        if not ok:
            out.append((math.nan, "invalid_value"))
        elif lower is not None and x < lower:
            out.append((math.nan, "out_of_range"))
        else:
            out.append((x, rule))
    out.append((math.nan, None))
    values = np.array([v for v, _ in out], dtype=float)
    rules = np.array([_rule(r) for _, r in out], dtype=np.int8)
    return Decoded(values=values[codes], rule=rules[codes], kind=np.full(len(column), -1, dtype=np.int8),
                   codes=codes, raw_uniques=_with_missing(uniques), new_uniques=values.astype(object))


def _small(codes: np.ndarray, n_uniques: int) -> np.ndarray:
    """Codes in the narrowest integer type (a coded item has a handful of distinct values); -1 stays -1."""
    return codes.astype(np.int16 if n_uniques < 32_000 else np.int32 if n_uniques < 2**31 - 1 else np.int64)


def _with_missing(uniques: Any) -> np.ndarray:
    """Distinct raw values as objects, plus NaN at the end for code -1."""
    out = np.empty(len(uniques) + 1, dtype=object)
    out[:-1] = np.asarray(uniques, dtype=object)
    out[-1] = math.nan
    return out


def item_missing_codes(instrument: Any, item: Any, missing: Mapping[Any, str] | None = None) -> dict[Any, str]:
    """{code: kind} of an item: its response set's missing codes, with the file's map on top.

    The one place the missing codes of an item are looked up (a response set may declare its
    own); ``missing`` is the file's map (see :mod:`toolkit.cleaning.missing`). A code of the
    map that is a valid answer of the item is not missing there, so one map can hold ESS's
    7/8/9 (short scales) and 77/88/99 (0-10 scales). Items without a response set (numeric,
    text) have none.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> item_missing_codes(inst, inst.item("net_use_3m"), {77: "refused", 99: "no_answer"})
    {66: 'dont_understand', 88: 'dont_know', 99: 'no_answer', 77: 'refused'}
    >>> item_missing_codes(inst, inst.item("net_use_3m"), {2: "refused"})  # 2 is "No" there
    {66: 'dont_understand', 88: 'dont_know', 99: 'refused'}
    >>> item_missing_codes(inst, inst.item("age"), {77: "refused"})
    {}
    """
    rs = instrument.response_set_of(item.id)
    if rs is None:
        return {}
    valid = rs.valid_codes
    return {**rs.missing_codes, **{c: k for c, k in (missing or {}).items() if c not in valid}}


def decode_items(frame: pd.DataFrame, instrument: Any, items: Sequence[Any],
                 progress: Callable[[str, float], None] | None = None, *, missing: Mapping[Any, str] | None = None,
                 declared: Mapping[str, DeclaredMissing] | None = None) -> tuple[dict[str, ColumnCoder],
                                                                                 dict[str, Decoded]]:
    """The value rules applied to every item column of ``frame``: ({item id: coder}, {item id: decoded}).

    ``progress("values", fraction_done)`` is called after each item. ``missing`` is the file's
    missing-code map (coded items), ``declared`` the user-missing values its columns declare.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> _, decoded = decode_items(pd.DataFrame({"net_use_3m": ["Yes", "7"]}), inst, [inst.item("net_use_3m")])
    >>> decoded["net_use_3m"].values.tolist()
    [1.0, nan]
    """
    coders: dict[str, ColumnCoder] = {}
    decoded: dict[str, Decoded] = {}
    for k, item in enumerate(items):
        rs = instrument.response_set_of(item.id)
        coders[item.id] = ColumnCoder(item, rs, item_missing_codes(instrument, item, missing),
                                      (declared or {}).get(item.id))
        decoded[item.id] = coders[item.id].decode(frame[item.id])
        if progress is not None:
            progress("values", (k + 1) / max(len(items), 1))
    return coders, decoded


def decode_numeric_metadata(frame: pd.DataFrame) -> dict[str, Decoded]:
    """Numeric metadata columns present (``NUMERIC_METADATA``: duration, design weight) as non-negative numbers.

    Examples
    --------
    >>> decode_numeric_metadata(pd.DataFrame({"duration_sec": ["60", "-1"], "x": [1, 2]}))["duration_sec"].values
    array([60., nan])
    """
    return {c: decode_number_column(frame[c], lower=0.0) for c in NUMERIC_METADATA if c in frame.columns}


def carry_over_missing_kinds(frame: pd.DataFrame, items: Sequence[Any], decoded: dict[str, Decoded]) -> None:
    """Keep the missing kinds the input already carried (cleaned data cleaned again), in place.

    A ``<item>_missing`` column of the input gives its kind to each cell this pass left
    blank without a kind of its own (a not-asked answer of the first pass, say).

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> frame = pd.DataFrame({"net_freq": [np.nan], "net_freq_missing": ["not_asked"]})
    >>> items = [inst.item("net_freq")]
    >>> _, decoded = decode_items(frame, inst, items)
    >>> carry_over_missing_kinds(frame, items, decoded)
    >>> MISSING_KINDS[decoded["net_freq"].kind[0]]
    'not_asked'
    """
    for item in items:
        prior = frame.get(f"{item.id}_missing")
        if prior is not None:
            d = decoded[item.id]
            prior_codes = pd.Categorical(prior.astype(object), categories=list(MISSING_KINDS)).codes
            take = (d.kind < 0) & pd.isna(d.values) & (prior_codes >= 0)
            d.kind[take] = prior_codes[take]
