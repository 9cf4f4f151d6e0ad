"""Import an existing KoboToolbox/ODK XLSForm (``.xlsx`` or ``.xls``) as an instrument.

``toolkit.load_instrument("form.xlsx")`` reads the ``survey``, ``choices``
and ``settings`` sheets, converts them into the same spec a YAML instrument
holds and validates it with the YAML loader, so a problem names the sheet,
row and column (``form.xlsx: survey row 14 (name 'q3'): column 'relevant':
...``). ``toolkit.load_instrument("overlay.yaml")`` does the same for the form
an overlay names (``form: form.xlsx``), adding the overlay's scales, knowledge
keys, domains, missing codes and outcomes. :func:`import_report` lists every
row that was not imported as written, and why; :func:`choice_codes` the code
each choice name got (to recode exports that hold names). questionnaires/SCHEMA.md
("Importing an XLSForm") documents what is supported.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from toolkit.forms import write_xlsform
>>> from toolkit.instrument import load_instrument
>>> with tempfile.TemporaryDirectory() as tmp:
...     form = write_xlsform("dis-screener", Path(tmp) / "screener.xlsx")
...     imported = load_instrument(form)
...     report = import_report(form)
>>> imported.item_ids == load_instrument("dis-screener").item_ids
True
>>> report.loc[0, "name"], report.loc[0, "action"]
('instrument_version', 'skipped')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import DataQualityWarning, InstrumentError
from toolkit.instrument import _fields as F
from toolkit.instrument.schema import Instrument
from toolkit.instrument.xlsform._convert import Conversion, convert
from toolkit.instrument.xlsform._overlay import (
    apply_overlay, form_path, looks_like_overlay, missing_kinds, read_overlay,
)
from toolkit.instrument.xlsform._workbook import read_workbook

#: File suffixes read as XLSForm workbooks.
SUFFIXES = (".xlsx", ".xls", ".xlsm")
#: The columns of :func:`import_report`.
REPORT_COLUMNS = ("sheet", "row", "name", "column", "action", "detail")
_COLUMNS = {"text": "label", "label": "label", "hint": "hint", "id": "name", "type": "type", "response_set": "type",
            "min": "constraint", "max": "constraint", "exclusive": "constraint", "relevant": "relevant",
            "required": "required", "codes": "name"}
_SETTINGS = {"id": "form_id", "version": "version", "title": "form_title"}
#: Prefix of an item's ``relevant`` when the form's expression could not be translated (documentation only).
UNTRANSLATED = "(XLSForm expression, not translated) "

Build = Callable[[Mapping[str, Any], F.Problems], Instrument]


def is_xlsform(path: str | PathLike) -> bool:
    """Whether ``path`` is read by this module: an Excel workbook, or a YAML overlay naming one.

    Examples
    --------
    >>> is_xlsform("form.xlsx"), is_xlsform("form.XLS"), is_xlsform("no-such-file.yaml")
    (True, True, False)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    return suffix in SUFFIXES or (suffix in (".yaml", ".yml") and path.is_file() and looks_like_overlay(path))


class _Problems(F.Problems):
    """Problems found by the YAML loader, located in the workbook (sheet, row, column) or the overlay."""

    def __init__(self, conv: Conversion, overlay: str | None, given: set[tuple[str | None, str]]):
        super().__init__(conv.file)
        self.conv, self.overlay, self.given = conv, overlay, given

    def add(self, item: str | None, fld: str | None, message: str) -> None:
        """Record one problem at its place in the workbook or the overlay."""
        file, where, column = self.locate(item, fld)
        self.rows.append({"file": file, "item": where, "field": column, "message": message})

    def locate(self, item: str | None, fld: str | None) -> tuple[str, str | None, str | None]:
        base = (fld or "").split(".")[0].split("[")[0]
        conv = self.conv
        if self.overlay and ((item, base) in self.given or (None, (item or base).split(".")[0]) in self.given):
            return self.overlay, f"items.{item}" if item in conv.item_rows else item, fld
        if item is None:
            if base in _SETTINGS:
                return conv.file, "settings row 2", f"column {_SETTINGS[base]!r}"
            if base == "languages":
                return conv.file, "survey sheet", "the label columns"
            return conv.file, "choices sheet" if base == "missing_codes" else "(form)", fld
        head, _, rest = item.partition(".")
        row = (conv.item_rows.get(item) or (conv.list_rows.get(rest) if head == "response_sets" else None)
               or (conv.section_rows.get(rest) if head == "sections" else None))
        if row is None:
            return conv.file, item, fld
        return conv.file, row.where, self.column(row.sheet, base, fld)

    def column(self, sheet: str, base: str, fld: str | None) -> str | None:
        canon = _COLUMNS.get(base)
        if canon is None:
            return fld
        headers = self.conv.headers.get(sheet, {})
        lang = (fld or "").split(".")[-1] if canon in ("label", "hint") else None
        raw = self.conv.language_headers.get(lang) if lang else None
        header = headers.get(f"{canon}::{raw}") or headers.get(canon) or canon
        return f"column {header!r}"


def _read(path: Path) -> tuple[Conversion, Mapping[str, Any] | None, Path | None]:
    overlay = overlay_path = None
    if path.suffix.lower() in (".yaml", ".yml"):
        overlay, overlay_path = read_overlay(path), path
        path = form_path(overlay, path)
        if not path.is_file():
            raise InstrumentError(f"{overlay_path}: the form {overlay['form']!r} is not a file ({path})")
    conv = convert(read_workbook(path), file=str(path), missing=missing_kinds(overlay, overlay_path))
    if conv.problems:
        p = F.Problems(conv.file)
        for where, column, message in conv.problems:
            p.add(where, f"column {column!r}" if column else None, message)
        p.raise_if_any()
    return conv, overlay, overlay_path


