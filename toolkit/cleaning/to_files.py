"""Cleaning a Parquet export larger than memory straight into files, a chunk at a time.

:func:`clean_parquet_to` cleans like :func:`toolkit.cleaning.chunked.clean_parquet`
but keeps no chunk: each chunk's cleaned data and log go to their files as soon
as the chunk is cleaned. What stays in memory is one chunk's cleaning, the
flags (a few bytes per respondent) and what the flags that compare rows need
(:func:`toolkit.cleaning.flags.row_keys` and the raw ids). The files read back
as those :func:`toolkit.io.write_table` writes from one pass over the whole file.

Choices made here, in one place:

* **Formats.** The cleaned data and the log go to Parquet as they come (one
  row group per chunk). A CSV target is written once every chunk is in: whether
  a CSV quotes every text depends on the whole table (a bare carriage return
  anywhere), so the chunks wait, pickled, in a temporary folder beside the
  target. XLSX (at most 1,048,576 rows) is refused: clean in memory instead.
* **Flags** are final only at the end (duplicates and speeders look across the
  whole file), so they are written last.

Examples
--------
>>> import tempfile, toolkit
>>> raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
>>> with tempfile.TemporaryDirectory() as tmp:
...     raw.to_parquet(f"{tmp}/r.parquet", index=False)
...     done = clean_parquet_to(f"{tmp}/r.parquet", "dis-full", out=f"{tmp}/c.parquet", log=f"{tmp}/log.csv",
...                             chunk_rows=700, pseudonym_key="k")
...     back = pd.read_parquet(f"{tmp}/c.parquet")
>>> len(back), done.counts("rows")["output"], sorted(done.paths)
(2028, 2028, ['data', 'log'])
"""

from __future__ import annotations

import csv
import pickle
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cleaning.chunked import check_chunked, cleaned_chunks
from toolkit.cleaning.flags import FlagOptions, cross_row_flags, row_keys
from toolkit.cleaning.log import RULES
from toolkit.cleaning.result import counts_of, totals_from
from toolkit.errors import OptionError
from toolkit.outputs import atomic_write

__all__ = ["clean_parquet_to", "CleanedFiles"]

#: what a streamed table can be written as
STREAMED = (".parquet", ".csv")


@dataclass(frozen=True, kw_only=True)
class CleanedFiles:
    """What :func:`clean_parquet_to` wrote, with the counts and notes of a :class:`~toolkit.cleaning.Cleaned`.

    Attributes
    ----------
    paths : dict
        ``data``, and ``log`` and ``flags`` when asked for: the files written.
    flags : pd.DataFrame
        The quality flags, one row per respondent (as ``Cleaned.flags``).
    totals, read, options, notes
        As for :class:`~toolkit.cleaning.Cleaned`.

    Examples
    --------
    >>> files = CleanedFiles(paths={}, flags=pd.DataFrame(), totals=pd.DataFrame(
    ...     {"kind": ["rows"], "name": ["input"], "count": [3]}))
    >>> files.counts("rows")
    {'input': 3}
    """

    paths: dict[str, Path]
    flags: pd.DataFrame
    totals: pd.DataFrame
    read: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        """The cleaned data's columns, as ``Cleaned.column_names``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.parquet"
        >>> pd.DataFrame({"a": [1], "b": [2]}).to_parquet(path)
        >>> CleanedFiles(paths={"data": path}, flags=pd.DataFrame(), totals=pd.DataFrame()).column_names
        ['a', 'b']
        """
        path = self.paths["data"]
        if path.suffix.lower() == ".csv":
            return list(pd.read_csv(path, nrows=0).columns)
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)  # written without an index

    def select(self, columns) -> pd.DataFrame:
        """These columns of the cleaned data, read from its Parquet file (every row), as ``Cleaned.select``.

        Raises
        ------
        OptionError
            The cleaned data were written as CSV, whose dtypes do not survive: read it with toolkit.read_responses.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.parquet"
        >>> pd.DataFrame({"a": [1], "b": [2]}).to_parquet(path)
        >>> CleanedFiles(paths={"data": path}, flags=pd.DataFrame(), totals=pd.DataFrame()).select(["b"]).shape
        (1, 1)
        """
        path = self.paths["data"]
        if path.suffix.lower() != ".parquet":
            raise OptionError(f"{path}: columns are read back from a Parquet file only; clean to .parquet")
        return pd.read_parquet(path, columns=list(columns))

    def counts(self, kind: str) -> dict[str, int]:
        """{name: count} for one kind of totals row ('rows', 'rule' or 'flag'), as ``Cleaned.counts``.

        Examples
        --------
        >>> CleanedFiles(paths={}, flags=pd.DataFrame(), totals=pd.DataFrame(
        ...     {"kind": ["flag"], "name": ["speeder"], "count": [0]})).counts("flag")
        {'speeder': 0}
        """
        return counts_of(self.totals, kind)


