"""Everything ``ditk`` prints, in one place.

stdout carries only data: the paths written and the summaries. stderr carries
the rest: progress bars and the one-line ``Error: ...`` of a user mistake
(any :class:`toolkit.errors.ToolkitError`, exit code 2, no traceback).

Examples
--------
>>> print_paths(["a.csv", "b.csv"])
a.csv
b.csv
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from os import PathLike
from typing import Any

import typer
from rich.console import Console

#: progress bars and error messages; stdout stays clean for data
stderr = Console(stderr=True, highlight=False)

#: how a long step reports: a description and, when known, the share done (0-1)
Report = Callable[..., None]

__all__ = ["stderr", "user_errors", "print_error", "print_note", "print_paths", "progress", "clean_summary",
           "print_clean_summary"]


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command: a toolkit error becomes one line on stderr and exit code 2.

    Other exceptions are bugs and keep their traceback.

    Parameters
    ----------
    func : callable
        The command function (typer reads its signature through the wrapper).

    Returns
    -------
    callable
        The wrapped command.

    Examples
    --------
    >>> import typer
    >>> from typer.testing import CliRunner
    >>> from toolkit.errors import OptionError
    >>> demo = typer.Typer()
    >>> @demo.command()
    ... @user_errors
    ... def run() -> None:
    ...     raise OptionError("--n must be a positive number")
    >>> result = CliRunner().invoke(demo, [])
    >>> result.exit_code, result.stderr
    (2, 'Error: --n must be a positive number\\n')
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from toolkit.errors import ToolkitError  # imports pandas: only when a command runs, never for --help

        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return func(*args, **kwargs)
        except ToolkitError as exc:
            print_error(exc)
            raise typer.Exit(code=2) from None
        except (KeyboardInterrupt, Exception) as exc:  # every file is written whole or not at all (atomic_write)
            if not _interrupted(exc):
                raise
            stderr.print("Interrupted: files written so far are complete; the others were left as they were",
                         markup=False, soft_wrap=True)
            raise typer.Exit(code=130) from None

    return wrapper


def _interrupted(exc: BaseException | None) -> bool:
    """True for Ctrl-C, also when a library's clean-up raised another error while it unwound."""
    seen = 0
    while exc is not None and seen < 50:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc, seen = exc.__context__, seen + 1
    return False


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """The toolkit's own warnings as one ``Warning: ...`` line on stderr; others as Python shows them."""
    from toolkit.errors import ToolkitWarning

    if issubclass(category, ToolkitWarning):
        stderr.print(f"Warning: {message}", markup=False, soft_wrap=True)
    else:
        (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno, line))


def print_error(exc: BaseException) -> None:
    """Print ``Error: <message>`` to stderr on one line (no markup, no wrapping).

    Parameters
    ----------
    exc : exception
        Its text is the message.

    Examples
    --------
    >>> import contextlib, io
    >>> buffer = io.StringIO()
    >>> with contextlib.redirect_stderr(buffer):
    ...     print_error(ValueError("[bold]not markup[/bold] " + "x" * 200))
    >>> line = buffer.getvalue()
    >>> line.startswith("Error: [bold]not markup[/bold]"), line.count("\\n")
    (True, 1)
    """
    stderr.print(f"Error: {exc}", markup=False, soft_wrap=True)


def print_note(message: str) -> None:
    """Print ``Note: <message>`` to stderr on one line: something the user should know, not an error.

    Parameters
    ----------
    message : str

    Examples
    --------
    >>> import contextlib, io
    >>> buffer = io.StringIO()
    >>> with contextlib.redirect_stderr(buffer):
    ...     print_note("pseudonyms are not stable across runs")
    >>> buffer.getvalue()
    'Note: pseudonyms are not stable across runs\\n'
    """
    stderr.print(f"Note: {message}", markup=False, soft_wrap=True)


