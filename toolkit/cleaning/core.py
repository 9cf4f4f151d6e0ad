"""Clean raw responses against an instrument: the pipeline that runs the cleaning phases in order.

1. value rules, per item (:mod:`~toolkit.cleaning.coding`), with the missing codes of the instrument,
   the file's map and the file's own user-missing values (:mod:`~toolkit.cleaning.missing`), keeping
   missing kinds the input carried;
2. skip logic (:mod:`~toolkit.cleaning.skips`);
3. strict mode's failure cases (:mod:`~toolkit.cleaning.strict`);
4. data and log assembled column by column, with pseudonyms and PII redaction, other columns
   typed (:mod:`~toolkit.cleaning.assemble`, :mod:`~toolkit.cleaning.pii`, :mod:`~toolkit.cleaning.extras`,
   :mod:`~toolkit.cleaning.log`);
5. durations (:mod:`~toolkit.cleaning.durations`), quality flags (:mod:`~toolkit.cleaning.flags`) and
   explicit, logged dropping;
6. the counts (:mod:`~toolkit.cleaning.result`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit import privacy
from toolkit._validation import as_instrument, check_frame, renamed_keywords
from toolkit.cleaning.assemble import assemble_columns, assemble_data
from toolkit.cleaning.coding import carry_over_missing_kinds, decode_items, decode_numeric_metadata
from toolkit.cleaning.durations import NO_DURATION, check_duration_from, derive_duration
from toolkit.cleaning.flags import FlagOptions, check_flag_options, compute_flags, flag_keywords, flags_to_drop
from toolkit.cleaning.log import LogBuilder
from toolkit.cleaning.missing import check_missing_map, declared_missing
from toolkit.cleaning.pii import find_id_columns, resolve_pseudonym_key, warn_id_like
from toolkit.cleaning.result import Cleaned, totals
from toolkit.cleaning.skips import apply_skip_logic
from toolkit.cleaning.strict import failure_cases, raise_failures
from toolkit.errors import DataQualityWarning, ResponseError
from toolkit.io import read_responses


def _prepare(data: pd.DataFrame, instrument: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Map columns to item ids unless the frame already came from read_responses."""
    info = data.attrs.get("read")
    if info and info.get("format") != "frame":
        return _redact_headers(data.copy(deep=False), dict(info))
    frame = read_responses(data, instrument)
    return _redact_headers(frame, dict(frame.attrs["read"]))


