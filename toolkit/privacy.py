"""Privacy safeguards: PII detection and redaction, pseudonymisation, formula-injection and small-cell protection.

Personal identifiers never reach an analysis, a log or a report:

- :func:`find_pii` / :func:`redact` detect Danish CPR numbers (``DDMMYY-XXXX`` with the
  dash, a space or nothing in between; valid dates only), e-mail addresses and Danish phone numbers
  (8 digits starting with 2-9, or any 8 digits after ``+45``/``0045``, optionally grouped by
  spaces as 2-2-2-2 or 4-4; not the integer part of an amount with decimals such as ``12345678,50``).
  A match is replaced by a marker such as ``[CPR]``; what is reported about a match
  is only its kind and position, never its text.
- :func:`pseudonymise` replaces identifiers with a keyed hash (HMAC-SHA256), so the
  same id always gets the same pseudonym under the same key but cannot be reversed
  or recomputed without the key.
- :func:`protect_formulas` neutralises spreadsheet formulas before text is written to
  CSV/XLSX (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
  leading apostrophe).
- :func:`suppress_small_cells` blanks estimates resting on fewer than ``min_cell``
  respondents and says so (the one policy of :mod:`toolkit.disclosure`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import numpy as np
import pandas as pd

from toolkit._validation import renamed_keywords
from toolkit.disclosure import DEFAULT_MIN_CELL, suppress
from toolkit.errors import PrivacyError
from toolkit.outputs import FORMULA_START, neutralise_cell

__all__ = [
    "PII_KINDS",
    "MARKERS",
    "DEFAULT_KEY_ENV",
    "find_pii",
    "redact",
    "contains_pii",
    "pseudonymise",
    "is_pseudonym",
    "resolve_key",
    "protect_formulas",
    "suppress_small_cells",
]

#: Environment variable read for the pseudonymisation key when none is passed.
DEFAULT_KEY_ENV = "DITK_PSEUDONYM_KEY"

#: Prefix of every pseudonym; lets cleaning recognise ids it has already pseudonymised.
PSEUDONYM_PREFIX = "ps-"
_PSEUDONYM_HEX = 20
_PSEUDONYM_RE = re.compile(rf"^{PSEUDONYM_PREFIX}[0-9a-f]{{{_PSEUDONYM_HEX}}}$")

# Candidates only; a CPR candidate is kept when its first six digits are a real date.
_CPR = r"(?<![\d])(?P<dd>\d{2})(?P<mm>\d{2})(?P<yy>\d{2})[- ]?(?P<seq>\d{4})(?![\d])"
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# 8 digits as written in Denmark (12345678, 12 34 56 78, 1234 5678) in no longer digit run. Danish
# numbers start with 2-9 (0 and 1 start no subscriber number), so 8-digit runs starting with 0 or 1
# (amounts, zero-padded ids, 19xx dates) are phones only after +45/0045. The integer part of an
# amount with decimals (12345678,50 / 12345678.25) or the fraction of a number (0.20304050) is no phone.
_PHONE_8 = r"(?:{0}\d{{7}}|{0}\d \d{{2}} \d{{2}} \d{{2}}|{0}\d{{3}} \d{{4}})"
_PHONE = (r"(?<![\d+])(?<!\d\.)(?:(?:\+|00)45 ?" + _PHONE_8.format(r"\d") + "|" + _PHONE_8.format("[2-9]") + ")"
          r"(?!\d)(?!\.[1-9]|\.0\d|,\d{1,2}(?!\d))")

PII_KINDS = ("cpr", "email", "phone")
MARKERS = {"cpr": "[CPR]", "email": "[EMAIL]", "phone": "[PHONE]"}
_PATTERNS = {"cpr": re.compile(_CPR), "email": re.compile(_EMAIL), "phone": re.compile(_PHONE)}
_DIGITS_BEFORE = re.compile(r"\d")


def _valid_cpr_date(dd: int, mm: int, yy: int, seq: int) -> bool:
    """True when day/month/year (century from the 7th digit, as the CPR office defines it) is a real date."""
    c = seq // 1000
    if c <= 3:
        year = 1900 + yy
    elif c in (4, 9):
        year = 2000 + yy if yy <= 36 else 1900 + yy
    else:
        year = 2000 + yy if yy <= 57 else 1800 + yy
    if not 1 <= mm <= 12 or dd < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[mm - 1]
    return dd <= days


def _cpr_sub(match: re.Match[str]) -> str:
    g = match.groupdict()
    ok = _valid_cpr_date(int(g["dd"]), int(g["mm"]), int(g["yy"]), int(g["seq"]))
    return MARKERS["cpr"] if ok else match.group(0)


def _spans(text: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Redact one string; return the new text and (kind, start, end) spans in the ORIGINAL text."""
    spans: list[tuple[str, int, int]] = []
    # Work on a copy where found PII is masked by same-length filler, so later patterns
    # neither re-match it nor shift positions.
    work = text
    for kind in PII_KINDS:
        pattern = _PATTERNS[kind]
        for m in pattern.finditer(work):
            if kind == "cpr" and _cpr_sub(m) == m.group(0):
                continue
            spans.append((kind, m.start(), m.end()))
        if spans:
            chars = list(work)
            for _, s, e in spans:
                chars[s:e] = "\x00" * (e - s)
            work = "".join(chars)
    if not spans:
        return text, spans
    spans.sort(key=lambda t: t[1])
    out, pos = [], 0
    for kind, s, e in spans:
        out.append(text[pos:s])
        out.append(MARKERS[kind])
        pos = e
    out.append(text[pos:])
    return "".join(out), spans


