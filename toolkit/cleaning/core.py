"""Clean raw responses against an instrument: value rules, skip logic, PII, pseudonyms, flags, log."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit import privacy
from toolkit.cleaning.coding import VALUE_RULES, ColumnCoder, Decoded, decode_number_column
from toolkit.cleaning.flags import FLAGS, FlagOptions, compute_flags
from toolkit.errors import DataQualityWarning, OptionError, ResponseError, SchemaErrors
from toolkit.instrument.vocabulary import MISSING_KINDS, NUMERIC_METADATA
from toolkit.io import read_responses

PII_RULES = tuple(f"pii_{k}" for k in privacy.PII_KINDS)
PRIVACY_RULES = (*PII_RULES, "pseudonymise")
#: Every rule that can appear in ``Cleaned.log``.
RULES = (*VALUE_RULES, *PRIVACY_RULES, "drop_flagged")
#: Rules that discard an answer: in ``strict`` mode each such cell is a failure case.
FAILURE_RULES = ("out_of_range", "invalid_value", "not_asked")
#: Identifier columns pseudonymised by default when present (respondent id and Kobo/ODK ids).
ID_COLUMNS = ("respondent_id", "_uuid", "_id", "instanceid", "meta/instanceid", "deviceid", "subscriberid",
              "simserial", "username", "_submitted_by", "submitterid", "key")
#: Server-made id columns (Kobo/ODK) and the form their values take. A value of that form is an id the
#: server assigned, not free text, so it is not scanned for PII (a Kobo ``_id`` like 40000001 is no phone
#: number); anything else in these columns is scanned like free text.
_UUID = r"(?:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
SYSTEM_ID_FORMATS = {
    "_id": r"\d+", "_index": r"\d+", "_parent_index": r"\d+", "formhub/uuid": r"[0-9a-fA-F]{32}",
    **dict.fromkeys(("_uuid", "instanceid", "meta/instanceid", "deprecatedid", "meta/deprecatedid", "rootuuid",
                     "meta/rootuuid", "key"), _UUID),
}
LOG_COLUMNS = ("row", "respondent_id", "column", "old", "new", "rule", "position")


@dataclass
class Cleaned:
    """The result of :func:`clean`.

    Attributes
    ----------
    data : pd.DataFrame
        One row per input row, same order and index. Item columns coded (float codes,
        select_multiple as space-separated codes, text as str), ``<item>_missing``
        categorical columns (dont_know, refused, dont_understand, not_asked), metadata
        and unknown columns kept; ids pseudonymised, PII redacted.
    log : pd.DataFrame
        One row per changed cell, sorted by row: row (0-based position in the input),
        respondent_id (pseudonym), column, old, new, rule, position (character spans of PII
        matches, ``start-end;...``). A cell holding two kinds of PII gets one row per kind;
        a row removed by ``drop_flagged`` gets one row with column ``<row>`` and its flags as
        position. Privacy rules (pii_*, pseudonymise) never record the old value, and an old
        value holding PII is redacted; every other row's ``old`` is the raw value, so
        writing ``old`` back over ``new`` restores the input.
    flags : pd.DataFrame
        One row per respondent: a boolean per quality flag, ``flagged``, ``reasons`` and the
        diagnostics ``duration_ratio``, ``longstring``, ``missing_share``.
    summary : pd.DataFrame
        kind (rows, rule, flag), name, count.
    read : dict
        Read metadata of the input (see :mod:`toolkit.io`).
    options : dict
        The options used.
    """

    data: pd.DataFrame
    log: pd.DataFrame
    flags: pd.DataFrame
    summary: pd.DataFrame
    read: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        rules = {k: v for k, v in self.counts("rule").items() if v}
        return (f"Cleaned(rows={len(self.data)}, changes={len(self.log)} {rules}, "
                f"flagged={int(self.flags['flagged'].sum())})")

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
        s = self.summary[self.summary["kind"] == kind]
        return dict(zip(s["name"], s["count"].astype(int), strict=True))


def _expected(item: Any, coder: ColumnCoder) -> str:
    if item.type == "numeric":
        return f"a number in [{item.min}, {item.max}]"
    if item.type == "text":
        return "text"
    codes = ", ".join(map(str, sorted(coder.valid)))
    miss = ", ".join(map(str, sorted(coder.missing)))
    if item.type == "multiple":
        return f"space-separated codes from {{{codes}}} or missing code {{{miss}}}"
    return f"a code in {{{codes}}}, a missing code {{{miss}}} or an answer label"


class _LogBuilder:
    """Collects changed cells column by column; builds the sorted log once, from shared objects."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []

    def add(self, rows: np.ndarray, column: str, old: np.ndarray, new: np.ndarray, rule: np.ndarray | str,
            position: np.ndarray | None = None) -> None:
        if rows.size == 0:
            return
        codes = (np.full(rows.size, RULES.index(rule), np.int8) if isinstance(rule, str)
                 else np.asarray(rule, dtype=np.int8))
        self.parts.append((rows.astype(np.int64), column, np.asarray(old, object), np.asarray(new, object),
                           codes, position))

    def add_pii(self, column: str, found: pd.DataFrame, new: np.ndarray) -> None:
        """One entry per (cell, kind of PII); position lists every span of that kind. No old value."""
        if found.empty:
            return
        spans = found.assign(span=found["start"].astype("str") + "-" + found["end"].astype("str"))
        grouped = spans.groupby(["row", "kind"], sort=True)["span"].agg(";".join).reset_index()
        rows = grouped["row"].to_numpy(np.int64)
        rule = np.array([RULES.index(f"pii_{k}") for k in grouped["kind"]], dtype=np.int8)
        self.add(rows, column, np.full(rows.size, None, object), new[rows], rule, grouped["span"].to_numpy(object))

    def build(self, pseudonyms: np.ndarray | None) -> pd.DataFrame:
        parts = self.parts
        rows = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
        order = np.argsort(rows, kind="stable")
        names = list(dict.fromkeys(p[1] for p in parts))
        col_codes = np.concatenate([np.full(p[0].size, names.index(p[1]), np.int32) for p in parts]) if parts \
            else np.empty(0, np.int32)
        position = np.full(rows.size, None, dtype=object)
        at = 0
        for p in parts:
            if p[5] is not None:
                position[at:at + p[0].size] = p[5]
            at += p[0].size

        def cat(i: int) -> np.ndarray:
            return np.concatenate([p[i] for p in parts])[order] if parts else np.empty(0, object)

        rows = rows[order]
        return pd.DataFrame({
            "row": rows,
            "respondent_id": (pseudonyms[rows] if pseudonyms is not None else np.full(rows.size, None, object)),
            "column": pd.Categorical.from_codes(col_codes[order], categories=names),
            "old": cat(2),
            "new": cat(3),
            "rule": pd.Categorical.from_codes(cat(4).astype(np.int8) if parts else np.empty(0, np.int8),
                                              categories=list(RULES)),
            "position": position[order],
        })


