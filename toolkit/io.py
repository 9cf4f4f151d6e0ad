"""Read survey responses from any common export into a DataFrame keyed by item id.

:func:`read_responses` accepts a path or a DataFrame and returns a NEW DataFrame whose
item columns are named by the instrument's item ids. Values are left as the export
gave them (text, labels, decimal commas, missing codes): turning them into codes is
:func:`toolkit.clean`'s job, so every change is logged there.

Supported inputs
----------------
- CSV/TXT/TSV: delimiter (``,`` ``;`` tab) and encoding (UTF-8 with or without BOM,
  UTF-16 with BOM, cp1252, latin-1) are detected. All cells are read as text.
- XLSX/XLSM and legacy XLS: the first sheet or ``sheet=``; cells keep Excel's types.
- SPSS ``.sav``/``.zsav``/``.por`` and Stata ``.dta`` (pyreadstat): codes are kept, not labels;
  user-missing codes (e.g. -9, 99, a range 2000-3000, Stata's ``.a``-``.z``) stay as values
  and their definitions are reported with the value labels; :func:`toolkit.clean` applies them.
- Parquet.
- KoboToolbox/ODK/LimeSurvey exports: group paths in headers (``group/item``,
  ``group.item``, ``group:item``, ODK Central's ``group-item``, LimeSurvey's
  ``item[sub]``), XML names or question labels (any language) as headers, metadata
  columns (``_uuid``, ``start``, ``end``, ...), select_multiple as one column or as
  split 0/1 columns (``item/3`` or ``Question label/Option label``), which are joined
  into one column of space-separated codes.

Read metadata
-------------
``df.attrs["read"]`` is a dict with:

``source``            file path (or ``"<DataFrame>"``)
``format``            csv, xlsx, xls, sav, por, dta, parquet or frame
``encoding``          detected encoding (CSV only, else None)
``delimiter``         detected delimiter (CSV only, else None)
``sheet``             sheet read (XLSX only)
``column_map``        {original header: item id / metadata name}
``split_columns``     {item id: [original headers joined into it]}
``unknown_columns``   headers kept under their own name but not in the instrument
``metadata_columns``  recognised metadata / Kobo system columns
``value_labels``      {column: {code: label}} from SPSS/Stata
``user_missing``      {column: [codes]} declared user-missing in SPSS/Stata (single values; Stata's
                      extended missing values as their letters ``"a"``-``"z"``)
``missing_ranges``    {column: [(low, high)]} user-missing ranges declared in SPSS, kept as ranges
``n_rows``            rows read
``skipped_rows``      title rows found above the header and skipped (CSV; XLSX says so in ``notes``)
``notes``             what was read differently from how the file looks (title rows skipped, formulas
                      read as their computed values, merged cells); each also warns (DataQualityWarning)

:func:`read_info` returns it; :func:`toolkit.clean` carries it on as ``Cleaned.read``
(``attrs`` do not survive every pandas operation, so read it before reshaping the frame).
"""

from __future__ import annotations

import csv
import os
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from toolkit import _intake
from toolkit._csv import read_csv
from toolkit._validation import as_instrument
from toolkit.errors import DataQualityWarning, InputFileError, OutputError, ResponseError
from toolkit.instrument.vocabulary import METADATA_COLUMNS
from toolkit.outputs import atomic_write

__all__ = ["read_responses", "read_info", "write_table", "check_writable", "normalise_label", "METADATA_COLUMNS",
           "KOBO_METADATA", "KOBO_ID_COLUMNS"]


#: KoboToolbox/ODK columns that identify a submission, its device or the person who sent it
#: (:func:`toolkit.clean` pseudonymises them). Compared case-insensitively.
KOBO_ID_COLUMNS = ("_uuid", "_id", "instanceid", "meta/instanceid", "deviceid", "subscriberid", "simserial",
                   "username", "_submitted_by", "submitterid", "key")