_MAYBE = re.compile(r"@|\d\d ?\d\d")  # every CPR number, e-mail and phone number holds one of these


def _scan(value: object) -> tuple[str, list[tuple[str, int, int]]]:
    text = str(value)
    return _spans(text) if _MAYBE.search(text) else (text, [])


def find_pii(values: pd.Series) -> pd.DataFrame:
    """Locate CPR numbers, e-mail addresses and phone numbers in a column of text.

    Parameters
    ----------
    values : pd.Series
        Any column; non-string cells are looked at as text, missing cells skipped.

    Returns
    -------
    pd.DataFrame
        One row per match: ``row`` (position in ``values``), ``kind`` (cpr, email, phone),
        ``start``, ``end`` (character positions). The matched text itself is never returned.

    Examples
    --------
    >>> s = pd.Series(["call 20 30 40 50", None, "cpr 010190-1234 or a@b.dk"])
    >>> find_pii(s)
       row   kind  start  end
    0    0  phone      5   16
    1    2    cpr      4   15
    2    2  email     19   25
    """
    return redact(values)[1]


def redact(values: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Replace PII in a column with markers.

    Parameters
    ----------
    values : pd.Series
        Column to scan. Cells that are not strings are converted to text only for
        scanning; cells without PII are returned unchanged (same object and type).

    Returns
    -------
    redacted : pd.Series
        New series (same index); cells with PII become text with ``[CPR]``,
        ``[EMAIL]`` or ``[PHONE]`` in place of each match.
    matches : pd.DataFrame
        ``row``, ``kind``, ``start``, ``end`` for every match (see :func:`find_pii`).

    Examples
    --------
    >>> clean, found = redact(pd.Series(["mail me: ole@example.dk", "no pii"]))
    >>> clean.tolist()
    ['mail me: [EMAIL]', 'no pii']
    >>> found[["row", "kind"]].to_dict("records")
    [{'row': 0, 'kind': 'email'}]
    """
    empty = pd.DataFrame({"row": pd.Series(dtype="int64"), "kind": pd.Series(dtype="str"),
                          "start": pd.Series(dtype="int64"), "end": pd.Series(dtype="int64")})
    # Scan each distinct value once: answers repeat, so this is far less than one scan per row.
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [_scan(u) for u in uniques]
    hit_unique = np.array([bool(r[1]) for r in results] + [False])
    hit = hit_unique[codes]
    if not hit.any():
        return values.copy(), empty
    rows = np.flatnonzero(hit)
    new_text = np.array([r[0] for r in results], dtype=object)
    out = values.astype(object)
    out.iloc[rows] = new_text[codes[rows]]
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(values.dtype):
        out = out.astype(values.dtype)
    per_row = [results[c][1] for c in codes[rows]]
    counts = np.array([len(p) for p in per_row])
    flat = [span for p in per_row for span in p]
    found = pd.DataFrame({"row": np.repeat(rows, counts).astype("int64"),
                          "kind": pd.array([k for k, _, _ in flat], dtype="str"),
                          "start": np.array([a for _, a, _ in flat], dtype="int64"),
                          "end": np.array([b for _, _, b in flat], dtype="int64")})
    return out, found


def contains_pii(values: pd.Series) -> pd.Series:
    """Boolean Series: True where a cell holds a CPR number, e-mail address or phone number.

    Examples
    --------
    >>> contains_pii(pd.Series(["ring 20304050", "fine", None])).tolist()
    [True, False, False]
    """
    hit = np.zeros(len(values), dtype=bool)
    rows = find_pii(values)["row"].to_numpy()
    hit[rows] = True
    return pd.Series(hit, index=values.index)


def resolve_key(key: str | bytes | None, *, env: str | None = DEFAULT_KEY_ENV) -> bytes:
    """The pseudonymisation key: ``key`` if given (not None), else the environment variable ``env``.

    Raises
    ------
    PrivacyError
        If neither gives a non-empty key.

    Examples
    --------
    >>> resolve_key("s3cret")
    b's3cret'
    """
    if key is None and env:
        key = os.environ.get(env) or None
    if not key:
        variable = env or DEFAULT_KEY_ENV
        raise PrivacyError(
            f"respondent ids must be pseudonymised but no key was given: set the environment variable {variable} "
            f"(ditk clean/report read it; --pseudonym-key-env VAR names another) or pass pseudonym_key= in "
            "Python; to keep ids in clear, use --keep-ids (keep_ids=True)"
        )
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def is_pseudonym(values: pd.Series) -> pd.Series:
    """True where a cell already is a pseudonym made by :func:`pseudonymise`.

    Examples
    --------
    >>> is_pseudonym(pd.Series(["ps-" + "a" * 20, "r0001"])).tolist()
    [True, False]
    """
    return values.astype("str").str.match(_PSEUDONYM_RE).fillna(False).astype(bool)


def pseudonymise(values: pd.Series, key: str | bytes) -> pd.Series:
    """Keyed-hash pseudonyms (HMAC-SHA256, first 80 bits in hex, prefixed ``ps-``).

    Missing cells stay missing; cells that already are pseudonyms are kept, so
    pseudonymising twice changes nothing. Each distinct id is hashed once. An id is
    hashed as text without surrounding spaces, and a whole number as digits only, so the
    same id gets the same pseudonym whether the export typed it as text, integer or float
    (SPSS stores every number as a float: ``1001.0`` and ``"1001"`` are the same respondent).

    Examples
    --------
    >>> p = pseudonymise(pd.Series(["r1", "r2", "r1", None]), key="k")
    >>> p[0] == p[2], p[0] != p[1], p[0].startswith("ps-"), pd.isna(p[3])
    (True, True, True, True)
    >>> pseudonymise(p, key="k").equals(p)
    True
    >>> a, b, c = pseudonymise(pd.Series([1001.0, "1001 ", 1001], dtype=object), key="k")
    >>> a == b == c
    True
    """
    hmac_hex = _hmac_sha256_hex(key.encode("utf-8") if isinstance(key, str) else bytes(key))
    codes, raw_uniques = pd.factorize(values)
    # as Python objects in one go (iterating an Arrow array boxes each value on its own)
    uniques = [str(int(u)) if isinstance(u, (float, np.floating)) and float(u).is_integer() else str(u).strip()
               for u in np.asarray(raw_uniques, dtype=object).tolist()]
    hashed = np.array(
        [u if u.startswith(PSEUDONYM_PREFIX) and _PSEUDONYM_RE.match(u)
         else PSEUDONYM_PREFIX + hmac_hex(u.encode("utf-8"))[:_PSEUDONYM_HEX] for u in uniques] + [None],
        dtype=object,
    )
    return pd.Series(hashed[codes], index=values.index, dtype="str")


def _hmac_sha256_hex(key: bytes):
    """``message -> hmac.new(key, message, "sha256").hexdigest()``, keyed once.

    Copying an HMAC already primed with the key (the stdlib's ``HMAC.copy``) skips re-hashing
    the key pads for every id: the same digest at a fraction of ``hmac.new``'s cost per id.
    """
    primed = hmac.new(key, digestmod=hashlib.sha256)

    def hex_digest(message: bytes) -> str:
        h = primed.copy()
        h.update(message)
        return h.hexdigest()

    return hex_digest


def _formula_start(texts) -> np.ndarray:
    """True where a text (an Arrow-convertible array of str, missing allowed) starts like a formula."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(texts, type=pa.large_string(), from_pandas=True)
    first = pc.utf8_slice_codeunits(text, 0, 1)  # every formula start is one character
    risky = pc.is_in(first, value_set=pa.array(FORMULA_START, type=pa.large_string()))
    return pc.fill_null(risky, False).to_numpy(zero_copy_only=False)


def _prefixed(data: pd.Series, risky: np.ndarray) -> pd.Series:
    """A text column with ``'`` before the ``risky`` cells, made in Arrow (no Python object per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(data.array, type=pa.large_string(), from_pandas=True)
    rows = np.flatnonzero(risky)
    quoted = pc.binary_join_element_wise(pa.scalar("'", pa.large_string()), text.take(rows),
                                         pa.scalar("", pa.large_string()))
    index = np.arange(len(text))
    index[rows] = len(text) + np.arange(len(rows))  # each risky cell taken from the quoted texts
    joined = pa.concat_arrays([text, quoted]).take(index)
    return pd.Series(pd.array(joined, dtype=data.dtype), index=data.index, name=data.name)


def _formula_texts(values: np.ndarray) -> np.ndarray:
    """True where a value (of an object array) is text that :func:`neutralise_cell` would change."""
    text = np.frompyfunc(isinstance, 2, 1)(values, str).astype(bool)
    risky = np.zeros(len(values), dtype=bool)
    if text.any():
        risky[text] = _formula_start(values[text])
    return risky


def _protected_column(data: pd.Series) -> pd.Series:
    """:func:`protect_formulas` of one column: each distinct text checked once, only risky cells rewritten."""
    if isinstance(data.dtype, pd.CategoricalDtype):  # text categories are text too
        categories = data.cat.categories
        text = pd.api.types.is_string_dtype(categories.dtype) and not pd.api.types.is_object_dtype(categories.dtype)
        if not (_formula_start(categories.array) if text else _formula_texts(categories.to_numpy(dtype=object))).any():
            return data.copy()
        renamed = [neutralise_cell(c) for c in categories]
        if len(set(renamed)) == len(renamed):
            return data.cat.rename_categories(renamed)
        return _protected_column(data.astype(object))
    if not (pd.api.types.is_object_dtype(data.dtype) or pd.api.types.is_string_dtype(data.dtype)):
        return data.copy()
    if pd.api.types.is_string_dtype(data.dtype) and not pd.api.types.is_object_dtype(data.dtype):
        # text only (no numbers among it): one vectorised pass
        risky = _formula_start(data.array)
    else:
        codes, uniques = pd.factorize(data, use_na_sentinel=True)  # check each distinct value once
        risky = np.append(_formula_texts(np.asarray(uniques, dtype=object)), False)[codes]
    if not risky.any():
        return data.copy()
    if not pd.api.types.is_object_dtype(data.dtype):
        return _prefixed(data, risky)
    out = data.copy()  # the few risky cells are rewritten, not the whole column made objects and back
    rows = np.flatnonzero(risky)
    out.iloc[rows] = ("'" + data.iloc[rows].astype("str")).to_numpy(object)
    return out


def protect_formulas(data: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Neutralise spreadsheet formulas: text cells starting with ``= + - @`` (or tab/CR) get a leading ``'``.

    Numbers are left alone (``-3`` as a number is not a formula). Column names are
    protected too. Returns a new object; the input is not modified.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["=1+1", "ok", "@SUM(A1)"], "b": [-1.0, 2.0, 3.0]})
    >>> protect_formulas(df)["a"].tolist()
    ["'=1+1", 'ok', "'@SUM(A1)"]
    """
    if isinstance(data, pd.Series):
        return _protected_column(data)
    out = data.copy(deep=False)  # each column is replaced by its protected copy
    for position in range(data.shape[1]):
        out.isetitem(position, _protected_column(data.iloc[:, position]))
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


@renamed_keywords(threshold="min_cell")
def suppress_small_cells(
    table: pd.DataFrame,
    *,
    n: str = "n",
    min_cell: int = DEFAULT_MIN_CELL,
    columns: list[str] | None = None,
    sets: str | list[str] | None = None,
) -> pd.DataFrame:
    """Blank estimates that rest on fewer than ``min_cell`` respondents, and say so.

    The toolkit's one small-cell policy, :func:`toolkit.disclosure.suppress`: a
    suppressed cell shows neither its estimate nor its count, is flagged in
    ``suppressed`` and explained in ``note``; survey tables suppress the same way.

    Parameters
    ----------
    table : pd.DataFrame
        A tidy table with a count column.
    n : str
        Name of the count column.
    min_cell : int
        Cells with ``n < min_cell`` are suppressed (default 5; 0 suppresses nothing).
        Formerly ``threshold``.
    columns : list of str, optional
        Columns to blank besides ``n``; default the estimate-like columns present
        (:data:`toolkit.disclosure.ESTIMATE_COLUMNS`).
    sets : str or list of str, optional
        Columns identifying cells that add up to a visible margin; a set with one
        suppressed cell loses its next-smallest cell too (secondary suppression).

    Returns
    -------
    pd.DataFrame
        Copy of ``table`` with those values missing (``n`` as nullable ``Int64``),
        a boolean ``suppressed`` column and a ``note`` column.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "estimate": [0.2, 0.5], "n": [40, 3]})
    >>> suppress_small_cells(t)
      group  estimate     n  suppressed               note
    0     a       0.2    40       False
    1     b       NaN  <NA>        True  n < 5: suppressed
    """
    return suppress(table, n=n, min_cell=min_cell, columns=columns, sets=sets)