def _long_numbers(values: pd.Series) -> bool:
    """A numeric column with 8+ digit numbers: phone or CPR numbers typed into a number column."""
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return False
    return bool((values.abs() >= 1e7).any())


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


def _redact_column(column: str, src: pd.Series, log: _LogBuilder, probe: pd.Series | None = None) -> pd.Series:
    """A text column, or a number column that may hold phone/CPR numbers, with its PII redacted and logged.

    ``probe`` (default ``src``) is what is scanned; numbers in it are scanned as typed
    (see :func:`_typed`), also in mixed text/number columns. Cells without PII keep their
    ``src`` value. In a server-made id column (:data:`SYSTEM_ID_FORMATS`) values in the
    server's own format are kept unscanned.
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


def _redact_uniques(uniques: np.ndarray) -> np.ndarray:
    """Raw values (an object array, usually distinct ones) with any PII redacted, in numbers too."""
    redacted, found = privacy.redact(pd.Series([_typed(u) for u in uniques], dtype=object))
    out = uniques.copy()
    hit = np.unique(found["row"].to_numpy())
    out[hit] = redacted.to_numpy(object)[hit]
    return out


def _frame(columns: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """A DataFrame built a few columns at a time, each group's arrays released as it goes.

    ``pd.DataFrame(dict)`` stacks all float columns into one new block while the arrays
    are still alive (a second copy of every item column); groups bound that to 8 columns.
    """
    names = list(columns)
    parts = [pd.DataFrame({k: columns.pop(k) for k in names[i:i + 8]}, index=index) for i in range(0, len(names), 8)]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=index)


def _prepare(raw: pd.DataFrame, instrument: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Map columns to item ids unless the frame already came from read_responses."""
    info = raw.attrs.get("read")
    if info and info.get("format") != "frame":
        frame = raw.copy(deep=False)
        return frame, dict(info)
    frame = read_responses(raw, instrument)
    return frame, dict(frame.attrs["read"])