#: KoboToolbox/ODK system columns, recognised (and kept) as metadata. Compared case-insensitively.
KOBO_METADATA = (
    *KOBO_ID_COLUMNS, "start", "end", "today", "phonenumber", "audit", "instancename", "deprecatedid", "rootuuid",
    "meta/deprecatedid", "meta/rootuuid", "meta/instancename", "formhub/uuid", "_submission_time",
    "_validation_status", "_notes", "_status", "__version__", "_version_", "_tags", "_index", "_parent_index",
    "_parent_table_name", "_xform_id_string", "_attachments", "_geolocation", "_duration", "submissiondate",
    "submittername", "attachmentspresent", "attachmentsexpected", "status", "reviewstate", "edits", "formversion",
)

# Group separators: Kobo "/", ".", ":"; ODK Central "-"; LimeSurvey "item[sub]" is read as "item/sub".
_SEP_RE = re.compile(r"[/.:\-]")
_BRACKET_RE = re.compile(r"\[([^\[\]]*)\]$")
_SPACE_RE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})
_TRUE_TEXT = {"1", "1.0", "true", "yes", "y", "ja", "j", "x"}
_FALSE_TEXT = {"0", "0.0", "false", "no", "nej", ""}


def normalise_label(value: Any) -> str:
    """Case- and space-insensitive form of a label or header, used for matching.

    Examples
    --------
    >>> normalise_label("  Don\u2019t   KNOW ")
    "don't know"
    """
    return _SPACE_RE.sub(" ", str(value).translate(_QUOTES)).strip().casefold()


def read_info(data: pd.DataFrame) -> dict[str, Any]:
    """The read metadata :func:`read_responses` attached to ``data`` (empty dict if none).

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> raw = pd.DataFrame({f"grp/{i}": [""] for i in inst.item_ids} | {"extra": ["x"]})
    >>> info = read_info(read_responses(raw, inst))
    >>> info["format"], info["unknown_columns"], info["column_map"][f"grp/{inst.item_ids[0]}"] == inst.item_ids[0]
    ('frame', ['extra'], True)
    >>> read_info(pd.DataFrame())
    {}
    """
    return dict(data.attrs.get("read", {}))


# --------------------------------------------------------------------------- files


