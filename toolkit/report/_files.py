"""Safe writes: a file is written next to its target under a temporary name, then renamed over it.

An interrupted run leaves the previous file or none, never half of one. The
names are the report's own (:data:`FILES`); nothing in the data names a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from toolkit.errors import OutputError
from toolkit.outputs import atomic_write

#: what write_report writes: key -> file name inside the output folder
FILES = {"report": "report.html", "tables": "tables.xlsx", "cleaned": "cleaned.parquet",
         "log": "cleaning_log.csv", "flags": "flags.csv"}


def output_folder(out_dir: str | os.PathLike) -> Path:
    """The output folder, made if missing; an OutputError if it cannot be."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write the report to {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write to {folder}: permission denied")
    return folder


def replacing(target: Path):
    """A temporary path beside ``target``; on success it replaces ``target`` (:func:`toolkit.outputs.atomic_write`)."""
    return atomic_write(target)


def write_text(text: str, target: Path) -> Path:
    with replacing(target) as partial:
        partial.write_text(text, encoding="utf-8")
    return target


def write_with(writer: Callable[[Path], object], target: Path) -> Path:
    """Write ``target`` by calling ``writer(temporary_path)``, then rename."""
    with replacing(target) as partial:
        writer(partial)
    return target


def write_frame(data: pd.DataFrame, target: Path) -> Path:
    """A table through :func:`toolkit.io.write_table` (which guards text against formulas and writes safely)."""
    from toolkit.io import write_table

    return write_table(data, target)


def move_into(source: Path, target: Path) -> Path:
    """A file written elsewhere (a streamed run's folder) moved to ``target``: renamed, or copied then removed."""
    import shutil

    try:
        return Path(shutil.move(source, target))
    except OSError as exc:
        raise OutputError(f"cannot move {source} to {target}: {exc.strerror or exc}") from None