class _Table:
    """One output table, written a chunk at a time: Parquet as it comes, CSV from pickled chunks at the end."""

    def __init__(self, partial: Path, stack: ExitStack):
        from toolkit.io import ParquetParts

        self.partial, self.parts = partial, []
        if partial.suffix.lower() == ".csv":
            self.spool = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=partial.parent, prefix=".ditk-")))
            self.parquet = None
        else:
            self.parquet = stack.enter_context(ParquetParts(partial))  # closed before the rename

    def add(self, frame: pd.DataFrame) -> None:
        if self.parquet is not None:
            self.parquet.write(frame)
            return
        part = self.spool / f"{len(self.parts)}.pickle"
        with open(part, "wb") as fh:
            pickle.dump(frame, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.parts.append(part)

    def finish(self) -> None:
        if self.parquet is None:
            _write_csv_parts(self.parts, self.partial)


def _write_csv_parts(parts: list[Path], target: Path) -> None:
    """The parts as one CSV, the bytes :func:`toolkit.io.write_table` writes for them joined."""
    from toolkit import _csvout, _intake
    from toolkit.privacy import protect_formulas

    def load(part: Path) -> pd.DataFrame:
        with open(part, "rb") as fh:
            return protect_formulas(pickle.load(fh))

    quote_all = any(_intake.holds_cr(load(part)) for part in parts)
    quoting = csv.QUOTE_NONNUMERIC if quote_all else csv.QUOTE_MINIMAL
    with open(target, "wb") as fh:
        for i, part in enumerate(parts):
            safe = load(part)
            if quote_all or not _csvout.write_csv(safe, fh, header=i == 0):
                fh.write(safe.to_csv(index=False, header=i == 0, lineterminator="\n", quoting=quoting)
                         .encode("utf-8"))


def _targets(out, log, flags) -> dict[str, Path]:
    targets = {k: Path(v) for k, v in (("data", out), ("log", log), ("flags", flags)) if v is not None}
    odd = {k: str(p) for k, p in targets.items() if p.suffix.lower() not in STREAMED}
    if odd:
        raise OptionError(f"cleaning in chunks writes {', '.join(STREAMED)} files; got "
                          f"{', '.join(odd.values())}: clean in memory for another format")
    return targets


def clean_parquet_to(path: str | PathLike, instrument: Any, *, out: str | PathLike, log: str | PathLike | None = None,
                     flags: str | PathLike | None = None, chunk_rows: int = 1_000_000,
                     **options: Any) -> CleanedFiles:
    """Clean a Parquet export ``chunk_rows`` rows at a time into files, holding no whole table in memory.

    Parameters
    ----------
    path : str or Path
        A Parquet file of responses.
    instrument : Instrument, str or Path
        The questionnaire.
    out : str or Path
        The cleaned data (``.parquet`` or ``.csv``).
    log, flags : str or Path, optional
        Also write the change log and the quality flags (``.parquet`` or ``.csv``).
    chunk_rows : int, default 1,000,000
        Rows read and cleaned at a time.
    **options
        Keywords of :func:`toolkit.clean`, except ``strict`` and ``drop_flagged``.

    Returns
    -------
    CleanedFiles
        The paths written, the flags and the counts. Each file reads back as
        :func:`toolkit.io.write_table` writes the table of one pass.

    Raises
    ------
    OptionError
        A target that is not Parquet or CSV, ``chunk_rows`` below 1, ``strict`` or ``drop_flagged``.
    InputFileError
        ``path`` is no readable Parquet file.

    Examples
    --------
    >>> import tempfile, toolkit
    >>> raw = toolkit.read_responses(toolkit.datasets.path("sample_screener.csv"), "dis-screener")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     raw.to_parquet(f"{tmp}/r.parquet", index=False)
    ...     done = clean_parquet_to(f"{tmp}/r.parquet", "dis-screener", out=f"{tmp}/c.csv", chunk_rows=100,
    ...                             pseudonym_key="k")
    >>> done.counts("rows")["input"] == len(raw)
    True
    """
    targets = _targets(out, log, flags)
    instrument = check_chunked(path, instrument, chunk_rows, options)
    flag_parts, keys, raw_ids, rules = [], [], [], pd.Series(0, index=list(RULES))
    first, notes = None, {}
    with ExitStack() as stack:
        tables = {key: _Table(stack.enter_context(atomic_write(targets[key])), stack)
                  for key in ("data", "log") if key in targets}
        for offset, raw_id, part in cleaned_chunks(Path(path), instrument, int(chunk_rows), options):
            first = first or _first(part)
            notes.update(dict.fromkeys(part.notes))
            tables["data"].add(part.data)
            if "log" in tables:
                tables["log"].add(part.log.assign(row=part.log["row"] + offset))
            rules = rules.add(part.log["rule"].value_counts(), fill_value=0)
            flag_parts.append(part.flags.assign(row=part.flags["row"] + offset))
            keys.append(row_keys(part.data, instrument))
            raw_ids.append(raw_id)
            del part
        if first is None:
            raise OptionError(f"{path}: the file holds no rows; clean it in memory with toolkit.clean")
        thresholds = FlagOptions(**{f.name: first["options"][f.name] for f in fields(FlagOptions)})
        ids = None if any(r is None for r in raw_ids) else pd.concat(raw_ids)
        flag_table = cross_row_flags(pd.concat(flag_parts, ignore_index=True), pd.concat(keys, ignore_index=True),
                                     raw_ids=ids, options=thresholds)
        for table in tables.values():
            table.finish()
    if "flags" in targets:
        from toolkit.io import write_table

        write_table(flag_table, targets["flags"])
    read = dict(first["read"], n_rows=len(flag_table))
    counts = totals_from(len(flag_table), len(flag_table), rules.reindex(list(RULES)).astype(int), flag_table, 0)
    return CleanedFiles(paths=targets, flags=flag_table, totals=counts, read=read, options=first["options"],
                        notes=tuple(notes))


def _first(part) -> dict:
    """What the result takes from the first chunk: its read metadata and options."""
    return {"read": dict(part.read), "options": part.options}
