"""Checks a response file passes before a reader opens it, so hostile files fail fast with a clear message.

- a binary file under a text name (``.csv``) is named for what it is;
- a header wider than :data:`MAX_COLUMNS` is refused before pandas reads a million columns;
- an XLSX whose ZIP directory unpacks to more than :data:`MAX_UNZIPPED_BYTES`
  (a zip bomb) is refused before any XML is read; formulas and merged cells are counted;
- title rows above the header are found (:func:`title_rows`), duplicate headers refused;
- :func:`read_xlsx` reads a sheet through these checks.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd

from toolkit.errors import InputFileError, ResponseError

#: more header fields than this is not a survey export (the full instrument has about 100)
MAX_COLUMNS = 20_000
#: an XLSX (or XLSForm) whose parts unpack to more than this is refused
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
#: the most title rows looked for above a header
MAX_TITLE_ROWS = 10

_MAGIC = {b"PK\x03\x04": "a ZIP file (an .xlsx workbook?)", b"$FL2": "an SPSS .sav file",
          b"$FL3": "an SPSS .zsav file", b"PAR1": "a Parquet file", b"\xd0\xcf\x11\xe0": "an old Excel .xls file",
          b"%PDF": "a PDF file"}
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_text(path: Path) -> None:
    """An InputFileError if ``path``, named as text, holds binary content."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputFileError(f"{path}: this is {what}, not {path.suffix} text; give it its proper suffix")
    controls = _CONTROL.findall(head)
    if b"\x00" in head or len(controls) > max(2, len(head) // 100):
        at = _CONTROL.search(head).start()
        raise InputFileError(f"{path}: binary content (byte {at} is {head[at]:#04x}), not CSV text; "
                             "export the survey as CSV or give the file its proper suffix")


def check_width(path: Path, codec: str, delimiter: str) -> None:
    """An InputFileError if the first line holds more than :data:`MAX_COLUMNS` fields (read in blocks)."""
    fields = 1
    with path.open("r", encoding=codec, errors="replace", newline="") as fh:
        for block in iter(lambda: fh.read(1 << 20), ""):
            line = block.split("\n", 1)[0]
            fields += line.count(delimiter)
            if fields > MAX_COLUMNS:
                raise InputFileError(f"{path}: the header has more than {MAX_COLUMNS:,} columns; at most "
                                     f"{MAX_COLUMNS:,} are read. Is {delimiter!r} the right delimiter "
                                     "(pass delimiter=... or fix the export)?")
            if len(line) < len(block):
                return


def title_rows(rows: list[list[str]]) -> int:
    """How many rows above the header are titles: rows with fewer than half the header's filled cells.

    ``rows`` are the first parsed rows. The header is the first row whose filled
    cells are at least half the widest row's, within :data:`MAX_TITLE_ROWS`.

    Examples
    --------
    >>> title_rows([["Survey 2026", "", ""], ["id", "q1", "q2"], ["1", "2", "3"]])
    1
    >>> title_rows([["id", "q1", "q2"], ["1", "", ""]])
    0
    """
    filled = [sum(bool(str(v).strip()) for v in row) for row in rows[: MAX_TITLE_ROWS + 50]]
    widest = max(filled, default=0)
    if widest < 2:
        return 0
    for k, n in enumerate(filled[: MAX_TITLE_ROWS + 1]):
        if n * 2 >= widest:
            return k
    return 0


def csv_rows(sample: str, delimiter: str, limit: int = 60) -> list[list[str]]:
    """The first ``limit`` complete rows of a text sample (a garbled sample gives none)."""
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        return [row for _, row in zip(range(limit), reader, strict=False)]
    except csv.Error:
        return []


def check_duplicates(headers: list, label: str) -> None:
    """A ResponseError naming every header that appears more than once."""
    counts = Counter(str(h).strip() for h in headers)
    dupes = sorted(h for h, n in counts.items() if n > 1)
    if dupes:
        raise ResponseError(f"{label}: duplicate column header(s): {', '.join(dupes)}; each column needs its own "
                            "name (rename or remove the copies)")


def check_zip(path: Path) -> list[str]:
    """Refuse a zip bomb from the ZIP directory alone; notes on formulas and merged cells in the worksheets."""
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNZIPPED_BYTES or len(members) > 10_000:
                raise InputFileError(
                    f"{path}: refused: the workbook would unpack to {total / 2**20:,.0f} MB in {len(members)} "
                    f"parts (limit {MAX_UNZIPPED_BYTES / 2**20:,.0f} MB); it may be a zip bomb. Save it again "
                    "from Excel or export it as CSV")
            notes = _sheet_notes(book, [m.filename for m in members if m.filename.startswith("xl/worksheets/")])
            links = sum(m.filename.startswith("xl/externalLinks/") and m.filename.endswith(".xml") for m in members)
            if links:
                notes.append(f"{links} link(s) to other workbooks: never followed, their last cached values were "
                             "read")
            return notes
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook ({exc}); save it again as .xlsx") from None


def _sheet_notes(book: zipfile.ZipFile, sheets: list[str]) -> list[str]:
    formulas = merged = 0
    for name in sheets:
        tail = b""  # a tag split across two blocks is counted once, in the block where it ends
        with book.open(name) as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                text = tail + block
                formulas += _count(text, b"<f>", b"<f ") - _count(tail, b"<f>", b"<f ")
                merged += _count(text, b"<mergeCell ") - _count(tail, b"<mergeCell ")
                tail = text[-16:]
    notes = []
    if formulas:
        notes.append(f"{formulas} cell(s) hold formulas: their last computed values were read, never the formula "
                     "(a cell never computed reads as empty)")
    if merged:
        notes.append(f"{merged} merged cell range(s): only the first cell of each holds the value, the rest read "
                     "as empty")
    return notes


def read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str, list[str]]:
    """The sheet (header found below any title rows), its name, and notes on formulas, merges, title rows."""
    # refuses a zip bomb before calamine unpacks anything (a legacy .xls is no zip)
    notes = [] if path.suffix.lower() == ".xls" else check_zip(path)
    with pd.ExcelFile(path, engine="calamine") as book:  # opened once; calamine reads ~15x faster than openpyxl
        names = book.sheet_names
        target = names[0] if sheet is None else sheet
        if isinstance(target, int) or (target not in names and str(target).isdigit()):
            target = names[int(target)] if int(target) < len(names) else str(target)  # a sheet index
        if target not in names:
            raise InputFileError(f"{path}: no sheet {target!r}; sheets: {', '.join(names)}")
        grid = pd.read_excel(book, sheet_name=target, dtype=object, header=None)
    head = [["" if pd.isna(v) else str(v) for v in row] for row in grid.head(60).itertuples(index=False)]
    skip = title_rows(head)
    if grid.empty:
        return pd.DataFrame(), target, notes
    header = list(grid.iloc[skip])
    check_duplicates([h for h in header if not pd.isna(h)], f"{path} (sheet {target})")
    df = grid.iloc[skip + 1:].reset_index(drop=True)
    df.columns = [f"Unnamed: {k}" if pd.isna(h) else h for k, h in enumerate(header)]
    if skip:
        notes.append(f"the header is on row {skip + 1}: {skip} title row(s) above it were skipped")
    return df, target, notes


def holds_cr(data: pd.DataFrame) -> bool:
    """True if a column name or a text cell holds a carriage return.

    Each distinct text is looked at once: a category column by its categories, an
    object column by its unique values; numbers, booleans and times cannot hold one.
    """
    if any("\r" in str(c) for c in data.columns):
        return True
    for name in data.columns:
        column = data[name]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            texts = pd.Series(column.cat.categories.astype(object))
        elif pd.api.types.is_numeric_dtype(dtype) or dtype.kind in "mM":
            continue
        elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            texts = column
        else:
            texts = pd.Series(pd.unique(column.to_numpy(dtype=object)), dtype=object)
        if texts.astype("str").str.contains("\r", regex=False).any():
            return True
    return False


def _count(text: bytes, *needles: bytes) -> int:
    return sum(text.count(n) for n in needles)
