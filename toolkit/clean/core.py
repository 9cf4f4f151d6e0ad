"""Clean raw responses against an instrument: value rules, skip logic, PII, pseudonyms, flags, log."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit import privacy
from toolkit.clean.coding import MISSING_KINDS, VALUE_RULES, ColumnCoder, Decoded, decode_number_column
from toolkit.clean.flags import FLAGS, FlagOptions, compute_flags
from toolkit.errors import DataQualityWarning, ResponseError, SchemaErrors
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
NUMERIC_METADATA = ("duration_sec", "design_weight")
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
        One row per changed cell: row (0-based position), respondent_id (pseudonym),
        column, old, new, rule, position (character span of PII matches, ``start-end;...``).
        Privacy rules (pii_*, pseudonymise) never record the old value.
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

    def counts(self, kind: str) -> dict[str, int]:
        """{name: count} for one kind of summary row ('rows', 'rule' or 'flag')."""
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


def _log_chunk(rows: np.ndarray, column: str, old: np.ndarray, new: np.ndarray,
               rule: np.ndarray | str, position: np.ndarray | None = None) -> pd.DataFrame:
    names = np.asarray(RULES, dtype=object)[rule] if isinstance(rule, np.ndarray) else np.full(len(rows), rule, object)
    return pd.DataFrame({
        "row": rows.astype(np.int64),
        "column": np.full(len(rows), column, dtype=object),
        "old": old.astype(object),
        "new": new.astype(object),
        "rule": names,
        "position": position if position is not None else np.full(len(rows), None, dtype=object),
    })


def _pii_chunks(column: str, found: pd.DataFrame, new: np.ndarray) -> list[pd.DataFrame]:
    """One log row per (cell, kind of PII); position lists every span of that kind."""
    if found.empty:
        return []
    spans = found.assign(span=found["start"].astype("str") + "-" + found["end"].astype("str"))
    grouped = spans.groupby(["row", "kind"], sort=True)["span"].agg(";".join).reset_index()
    rows = grouped["row"].to_numpy(np.int64)
    return [_log_chunk(rows, column, np.full(len(rows), None, object), new[rows],
                       np.array([RULES.index(f"pii_{k}") for k in grouped["kind"]], dtype=np.int64),
                       grouped["span"].to_numpy(object))]


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
    min_answers: int = 5,
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
        Set False to keep ids as they are (they are still scanned for PII).
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
        Flag thresholds, see :mod:`toolkit.clean.flags`.
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
    current = pd.DataFrame({i: (d.values if item_by_id[i].type not in ("multiple", "text")
                                else pd.array(d.values, dtype="str")) for i, d in decoded.items()},
                           index=frame.index)
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
        if clear.any():
            current[item.id] = d.values if item.type not in ("multiple", "text") else pd.array(d.values, dtype="str")
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
                old, _ = privacy.redact(frame[item.id].iloc[hit].reset_index(drop=True).astype(object))
                cases.append(pd.DataFrame({"row": hit, "column": item.id, "value": old.to_numpy(object),
                                           "expected": exp}))
        for col, d in numeric_meta.items():
            hit = np.flatnonzero(d.rule >= 0)
            hit = hit[np.isin(d.rule[hit], bad_rules)]
            if hit.size:
                cases.append(pd.DataFrame({"row": hit, "column": col,
                                           "value": frame[col].iloc[hit].to_numpy(object),
                                           "expected": "a non-negative number"}))
        if cases:
            fc = pd.concat(cases, ignore_index=True).sort_values(["row", "column"], kind="stable",
                                                                ignore_index=True)
            per_col = fc["column"].value_counts()
            detail = ", ".join(f"{c} ({k})" for c, k in per_col.head(10).items())
            more = f" and {len(per_col) - 10} more columns" if len(per_col) > 10 else ""
            raise SchemaErrors(f"{len(fc)} invalid value(s) in {fc['row'].nunique()} row(s): {detail}{more}; "
                               "see failure_cases", fc)

    # 4. assemble data and log, column by column, in input order
    chunks: list[pd.DataFrame] = []
    out: dict[str, Any] = {}
    pseudonyms: pd.Series | None = None
    for col in frame.columns:
        if col in companions:
            continue  # rebuilt below from this pass and the input's kinds
        src = frame[col]
        if col in decoded:
            d = decoded[col]
            item = item_by_id[col]
            changed = np.flatnonzero(d.rule >= 0)
            if item.type == "text":
                values = pd.Series(d.values, index=frame.index, dtype="str")
                if scan_pii:
                    values, found = privacy.redact(values)
                    values = values.astype("str")
                    chunks += _pii_chunks(col, found, values.to_numpy(object))
                out[col] = values
            elif item.type == "multiple":
                out[col] = pd.Series(d.values, index=frame.index, dtype="str")
            else:
                out[col] = pd.Series(d.values, index=frame.index, dtype="float64")
            if changed.size:
                chunks.append(_log_chunk(changed, col, src.to_numpy(object)[changed], d.values[changed],
                                         d.rule[changed].astype(np.int64)))
        elif col in numeric_meta:
            d = numeric_meta[col]
            out[col] = pd.Series(d.values, index=frame.index, dtype="float64")
            changed = np.flatnonzero(d.rule >= 0)
            if changed.size:
                chunks.append(_log_chunk(changed, col, src.to_numpy(object)[changed], d.values[changed],
                                         d.rule[changed].astype(np.int64)))
        elif col in ids and key is not None:
            new = privacy.pseudonymise(src, key)
            changed = np.flatnonzero((new.astype(object).to_numpy() != src.astype("str").to_numpy(object))
                                     & src.notna().to_numpy())
            chunks.append(_log_chunk(changed, col, np.full(changed.size, None, object),
                                     new.to_numpy(object)[changed], "pseudonymise"))
            out[col] = new
            if col == "respondent_id" or pseudonyms is None:
                pseudonyms = new
        elif scan_pii and (pd.api.types.is_object_dtype(src.dtype) or pd.api.types.is_string_dtype(src.dtype)):
            values, found = privacy.redact(src)
            chunks += _pii_chunks(col, found, values.to_numpy(object))
            out[col] = values
        else:
            out[col] = src
    if pseudonyms is None and "respondent_id" in out:
        pseudonyms = out["respondent_id"]
    step("privacy", 1.0)

    for item in items:
        out[f"{item.id}_missing"] = pd.Categorical.from_codes(decoded[item.id].kind.astype(np.int64),
                                                             categories=list(MISSING_KINDS))
    data = pd.DataFrame(out, index=frame.index)

    log = pd.concat(chunks, ignore_index=True) if chunks else _log_chunk(
        np.empty(0, np.int64), "", np.empty(0, object), np.empty(0, object), np.empty(0, np.int64))
    if not log.empty:
        log = log.sort_values("row", kind="stable", ignore_index=True)
        # Defence in depth: an old value that itself holds PII (e.g. a phone number typed into
        # a numeric item) is redacted before it can reach the log.
        if scan_pii:
            old, _ = privacy.redact(log["old"])
            log["old"] = old
    log.insert(1, "respondent_id",
               pseudonyms.to_numpy(object)[log["row"].to_numpy()] if pseudonyms is not None and len(log)
               else np.full(len(log), None, object))

    # 5. quality flags on the cleaned data
    raw_ids = frame["respondent_id"] if "respondent_id" in frame.columns else None
    opts = FlagOptions(speeder_share=speeder_share, longstring_share=longstring_share,
                       grid_min_items=grid_min_items, max_missing_share=max_missing_share, min_answers=min_answers)
    flags = compute_flags(data, instrument, raw_ids=raw_ids, asked=asked, options=opts)
    if pseudonyms is not None:
        flags.insert(0, "respondent_id", pseudonyms.to_numpy(object))
    flags.insert(0, "row", rows_all)
    step("flags", 1.0)

    # 6. explicit, logged dropping
    n_dropped = 0
    if drop_flagged is not False:
        chosen = list(FLAGS) if drop_flagged is True else (
            [drop_flagged] if isinstance(drop_flagged, str) else list(drop_flagged))
        unknown = sorted(set(chosen) - set(FLAGS))
        if unknown:
            raise ValueError(f"drop_flagged: unknown flag(s) {', '.join(unknown)}; known: {', '.join(FLAGS)}")
        drop = flags[chosen].any(axis=1).to_numpy()
        n_dropped = int(drop.sum())
        rows = np.flatnonzero(drop)
        extra = _log_chunk(rows, "<row>", np.full(rows.size, "kept", object), np.full(rows.size, "dropped", object),
                           "drop_flagged", flags["reasons"].to_numpy(object)[rows])
        extra.insert(1, "respondent_id", pseudonyms.to_numpy(object)[rows] if pseudonyms is not None
                     else np.full(rows.size, None, object))
        log = pd.concat([log, extra], ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
        data = data.loc[~drop]
    log["column"] = log["column"].astype("category")
    log["rule"] = pd.Categorical(log["rule"], categories=list(RULES))

    rule_counts = log["rule"].value_counts().reindex(list(RULES), fill_value=0)
    summary = pd.DataFrame({
        "kind": ["rows"] * 3 + ["rule"] * len(RULES) + ["flag"] * (len(FLAGS) + 1),
        "name": ["input", "output", "dropped", *RULES, *FLAGS, "flagged"],
        "count": [n, len(data), n_dropped, *rule_counts.to_numpy(),
                  *(int(flags[f].sum()) for f in (*FLAGS, "flagged"))],
    })
    options = {"strict": strict, "clear_undecided": clear_undecided, "pseudonymise": pseudonymise and key is not None, "id_columns": ids,
               "scan_pii": scan_pii, "drop_flagged": drop_flagged, **opts.__dict__}
    data.attrs = {}
    return Cleaned(data=data, log=log, flags=flags, summary=summary, read=info, options=options)
