"""Safe output: whole files or none, text that cannot run as a formula, names that stay in their folder.

Every file the toolkit writes goes through :func:`atomic_write`: it is written
beside its target under a temporary name and renamed over the target only once
it is complete (``os.replace`` is atomic on one file system), so a run killed
halfway leaves the previous file or none, never half of one.

:func:`neutralise_cell` is the one formula-injection rule (text starting with
``= + - @``, a tab or a carriage return gets a leading ``'``; numbers are never
touched); :func:`toolkit.privacy.protect_formulas` applies it to whole frames.

:func:`confine_path` turns a name that comes from data (a district, a file
name in an export) into a path inside the chosen output folder, or refuses.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "note.txt") as partial:
...     _ = partial.write_text("done")
>>> (folder / "note.txt").read_text(), sorted(p.name for p in folder.iterdir())
('done', ['note.txt'])
>>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell(-3)
("'=HYPERLINK(1)", -3)
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from toolkit.errors import OutputError

__all__ = ["atomic_write", "neutralise_cell", "confine_path", "FORMULA_START", "PARTIAL_MARK"]

#: text starting with one of these can run as a formula in a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: part of the name of every temporary file :func:`atomic_write` makes
PARTIAL_MARK = ".partial"

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


@contextmanager
def atomic_write(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` (same suffix); on success it replaces ``target``.

    On any error, or an interruption (KeyboardInterrupt, SIGTERM), the
    temporary file is removed and ``target`` is left as it was. An ``OSError``
    becomes an :class:`~toolkit.errors.OutputError` naming the target.

    Parameters
    ----------
    target : str or Path
        The file to write.

    Yields
    ------
    Path
        Where to write; hidden (leading dot) and marked ``.partial``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_write(target) as partial:
    ...     _ = partial.write_text("a\\n1\\n")
    >>> target.read_text()
    'a\\n1\\n'
    """
    target = Path(target)
    partial = target.with_name(f".{target.stem}.{secrets.token_hex(4)}{PARTIAL_MARK}{target.suffix}")
    try:
        yield partial
        os.replace(partial, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula; else unchanged.

    Parameters
    ----------
    value : object
        A cell. Only ``str`` is ever changed: a negative number is a number, not a formula.

    Returns
    -------
    object

    Examples
    --------
    >>> [neutralise_cell(v) for v in ["=1+1", "+45 1234", "@SUM(A1)", "\\tx", "ok", -1.5, None]]
    ["'=1+1", "'+45 1234", "'@SUM(A1)", "'\\tx", 'ok', -1.5, None]
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def confine_path(folder: str | os.PathLike, name: str, *, suffix: str = "") -> Path:
    """A path for ``name`` (from data) inside ``folder``: separators and odd characters replaced, never outside.

    Parameters
    ----------
    folder : str or Path
        The chosen output folder.
    name : str
        A name that may come from the data (``../../etc/passwd``, ``C:\\x``, a district).
    suffix : str, optional
        Added to the cleaned name (``".png"``).

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        Nothing usable is left of the name.

    Examples
    --------
    >>> confine_path("out", "../../etc/passwd", suffix=".csv").as_posix()
    'out/etc_passwd.csv'
    >>> confine_path("out", "Aarhus C / Vest").as_posix()
    'out/Aarhus C _ Vest'
    """
    base = Path(folder)
    cleaned = _UNSAFE_NAME.sub("_", str(name).replace("\x00", ""))
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip(" ._")[:120]
    if not cleaned:
        raise OutputError(f"cannot name a file after {name!r}: nothing usable is left of it")
    path = base / f"{cleaned}{suffix}"
    if os.path.commonpath([base.resolve(), path.resolve()]) != str(base.resolve()):
        raise OutputError(f"refusing to write {path}: it is outside the output folder {base}")
    return path
