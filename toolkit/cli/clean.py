"""``ditk clean``: read an export, clean it against the instrument, write data, log and flags.

Examples
--------
>>> from typer.testing import CliRunner
>>> from toolkit.cli import app
>>> "--pseudonym-key-env" in CliRunner().invoke(app, ["clean", "--help"]).stdout
True
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from toolkit.cli import _output

if TYPE_CHECKING:
    from toolkit.cleaning import Cleaned
    from toolkit.errors import SchemaErrors

#: inputs larger than this (bytes) show a progress bar on stderr
PROGRESS_FROM_BYTES = 5_000_000

__all__ = ["clean_command"]

MISSING_HELP = ("The file's missing codes, CODE=KIND pairs: 77=refused,88=dont_know,99=no_answer "
                "(kinds: dont_know, refused, dont_understand, not_applicable, no_answer).")
ID_COLUMN_HELP = "The respondent id column (e.g. idno); pseudonymised like respondent_id."
KEEP_IDS_HELP = "Keep ids, and columns that look like ids (idno, uuid, cpr, ...), in clear instead of pseudonymising."
CHUNK_HELP = ("A Parquet export of more rows is cleaned this many rows at a time, straight into Parquet or CSV "
              "files: the memory of one chunk, not of the whole file (default: the config's chunk_rows, 1000000).")
DURATION_HELP = "START,END: two timestamp columns to compute the interview duration from (default duration_sec, " \
                "else Kobo start/end)."


@_output.user_errors
def clean_command(
    input: str = typer.Argument(..., help="Responses: CSV/TSV, XLSX/XLS, SPSS .sav/.por, Stata .dta, Parquet, "
                                          "Kobo/ODK CSV."),
    instrument: str = typer.Option("dis-full", "--instrument", "-i", help="Bundled id or a YAML path."),
    out: str = typer.Option(..., "--out", "-o", help="Cleaned data: .parquet, .csv or .xlsx."),
    log: str | None = typer.Option(None, "--log", help="Also write the change log (.csv/.xlsx/.parquet)."),
    flags: str | None = typer.Option(None, "--flags", help="Also write the quality flags (.csv/.xlsx/.parquet)."),
    pseudonym_key_env: str = typer.Option("DITK_PSEUDONYM_KEY", "--pseudonym-key-env",
                                          help="Environment variable holding the pseudonymisation key "
                                               "(unset: a random key; pseudonyms not stable across runs)."),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)."),
    strict: bool = typer.Option(False, "--strict", help="Stop on any invalid value instead of cleaning it."),
    missing: str | None = typer.Option(None, "--missing", help=MISSING_HELP),
    id_column: str | None = typer.Option(None, "--id-column", help=ID_COLUMN_HELP),
    keep_ids: bool = typer.Option(False, "--keep-ids", help=KEEP_IDS_HELP),
    duration_from: str | None = typer.Option(None, "--duration-from", help=DURATION_HELP),
    chunk_rows: int | None = typer.Option(None, "--chunk-rows", min=1, help=CHUNK_HELP),
) -> None:
    """Read a survey export, clean it against the instrument and write data, log and flags.

    Prints a summary to stdout: the instrument and its version, what was read
    (format, encoding, delimiter), unknown columns, changes by rule, flags and
    the files written, then any note on the cleaning (no interview duration: no
    speeder flag). Warnings (columns taken for ids, ...) go to stderr as notes.
    The input file is never overwritten.

    Parameters
    ----------
    input : str
        The response export.
    instrument : str
        A bundled id or a path to a YAML instrument.
    out : str
        The cleaned data.
    log, flags : str, optional
        Also write the change log and the quality flags. With ``--strict`` the
        log receives every failure case instead.
    pseudonym_key_env : str
        The environment variable holding the pseudonymisation key. When it is
        unset, a random key is drawn for this run (a note on stderr says so):
        pseudonyms are then not stable across runs.
    strict
        As for :func:`toolkit.clean`.
    sheet : str, optional
        The XLSX sheet to read.
    missing : str, optional
        The file's missing codes as ``CODE=KIND`` pairs, e.g. ``77=refused,88=dont_know,99=no_answer``
        (``missing=`` of :func:`toolkit.clean`).
    id_column : str, optional
        The respondent id column (``id_column=``).
    keep_ids : bool
        Keep ids, and columns that look like ids, in clear (``keep_ids=True``).
    duration_from : str, optional
        ``START,END``: two timestamp columns the interview duration is computed from.
    chunk_rows : int, optional
        A Parquet export of more rows than this is cleaned ``chunk_rows`` at a time straight into
        the files (:func:`toolkit.cleaning.to_files.clean_parquet_to`; Parquet or CSV outputs, not
        ``--strict``); the summary is the same.

    Examples
    --------
    >>> from tempfile import TemporaryDirectory
    >>> from typer.testing import CliRunner
    >>> from toolkit import datasets
    >>> from toolkit.cli import app
    >>> runner = CliRunner(env={"DITK_PSEUDONYM_KEY": "example-key"})
    >>> with TemporaryDirectory() as tmp:
    ...     result = runner.invoke(app, ["clean", str(datasets.path("sample_screener.csv")), "-i", "dis-screener",
    ...                                  "--out", f"{tmp}/clean.parquet"])
    >>> result.exit_code
    0
    >>> print(result.stdout)
    Instrument dis-screener version ...
    Read ... rows from ...sample_screener.csv (csv, encoding ..., delimiter ',')
    ...
    Wrote ... rows to .../clean.parquet
    """
    from toolkit.errors import ToolkitWarning  # here, not at the top: `ditk --help` imports no stage

    options = clean_options(missing=missing, id_column=id_column, keep_ids=keep_ids, duration_from=duration_from)
    with _output.progress(show=_is_large(input)) as report, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ToolkitWarning)
        used, cleaned = _run_clean(input, instrument, out=out, log=log, flags=flags,
                                   pseudonym_key_env=pseudonym_key_env, sheet=sheet, strict=strict, progress=report,
                                   options=options, chunk_rows=chunk_rows)
    print_warnings(caught, skip=cleaned.notes)
    _output.print_clean_summary(used, cleaned, input, [p for p in (out, log, flags) if p])
    for note in cleaned.notes:  # said once, in the summary (no duration: no speeder flag)
        typer.echo(f"Note: {note}")


def clean_options(*, missing: str | None, id_column: str | None, keep_ids: bool,
                  duration_from: str | None) -> dict[str, Any]:
    """The keywords for :func:`toolkit.clean` from the command line's options (checked before any work).

    Examples
    --------
    >>> clean_options(missing="77=refused", id_column=None, keep_ids=False, duration_from="start,end")
    {'missing': {77: 'refused'}, 'keep_ids': False, 'duration_from': ('start', 'end')}
    """
    from toolkit.cleaning.durations import check_duration_from
    from toolkit.cleaning.missing import parse_missing

    options: dict[str, Any] = {"missing": parse_missing(missing), "keep_ids": keep_ids,
                               "duration_from": check_duration_from(duration_from)}
    if id_column is not None:
        options["id_column"] = id_column
    return options


def print_warnings(caught: list[warnings.WarningMessage], skip: tuple[str, ...] = ()) -> None:
    """The toolkit's warnings of a run as one note each on stderr (each message once, none of ``skip``);
    others re-issued."""
    from toolkit.errors import ToolkitWarning

    seen: set[str] = set(skip)
    for w in caught:
        if not issubclass(w.category, ToolkitWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif str(w.message) not in seen:
            seen.add(str(w.message))
            _output.print_note(str(w.message))


def _is_large(source: str) -> bool:
    path = Path(source)
    return path.is_file() and path.stat().st_size > PROGRESS_FROM_BYTES


def _check_targets(source: str, targets: list[str | None]) -> None:
    """Fail before any work if an output cannot be written or would overwrite the input."""
    from toolkit.errors import OutputError
    from toolkit.io import check_writable

    for target in filter(None, targets):
        path = check_writable(target)
        if Path(source).exists() and path.resolve() == Path(source).resolve():
            raise OutputError(f"refusing to overwrite the input file {source}")


def _run_clean(source: str, instrument: str, *, out: str, log: str | None, flags: str | None,
               pseudonym_key_env: str, sheet: str | None, strict: bool,
               progress: _output.Report, options: dict[str, Any] | None = None,
               chunk_rows: int | None = None) -> tuple[Any, Cleaned]:
    """Check the outputs, read, clean and write; the instrument used and the cleaning result.

    In strict mode a failure writes every failure case to ``log`` (when given)
    and the error's hint says where they are.
    """
    from toolkit.cleaning import clean
    from toolkit.errors import SchemaErrors
    from toolkit.instrument import load_instrument
    from toolkit.io import read_responses, write_table

    _check_targets(source, [out, log, flags])
    key = None if (options or {}).get("keep_ids") else _pseudonym_key(pseudonym_key_env)
    used = load_instrument(instrument)
    from toolkit.config import Config

    chunk_rows = chunk_rows or Config().chunk_rows
    if _in_chunks(source, [out, log, flags], strict, chunk_rows):
        from toolkit.cleaning.to_files import clean_parquet_to

        progress("cleaning in chunks")
        return used, clean_parquet_to(source, used, out=out, log=log, flags=flags, chunk_rows=chunk_rows,
                                      pseudonym_key=key, **(options or {}))
    progress("reading")
    data = read_responses(source, used, sheet=sheet)
    progress("cleaning", 0.0)
    try:
        cleaned = clean(data, used, strict=strict, pseudonym_key=key, **(options or {}),
                        progress=lambda step, done: progress(f"cleaning: {step}", done))
    except SchemaErrors as exc:
        raise _strict_failure(exc, log) from None
    progress("writing")
    for table, path in ((cleaned.data, out), (cleaned.log, log), (cleaned.flags, flags)):
        if path:
            write_table(table, path)
    return used, cleaned


def _in_chunks(source: str, targets: list[str | None], strict: bool, chunk_rows: int) -> bool:
    """A Parquet export of more than ``chunk_rows`` rows is cleaned chunk by chunk straight into the
    files (:func:`toolkit.cleaning.to_files.clean_parquet_to`), when the outputs are Parquet or CSV."""
    from toolkit.cleaning.chunked import parquet_rows

    rows = parquet_rows(source) if Path(source).suffix.lower() == ".parquet" else None
    return (rows is not None and rows > chunk_rows and not strict
            and all(Path(t).suffix.lower() in (".parquet", ".csv") for t in targets if t))


def _pseudonym_key(env: str) -> str:
    """The key in ``env``; unset, a random key for this run only, and a note that pseudonyms are not stable."""
    key = os.environ.get(env)
    if key:
        return key
    _output.print_note(f"{env} is not set: a random key was drawn, so pseudonyms are not stable across runs")
    return secrets.token_hex(32)


def _strict_failure(exc: SchemaErrors, log: str | None) -> SchemaErrors:
    """The strict-mode error to show: the failure cases go to ``--log`` when given, else the hint asks for it."""
    from toolkit.io import write_table

    if not log:
        return exc.with_hint("add --log FILE to write every case")
    write_table(exc.failure_cases, log)
    return exc.with_hint(f"every case written to {log}")