def print_paths(paths: Iterable[str | PathLike[str]]) -> None:
    """Print the files written, one per line, to stdout.

    Parameters
    ----------
    paths : iterable of str or Path

    Examples
    --------
    >>> from pathlib import Path
    >>> print_paths([Path("out") / "dis-full.xlsx"])
    out/dis-full.xlsx
    """
    for path in paths:
        typer.echo(str(path))


@contextmanager
def progress(*, show: bool) -> Iterator[Report]:
    """A transient progress bar on stderr; yields ``report(description, completed=None)``.

    ``completed`` is the share done (0-1); None shows a bar without an end
    (reading, writing).

    Parameters
    ----------
    show : bool
        False: ``report`` does nothing visible (small files finish before a bar helps).

    Examples
    --------
    >>> with progress(show=False) as report:
    ...     report("reading")
    ...     report("cleaning", 0.5)
    """
    from rich.progress import Progress

    with Progress(console=stderr, transient=True, disable=not show) as bar:
        task = bar.add_task("starting", total=None)

        def report(description: str, completed: float | None = None) -> None:
            if completed is None:
                bar.update(task, description=description, total=None)
            else:
                bar.update(task, description=description, total=1.0, completed=completed)

        yield report


def _joined(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def clean_summary(instrument: Any, cleaned: Any, source: str, written: Sequence[str]) -> list[str]:
    """The lines ``ditk clean`` prints: instrument, what was read, changes, flags, what was written.

    Parameters
    ----------
    instrument : Instrument
        The instrument cleaned against (its id and version are named).
    cleaned : toolkit.cleaning.Cleaned
        The result of :func:`toolkit.clean`.
    source : str
        The input file as the user named it.
    written : sequence of str
        The files written, the cleaned data first.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> cleaned = toolkit.clean(pd.DataFrame({i: ["88"] for i in inst.item_ids}), inst)
    >>> for line in clean_summary(inst, cleaned, "in.csv", ["out.csv"]):
    ...     print(line)
    Instrument dis-screener version ...
    Read 1 rows from in.csv (frame)
    Unknown columns kept: none
    Changes by rule: missing_code ...
    Flags: ... respondents flagged (...)
    Wrote 1 rows to out.csv
    """
    info = cleaned.read
    rows = cleaned.counts("rows")
    read_as = info.get("format")
    if info.get("encoding"):
        read_as = f"{read_as}, encoding {info['encoding']}, delimiter {info['delimiter']!r}"
    used = {*cleaned.options.get("id_columns", ()), *cleaned.options.get("id_like_columns", ()),
            *str(cleaned.options.get("duration_source") or "").split(",")}  # read as ids/durations: not unknown
    unknown = [c for c in info.get("unknown_columns", []) if c not in used]
    changes = {rule: count for rule, count in cleaned.counts("rule").items() if count}
    flag_counts = cleaned.counts("flag")
    flagged = flag_counts.pop("flagged")
    return [
        f"Instrument {instrument.id} version {instrument.version}",
        f"Read {rows['input']} rows from {source} ({read_as})",
        f"Unknown columns kept: {', '.join(unknown) if unknown else 'none'}",
        f"Changes by rule: {_joined(changes) if changes else 'none'}",
        f"Flags: {flagged} respondents flagged ({_joined(flag_counts)})",
        f"Wrote {rows['output']} rows to {', '.join(map(str, written))}",
    ]


def print_clean_summary(instrument: Any, cleaned: Any, source: str, written: Sequence[str]) -> None:
    """Print :func:`clean_summary` to stdout.

    Parameters
    ----------
    instrument, cleaned, source, written
        As for :func:`clean_summary`.

    Examples
    --------
    >>> import pandas as pd
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> cleaned = toolkit.clean(pd.DataFrame({i: [None] for i in inst.item_ids}), inst)
    >>> print_clean_summary(inst, cleaned, "in.csv", ["out.parquet", "log.csv"])
    Instrument dis-screener version ...
    ...
    Wrote 1 rows to out.parquet, log.csv
    """
    for line in clean_summary(instrument, cleaned, source, written):
        typer.echo(line)
