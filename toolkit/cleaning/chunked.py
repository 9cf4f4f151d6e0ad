"""Cleaning a large Parquet export chunk by chunk, with the result of one pass over the whole file.

:func:`clean_parquet` reads a Parquet file in batches of ``chunk_rows`` rows and
cleans each batch with :func:`toolkit.clean`, so only one batch's raw text and
its cleaning temporaries are in memory at a time (the raw text of a
10-million-row export alone is about 10 GB). The pieces are put together so
that the result equals ``clean(read_responses(path))``, cell for cell:

* **Rows** keep their position in the file: the data's index, the log's and
  the flags' ``row`` count from the top of the file, not of the chunk.
* **Flags that look across rows** are computed again on the whole file once
  the chunks are in: ``duplicate_id`` (an id seen in an earlier chunk counts),
  ``duplicate_answers`` and ``speeder`` with ``duration_ratio`` (the median
  duration of the whole file); then ``flagged``, ``reasons`` and the totals.
  Every other flag looks at one row at a time.
* **Warnings** of the chunks are shown once each.

Choices made here, in one place:

* Only Parquet is read in chunks: its batches come typed and need no
  delimiter or encoding guess (a CSV chunk could guess differently from the
  whole file). Other formats are read whole.
* What needs the whole file is refused: ``strict`` (its failure cases are one
  table of the file) and ``drop_flagged`` (the flags are final only at the end).
* A column is taken for an id by its look (``keep_ids=False``) within each chunk;
  a column unique in every chunk but not in the file is still pseudonymised.

Examples
--------
>>> import tempfile, toolkit
>>> inst = toolkit.load_instrument("dis-full")
>>> raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), inst)
>>> with tempfile.TemporaryDirectory() as tmp:
...     raw.to_parquet(f"{tmp}/r.parquet", index=False)
...     res = clean_parquet(f"{tmp}/r.parquet", inst, chunk_rows=500, pseudonym_key="k")
>>> len(res.data), int(res.log["row"].max()) < len(res.data)
(2028, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import fields
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from toolkit._memory import release_memory
from toolkit._validation import as_instrument
from toolkit.cleaning.core import clean
from toolkit.cleaning.flags import FlagOptions, cross_row_flags, row_keys
from toolkit.cleaning.result import Cleaned, totals
from toolkit.errors import InputFileError, OptionError
from toolkit.io import read_responses

__all__ = ["clean_parquet", "parquet_rows"]


def parquet_rows(path: str | PathLike) -> int | None:
    """The number of rows a Parquet file declares, or None when ``path`` is no readable Parquet file.

    Examples
    --------
    >>> parquet_rows("no-such-file.parquet") is None
    True
    """
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(str(path)).metadata.num_rows)
    except (OSError, ValueError):  # not a file, or not Parquet: the one-pass reader names the problem
        return None


def _chunks(path: Path, instrument: Any, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The file's rows, ``chunk_rows`` at a time, as :func:`read_responses` reads them, indexed by file position."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = 0
    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=chunk_rows):
        frame = pa.Table.from_batches([batch]).to_pandas()
        frame.index = pd.RangeIndex(start, start + len(frame))
        start += len(frame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the whole file's read notes are given once, by the caller
            chunk = read_responses(frame, instrument)
        info = dict(chunk.attrs["read"], source=str(path), format="parquet")
        chunk.attrs = {"read": info}
        yield chunk


def _column(pieces: list[pd.Series], by_column_order: dict | None) -> pd.Series:
    """One column from the chunks' pieces, with the dtype one pass gives it.

    Categories are joined in the order they first appear (one pass numbers a log's pseudonyms so);
    the log's ``column`` categories follow the data's column order, as one pass meets them.
    """
    if isinstance(pieces[0].dtype, pd.CategoricalDtype):
        joined = union_categoricals([p.array for p in pieces])
        if by_column_order is not None:
            joined = joined.reorder_categories(
                sorted(joined.categories, key=lambda c: by_column_order.get(c, len(by_column_order))))
        return pd.Series(joined)
    if len({str(p.dtype) for p in pieces}) > 1:  # a chunk with no text in a column has no text dtype
        typed = next(p.dtype for p in pieces if p.dtype != object)
        pieces = [p.astype(typed) for p in pieces]
    return pd.concat(pieces, ignore_index=True)


def joined(frames: list[pd.DataFrame], key: str, offsets: list[int], data_columns: list) -> pd.DataFrame:
    """One table of the chunks' ``data``, ``log`` or ``flags``, with file row positions in ``row``.

    Built column by column, each chunk's column let go once joined (``frames`` is emptied): the
    memory of the whole table once, not twice. Float columns, which pandas keeps in one block per
    chunk, are copied into one preallocated block first.
    """
    names, n = list(frames[0].columns), sum(len(f) for f in frames)
    index = frames[0].index.append([f.index for f in frames[1:]]) if key == "data" else pd.RangeIndex(n)
    floats = [c for c in names if all(f[c].dtype == np.float64 for f in frames)]
    objects = [c for c in names if all(f[c].dtype == object for f in frames)]  # text in them stays object
    block = np.empty((len(floats), n))  # pandas' own layout of a float block: one row per column
    start = 0
    for i, frame in enumerate(frames):
        block[:, start:start + len(frame)] = frame[floats].to_numpy().T
        start += len(frame)
        frames[i] = frame.drop(columns=floats)  # the chunk's float block is let go
        del frame
    columns = dict(zip(floats, block, strict=True))
    order = {name: i for i, name in enumerate(data_columns)} if key == "log" else None
    for name in names:
        if name in columns:
            continue
        pieces = [frame.pop(name) for frame in frames]
        if name == "row" and key != "data":
            pieces = [p + off for p, off in zip(pieces, offsets, strict=True)]
        columns[name] = _column(pieces, order if name == "column" else None).array
        del pieces
    frames.clear()
    out = pd.DataFrame({name: columns.pop(name) for name in names}, index=index, copy=False)
    for name in objects:  # the frame would read their text as str
        out.isetitem(names.index(name), out[name].astype(object))
    return out


def check_chunked(path: str | PathLike, instrument: Any, chunk_rows: Any, options: dict) -> Any:
    """The instrument, once ``chunk_rows``, the options and the file are fit for cleaning in chunks."""
    if not isinstance(chunk_rows, int | np.integer) or isinstance(chunk_rows, bool) or chunk_rows < 1:
        raise OptionError(f"chunk_rows must be a whole number of rows, at least 1; got {chunk_rows!r}")
    refused = [k for k in ("strict", "drop_flagged") if options.get(k)]
    if refused:
        raise OptionError(f"{' and '.join(refused)} need(s) the whole file at once: call toolkit.clean on "
                          "read_responses(path) instead of cleaning in chunks")
    if parquet_rows(path) is None:
        raise InputFileError(f"{path}: not a readable Parquet file")
    return as_instrument(instrument)


def warn_once(caught, shown: set, skip: str | None = None) -> None:
    """The chunks' recorded warnings again, each once (``shown`` holds those given), none mentioning ``skip``.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     for _ in range(2):
    ...         warnings.warn("twice", UserWarning)
    >>> shown = set()
    >>> with warnings.catch_warnings(record=True) as again:
    ...     warnings.simplefilter("always")
    ...     warn_once(caught, shown)
    >>> len(again), len(shown)
    (1, 1)
    """
    for w in caught:
        key = (str(w.message), w.category)
        if key not in shown and (skip is None or skip not in key[0]):
            shown.add(key)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def cleaned_chunks(path: Path, instrument: Any, chunk_rows: int,
                   options: dict) -> Iterator[tuple[int, pd.Series | None, Cleaned]]:
    """(file position of the first row, raw respondent ids or None, cleaning result) per chunk.

    Each warning of the chunks is shown once, as one pass would give it; the chunk's raw text and
    temporaries go back to the OS before the next chunk is read.
    """
    shown: set = set()
    respondent = options.get("id_column") or "respondent_id"
    for chunk in _chunks(path, instrument, chunk_rows):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            part = clean(chunk, instrument, **options)
        warn_once(caught, shown)
        raw_id = chunk[respondent] if respondent in chunk.columns else None
        offset = int(chunk.index[0])
        del chunk
        yield offset, raw_id, part
        del part
        release_memory()


def clean_parquet(path: str | PathLike, instrument: Any, *, chunk_rows: int = 1_000_000,
                  **options: Any) -> Cleaned:
    """Clean a Parquet export ``chunk_rows`` rows at a time; the same result as one :func:`toolkit.clean` pass.

    Parameters
    ----------
    path : str or Path
        A Parquet file of responses (as :func:`toolkit.read_responses` reads it).
    instrument : Instrument, str or Path
        The questionnaire.
    chunk_rows : int, default 1,000,000
        Rows read and cleaned at a time: the memory of one chunk's raw text and cleaning.
    **options
        Keywords of :func:`toolkit.clean`, except ``strict`` and ``drop_flagged`` (see the module notes).

    Returns
    -------
    Cleaned
        Equal to ``clean(read_responses(path, instrument), instrument, **options)``.

    Raises
    ------
    OptionError
        ``chunk_rows`` below 1, or ``strict``/``drop_flagged`` asked for.
    InputFileError
        ``path`` is no readable Parquet file.

    Examples
    --------
    >>> import tempfile, toolkit
    >>> raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     raw.to_parquet(f"{tmp}/r.parquet", index=False)
    ...     chunked = clean_parquet(f"{tmp}/r.parquet", "dis-full", chunk_rows=700, pseudonym_key="k")
    >>> whole = toolkit.clean(raw, "dis-full", pseudonym_key="k")
    >>> chunked.data.equals(whole.data), chunked.flags.equals(whole.flags), chunked.log.equals(whole.log)
    (True, True, True)
    """
    instrument = check_chunked(path, instrument, chunk_rows, options)
    tables: dict[str, list[pd.DataFrame]] = {"data": [], "log": [], "flags": []}
    first, offsets, notes, raw_ids = None, [], {}, []
    for offset, raw_id, part in cleaned_chunks(Path(path), instrument, int(chunk_rows), options):
        first = first or part
        offsets.append(offset)
        notes.update(dict.fromkeys(part.notes))
        for key, frames in tables.items():
            frames.append(getattr(part, key))
        raw_ids.append(raw_id)
        del part
    if first is None:
        return clean(read_responses(path, instrument), instrument, **options)
    columns = list(first.data.columns)
    read, options_used, thresholds = dict(first.read), first.options, FlagOptions(
        **{f.name: first.options[f.name] for f in fields(FlagOptions)})  # the thresholds as clean read them
    del first  # its tables are joined below, column by column
    data = joined(tables["data"], "data", offsets, columns)
    log = joined(tables["log"], "log", offsets, columns)
    ids = None if any(r is None for r in raw_ids) else pd.concat(raw_ids)
    flags = cross_row_flags(joined(tables["flags"], "flags", offsets, columns), row_keys(data, instrument),
                            raw_ids=ids, options=thresholds)
    read["n_rows"] = len(data)
    return Cleaned(data=data, log=log, flags=flags, read=read, options=options_used, notes=tuple(notes),
                   totals=totals(len(data), data, log, flags, 0))