def _read_stat(path: Path, kind: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyreadstat

    reader = {"dta": pyreadstat.read_dta, "por": pyreadstat.read_por, "sav": pyreadstat.read_sav}[kind]
    options = {"apply_value_formats": False} | ({} if kind == "por" else {"user_missing": True})
    try:
        df, meta = reader(str(path), **options)
    except Exception as exc:  # pyreadstat raises its own, non-public exception types
        raise InputFileError(f"{path}: not a readable {kind.upper()} file: {exc}") from None
    user_missing: dict[str, list[Any]] = {}
    ranges: dict[str, list[tuple[Any, Any]]] = {}
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        user_missing[col] = list(values)
    for col, declared in (getattr(meta, "missing_ranges", None) or {}).items():
        for r in declared:  # SPSS declares single values as ranges with low == high
            lo, hi = r.get("lo"), r.get("hi")
            if lo == hi:
                user_missing.setdefault(col, []).append(lo)
            else:
                ranges.setdefault(col, []).append((lo, hi))
    labels = {col: {(int(k) if isinstance(k, float) and k.is_integer() else k): v for k, v in lab.items()}
              for col, lab in (meta.variable_value_labels or {}).items()}
    return df, {"value_labels": labels, "user_missing": user_missing, "missing_ranges": ranges}


def _read_file(path: Path, *, sheet: str | int | None, encoding: str | None,
               delimiter: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a response file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    info: dict[str, Any] = {"format": suffix.lstrip("."), "encoding": None, "delimiter": None, "sheet": None}
    try:
        if suffix in (".csv", ".txt", ".tsv", ".tab"):
            df, extra = read_csv(path, encoding, delimiter)
            info.update(extra, format="csv")
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            df, target, notes = _intake.read_xlsx(path, sheet)
            info.update(format="xls" if suffix == ".xls" else "xlsx", sheet=target, notes=notes)
        elif suffix in (".sav", ".zsav", ".dta", ".por"):
            kind = {".dta": "dta", ".por": "por"}.get(suffix, "sav")
            df, extra = _read_stat(path, kind)
            info.update(extra, format=kind)
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(path)
            info.update(format="parquet")
        else:
            raise InputFileError(
                f"{path}: unsupported file type {suffix!r}; expected .csv, .tsv, .txt, .xlsx, .xls, .sav, .por, .dta "
                "or .parquet"
            )
    except (InputFileError, ResponseError):
        raise
    except (OSError, ValueError, KeyError, ImportError, EOFError, csv.Error, zipfile.BadZipFile, CalamineError) as exc:
        raise InputFileError(f"{path}: cannot read the file: {exc}") from None
    if df.shape[1] == 0:
        raise InputFileError(f"{path}: no columns found")
    return df, info


# --------------------------------------------------------------------------- columns


class _Vocabulary:
    """Lookups from normalised headers / option names to the instrument's ids and codes."""

    def __init__(self, instrument: Any):
        self.items: dict[str, str] = {}
        self.multiple: set[str] = set()
        self.options: dict[str, dict[str, int]] = {}
        for item in instrument.items:
            self.items.setdefault(normalise_label(item.id), item.id)
            for text in (item.text or {}).values():
                if text:
                    self.items.setdefault(normalise_label(text), item.id)
            if item.type == "multiple" and item.response_set:
                self.multiple.add(item.id)
                rs = instrument.response_sets[item.response_set]
                opts: dict[str, int] = {}
                for code in list(rs.codes) + list(rs.missing):
                    opts[str(code.code)] = code.code
                    for label in code.label.values():
                        opts.setdefault(normalise_label(label), code.code)
                self.options[item.id] = opts
        self.metadata = {normalise_label(m): m for m in METADATA_COLUMNS}
        self.kobo = {normalise_label(m) for m in KOBO_METADATA}

    def suffixes(self, header: str) -> list[str]:
        """The header and every part after a group separator, longest first."""
        header = _BRACKET_RE.sub(r"/\1", header)
        out = [header]
        out += [header[m.end():] for m in _SEP_RE.finditer(header)]
        return [s for s in out if s.strip()]

    def item(self, header: str) -> str | None:
        for suffix in self.suffixes(header):
            key = normalise_label(suffix)
            if key in self.items:
                return self.items[key]
        return None

    def split_option(self, header: str) -> tuple[str, int] | None:
        """(item id, code) for a split select_multiple column such as ``grp/help_who/3`` or ``help_who[3]``."""
        header = _BRACKET_RE.sub(r"/\1", header)
        for m in reversed(list(_SEP_RE.finditer(header))):
            question, option = header[: m.start()], header[m.end():]
            item = self.item(question)
            if item in self.multiple:
                code = self.options[item].get(normalise_label(option))
                if code is not None:
                    return item, code
        return None

    def meta(self, header: str) -> str | None:
        key = normalise_label(header)
        if key in self.metadata:
            return self.metadata[key]
        for suffix in self.suffixes(header):
            if normalise_label(suffix) in self.metadata:
                return self.metadata[normalise_label(suffix)]
        if key in self.kobo or normalise_label(self.suffixes(header)[-1]) in self.kobo:
            return header
        return None


def _selected(values: pd.Series) -> np.ndarray:
    """Split select_multiple cells: True (selected), False (not), or missing -> (selected, answered)."""
    text = values.astype("str").str.strip().str.casefold()
    answered = values.notna() & text.ne("")
    numeric = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    selected = text.isin(_TRUE_TEXT) | (numeric.fillna(0) > 0)
    # Label-valued split columns (Kobo "labels" exports put the option label in the cell).
    selected |= answered & ~text.isin(_FALSE_TEXT) & numeric.isna()
    return np.column_stack([selected.fillna(False).to_numpy(bool), answered.fillna(False).to_numpy(bool)])


def _join_split(df: pd.DataFrame, parts: list[tuple[str, int]]) -> pd.Series:
    """Join split 0/1 columns into space-separated codes in ascending order (NaN if none answered)."""
    parts = sorted(parts, key=lambda p: p[1])
    mask = np.zeros(len(df), dtype=np.int64)
    answered = np.zeros(len(df), dtype=bool)
    for bit, (col, _) in enumerate(parts):
        sel = _selected(df[col])
        mask |= sel[:, 0].astype(np.int64) << bit
        answered |= sel[:, 1]
    codes, uniques = pd.factorize(mask)
    labels = np.array([" ".join(str(parts[b][1]) for b in range(len(parts)) if (u >> b) & 1) or np.nan
                       for u in uniques], dtype=object)
    out = pd.Series(labels[codes], index=df.index, dtype="str")
    return out.where(answered)


def _map_columns(df: pd.DataFrame, instrument: Any, source: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    vocab = _Vocabulary(instrument)
    column_map: dict[str, str] = {}
    unknown: list[str] = []
    metadata: list[str] = []
    split: dict[str, list[tuple[str, int]]] = {}
    taken: set[str] = set()
    out_cols: dict[str, Any] = {}  # insertion order = output order
    for header in df.columns:
        name = str(header)
        item = vocab.item(name)
        if item is not None and item not in taken:
            taken.add(item)
            column_map[name] = item
            out_cols[item] = header
            continue
        opt = vocab.split_option(name)
        if opt is not None:
            item_id, code = opt
            if item_id not in split:
                out_cols.setdefault(f"\x00split:{item_id}", None)
            split.setdefault(item_id, []).append((header, code))
            column_map[name] = f"{item_id}/{code}"
            continue
        meta = vocab.meta(name) if item is None else None
        if meta is not None and meta not in taken:
            taken.add(meta)
            column_map[name] = meta
            metadata.append(meta)
            out_cols[meta] = header
            continue
        # Unknown (or a second column claiming an id already taken): kept under its own name.
        unknown.append(name)
        out_cols[name if name not in out_cols else f"{name}.dup"] = header
    data: dict[str, Any] = {}
    for name, header in out_cols.items():
        if name.startswith("\x00split:"):
            item_id = name.split(":", 1)[1]
            if item_id not in taken:  # a one-column version exists -> split columns are redundant
                data[item_id] = _join_split(df, split[item_id])
            continue
        data[name] = df[header]
    out = pd.DataFrame(data, index=df.index)
    required = [item.id for item in instrument.items if item.required and not item.optional]  # optional: may be absent
    missing = [i for i in required if i not in out.columns]
    if missing:
        raise ResponseError(
            f"{source}: {len(missing)} required column(s) missing for instrument "
            f"{instrument.id!r}: {', '.join(missing)}; is the export from another version of the form "
            f"({instrument.id} is version {instrument.version}), or for another instrument?"
        )
    info = {
        "column_map": column_map,
        "split_columns": {k: [str(c) for c, _ in v] for k, v in split.items()},
        "unknown_columns": unknown,
        "metadata_columns": metadata,
    }
    return out, info


def _label_disagreements(value_labels: dict[str, dict], instrument: Any) -> list[str]:
    """Notes on SPSS/Stata value labels that name a code differently from the instrument (codes are kept)."""
    notes = []
    for column, labels in value_labels.items():
        rs = instrument.response_set_of(column) if column in instrument.item_ids else None
        if rs is None:
            continue
        known = {c.code: {normalise_label(v) for v in c.label.values()} for c in (*rs.codes, *rs.missing)}
        wrong = [f"{code}={label!r}" for code, label in labels.items()
                 if code in known and known[code] and normalise_label(label) not in known[code]]
        wrong += [f"{code}={label!r} (no such code)" for code, label in labels.items() if code not in known]
        if wrong:
            notes.append(f"value labels of {column} disagree with {instrument.id}: {', '.join(wrong[:5])}; "
                         "the codes were kept, check that the file belongs to this instrument")
    return notes


def read_responses(
    source: str | Path | pd.DataFrame,
    instrument: Any,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """Read a response export and name its item columns by item id.

    Parameters
    ----------
    source : str, Path or pd.DataFrame
        A file (.csv/.tsv/.txt, .xlsx/.xls, .sav/.por, .dta, .parquet) or a DataFrame already in memory.
    instrument : Instrument, str or Path
        The questionnaire, a bundled id such as ``"dis-full"`` or the path of its YAML file.
    sheet : str or int, optional
        XLSX sheet name or index; default the first sheet.
    encoding, delimiter : str, optional
        Override detection for CSV files.

    Returns
    -------
    pd.DataFrame
        New frame, one row per input row in input order. Item columns are named by item
        id, metadata columns by their canonical names; unknown columns are kept under their
        own names. Values are untouched (except split select_multiple columns, which are
        joined). ``df.attrs["read"]`` holds the read metadata described in the module docs.
        The file's missing-value conventions (a code map such as ESS's 77/88/99, the id
        column, timestamps for durations) are given to :func:`toolkit.clean`, which changes
        values and logs each change; reading never does.

    Raises
    ------
    InputFileError
        Missing, empty, unreadable or unsupported file.
    ResponseError
        Required item columns are missing (all are listed).

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> headers = {"Respondent_ID": ["a1"], **{f"access/{i}": ["2"] for i in inst.item_ids}, "note": ["x"]}
    >>> df = read_responses(pd.DataFrame(headers), inst)
    >>> list(df.columns[:3]), df.attrs["read"]["unknown_columns"]
    (['respondent_id', 'devices', 'home_conn'], ['note'])
    """
    instrument = as_instrument(instrument)
    if isinstance(source, pd.DataFrame):
        frame = source.copy(deep=False)  # copy-on-write: the caller's frame can never change
        frame.attrs = {}
        info: dict[str, Any] = {"source": "<DataFrame>", "format": "frame", "encoding": None,
                                "delimiter": None, "sheet": None}
        label = "input frame"
    else:
        path = Path(source)
        frame, info = _read_file(path, sheet=sheet, encoding=encoding, delimiter=delimiter)
        info["source"] = str(path)
        label = str(path)
    if len(frame.columns) != len(set(map(str, frame.columns))):
        dupes = sorted({str(c) for c in frame.columns if list(map(str, frame.columns)).count(str(c)) > 1})
        raise ResponseError(f"{label}: duplicate column header(s): {', '.join(dupes)}")
    out, mapping = _map_columns(frame, instrument, label)
    info.update(mapping)
    rename = mapping["column_map"]
    for key in ("value_labels", "user_missing", "missing_ranges"):
        info[key] = {rename.get(str(c), str(c)): v for c, v in info.get(key, {}).items()}
    info["n_rows"] = len(out)
    info["notes"] = [*(info.get("notes") or []), *_label_disagreements(info["value_labels"], instrument)]
    for note in info["notes"]:  # what was read differently from the sheet as it looks
        warnings.warn(f"{label}: {note}", DataQualityWarning, stacklevel=2)
    out.attrs = {"read": info}
    return out


# --------------------------------------------------------------------------- writing

WRITABLE = (".parquet", ".csv", ".xlsx")


def check_writable(path: str | Path) -> Path:
    """Fail early, with an OutputError, if ``path`` cannot be written as a table.

    Examples
    --------
    >>> check_writable("/no/such/folder/out.csv")
    Traceback (most recent call last):
    ...
    toolkit.errors.OutputError: cannot write /no/such/folder/out.csv: folder /no/such/folder does not exist
    """
    path = Path(path)
    if path.suffix.lower() not in WRITABLE:
        raise OutputError(f"cannot write {path}: unsupported type {path.suffix!r}; use .parquet, .csv or .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {path}: permission denied")
    return path


def _plain_text(col: pd.Series) -> pd.Series:
    """Mixed object columns (e.g. a log's old values) as text, so Parquet can store them."""
    if not pd.api.types.is_object_dtype(col.dtype):
        return col
    return col.map(lambda v: v if isinstance(v, str) else (f"{v:g}" if isinstance(v, float) else str(v)),
                   na_action="ignore").astype("str")


def _plain_texts(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with its object columns as text; the other columns are the same arrays (no copy)."""
    out = data.copy(deep=False)
    for position, col in enumerate(data.columns):
        if pd.api.types.is_object_dtype(data[col].dtype):
            out.isetitem(position, _plain_text(data[col]))
    return out


#: rows converted to Arrow and written at once (one row group each): the memory of one slice, not a copy of all
PARQUET_ROWS = 1 << 20


class ParquetParts:
    """A Parquet file written a frame at a time (one row group each), every part with the first one's schema.

    Object columns are written as text, as :func:`write_table` does. Use it as a context manager: the
    file is complete when the block ends.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> with ParquetParts(target) as out:
    ...     out.write(pd.DataFrame({"a": [1.0]}))
    ...     out.write(pd.DataFrame({"a": [2.0]}))
    >>> pd.read_parquet(target)["a"].tolist()
    [1.0, 2.0]
    """

    def __init__(self, path: str | Path):
        self.path, self.writer = Path(path), None

    def __enter__(self) -> ParquetParts:
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` as one row group."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = None if self.writer is None else self.writer.schema
        table = pa.Table.from_pandas(_plain_texts(frame), schema=schema, preserve_index=False)
        self.writer = self.writer or pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def __exit__(self, *exc) -> None:
        if self.writer is not None:
            self.writer.close()


def _write_parquet(data: pd.DataFrame, path: Path) -> None:
    """``data.to_parquet(path, index=False)``, converted to Arrow a slice of rows at a time."""
    with ParquetParts(path) as out:
        for start in range(0, max(len(data), 1), PARQUET_ROWS):
            out.write(data.iloc[start:start + PARQUET_ROWS])


def _naive_times(data: pd.DataFrame) -> pd.DataFrame:
    """Timestamps with a time zone as UTC without one: Excel cannot store a time zone."""
    zoned = [c for c in data.columns if isinstance(data[c].dtype, pd.DatetimeTZDtype)]
    return data.assign(**{str(c): data[c].dt.tz_convert("UTC").dt.tz_localize(None) for c in zoned}) if zoned else data


def write_table(data: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as Parquet, CSV (UTF-8) or XLSX, chosen by the suffix.

    Text bound for CSV/XLSX is protected against formula injection
    (:func:`toolkit.privacy.protect_formulas`). The frame is not modified.

    Raises
    ------
    OutputError
        The path cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_table(pd.DataFrame({"a": ["=cmd()", "ok"]}), target)
    >>> target.read_text().splitlines()
    ['a', "'=cmd()", 'ok']
    """
    from toolkit import _csvout
    from toolkit.privacy import protect_formulas

    path = check_writable(path)
    suffix = path.suffix.lower()
    try:
        with atomic_write(path) as partial:  # an interrupted write leaves the old file or none
            if suffix == ".parquet":
                _write_parquet(data, partial)
            elif suffix == ".csv":
                safe = protect_formulas(data)
                # a bare carriage return ends a record for Excel: any text holding one gets every text quoted
                quoting = csv.QUOTE_NONNUMERIC if _intake.holds_cr(safe) else csv.QUOTE_MINIMAL
                # the same bytes, column-wise through Arrow, where the frame's dtypes allow
                if quoting != csv.QUOTE_MINIMAL or not _csvout.write_csv(safe, partial):
                    safe.to_csv(partial, index=False, encoding="utf-8", lineterminator="\n", quoting=quoting)
            else:
                protect_formulas(_naive_times(data)).to_excel(partial, index=False, engine="openpyxl")
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:  # a column the format cannot store
        raise OutputError(f"cannot write {path}: {exc}") from None
    return path