def _redact_headers(frame: pd.DataFrame, info: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Column names holding a CPR number, e-mail or phone number (an extra column "contact ole@x.dk") redacted."""
    names = [str(c) for c in frame.columns]
    redacted = privacy.redact(pd.Series(names, dtype=object))[0].tolist()
    renamed = {old: new for old, new in zip(frame.columns, redacted, strict=True) if str(old) != new}
    if not renamed:
        return frame, info
    frame = frame.rename(columns=renamed)
    info["unknown_columns"] = [renamed.get(c, c) for c in info.get("unknown_columns", [])]
    headers = info.get("column_map", {})
    keys = privacy.redact(pd.Series([str(k) for k in headers], dtype=object))[0].tolist()
    info["column_map"] = dict(zip(keys, [renamed.get(v, v) for v in headers.values()], strict=True))
    note = f"{len(renamed)} column header(s) held personal data and were redacted: {', '.join(renamed.values())}"
    info["notes"] = [*info.get("notes", []), note]
    warnings.warn(note, DataQualityWarning, stacklevel=4)
    return frame, info


def _flag_rows(data: pd.DataFrame, frame: pd.DataFrame, instrument: Any, asked: dict[str, np.ndarray],
               options: FlagOptions, pseudonyms: np.ndarray | None, respondent: str) -> pd.DataFrame:
    """The flags table: row, respondent_id (pseudonym, if there are ids), then the flags."""
    raw_ids = frame[respondent] if respondent in frame.columns else None
    flags = compute_flags(data, instrument, raw_ids=raw_ids, asked=asked, options=options)
    if pseudonyms is not None:
        flags.insert(0, "respondent_id", pseudonyms)
    flags.insert(0, "row", np.arange(len(frame), dtype=np.int64))
    return flags


def _drop_rows(data: pd.DataFrame, flags: pd.DataFrame, chosen: list[str], log: LogBuilder) -> pd.DataFrame:
    """``data`` without the rows carrying any of the ``chosen`` flags; each dropped row logged."""
    if not chosen:
        return data
    drop = flags[chosen].any(axis=1).to_numpy()
    log.add_dropped(np.flatnonzero(drop), flags["reasons"].to_numpy(object))
    return data.loc[~drop]


def _no_progress(_step: str, _done: float) -> None:
    return None


def _keep_ids(keep_ids: bool, pseudonymise: bool | None) -> bool:
    """``keep_ids``, or the old ``pseudonymise`` keyword (its opposite) with a FutureWarning."""
    if pseudonymise is None:
        return keep_ids
    warnings.warn(f"clean(): pseudonymise={pseudonymise} is now keep_ids={not pseudonymise}; the old keyword "
                  "goes in the next release", FutureWarning, stacklevel=5)
    return keep_ids or not pseudonymise


def _with_duration(cleaned: pd.DataFrame, frame: pd.DataFrame, duration_from: tuple[str, str] | None,
                   notes: list[str]) -> tuple[pd.DataFrame, str | None]:
    """``cleaned`` with ``duration_sec`` derived from timestamps where needed; without a source, a note."""
    seconds, source = derive_duration(frame, duration_from)
    if seconds is not None:
        cleaned["duration_sec"] = seconds.to_numpy()
    elif source is None:
        notes.append(NO_DURATION)
        warnings.warn(NO_DURATION, DataQualityWarning, stacklevel=5)
    return cleaned, source


@renamed_keywords(raw="data")
@flag_keywords(stacklevel=3)
def clean(
    data: pd.DataFrame,
    instrument: Any,
    *,
    strict: bool = False,
    pseudonym_key: str | bytes | None = None,
    pseudonym_key_env: str | None = privacy.DEFAULT_KEY_ENV,
    missing: Mapping[Any, str] | None = None,
    id_column: str | None = None,
    keep_ids: bool = False,
    duration_from: str | Sequence[str] | None = None,
    pseudonymise: bool | None = None,
    id_columns: Sequence[str] | None = None,
    scan_pii: bool = True,
    drop_flagged: bool | str | Sequence[str] = False,
    clear_undecided: bool = False,
    flags: FlagOptions | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Cleaned:
    """Validate and clean responses against an instrument, logging every changed cell.

    Value rules (per item, in this order): values the file declares user-missing (SPSS/Stata)
    become NaN with their kind (``missing_code``); answer labels in either language become codes
    (case- and space-insensitive; ``label_to_code``); a decimal comma becomes a point
    (``decimal_comma``); select_multiple answers become ascending space-separated codes
    (``recode_multiple``); missing codes (the response set's, by default 88/99/66, and the
    file's ``missing`` map; or their labels) become NaN with the kind kept in ``<item>_missing``
    (``missing_code``); codes outside the response set and numbers outside the item's bounds
    become NaN (``out_of_range``); unreadable values become NaN (``invalid_value``). Then
    answers given where the skip logic says the item was not asked are cleared
    (``not_asked``). Text, id and unknown columns are scanned for CPR numbers, e-mail
    addresses and phone numbers (``pii_cpr``, ``pii_email``, ``pii_phone``); ids, and
    columns that look like ids, are replaced by keyed-hash pseudonyms (``pseudonymise``).
    Other columns are typed (numbers, datetimes, text). Quality flags are computed on the
    cleaned data; rows are flagged, not dropped, unless ``drop_flagged`` asks for it.

    Parameters
    ----------
    data : pd.DataFrame
        Responses, from :func:`toolkit.read_responses` or any frame whose headers
        :func:`~toolkit.read_responses` can map. Never modified. (Was ``raw``.)
    instrument : Instrument, str or Path
        The questionnaire, a bundled id or the path of its YAML file.
    strict : bool
        Raise one :class:`~toolkit.errors.SchemaErrors` listing every cell an answer would be
        discarded from (out of range, unreadable, answered though not asked), instead of cleaning.
    pseudonym_key : str or bytes, optional
        Key for the HMAC-SHA256 pseudonyms; default the environment variable ``pseudonym_key_env``.
    pseudonym_key_env : str, optional
        The environment variable holding the key (default ``DITK_PSEUDONYM_KEY``).
    missing : mapping of code to kind, optional
        The file's missing codes for coded items, e.g. ``{77: "refused", 88: "dont_know",
        99: "no_answer"}`` (ESS); they add to and override the response sets' codes, except
        where a code is a valid answer of the item. Kinds are those of
        ``vocabulary.MISSING_KIND_NAMES``. See :mod:`toolkit.cleaning.missing`.
    id_column : str, optional
        The respondent id column (e.g. ESS ``idno``): pseudonymised, used for ``duplicate_id``
        and for the log's ``respondent_id``. Default ``respondent_id``.
    keep_ids : bool
        True keeps every id in clear, also the columns that look like ids (a unique
        ``idno``/``id``/``uuid``/``cpr``..., UUIDs, CPR numbers), which are otherwise
        pseudonymised with a warning naming them. Kept ids are still scanned for PII, except
        values of server-made id columns in the server's own format (Kobo ``_id`` numbers,
        ``_uuid`` UUIDs; see :data:`toolkit.cleaning.pii.SYSTEM_ID_FORMATS`).
    duration_from : str or pair of str, optional
        Two timestamp columns (start, end) to compute ``duration_sec`` from, as
        ``("start", "end")`` or ``"start,end"``. Default: ``duration_sec`` if present, else
        Kobo's ``start``/``end`` or ``start``/``_submission_time``
        (:mod:`toolkit.cleaning.durations`). Without any, a warning and ``Cleaned.notes`` say
        that speeders are not flagged.
    pseudonymise : bool, optional
        The old form of ``keep_ids`` (``pseudonymise=False`` is ``keep_ids=True``); works for
        one release, with a FutureWarning.
    id_columns : sequence of str, optional
        Columns to pseudonymise; default ``respondent_id`` and Kobo/ODK id columns present.
        Columns that look like ids are added.
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
    flags : FlagOptions, optional
        Flag thresholds (default ``FlagOptions()``, see :mod:`toolkit.cleaning.flags`). The old
        keywords ``speeder_share``, ``longstring_share``, ``grid_min_items``,
        ``max_missing_share`` and ``min_answers`` still work for one release, with a FutureWarning.
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
        Ids are present, ``keep_ids`` is False and no key was given.
    ResponseError
        ``data`` is no DataFrame, required item columns are missing, or ``id_column`` or a
        ``duration_from`` column is not in the data.
    OptionError
        ``drop_flagged`` names an unknown flag, ``flags`` is no FlagOptions, ``missing`` has an
        unknown kind or ``duration_from`` does not name two columns.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> raw = pd.DataFrame(None, index=[0, 1], columns=["respondent_id", *inst.item_ids], dtype=object)
    >>> raw["respondent_id"] = ["a", "b"]
    >>> raw["net_use_3m"] = ["Yes", "7"]
    >>> res = clean(raw, inst, pseudonym_key="secret", flags=FlagOptions(speeder_share=0.2))
    >>> res.data["net_use_3m"].tolist()
    [1.0, nan]
    >>> res.log.loc[res.log["column"] == "net_use_3m", ["row", "old", "rule"]].to_dict("records")
    [{'row': 0, 'old': 'Yes', 'rule': 'label_to_code'}, {'row': 1, 'old': '7', 'rule': 'out_of_range'}]
    """
    instrument = as_instrument(instrument)
    check_frame(data, "data", error=ResponseError)
    thresholds, dropped_flags = check_flag_options(flags), flags_to_drop(drop_flagged)
    file_missing, duration = check_missing_map(missing), check_duration_from(duration_from)
    keep = _keep_ids(keep_ids, pseudonymise)
    step = progress or _no_progress
    frame, info = _prepare(data, instrument)
    items = [it for it in instrument.items if it.id in frame.columns]
    ids, id_like = find_id_columns(frame, instrument.item_ids, id_columns=id_columns, id_column=id_column)
    key = resolve_pseudonym_key(frame, ids, pseudonymise=not keep, key=pseudonym_key, key_env=pseudonym_key_env)
    warn_id_like(id_like, kept=keep, stacklevel=4)
    declared = declared_missing(info)

    coders, decoded = decode_items(frame, instrument, items, step, missing=file_missing, declared=declared)
    numeric_meta = decode_numeric_metadata(frame)
    carry_over_missing_kinds(frame, items, decoded)
    asked = apply_skip_logic(instrument, items, decoded, clear_undecided=clear_undecided)
    step("skip logic", 1.0)
    if strict:
        raise_failures(failure_cases(frame, items, coders, decoded, numeric_meta))

    log = LogBuilder()
    respondent = id_column or "respondent_id"
    columns, pseudonyms = assemble_columns(frame, instrument, decoded, numeric_meta, ids=ids, key=key,
                                           scan_pii=scan_pii, log=log, declared=declared, respondent=respondent)
    step("privacy", 1.0)
    cleaned = assemble_data(columns, items, decoded, frame.index)
    notes: list[str] = []
    absent = [item.id for item in instrument.items if item.optional and item.id not in frame.columns]
    if absent:
        notes.append(f"optional item(s) not in the file, left missing: {', '.join(absent)}")
    cleaned, duration_source = _with_duration(cleaned, frame, duration, notes)
    step("data", 1.0)
    ids_array = pseudonyms.to_numpy(object) if pseudonyms is not None else None
    flag_table = _flag_rows(cleaned, frame, instrument, asked, thresholds, ids_array, respondent)
    step("flags", 1.0)

    kept = _drop_rows(cleaned, flag_table, dropped_flags, log)
    change_log = log.build(ids_array)
    options = {"strict": strict, "clear_undecided": clear_undecided, "pseudonymise": key is not None,
               "id_columns": ids, "id_like_columns": id_like, "keep_ids": keep, "missing": file_missing,
               "user_missing": {c: d.describe() for c, d in declared.items()}, "duration_source": duration_source,
               "scan_pii": scan_pii, "drop_flagged": drop_flagged, **asdict(thresholds)}
    kept.attrs = {}
    return Cleaned(data=kept, log=change_log, flags=flag_table, read=info, options=options, notes=tuple(notes),
                   totals=totals(len(frame), kept, change_log, flag_table, len(cleaned) - len(kept)))
