"""Missing values an export declares itself: a per-file code map, and SPSS/Stata user-missing values.

Three sources say which values are missing answers, in this order of precedence:

1. **SPSS/Stata user-missing definitions** read from the file (``read_info(...)["user_missing"]``,
   ``["missing_ranges"]``): single values (``-9``, ``999``), ranges (``2000``-``3000``, kept as a
   range) and Stata's extended missing values ``.a``-``.z``. They apply to the column that
   declares them, whatever its type. The kind comes from the value label where it names one
   (:func:`kind_from_label`), else ``no_answer``.
2. **The file's missing-code map**, ``toolkit.clean(data, instrument, missing={77: "refused",
   88: "dont_know", 99: "no_answer"})`` (``ditk clean --missing 77=refused,88=dont_know``): the
   codes this file uses for missing answers in coded items. It is given to :func:`toolkit.clean`
   and not to :func:`toolkit.read_responses`, because reading never changes a value; it adds to
   and overrides the missing codes of each item's response set, except where a code is a valid
   answer of the item (so one map holds ESS's 7/8/9 for short scales and 77/88/99 for 0-10 ones).
3. **The instrument's** missing codes (per response set; by default 66/88/99).

Kinds are those of :data:`toolkit.instrument.vocabulary.MISSING_KIND_NAMES`.

Examples
--------
>>> check_missing_map({77: "refused", 99: "no_answer"})
{77: 'refused', 99: 'no_answer'}
>>> parse_missing("77=refused, 88=dont_know")
{77: 'refused', 88: 'dont_know'}
>>> kind_from_label("Refusal"), kind_from_label("Don't know"), kind_from_label("Not available")
('refused', 'dont_know', 'no_answer')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit._validation import check_option
from toolkit.errors import OptionError
from toolkit.instrument.vocabulary import MISSING_KIND_NAMES
from toolkit.io import normalise_label

__all__ = ["check_missing_map", "parse_missing", "kind_from_label", "DeclaredMissing", "declared_missing"]

#: Kind of a user-missing value whose label names none.
DEFAULT_KIND = "no_answer"
# First match wins (a label is matched after normalise_label: case- and space-insensitive, ' for ’).
_LABEL_KINDS = (
    ("dont_understand", re.compile(r"\b(?:don'?t|do not|did not|didn'?t) understand\b|\bforst[åa]r ikke\b")),
    ("dont_know", re.compile(r"\b(?:don'?t|do not|doesn'?t) know\b|\bved ikke\b|\bnot sure\b|^dk$|\bcan'?t say\b")),
    ("refused", re.compile(r"\brefus|\brather not\b|\bprefer not\b|\bdeclin|\bwon'?t say\b|\bn[æa]gte"
                           r"|\bønsker ikke\b|\bvil ikke\b")),
    ("not_applicable", re.compile(r"\bnot applicable\b|\binapplicable\b|^n/?a$|\bskip|\bikke relevant\b")),
    ("no_answer", re.compile(r"\bno answer\b|\bnot answered\b|\bunanswered\b|\bmissing\b|\buoplyst\b")),
)
_PAIR = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[=:]\s*([A-Za-z_ ']+?)\s*$")


def kind_from_label(label: Any, default: str = DEFAULT_KIND) -> str:
    """The missing kind a value label names (refusal, don't know, not applicable, ...), else ``default``.

    Examples
    --------
    >>> [kind_from_label(x) for x in ("REFUSED", "Ved ikke", "Skipped", "No answer", None)]
    ['refused', 'dont_know', 'not_applicable', 'no_answer', 'no_answer']
    """
    if not isinstance(label, str):
        return default
    text = normalise_label(label)
    for kind, pattern in _LABEL_KINDS:
        if pattern.search(text):
            return kind
    return default


def _code(value: Any) -> int | float:
    """A missing code as a number (whole numbers as int); anything else is an OptionError."""
    if isinstance(value, bool):
        raise OptionError(f"missing codes must be numbers; got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"missing codes must be numbers; got {value!r}") from None
    if not math.isfinite(number):
        raise OptionError(f"missing codes must be finite numbers; got {value!r}")
    return int(number) if number.is_integer() else number


def check_missing_map(missing: Mapping[Any, str] | None) -> dict[int | float, str]:
    """A file's missing-code map ``{code: kind}`` checked: codes numbers, kinds from the vocabulary.

    Raises
    ------
    OptionError
        A code is no number, or a kind is unknown (the message lists the allowed kinds).

    Examples
    --------
    >>> check_missing_map(None)
    {}
    >>> check_missing_map({"77": "refusal"})
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: kind of missing code 77 must be one of 'dont_know', 'refused', ...; got 'refusal'
    """
    if missing is None:
        return {}
    if not isinstance(missing, Mapping):
        raise OptionError(f"missing must be a mapping {{code: kind}}, e.g. {{77: 'refused'}}; "
                          f"got {type(missing).__name__}")
    out: dict[int | float, str] = {}
    for raw, kind in missing.items():
        code = _code(raw)
        out[code] = check_option(kind, f"kind of missing code {code}", MISSING_KIND_NAMES)
    return out


def parse_missing(text: str | None) -> dict[int | float, str]:
    """The command line's ``--missing 77=refused,88=dont_know,99=no_answer`` as a checked map.

    Raises
    ------
    OptionError
        A pair is not ``CODE=KIND``, or a kind is unknown.

    Examples
    --------
    >>> parse_missing("-9=refused")
    {-9: 'refused'}
    >>> parse_missing("77")
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: --missing expects CODE=KIND pairs separated by commas, like ...; got '77'
    """
    if text is None or not text.strip():
        return {}
    pairs = {}
    for part in filter(str.strip, text.split(",")):
        match = _PAIR.match(part)
        if match is None:
            raise OptionError("--missing expects CODE=KIND pairs separated by commas, like "
                              f"77=refused,88=dont_know; got {part.strip()!r}")
        pairs[match.group(1)] = match.group(2).strip()
    return check_missing_map(pairs)


@dataclass(frozen=True)
class DeclaredMissing:
    """The user-missing values one column of an SPSS/Stata file declares, each with its kind.

    Examples
    --------
    >>> d = DeclaredMissing(values={-9.0: "refused"}, ranges=((2000.0, 3000.0, "no_answer"),))
    >>> d.kind_of(-9), d.kind_of(2500.0), d.kind_of(3001.0), d.kind_of("a")
    ('refused', 'no_answer', None, None)
    """

    values: Mapping[Any, str] = field(default_factory=dict)
    ranges: tuple[tuple[float, float, str], ...] = ()

    def kind_of(self, value: Any) -> str | None:
        """The kind of a raw value if it is declared missing, else None."""
        try:
            kind = self.values.get(value)
        except TypeError:  # an unhashable cell
            return None
        if kind is not None or not self.ranges:
            return kind
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        for lo, hi, range_kind in self.ranges:
            if lo <= value <= hi:
                return range_kind
        return None

    def describe(self) -> list[dict[str, Any]]:
        """One dict per definition: low, high (equal for a single value), kind.

        Examples
        --------
        >>> DeclaredMissing(values={"a": "refused"}, ranges=((1.0, 5.0, "no_answer"),)).describe()
        [{'low': 'a', 'high': 'a', 'kind': 'refused'}, {'low': 1.0, 'high': 5.0, 'kind': 'no_answer'}]
        """
        return ([{"low": v, "high": v, "kind": k} for v, k in self.values.items()]
                + [{"low": lo, "high": hi, "kind": k} for lo, hi, k in self.ranges])


def _label_of(labels: Mapping[Any, str], value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return labels.get(value)
    except TypeError:
        return None


def _range_kind(labels: Mapping[Any, str], lo: float, hi: float) -> str:
    """A range's kind: its low end's label, else the one label inside it, else the default."""
    inside = [v for k, v in labels.items() if isinstance(k, int | float) and not isinstance(k, bool) and lo <= k <= hi]
    label = _label_of(labels, lo) or (inside[0] if len(set(inside)) == 1 else None)
    return kind_from_label(label)


def declared_missing(info: Mapping[str, Any]) -> dict[str, DeclaredMissing]:
    """{column: DeclaredMissing} from a file's read metadata (:func:`toolkit.io.read_info`).

    Examples
    --------
    >>> info = {"user_missing": {"q1": [-9.0, 999.0]}, "missing_ranges": {"inc": [(2000.0, 3000.0)]},
    ...         "value_labels": {"q1": {-9: "Refused", 999: "Skipped", 1: "Yes"}}}
    >>> found = declared_missing(info)
    >>> found["q1"].values, found["inc"].ranges
    ({-9.0: 'refused', 999.0: 'not_applicable'}, ((2000.0, 3000.0, 'no_answer'),))
    """
    labels = info.get("value_labels") or {}
    singles = info.get("user_missing") or {}
    ranges = info.get("missing_ranges") or {}
    out: dict[str, DeclaredMissing] = {}
    for col in dict.fromkeys([*singles, *ranges]):
        col_labels = labels.get(col, {})
        values = {v: kind_from_label(_label_of(col_labels, v)) for v in singles.get(col, ())}
        spans = tuple((lo, hi, _range_kind(col_labels, lo, hi)) for lo, hi in ranges.get(col, ()))
        if values or spans:
            out[col] = DeclaredMissing(values=values, ranges=spans)
    return out
