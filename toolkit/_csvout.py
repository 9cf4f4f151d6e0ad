"""Writing a table as CSV through Arrow: the bytes ``DataFrame.to_csv`` writes, made column-wise.

``to_csv`` turns every cell into a Python object before its C writer joins them, which
takes most of a minute for the 5.5M-row cleaning log of a million respondents. Here each
column becomes one Arrow string array holding the text pandas would write (numbers as
numpy prints them, text as is, missing as an empty field, fields holding a delimiter,
quote or newline quoted), the columns are joined row-wise in Arrow and the bytes are
written in blocks of rows. Only what pandas writes with ``quoting=csv.QUOTE_MINIMAL``,
``lineterminator="\\n"``, ``index=False`` and the default ``na_rep`` is made here;
:func:`write_csv` returns False for a frame it does not cover (one column, extension
dtypes other than text, datetimes), and the caller writes it with pandas.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: rows joined and written at once (bounds the memory of the text)
BLOCK_ROWS = 1 << 20
#: a field holding one of these is quoted
_SPECIAL = (",", '"', "\n", "\r")
_SPECIAL_PATTERN = "[" + "".join(re.escape(c) for c in _SPECIAL) + "]"
_NOTHING = pa.scalar("", pa.large_string())


def _quoted(text: pa.Array) -> pa.Array:
    """Fields holding a delimiter, a quote or a newline in quotes, inner quotes doubled (csv.QUOTE_MINIMAL)."""
    needs = pc.match_substring_regex(text, _SPECIAL_PATTERN)  # one pass for every special character
    if not pc.any(needs).as_py():
        return text
    quote = pa.scalar('"', pa.large_string())
    wrapped = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, _NOTHING)
    return pc.if_else(needs, wrapped, text)


def _mixed_types(values: np.ndarray, codes: np.ndarray, uniques: np.ndarray) -> bool:
    """True if some value is not of the type of its distinct value (``factorize`` holds True, 1 and 1.0 as one)."""
    text = np.frompyfunc(isinstance, 2, 1)(uniques, str).astype(bool)
    if text.all():
        return False
    rows = np.flatnonzero(codes >= 0)
    rows = rows[~text[codes[rows]]]  # text is never equal to anything but the same text
    of_type = np.frompyfunc(type, 1, 1)
    return bool((of_type(values[rows]) != of_type(uniques)[codes[rows]]).any())


class _Text:
    """A column's text, made a block of rows at a time: ``texts[codes]`` (code -1: missing), or ``make(start, stop)``.

    Held as the distinct texts and each row's number, a column costs its codes, not a
    string per row; the strings of a block are made when the block is written.
    """

    def __init__(self, texts: pa.Array | None = None, codes: np.ndarray | None = None, make=None):
        self.texts, self.codes, self.make = texts, codes, make

    def block(self, start: int, stop: int) -> pa.Array:
        if self.make is not None:
            return self.make(start, stop)
        codes = self.codes[start:stop]
        return self.texts.take(pa.array(codes, mask=codes < 0))


def _object_text(values: np.ndarray) -> _Text:
    """Text of an object column as the csv module writes it: str() of each distinct value, made once.

    Values of different types that compare equal (True, 1, 1.0) are one value to ``factorize``
    but not the same text: where there is anything but text, the type is part of the key.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if _mixed_types(values, codes, np.asarray(uniques, dtype=object)):
        types = pd.factorize(np.frompyfunc(type, 1, 1)(values))[0]
        keyed = np.where(codes < 0, -1, codes.astype(np.int64) * (types.max() + 1) + types)
        keys, first, codes = np.unique(keyed, return_index=True, return_inverse=True)
        missing = int(keys[0] < 0) if len(keys) else 0  # the key -1 (missing values) sorts first
        uniques, codes = values[first[missing:]], codes - missing
    texts = [u if isinstance(u, str) else str(u) for u in uniques]
    return _Text(_quoted(pa.array(texts, type=pa.large_string())), codes)


def _column_text(column: pd.Series) -> _Text | None:
    """The column as pandas writes it, quoted where needed (missing as null); None for a dtype not covered here."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        if not (pd.api.types.is_string_dtype(categories.dtype) or pd.api.types.is_object_dtype(categories.dtype)):
            return None
        names = _object_text(categories.to_numpy(dtype=object))
        return _Text(names.block(0, len(categories)), column.cat.codes.to_numpy())
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        text = pc.cast(pa.array(column, from_pandas=True), pa.large_string())
        if isinstance(text, pa.ChunkedArray):  # a column read from Parquet row groups comes in chunks
            text = text.combine_chunks()
        encoded = text.dictionary_encode()  # each distinct text checked once
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return _Text(_quoted(encoded.dictionary), codes)
    if not isinstance(dtype, np.dtype):
        return None
    values = column.to_numpy()
    if dtype.kind == "b":
        return _Text(make=lambda start, stop: pa.array(np.where(values[start:stop], "True", "False"),
                                                      type=pa.large_string()))
    if dtype.kind in "iu":
        return _Text(make=lambda start, stop: pc.cast(pa.array(values[start:stop]), pa.large_string()))
    if dtype.kind == "f":  # numpy's text of each distinct value (by its bits: -0.0 is not 0.0), made once
        codes, uniques = pd.factorize(values.view(f"i{dtype.itemsize}"))
        texts = pa.array(uniques.view(dtype).astype(str), type=pa.large_string())
        return _Text(texts, np.where(np.isnan(values), -1, codes))
    if pd.api.types.is_object_dtype(dtype):
        return _object_text(values)
    return None


def write_csv(data: pd.DataFrame, path, *, header: bool = True) -> bool:
    """Write ``data`` as ``data.to_csv(path, index=False, lineterminator="\\n", header=header)`` would.

    ``path`` is a path or a binary file open for writing (a table written in parts). False if not covered.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"a": [1, 2], "b": ["x,y", None]}), target)
    True
    >>> target.read_text()
    'a,b\\n1,"x,y"\\n2,\\n'
    """
    if data.shape[1] < 2 or not data.columns.is_unique:
        return False
    columns = []
    for name in data.columns:
        text = _column_text(data[name])
        if text is None:
            return False
        columns.append(text)
    names = pa.array([n if isinstance(n, str) else str(n) for n in data.columns], type=pa.large_string())
    with ExitStack() as stack:
        fh = path if hasattr(path, "write") else stack.enter_context(open(path, "wb"))
        if header:
            fh.write((",".join(_quoted(names).to_pylist()) + "\n").encode("utf-8"))
        for start in range(0, len(data), BLOCK_ROWS):
            block = [pc.fill_null(c.block(start, start + BLOCK_ROWS), "") for c in columns]
            rows = pc.binary_join_element_wise(*block, pa.scalar(",", pa.large_string()))
            lines = pc.binary_join_element_wise(rows, pa.scalar("\n", pa.large_string()), _NOTHING)
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
            fh.write(memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]])
    return True
