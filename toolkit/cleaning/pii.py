"""The privacy phase of cleaning: which columns are ids, pseudonyms for them, PII redacted everywhere else.

Text columns, ids and unknown columns are scanned for CPR numbers, e-mail addresses and
phone numbers (:func:`toolkit.privacy.redact`); numbers are scanned as a person typed them
(a CPR number read as a number has lost its leading zero). Every match is logged without
its old value.

Examples
--------
>>> frame = pd.DataFrame({"Respondent_ID": ["a"], "_UUID": ["u"], "prac_01": ["1"]})
>>> id_columns_in(frame, None, item_ids=["prac_01"])
['Respondent_ID', '_UUID']
>>> id_like_columns(pd.DataFrame({"idno": [11, 12], "q": [1, 1], "token": ["0303901234", "0404901234"]}), [])
['idno', 'token']
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit import privacy
from toolkit.cleaning.log import LogBuilder
from toolkit.errors import DataQualityWarning, PrivacyError, ResponseError
from toolkit.instrument.vocabulary import METADATA_COLUMNS
from toolkit.io import KOBO_ID_COLUMNS, KOBO_METADATA

#: Identifier columns pseudonymised by default when present (respondent id and Kobo/ODK ids).
ID_COLUMNS = ("respondent_id", *KOBO_ID_COLUMNS)
#: Server-made id columns (Kobo/ODK) and the form their values take. A value of that form is an id the
#: server assigned, not free text, so it is not scanned for PII (a Kobo ``_id`` like 40000001 is no phone
#: number); anything else in these columns is scanned like free text.
_UUID = r"(?:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
SYSTEM_ID_FORMATS = {
    "_id": r"\d+", "_index": r"\d+", "_parent_index": r"\d+", "formhub/uuid": r"[0-9a-fA-F]{32}",
    **dict.fromkeys(("_uuid", "instanceid", "meta/instanceid", "deprecatedid", "meta/deprecatedid", "rootuuid",
                     "meta/rootuuid", "key"), _UUID),
}


#: Names of columns that identify a person or a case (compared case-insensitively, after any group path).
#: Such a column holding one value per row is an identifier: it is pseudonymised like the ids above.
ID_LIKE_NAMES = ("id", "idno", "idnr", "uuid", "_uuid", "uid", "cpr", "cprnr", "cpr_nr", "cpr_nummer", "personnummer",
                 "person_id", "personid", "pid", "respondent", "respondentid", "resp_id", "respid", "caseid", "case_id",
                 "case", "serial", "serialno", "serial_no", "participant", "participant_id", "interview_id", "ssn",
                 "lopenr", "løbenr")
_ID_SUFFIX = re.compile(r"(?:^|[_\s.\-])(?:id|idno|uuid|uid)$")
#: Share of a column's values in an identifier's form (a UUID, a CPR number) that makes it an identifier.
ID_VALUE_SHARE = 0.9
_NOT_IDS = {c.lower() for c in (*METADATA_COLUMNS, *KOBO_METADATA)} - {c.lower() for c in ("respondent_id",
                                                                                              *KOBO_ID_COLUMNS)}


#: Warnings point at clean()'s caller: this function < assemble_columns < clean < its two keyword shims.
_CLEAN_CALLER = 6


def id_columns_in(frame: pd.DataFrame, id_columns: Sequence[str] | None, item_ids: Sequence[str]) -> list[str]:
    """The id columns of ``frame``: ``id_columns``, or those of :data:`ID_COLUMNS` present (any case).

    Item columns are never ids.

    Examples
    --------
    >>> id_columns_in(pd.DataFrame(columns=["key", "x"]), ["x", "gone"], item_ids=[])
    ['x']
    """
    lower = {str(c).lower(): c for c in frame.columns}
    ids = list(id_columns) if id_columns is not None else [lower[c] for c in ID_COLUMNS if c in lower]
    items = set(item_ids)
    return [c for c in ids if c in frame.columns and c not in items]


def _id_like_name(column: str) -> bool:
    name = str(column).strip().lower().rsplit("/", 1)[-1]
    return name in ID_LIKE_NAMES or bool(_ID_SUFFIX.search(name))


def _id_like_values(values: pd.Series) -> bool:
    """Most values are UUIDs or CPR numbers (a sample of up to 1000 is looked at)."""
    sample = values.dropna().head(1000)
    if sample.empty or not (pd.api.types.is_object_dtype(sample.dtype) or pd.api.types.is_string_dtype(sample.dtype)
                            or pd.api.types.is_integer_dtype(sample.dtype)):
        return False
    text = _as_typed(sample).astype("str").str.strip()
    uuid = text.str.fullmatch(_UUID).fillna(False)
    cpr = privacy.redact(text)[0].eq(privacy.MARKERS["cpr"])
    return bool((uuid | cpr).mean() >= ID_VALUE_SHARE)


def id_like_columns(frame: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    """Columns that look like identifiers: an id-like name (:data:`ID_LIKE_NAMES`, ``..._id``) and one
    value per row, or values that are mostly UUIDs or CPR numbers. ``exclude`` (items, known ids) never are.

    Examples
    --------
    >>> data = pd.DataFrame({"IDNO": [1, 2, 3], "wave_id": [1, 1, 1], "x": ["a", "b", "c"]})
    >>> id_like_columns(data, exclude=[])
    ['IDNO']
    """
    skip = set(exclude)
    found = []
    for col in frame.columns:
        name = str(col)
        if col in skip or name.lower() in _NOT_IDS or name.endswith("_missing"):
            continue
        values = frame[col]
        present = values.dropna()
        if _id_like_name(name) and len(present) and present.is_unique:
            found.append(col)
        elif _id_like_values(values):
            found.append(col)
    return found


def find_id_columns(frame: pd.DataFrame, item_ids: Sequence[str], *, id_columns: Sequence[str] | None = None,
                    id_column: str | None = None) -> tuple[list[str], list[str]]:
    """(every id column, those of them found only by their look): the columns pseudonymised or kept.

    ``id_column`` names the respondent id (it must exist); ``id_columns`` replaces the default
    list (:data:`ID_COLUMNS` present); columns that look like identifiers
    (:func:`id_like_columns`) are added to either.

    Raises
    ------
    ResponseError
        ``id_column`` is not a column of the data.

    Examples
    --------
    >>> data = pd.DataFrame({"idno": [1, 2], "_uuid": ["a", "b"], "q": [1, 2]})
    >>> find_id_columns(data, ["q"])
    (['_uuid', 'idno'], ['idno'])
    >>> find_id_columns(data, ["q"], id_column="idno")
    (['idno', '_uuid'], [])
    """
    if id_column is not None and id_column not in frame.columns:
        raise ResponseError(f"id column {id_column!r} is not a column of the data; columns: "
                            f"{', '.join(map(str, frame.columns[:30]))}{' ...' if len(frame.columns) > 30 else ''}")
    ids = id_columns_in(frame, id_columns, item_ids)
    if id_column is not None:
        ids = [id_column, *(c for c in ids if c != id_column)]
    detected = id_like_columns(frame, [*item_ids, *ids])
    return [*ids, *detected], detected


def warn_id_like(columns: Sequence[str], *, kept: bool, stacklevel: int) -> None:
    """Say which columns were taken for identifiers by their look, and what was done with them.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_id_like(["idno"], kept=False, stacklevel=1)
    >>> "'idno'" in str(caught[0].message)
    True
    """
    if not columns or kept:
        return
    names = ", ".join(repr(str(c)) for c in columns)
    warnings.warn(f"column(s) {names} look like identifiers (one value per row and an id-like name, or UUIDs/"
                  "CPR numbers) and were pseudonymised; name the respondent id with id_column= (ditk: "
                  "--id-column NAME), or keep ids in clear with keep_ids=True (--keep-ids)",
                  DataQualityWarning, stacklevel=stacklevel + 1)


def resolve_pseudonym_key(frame: pd.DataFrame, ids: Sequence[str], *, pseudonymise: bool, key: str | bytes | None,
                  key_env: str | None) -> bytes | None:
    """The pseudonym key, or None when nothing is pseudonymised (``pseudonymise`` False or no id values).

    Raises :class:`~toolkit.errors.PrivacyError` when ids need a key and none was given.

    Examples
    --------
    >>> frame = pd.DataFrame({"respondent_id": [None]})
    >>> resolve_pseudonym_key(frame, ["respondent_id"], pseudonymise=True, key=None, key_env=None) is None
    True
    >>> resolve_pseudonym_key(frame.fillna("a"), ["respondent_id"], pseudonymise=True, key="k", key_env=None) is None
    False
    """
    if pseudonymise and any(frame[c].notna().any() for c in ids):
        try:
            return privacy.resolve_key(key, env=key_env)
        except PrivacyError as exc:
            raise PrivacyError(f"id column(s) {', '.join(map(str, ids))}: {exc}") from None
    return None


def pseudonymise_column(column: str, src: pd.Series, key: bytes, log: LogBuilder) -> pd.Series:
    """Ids replaced by keyed-hash pseudonyms, each changed cell logged (without its old value).

    Examples
    --------
    >>> log = LogBuilder()
    >>> new = pseudonymise_column("respondent_id", pd.Series(["a", None]), b"k", log)
    >>> new.str.startswith("ps-").tolist(), len(log.build(None))
    ([True, False], 1)
    """
    new = privacy.pseudonymise(src, key)
    changed = np.flatnonzero((new != src.astype("str")).fillna(False).to_numpy(bool) & src.notna().to_numpy())
    log.add(changed, column, np.full(changed.size, None, object), new.to_numpy(object)[changed], "pseudonymise")
    return new


def may_hold_pii(values: pd.Series) -> bool:
    """Text, or a number column with 8+ digit numbers (phone or CPR numbers typed into a number column).

    Examples
    --------
    >>> may_hold_pii(pd.Series(["a"])), may_hold_pii(pd.Series([20304050])), may_hold_pii(pd.Series([3.5]))
    (True, True, False)
    """
    dtype = values.dtype
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return True
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return False
    return bool((values.abs() >= 1e7).any())


def redact_other_column(column: str, src: pd.Series, ids: Sequence[str], log: LogBuilder) -> pd.Series:
    """A column that is no item (an id kept as it is, an unknown column) with its PII redacted.

    Kept ids that mostly look like phone or CPR numbers warn: pseudonymise them instead.

    Examples
    --------
    >>> redact_other_column("note", pd.Series(["ring 20 30 40 50"]), [], LogBuilder()).tolist()
    ['ring [PHONE]']
    """
    out = redact_column(column, src, log)
    if column in ids and src.notna().any():
        share = float((out.astype(object).ne(src.astype(object)) & src.notna()).sum() / src.notna().sum())
        if share > 0.5:
            warnings.warn(f"id column {column!r}: {share:.0%} of ids look like phone or CPR numbers and "
                          "were redacted; pseudonymise them instead (keep_ids=False, without --keep-ids)",
                          DataQualityWarning, stacklevel=_CLEAN_CALLER)
    return out


def _typed(x: Any) -> Any:
    """A number as a person typed it: whole numbers without ".0", and a 9-digit number with
    its leading zero back (Excel drops it from a CPR number born on days 01-09). Text as is."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.number)) or not np.isfinite(x):
        return x
    if not float(x).is_integer():
        return str(x)
    digits = str(int(x))
    return digits.zfill(10) if len(digits) == 9 else digits