def _document(instrument: Instrument, untranslated: Mapping[str, str]) -> Instrument:
    if not untranslated:
        return instrument
    items = [replace(it, relevant=UNTRANSLATED + untranslated[it.id]) if it.id in untranslated else it
             for it in instrument.items]
    return replace(instrument, items=items)


@functools.lru_cache(maxsize=8)
def _load(path: str, key: tuple[str, tuple[int, ...]], build: Build) -> tuple[Instrument, Conversion]:
    # key: the resolved path and the modification times, so an edited form or overlay reloads
    conv, overlay, overlay_path = _read(Path(path))
    given = apply_overlay(conv, overlay, overlay_path) if overlay is not None else set()
    p = _Problems(conv, str(overlay_path) if overlay_path else None, given)
    instrument = build(conv.spec, p)
    return _document(instrument, conv.untranslated), conv


def _mtimes(path: Path) -> tuple[int, ...]:
    out = [path.stat().st_mtime_ns]
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            form = form_path(read_overlay(path), path)
            out.append(form.stat().st_mtime_ns)
        except (InstrumentError, OSError):
            out.append(0)
    return tuple(out)


def load(path: str | PathLike, *, build: Build) -> Instrument:
    """The instrument of an XLSForm or overlay, validated by ``build`` (the YAML loader's spec validator).

    Warns with :class:`~toolkit.errors.DataQualityWarning` listing each skip rule that could not be
    translated (the item then counts as always asked). ``toolkit.load_instrument`` calls this.
    """
    path = Path(path)
    instrument, conv = _load(str(path), (str(path.resolve()), _mtimes(path)), build)
    if conv.untranslated:
        lines = [f"{conv.item_rows[i].where}: {expr!r}" for i, expr in conv.untranslated.items()]
        warnings.warn(DataQualityWarning(
            f"{conv.file}: {len(lines)} skip rule(s) could not be translated into the toolkit's rules; the "
            "items count as always asked and keep the expression as documentation (give a rule in an overlay's "
            "items: {name: {relevant: ...}}):\n  " + "\n  ".join(lines)), stacklevel=3)
    return instrument


def _conversion(source: str | PathLike) -> Conversion:
    path = Path(source)
    if not path.is_file():
        raise InstrumentError(f"no XLSForm file {source}")
    conv, overlay, overlay_path = _read(path)
    if overlay is not None:
        apply_overlay(conv, overlay, overlay_path)
    return conv


def import_report(source: str | PathLike) -> pd.DataFrame:
    """What was not imported as written from an XLSForm (or the form an overlay names), and why.

    Parameters
    ----------
    source : str or path-like
        An ``.xlsx``/``.xls`` XLSForm, or a YAML overlay with a ``form:`` key.

    Returns
    -------
    pd.DataFrame
        One row per note: sheet, row (as numbered in the spreadsheet), name, column, action
        (skipped, renamed, recoded, untranslated, translation, constraint, ...) and detail.

    Raises
    ------
    InstrumentError
        The file cannot be read, or the form is refused (a repeat, an unknown type).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from toolkit.forms import write_xlsform
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     report = import_report(write_xlsform("dis-full", Path(tmp) / "full.xlsx"))
    >>> sorted(set(report["action"]))
    ['skipped']
    """
    conv = _conversion(source)
    report = pd.DataFrame(conv.report, columns=list(REPORT_COLUMNS)).astype({"row": "Int64"})
    order = report["sheet"].map({"survey": 1, "choices": 2, "settings": 3}).fillna(0)
    return report.assign(_order=order).sort_values(["_order", "row"], kind="stable").drop(columns="_order") \
        .reset_index(drop=True)


def choice_codes(source: str | PathLike) -> pd.DataFrame:
    """The code each choice of an XLSForm gets, to recode an export that holds choice names.

    Kobo and ODK exports hold the choices' names (``yes``, ``no``); the
    instrument holds integer codes. Where the names are not numbers, the
    import codes them 1, 2, ... in sheet order (missing answers that an
    overlay names take their kind's usual code where it has one).

    Parameters
    ----------
    source : str or path-like
        The XLSForm, or an overlay naming it (as for :func:`import_report`).

    Returns
    -------
    pd.DataFrame
        One row per choice of every list an imported question uses: response_set, list_name, choice, code.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     form = Path(tmp) / "f.xlsx"
    ...     with pd.ExcelWriter(form) as xl:
    ...         pd.DataFrame({"type": ["select_one yn"], "name": ["ok"], "label": ["OK?"]}).to_excel(
    ...             xl, sheet_name="survey", index=False)
    ...         pd.DataFrame({"list_name": ["yn", "yn"], "name": ["yes", "no"], "label": ["Yes", "No"]}).to_excel(
    ...             xl, sheet_name="choices", index=False)
    ...     codes = choice_codes(form)
    >>> codes.to_dict("records")[1]
    {'response_set': 'yn', 'list_name': 'yn', 'choice': 'no', 'code': 2}
    """
    conv = _conversion(source)
    rows = [{"response_set": rs, "list_name": conv.list_names.get(rs, rs), "choice": name, "code": code}
            for rs, names in conv.choice_names.items() for name, code in names.items()]
    return pd.DataFrame(rows, columns=["response_set", "list_name", "choice", "code"])


__all__ = ["SUFFIXES", "REPORT_COLUMNS", "UNTRANSLATED", "is_xlsform", "import_report", "choice_codes"]