def clean(
    raw: pd.DataFrame,
    instrument: Any,
    *,
    strict: bool = False,
    pseudonym_key: str | bytes | None = None,
    pseudonym_key_env: str | None = privacy.DEFAULT_KEY_ENV,
    pseudonymise: bool = True,
    id_columns: Sequence[str] | None = None,
    scan_pii: bool = True,
    drop_flagged: bool | str | Sequence[str] = False,
    clear_undecided: bool = False,
    speeder_share: float = 0.3,
    longstring_share: float = 1.0,
    grid_min_items: int = 8,
    max_missing_share: float = 0.5,
    min_answers: int = 20,
    progress: Callable[[str, float], None] | None = None,
) -> Cleaned:
    """Validate and clean responses against an instrument, logging every changed cell.

    Value rules (per item, in this order): answer labels in either language become codes
    (case- and space-insensitive; ``label_to_code``); a decimal comma becomes a point
    (``decimal_comma``); select_multiple answers become ascending space-separated codes
    (``recode_multiple``); missing codes 88/99/66 (or their labels) become NaN with the kind
    kept in ``<item>_missing`` (``missing_code``); codes outside the response set and numbers
    outside the item's bounds become NaN (``out_of_range``); unreadable values become NaN
    (``invalid_value``). Then answers given where the skip logic says the item was not asked
    are cleared (``not_asked``). Text, id and unknown columns are scanned for CPR numbers,
    e-mail addresses and phone numbers (``pii_cpr``, ``pii_email``, ``pii_phone``) and ids are
    replaced by keyed-hash pseudonyms (``pseudonymise``). Quality flags are computed on the
    cleaned data; rows are flagged, not dropped, unless ``drop_flagged`` asks for it.

    Parameters
    ----------
    raw : pd.DataFrame
        Responses, from :func:`toolkit.read_responses` or any frame whose headers
        :func:`read_responses` can map. Never modified.
    instrument : Instrument or str
        The questionnaire or a bundled id.
    strict : bool
        Raise one :class:`~toolkit.errors.SchemaErrors` listing every cell an answer would be
        discarded from (out of range, unreadable, answered though not asked), instead of cleaning.
    pseudonym_key : str or bytes, optional
        Key for the HMAC-SHA256 pseudonyms; default the environment variable ``pseudonym_key_env``.
    pseudonymise : bool
        Set False to keep ids as they are. They are still scanned for PII, except values of
        server-made id columns in the server's own format (Kobo ``_id`` numbers, ``_uuid`` UUIDs;
        see ``SYSTEM_ID_FORMATS``).
    id_columns : sequence of str, optional
        Columns to pseudonymise; default ``respondent_id`` and Kobo/ODK id columns present.
    scan_pii : bool
        Scan text, id and unknown columns for personal data (default True).
    drop_flagged : bool, str or sequence of str
        False (default) keeps every row. True drops rows with any flag; a flag name or
        list of names drops rows with those flags. Each dropped row is logged.
    clear_undecided : bool
        By default an answer is cleared as not asked only where its skip rule is decided
        (every item the rule names is answered, or itself not asked). True applies the
        form's logic literally: a missing parent (don't know, refused, blank) counts as
        "not this answer", so the follower's answer is cleared too.
    speeder_share, longstring_share, grid_min_items, max_missing_share, min_answers
        Flag thresholds, see :mod:`toolkit.cleaning.flags`.
    progress : callable, optional
        Called as ``progress(step, fraction_done)``.

    Returns
    -------
    Cleaned

    Raises
    ------
    SchemaErrors
        ``strict=True`` and some values fail; ``failure_cases`` has row, column, value, expected.
    PrivacyError
        Ids are present, ``pseudonymise`` is True and no key was given.
    ResponseError
        Required item columns are missing.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> raw = pd.DataFrame(None, index=[0, 1], columns=["respondent_id", *inst.item_ids], dtype=object)
    >>> raw["respondent_id"] = ["a", "b"]
    >>> raw["net_use_3m"] = ["Yes", "7"]
    >>> res = clean(raw, inst, pseudonym_key="secret")
    >>> res.data["net_use_3m"].tolist()
    [1.0, nan]
    >>> res.log.loc[res.log["column"] == "net_use_3m", ["row", "old", "rule"]].to_dict("records")
    [{'row': 0, 'old': 'Yes', 'rule': 'label_to_code'}, {'row': 1, 'old': '7', 'rule': 'out_of_range'}]
    """
    if isinstance(instrument, str):
        from toolkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    if not isinstance(raw, pd.DataFrame):
        raise ResponseError(f"clean() needs a pandas DataFrame of responses, got {type(raw).__name__}")
    step = progress or (lambda _s, _f: None)
    frame, info = _prepare(raw, instrument)
    n = len(frame)
    rows_all = np.arange(n, dtype=np.int64)
    item_by_id = {it.id: it for it in instrument.items}
    items = [it for it in instrument.items if it.id in frame.columns]
    companions = {f"{it.id}_missing" for it in instrument.items}
    lower_cols = {str(c).lower(): c for c in frame.columns}
    ids = list(id_columns) if id_columns is not None else [lower_cols[c] for c in ID_COLUMNS if c in lower_cols]
    ids = [c for c in ids if c in frame.columns and c not in item_by_id]
    key = None
    if pseudonymise and any(frame[c].notna().any() for c in ids):
        key = privacy.resolve_key(pseudonym_key, pseudonym_key_env)

    # 1. value rules, per item, on distinct values
    coders: dict[str, ColumnCoder] = {}
    decoded: dict[str, Decoded] = {}
    for k, item in enumerate(items):
        rs = instrument.response_sets.get(item.response_set) if item.response_set else None
        coders[item.id] = ColumnCoder(item, rs, instrument.missing_codes)
        decoded[item.id] = coders[item.id].decode(frame[item.id])
        step("values", (k + 1) / max(len(items), 1))
    numeric_meta = {c: decode_number_column(frame[c], lower=0.0) for c in NUMERIC_METADATA if c in frame.columns}

    # Kinds the input already carried (cleaned data re-cleaned): kept where this pass found none.
    not_asked_kind = MISSING_KINDS.index("not_asked")
    for item in items:
        prior = frame.get(f"{item.id}_missing")
        if prior is not None:
            d = decoded[item.id]
            prior_codes = pd.Categorical(prior.astype(object), categories=list(MISSING_KINDS)).codes
            take = (d.kind < 0) & pd.isna(d.values) & (prior_codes >= 0)
            d.kind[take] = prior_codes[take]

    # 2. skip logic, in questionnaire order so clearing one answer cascades to its followers.
    # An answer is cleared only where the rule is decided: every item it names is answered or
    # itself not asked. A parent that is missing (don't know, out of range, blank) leaves
    # the follower's answer alone - the data cannot say it was not asked.
    def as_column(item_id: str) -> Any:
        d = decoded[item_id]
        return d.values if item_by_id[item_id].type not in ("multiple", "text") else pd.array(d.values, dtype="str")

    rule_vars = sorted({v for it in items if it.rule is not None for v in it.rule.variables()} & set(decoded))
    current = pd.DataFrame({v: as_column(v) for v in rule_vars}, index=frame.index)
    asked: dict[str, np.ndarray] = {}
    not_asked_rule = VALUE_RULES.index("not_asked")
    for item in items:
        d = decoded[item.id]
        asked[item.id] = np.ones(n, dtype=bool)
        if item.rule is None:
            continue
        try:
            ok = instrument.relevant(current, item.id).to_numpy(dtype=bool)
        except ResponseError as exc:
            warnings.warn(f"skip rule of {item.id} not checked: {exc}", DataQualityWarning, stacklevel=2)
            continue
        decided = np.ones(n, dtype=bool)
        for var in () if clear_undecided else item.rule.variables():
            if var in decoded:
                decided &= pd.notna(decoded[var].values) | (decoded[var].kind == not_asked_kind)
        skipped = ~ok & decided
        asked[item.id] = ~skipped
        present = pd.notna(d.values) | (d.rule >= 0)
        clear = skipped & present
        d.rule[clear] = not_asked_rule
        d.values[skipped] = np.nan
        d.kind[skipped] = not_asked_kind
        if clear.any() and item.id in current.columns:
            current[item.id] = as_column(item.id)
    step("skip logic", 1.0)

    # 3. strict: every discarded answer is a failure case, reported at once
    if strict:
        cases = []
        bad_rules = [VALUE_RULES.index(r) for r in FAILURE_RULES]
        for item in items:
            d = decoded[item.id]
            hit = np.flatnonzero(np.isin(d.rule, bad_rules))
            if hit.size:
                exp = np.where(d.rule[hit] == not_asked_rule, f"blank (not asked unless {item.relevant})",
                               _expected(item, coders[item.id]))
                cases.append(pd.DataFrame({"row": hit, "column": item.id, "expected": exp,
                                           "value": _redact_uniques(frame[item.id].iloc[hit].to_numpy(object))}))
        for col, d in numeric_meta.items():
            hit = np.flatnonzero(d.rule >= 0)
            hit = hit[np.isin(d.rule[hit], bad_rules)]
            if hit.size:
                cases.append(pd.DataFrame({"row": hit, "column": col, "expected": "a non-negative number",
                                           "value": _redact_uniques(frame[col].iloc[hit].to_numpy(object))}))
        if cases:
            fc = pd.concat(cases, ignore_index=True).sort_values(["row", "column"], kind="stable",
                                                                ignore_index=True)[["row", "column", "value",
                                                                                    "expected"]]
            per_col = fc["column"].value_counts()
            detail = ", ".join(f"{c} ({k})" for c, k in per_col.head(10).items())
            more = f" and {len(per_col) - 10} more columns" if len(per_col) > 10 else ""
            first = fc.iloc[0]
            raise SchemaErrors(f"{len(fc)} invalid value(s) in {fc['row'].nunique()} row(s): {detail}{more}; "
                               f"first: row {first['row']}, column {first['column']}, value {first['value']!r}, "
                               f"expected {first['expected']}", fc)

    # 4. assemble data and log, column by column, in input order
    log = _LogBuilder()
    out: dict[str, Any] = {}
    pseudonyms: pd.Series | None = None
    nan_obj = np.array([np.nan], dtype=object)

    def log_values(col: str, d: Decoded) -> None:
        changed = np.flatnonzero(d.rule >= 0)
        if not changed.size:
            return
        raw_uniques = d.raw_uniques
        if scan_pii:  # an old value that itself holds PII (a phone number in a numeric item) stays out
            raw_uniques = _redact_uniques(raw_uniques)
        codes, rule = d.codes[changed], d.rule[changed]
        new = np.where(rule == not_asked_rule, nan_obj, d.new_uniques[codes])
        log.add(changed, col, raw_uniques[codes], new, rule)
        d.codes = d.rule = np.empty(0, np.int8)  # logged: free the per-row bookkeeping early

    for col in frame.columns:
        if col in companions:
            continue  # rebuilt below from this pass and the input's kinds
        src = frame[col]
        if col in decoded:
            d = decoded[col]
            item = item_by_id[col]
            if item.type == "text":
                values = pd.Series(d.values, index=frame.index, dtype="str")
                if scan_pii:  # the raw cells are scanned: a number there is scanned as typed
                    values = _redact_column(col, values, log, probe=src.where(values.notna().to_numpy()))
                out[col] = values
            elif item.type == "multiple":
                out[col] = pd.Series(d.values, index=frame.index, dtype="str")
            else:
                out[col] = pd.Series(d.values, index=frame.index, dtype="float64", copy=False)
            log_values(col, d)
        elif col in numeric_meta:
            out[col] = pd.Series(numeric_meta[col].values, index=frame.index, dtype="float64", copy=False)
            log_values(col, numeric_meta[col])
        elif col in ids and key is not None:
            new = privacy.pseudonymise(src, key)
            changed = np.flatnonzero((new != src.astype("str")).fillna(False).to_numpy(bool) & src.notna().to_numpy())
            log.add(changed, col, np.full(changed.size, None, object), new.to_numpy(object)[changed], "pseudonymise")
            out[col] = new
            if col == "respondent_id" or pseudonyms is None:
                pseudonyms = new
        elif scan_pii and (_long_numbers(src) or pd.api.types.is_object_dtype(src.dtype)
                           or pd.api.types.is_string_dtype(src.dtype)):
            out[col] = _redact_column(col, src, log)
            if col in ids and src.notna().any():
                kept = out[col].astype(object)
                share = float((kept.ne(src.astype(object)) & src.notna()).sum() / src.notna().sum())
                if share > 0.5:  # ids that look like phone/CPR numbers: say what to do about it
                    warnings.warn(f"id column {col!r}: {share:.0%} of ids look like phone or CPR numbers and "
                                  "were redacted; pseudonymise them instead (pseudonymise=True)",
                                  DataQualityWarning, stacklevel=2)
        else:
            out[col] = src
    if pseudonyms is None and "respondent_id" in out:
        pseudonyms = out["respondent_id"]
    step("privacy", 1.0)

    for item in items:
        out[f"{item.id}_missing"] = pd.Categorical.from_codes(decoded[item.id].kind.astype(np.int64),
                                                             categories=list(MISSING_KINDS))
    del decoded, current
    data = _frame(out, frame.index)
    step("data", 1.0)
    ids_array = pseudonyms.to_numpy(object) if pseudonyms is not None else None

    # 5. quality flags on the cleaned data
    raw_ids = frame["respondent_id"] if "respondent_id" in frame.columns else None
    opts = FlagOptions(speeder_share=speeder_share, longstring_share=longstring_share,
                       grid_min_items=grid_min_items, max_missing_share=max_missing_share, min_answers=min_answers)
    flags = compute_flags(data, instrument, raw_ids=raw_ids, asked=asked, options=opts)
    if ids_array is not None:
        flags.insert(0, "respondent_id", ids_array)
    flags.insert(0, "row", rows_all)
    step("flags", 1.0)

    # 6. explicit, logged dropping
    n_dropped = 0
    if drop_flagged is not False:
        chosen = list(FLAGS) if drop_flagged is True else (
            [drop_flagged] if isinstance(drop_flagged, str) else list(drop_flagged))
        unknown = sorted(set(chosen) - set(FLAGS))
        if unknown:
            raise OptionError(f"drop_flagged: unknown flag(s) {', '.join(unknown)}; known: {', '.join(FLAGS)}")
        drop = flags[chosen].any(axis=1).to_numpy()
        n_dropped = int(drop.sum())
        rows = np.flatnonzero(drop)
        log.add(rows, "<row>", np.full(rows.size, "kept", object), np.full(rows.size, "dropped", object),
                "drop_flagged", flags["reasons"].to_numpy(object)[rows])
        data = data.loc[~drop]
    log = log.build(ids_array)

    rule_counts = log["rule"].value_counts().reindex(list(RULES), fill_value=0)
    summary = pd.DataFrame({
        "kind": ["rows"] * 3 + ["rule"] * len(RULES) + ["flag"] * (len(FLAGS) + 1),
        "name": ["input", "output", "dropped", *RULES, *FLAGS, "flagged"],
        "count": [n, len(data), n_dropped, *rule_counts.to_numpy(),
                  *(int(flags[f].sum()) for f in (*FLAGS, "flagged"))],
    })
    options = {"strict": strict, "clear_undecided": clear_undecided, "pseudonymise": key is not None,
               "id_columns": ids, "scan_pii": scan_pii, "drop_flagged": drop_flagged, **opts.__dict__}
    data.attrs = {}
    return Cleaned(data=data, log=log, flags=flags, summary=summary, read=info, options=options)
