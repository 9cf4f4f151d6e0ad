"""Reading a delimited text export: the encoding, the delimiter and the header row, found before pandas parses.

The encoding is guessed from the first MB (:data:`ENCODING_PREFIX`); where the parser then fails, from the
whole file. :func:`read_csv` is what :func:`toolkit.read_responses` uses for ``.csv``, ``.tsv`` and ``.txt``.
"""

from __future__ import annotations

import codecs
import csv
import io as _stdio
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import _intake
from toolkit.errors import InputFileError


#: bytes of a file that the encoding is guessed from; the parser's own check covers the rest
ENCODING_PREFIX = 1 << 20


def _decodes(path: Path, codec: str, limit: int | None = None) -> bool:
    """True if the file (or its first ``limit`` bytes) decodes with ``codec``, streamed in 1 MB blocks."""
    decoder = codecs.getincrementaldecoder(codec)()
    done = 0
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
                done += len(block)
                if limit is not None and done >= limit:
                    return True  # a character cut at the limit is no error: the decoder is not final
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(path: Path, limit: int | None = None) -> tuple[str, str]:
    """(codec to decode with, name to report), from the whole file or its first ``limit`` bytes."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    for codec in ("utf-8", "cp1252"):
        if _decodes(path, codec, limit):
            return codec, codec
    return "latin-1", "latin-1"


def _detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab that splits the first lines into the most, equally long, records."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (-1, -1)
    for delim in (",", ";", "\t"):
        try:
            rows = [r for r in csv.reader(_stdio.StringIO(sample), delimiter=delim) if r]
        except csv.Error:  # binary or garbled text: no delimiter splits it
            continue
        if not rows:
            continue
        widths = [len(r) for r in rows[:200]]
        usual = max(set(widths), key=widths.count)  # the width most rows share (a title row above is narrower)
        score = (int(usual > 1) * widths.count(usual), usual)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(path: Path, encoding: str | None, delimiter: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The encoding is guessed from the first MB; where the parser then fails, from the whole file."""
    _intake.check_text(path)
    if encoding is not None:
        return _parse_csv(path, encoding, encoding, delimiter)
    guess = _detect_encoding(path, ENCODING_PREFIX)
    try:
        return _parse_csv(path, *guess, delimiter)
    except InputFileError:
        whole = _detect_encoding(path) if path.stat().st_size > ENCODING_PREFIX else guess
        if whole == guess:
            raise
        return _parse_csv(path, *whole, delimiter)


def _parse_csv(path: Path, codec: str, reported: str, delimiter: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    try:
        with path.open("r", encoding=codec, errors="strict", newline="") as fh:
            sample = fh.read(65536)
            more = bool(fh.read(1))
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(f"{path}: cannot decode as {codec}: {exc}") from None
    if not sample.strip() and not more:
        raise InputFileError(f"{path}: the file is empty")
    delim = delimiter or _detect_delimiter(sample)
    _intake.check_width(path, codec, delim)
    rows = _intake.csv_rows(sample, delim)
    skip = _intake.title_rows(rows)
    if len(rows) > skip:
        _intake.check_duplicates(rows[skip], str(path))
    options = {"sep": delim, "encoding": codec, "dtype": "str", "keep_default_na": False, "na_values": [""],
               "skiprows": skip}
    try:
        # pandas reads the file itself (the text is never held twice in memory); the pyarrow
        # parser is fast and lean, the C parser copes with what it refuses (ragged rows, ...)
        try:
            df = pd.read_csv(path, engine="pyarrow", **options)
        except Exception:  # pyarrow's parse errors are not one public class; the C parser decides
            df = pd.read_csv(path, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not a readable {_delim_name(delim)}-separated file: "
                             f"{' '.join(str(exc).split())}") from None
    notes = [f"the header is on line {skip + 1}: {skip} title row(s) above it were skipped"] if skip else []
    return df, {"encoding": reported, "delimiter": delim, "skipped_rows": skip, "notes": notes}


def _delim_name(delim: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(delim, repr(delim))