def _as_typed(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values)  # each distinct value once
    typed = np.array([_typed(u) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(typed[codes], index=values.index, dtype=object)


def redact_column(column: str, src: pd.Series, log: LogBuilder, probe: pd.Series | None = None) -> pd.Series:
    """A text column, or a number column that may hold phone/CPR numbers, with its PII redacted and logged.

    ``probe`` (default ``src``) is what is scanned; numbers in it are scanned as typed
    (a 9-digit number gets its leading zero back), also in mixed text/number columns.
    Cells without PII keep their ``src`` value. In a server-made id column
    (:data:`SYSTEM_ID_FORMATS`) values in the server's own format are kept unscanned.

    Examples
    --------
    >>> log = LogBuilder()
    >>> redact_column("cpr", pd.Series([101901234, 7]), log).tolist()
    ['[CPR]', 7]
    >>> log.build(None)["rule"].tolist()
    ['pii_cpr']
    """
    numeric = pd.api.types.is_numeric_dtype(src.dtype)
    probe = src if probe is None else probe
    text = _as_typed(probe) if pd.api.types.is_object_dtype(probe.dtype) or numeric else probe
    scan = np.ones(len(src), dtype=bool)
    fmt = SYSTEM_ID_FORMATS.get(str(column).lower())
    if fmt is not None:
        scan = ~text.astype("str").str.fullmatch(fmt).fillna(False).to_numpy(bool)
    where = np.flatnonzero(scan)
    redacted, found = privacy.redact(text.iloc[where])
    if found.empty:
        return src
    found = found.assign(row=where[found["row"].to_numpy()])
    hit = np.unique(found["row"].to_numpy())
    values = src.astype(object)
    values.iloc[hit] = redacted.to_numpy(object)[np.searchsorted(where, hit)]
    log.add_pii(column, found, values.to_numpy(object))
    return values.astype(src.dtype) if pd.api.types.is_string_dtype(src.dtype) and not numeric else values


def redact_values(values: np.ndarray) -> np.ndarray:
    """Raw values (an object array, usually distinct ones) with any PII redacted, in numbers too.

    Examples
    --------
    >>> redact_values(np.array(["ole@example.dk", 20304050, 3], dtype=object)).tolist()
    ['[EMAIL]', '[PHONE]', 3]
    """
    redacted, found = privacy.redact(pd.Series([_typed(u) for u in values], dtype=object))
    out = values.copy()
    hit = np.unique(found["row"].to_numpy())
    out[hit] = redacted.to_numpy(object)[hit]
    return out
