"""Build forms from an instrument: XLSForm for KoboToolbox/ODK, printable HTML, codebooks.

Everything is derived from the one YAML definition, so the web form, the
paper form and the codebook cannot drift apart. Every output carries the
instrument id and version.

* :func:`xlsform_sheets` / :func:`write_xlsform` - sheets ``survey``, ``choices``,
  ``settings``; one group per section (Kobo exports get paths like
  ``skills/prac_03``); ``relevant`` from the skip rules, ``required`` and
  ``constraint``.
* :func:`paper_html` - numbered questions with tick boxes, skip instructions
  in words ("If No, go to question 14") and a print stylesheet.
* :func:`codebook_markdown` and :func:`codebook_csv` (from :meth:`Instrument.codebook`).
* :func:`build` - writes any of these into a folder, all or nothing.

Each lives in its module (:mod:`.xlsform`, :mod:`.paper`, :mod:`.codebook`,
:mod:`.languages`); every public name is importable from ``toolkit.forms``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from toolkit._validation import as_instrument, check_option
from toolkit.errors import OutputError
from toolkit.forms.codebook import codebook_csv, codebook_markdown
from toolkit.forms.languages import LANGUAGE_NAMES, check_languages, english_noted
from toolkit.forms.paper import paper_html, question_numbers
from toolkit.forms.xlsform import write_xlsform, xlsform_sheets
from toolkit.instrument import Instrument, available_instruments

FORMATS = ("xlsform", "html", "codebook")


def _check_formats(formats: str | Sequence[str]) -> list[str]:
    wanted = [formats] if isinstance(formats, str) else list(formats)
    for fmt in wanted or [""]:
        check_option(fmt, "form format", (*FORMATS, "all"))
    return list(FORMATS) if "all" in wanted else list(dict.fromkeys(wanted))


def _render(instrument: Instrument, formats: list[str], langs: list[str]) -> dict[str, str | None]:
    """File name -> text content (None for the XLSForm, written separately)."""
    files: dict[str, str | None] = {}
    if "xlsform" in formats:
        files[f"{instrument.id}.xlsx"] = None
    if "html" in formats:
        for lang in langs:
            files[f"{instrument.id}.{lang}.html"] = paper_html(instrument, lang=lang)
    if "codebook" in formats:
        files[f"{instrument.id}.codebook.csv"] = codebook_csv(instrument)
        for lang in langs:
            files[f"{instrument.id}.codebook.{lang}.md"] = codebook_markdown(instrument, lang=lang)
    return files


def build(instruments: str | Instrument | Sequence[str | Instrument], *, formats: str | Sequence[str] = "all",
          languages: Sequence[str] | None = None, out: str | os.PathLike = "built-forms") -> list[Path]:
    """Build forms for one or more instruments into ``out``, all or nothing.

    Parameters
    ----------
    instruments : id, path, Instrument, "all", or a list of these
        ``"all"`` builds every bundled instrument.
    formats : "xlsform", "html", "codebook", "all", or a list
    languages : list of language codes, optional
        For the paper forms and Markdown codebooks (the XLSForm and the CSV
        codebook always hold every language). Default: all of them.
    out : folder
        Created if needed. Files are written to a temporary folder beside it
        and moved in only when every file is complete, so a failure leaves
        nothing half-written.

    Returns
    -------
    list of Path, the files written.

    Raises
    ------
    UnknownInstrumentError
        Unknown instrument (the message lists the bundled ones).
    OptionError
        A language the instrument lacks or an unknown format (the message lists the choices).
    OutputError
        ``out`` cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in build("dis-screener", formats="codebook", languages=["en"], out=d)]
    ['dis-screener.codebook.csv', 'dis-screener.codebook.en.md']
    """
    if isinstance(instruments, str | Instrument):
        instruments = [instruments]
    expanded: list[str | Instrument] = []
    for i in instruments:
        expanded.extend(available_instruments() if i == "all" else [i])
    insts = [as_instrument(i) for i in expanded]
    fmts = _check_formats(formats)
    plans = []
    for instrument in insts:
        langs = check_languages(instrument, languages)  # notes English instructions once per instrument
        with english_noted():
            plans.append((instrument, _render(instrument, fmts, langs)))
    with english_noted():
        return _publish(plans, Path(out))


def _publish(plans: list[tuple[Instrument, dict[str, str | None]]], out: Path) -> list[Path]:
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".ditk-build-", dir=out))
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None
    written = []
    try:
        for instrument, files in plans:
            for name, text in files.items():
                target = tmp / name
                if text is None:
                    write_xlsform(instrument, target)
                else:
                    target.write_text(text, encoding="utf-8")
        for _, files in plans:
            for name in files:
                os.replace(tmp / name, out / name)
                written.append(out / name)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise OutputError(f"cannot write forms to {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not written:
            shutil.rmtree(out, ignore_errors=True)
    return written


__all__ = ["FORMATS", "LANGUAGE_NAMES", "build", "xlsform_sheets", "write_xlsform", "paper_html", "codebook_markdown",
           "codebook_csv", "question_numbers", "check_languages"]
