"""Read an XLSForm workbook into plain rows: sheet names and headers normalised, cells as text.

XLSForm is forgiving about spelling: sheet names and column headers are
case-insensitive, ``label:English`` and ``label::English`` both name a
language, and older forms use aliases (``bind:relevant``, ``caption``). This
module hides all of that: each row becomes a :class:`Row` whose cells are
looked up by canonical column name, and whose ``where`` names the sheet and
the spreadsheet row (``survey row 14 (name 'q3')``) for error messages.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import _intake
from toolkit.errors import DataQualityWarning, InstrumentError

#: Canonical column -> the headers XLSForm tools accept for it (lower case).
ALIASES = {
    "relevant": ("relevant", "relevance", "bind:relevant", "bind::relevant"),
    "required": ("required", "bind:required", "bind::required"),
    "constraint": ("constraint", "bind:constraint", "bind::constraint"),
    "calculation": ("calculation", "bind:calculate", "bind::calculate"),
    "list_name": ("list_name", "list name"),
}
_TRANSLATED = re.compile(r"^(label|hint|caption)\s*(?::{1,2}\s*(.+))?$", re.I)
_CODE_IN_NAME = re.compile(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*\)\s*$")
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*$")
#: Language names without a code in the form -> ISO 639 code (the frequent ones; others become ``und-<name>``).
LANGUAGE_CODES = {
    "english": "en", "french": "fr", "francais": "fr", "français": "fr", "spanish": "es", "espanol": "es",
    "español": "es", "portuguese": "pt", "arabic": "ar", "swahili": "sw", "kiswahili": "sw", "chinese": "zh",
    "danish": "da", "dansk": "da", "german": "de", "deutsch": "de", "italian": "it", "japanese": "ja",
    "russian": "ru", "hindi": "hi", "bengali": "bn", "urdu": "ur", "macedonian": "mk", "dutch": "nl",
    "swedish": "sv", "norwegian": "no", "bokmal": "nb", "bokmål": "nb", "ukrainian": "uk", "polish": "pl",
    "greek": "el", "turkish": "tr", "persian": "fa", "farsi": "fa", "dari": "prs", "pashto": "ps",
    "amharic": "am", "tigrinya": "ti", "somali": "so", "hausa": "ha", "yoruba": "yo", "igbo": "ig",
    "zulu": "zu", "kinyarwanda": "rw", "luganda": "lg", "nepali": "ne", "burmese": "my", "khmer": "km",
    "thai": "th", "vietnamese": "vi", "indonesian": "id", "tagalog": "tl", "tetun": "tet", "korean": "ko",
    "hebrew": "he", "finnish": "fi", "icelandic": "is", "romanian": "ro", "hungarian": "hu", "czech": "cs",
}


def language_code(name: str) -> str:
    """The language code of an XLSForm language name: ``English (en)`` -> ``en``, ``english`` -> ``en``.

    Examples
    --------
    >>> language_code("Dansk (da)"), language_code("english"), language_code("fr"), language_code("Klingon")
    ('da', 'en', 'fr', 'und-klingon')
    """
    text = name.strip()
    m = _CODE_IN_NAME.search(text)
    if m:
        return m.group(1).lower()
    if _CODE.match(text):
        return text.lower()
    key = text.lower()
    slug = re.sub(r"[^a-z0-9]+", "", key)[:8]
    return LANGUAGE_CODES.get(key, f"und-{slug}" if len(slug) >= 2 else "und")


def cell_text(value) -> str | None:
    """A cell as stripped text; None when blank (numbers lose a trailing ``.0``).

    Examples
    --------
    >>> cell_text(3.0), cell_text(" yes "), cell_text(float("nan")), cell_text(True)
    ('3', 'yes', None, 'true')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class Row:
    """One spreadsheet row: its sheet, 1-based row number and cells by canonical column."""

    sheet: str
    number: int
    cells: Mapping[str, str]
    texts: Mapping[tuple[str, str | None], str] = field(default_factory=dict)  # (label|hint, language) -> text

    def get(self, column: str) -> str | None:
        """The cell of a canonical column (None when blank or absent)."""
        return self.cells.get(column)

    @property
    def where(self) -> str:
        """``survey row 14 (name 'q3')``: where the row is, for messages."""
        name, list_name = self.get("name"), self.get("list_name") if self.sheet == "choices" else None
        about = ", ".join(([f"list_name {list_name!r}"] if list_name else []) + ([f"name {name!r}"] if name else []))
        return f"{self.sheet} row {self.number}" + (f" ({about})" if about else "")


@dataclass(frozen=True)
class Sheet:
    """A sheet's rows, and the original header of each canonical or translated column."""

    name: str
    rows: list[Row]
    headers: Mapping[str, str]  # canonical column or "label::<lang>" -> header as written
    languages: tuple[str | None, ...]  # languages of label/hint columns in order; None: a plain column


def _canonical(header: str) -> str:
    low = re.sub(r"\s+", " ", header.strip().lower())
    for canon, names in ALIASES.items():
        if low in names:
            return canon
    return low


def _sheet(name: str, frame: pd.DataFrame) -> Sheet:
    headers: dict[str, str] = {}
    plain: dict[str, str] = {}  # column -> canonical
    translated: dict[str, tuple[str, str | None]] = {}
    langs: list[str | None] = []
    for col in frame.columns:
        header = str(col)
        m = _TRANSLATED.match(header.strip())
        if m:
            kind = "label" if m.group(1).lower() in ("label", "caption") else "hint"
            lang = m.group(2).strip() if m.group(2) else None
            translated[col] = (kind, lang)
            headers.setdefault(f"{kind}::{lang}" if lang else kind, header)
            if lang not in langs:
                langs.append(lang)
        elif not header.startswith("Unnamed:"):
            plain[col] = _canonical(header)
            headers.setdefault(plain[col], header)
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        cells = {canon: t for col, canon in plain.items() if (t := cell_text(rec[col])) is not None}
        texts = {key: t for col, key in translated.items() if (t := cell_text(rec[col])) is not None}
        if cells or texts:
            rows.append(Row(name, i + 2, cells, texts))  # row 1 holds the headers
    return Sheet(name, rows, headers, tuple(langs))


def read_workbook(path: str | Path) -> dict[str, Sheet]:
    """The sheets of an ``.xlsx`` or ``.xls`` XLSForm by lower-case name; InstrumentError if unreadable.

    Examples
    --------
    >>> read_workbook("no-such-form.xlsx")
    Traceback (most recent call last):
    ...
    toolkit.errors.InstrumentError: cannot read no-such-form.xlsx as an XLSForm workbook (.xlsx or .xls): ...
    """
    if zipfile.is_zipfile(path):  # an .xlsx: refuse a zip bomb before calamine unpacks it; note formulas and links
        for note in _intake.check_zip(Path(path)):
            warnings.warn(f"{path}: {note}", DataQualityWarning, stacklevel=2)
    try:
        frames = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own error classes for damaged or non-Excel files
        raise InstrumentError(f"cannot read {path} as an XLSForm workbook (.xlsx or .xls): {exc}") from None
    sheets: dict[str, Sheet] = {}
    for name, frame in frames.items():
        key = str(name).strip().lower()
        if key not in sheets:
            sheets[key] = _sheet(key, frame)
    if "survey" not in sheets:
        raise InstrumentError(f"{path}: an XLSForm needs a sheet named 'survey'; found "
                              f"{', '.join(repr(str(n)) for n in frames) or 'no sheets'}")
    return sheets


__all__ = ["Row", "Sheet", "read_workbook", "language_code", "cell_text", "ALIASES", "LANGUAGE_CODES"]
