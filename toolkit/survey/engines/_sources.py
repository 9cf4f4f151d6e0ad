"""Where the rows live: pandas in memory, Parquet through DuckDB, or a dask dataframe.

Every engine answers the same three questions, the whole reduction interface:

* :meth:`Source.grouped` -- grouped sums: "sum these products of columns, by
  these key columns (and by whether these columns are missing)". A missing
  value makes a product count as 0; a missing key is a group of its own.
* :meth:`Source.chunks` -- run a numpy function on every chunk of rows of
  some columns and return the results in chunk order (IRLS sums ``X'WX`` and
  ``X'Wz`` of the chunks; the caller adds them).
* :meth:`Source.probe` -- a few complete rows that hold every level of some
  columns (the GLM's categorical coding).

A factor of a product is a column name, ``(kind, column)`` with kind
``"nonzero"``, ``"negative"`` or ``"missing"`` for 0/1 indicators, or
``("shift", column, c)`` for the column minus the number ``c`` (sums of squares
around a value near the mean keep their digits).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit._validation import check_option
from toolkit.errors import DesignError

CHUNK_ROWS = 1 << 17  # rows per chunk a chunked pass hands to numpy
MEMORY_ONLY = "use the in-memory engine (a pandas DataFrame)"
_SCALE_EXTRA = 'the "scale" extra (pip install "digital-inclusion-toolkit[scale]")'


def _require(module: str, engine: str):
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(f"engine={engine!r} needs {module}, which is part of {_SCALE_EXTRA}") from None


def unique(items) -> list:
    """Items in first-seen order without repeats or ``None``.

    Examples
    --------
    >>> unique(["a", None, "b", "a"])
    ['a', 'b']
    """
    return list(dict.fromkeys(i for i in items if i is not None))


def margin_columns(steps) -> list[str]:
    """The columns the calibration steps (``("rake", margins, ...)``, ``("poststratify", variables, ...)``) use.

    Examples
    --------
    >>> margin_columns([("rake", {"sex": {}, ("age", "region"): {}}, 10, 1.0), ("poststratify", "sex", {}, False)])
    ['sex', 'age', 'region']
    """
    cols = []
    for step in steps:
        if step[0] == "rake":
            for name in step[1]:
                cols += list(name) if isinstance(name, tuple) else [name]
        else:
            cols += [step[1]] if isinstance(step[1], str) else list(step[1])
    return unique(cols)


def is_dask(data) -> bool:
    """Whether ``data`` is a dask dataframe (without importing dask).

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask(pd.DataFrame())
    False
    """
    return type(data).__module__.split(".")[0] == "dask" and hasattr(data, "npartitions")


def _factor(frame: pd.DataFrame, factor) -> np.ndarray:
    if isinstance(factor, tuple):
        kind, col = factor[:2]
        if kind == "shift":
            return frame[col].to_numpy(np.float64, na_value=np.nan) - factor[2]
        if kind == "missing":
            return frame[col].isna().to_numpy(np.float64)
        v = frame[col].to_numpy(np.float64, na_value=np.nan)
        return (v != 0).astype(float) if kind == "nonzero" else (v < 0).astype(float)
    return frame[factor].to_numpy(np.float64, na_value=np.nan)


def grouped_pandas(frame: pd.DataFrame, keys: list[str], nulls: list[str], sums: dict) -> pd.DataFrame:
    """:meth:`Source.grouped` on a pandas frame (also each partition of a dask frame).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"g": ["a", "b", "a"], "w": [1.0, 2, 3], "y": [1.0, None, 2]})
    >>> grouped_pandas(f, ["g"], ["y"], {"n": (), "wy": ("w", "y")}).sort_values("g").to_dict("list")
    {'g': ['a', 'b'], '__na_y': [False, True], 'n': [2.0, 1.0], 'wy': [7.0, 0.0]}
    """
    out = {k: frame[k].to_numpy() if not isinstance(frame[k].dtype, pd.CategoricalDtype) else frame[k]
           for k in keys}
    for c in nulls:
        out[f"__na_{c}"] = frame[c].isna().to_numpy()
    for name, factors in sums.items():
        v = np.ones(len(frame))
        for f in factors:
            v = v * _factor(frame, f)
        out[name] = np.where(np.isnan(v), 0.0, v)
    table = pd.DataFrame(out, index=frame.index)
    return combine(table, keys + [f"__na_{c}" for c in nulls], list(sums))


FIRST_STEP = ["__dev0", "__ww0", "__wwz0", "__dev1", "__ww1", "__wwz1"]


def first_step_pandas(frame: pd.DataFrame, keys: list[str], scale: pd.DataFrame, weights: str | None) -> pd.DataFrame:
    """:meth:`Source.first_step` on a pandas frame.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"g": ["a", "a"], "w": [1.0, 3.0]})
    >>> first_step_pandas(f, ["g"], pd.DataFrame({"g": ["a"], "__s": [0.5]}), "w")["__ww1"].round(4).tolist()
    [0.3511]
    """
    from toolkit.survey.ciprop import first_step_terms

    rows = frame[keys].merge(scale, how="left", on=keys, sort=False)
    w = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(np.float64)
    t = w * rows["__s"].fillna(0.0).to_numpy()
    out = {k: frame[k].to_numpy() for k in keys}
    for y in (0.0, 1.0):
        for name, v in zip(FIRST_STEP[3 * int(y):3 * int(y) + 3], first_step_terms(t, np.full(len(t), y)),
                           strict=True):
            out[name] = v
    return combine(pd.DataFrame(out), keys, FIRST_STEP)


def combine(table: pd.DataFrame, by: list[str], sums: list[str]) -> pd.DataFrame:
    """Add up partial grouped sums (rows with the same keys)."""
    if not by:
        return table[sums].sum().to_frame().T
    return table.groupby(by, dropna=False, observed=True, sort=False)[sums].sum().reset_index()


def probe_pandas(frame: pd.DataFrame, columns: list[str], categorical: list[str]) -> pd.DataFrame:
    """:meth:`Source.probe` on a pandas frame: two complete rows and the first complete row of every level.

    Examples
    --------
    >>> import pandas as pd
    >>> probe_pandas(pd.DataFrame({"g": list("aab"), "x": [1.0, None, 2]}), ["g", "x"], ["g"])["g"].tolist()
    ['a', 'b']
    """
    frame = frame[columns].dropna()
    parts = [frame.iloc[:2]] + [frame.groupby(c, observed=True, sort=False).head(1) for c in categorical]
    return pd.concat(parts).drop_duplicates()


class Source:
    """Rows somewhere; see the module notes for the three questions every engine answers."""

    name = "memory"

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    @property
    def dtypes(self) -> dict:
        return dict(self.frame.dtypes)

    def grouped(self, keys: list[str], nulls: list[str], sums: dict) -> pd.DataFrame:
        return grouped_pandas(self.frame, keys, nulls, sums)

    def codable(self, levels: dict) -> set:
        """Which categorical columns (``{column: levels}``) :meth:`chunks` can hand over as level positions."""
        return set()

    def chunks(self, columns: list[str], func, coded: dict | None = None) -> list:
        frame = self.frame[columns]
        return [func(frame.iloc[s:s + CHUNK_ROWS]) for s in range(0, max(len(frame), 1), CHUNK_ROWS)]

    def probe(self, columns: list[str], categorical: list[str]) -> pd.DataFrame:
        return probe_pandas(self.frame, columns, categorical)

    def first_step(self, keys: list[str], scale: pd.DataFrame, weights: str | None) -> pd.DataFrame:
        """Per cell (``keys``), sums of :func:`~toolkit.survey.ciprop.first_step_terms` at ``y`` 0 and 1 of
        the rescaled weights ``w * scale`` (``scale``: the keys and ``__s``, one row per cell)."""
        return first_step_pandas(self.frame, keys, scale, weights)


def _on_columns(part: pd.DataFrame, columns: list[str], func, *args):
    return func(part[columns], *args)


class DaskSource(Source):
    """A dask dataframe: each partition is reduced by pandas where it lives, on the active scheduler
    (a ``distributed`` client's cluster when one is running).

    The partitions are taken once (``to_delayed``) and every pass recomputes them from their graph:
    persist a frame read from files first (``ddf[columns].persist()``), so that IRLS does not re-read
    them on every iteration.
    """

    name = "dask"

    def __init__(self, frame):
        _require("dask", "dask")
        self.frame = frame
        self.parts = frame.to_delayed()

    @property
    def dtypes(self) -> dict:
        return dict(self.frame.dtypes)

    def _map(self, columns: list[str], func, *args) -> list:
        import dask

        run = dask.delayed(_on_columns, pure=True)
        return list(dask.compute(*[run(p, columns, func, *args) for p in self.parts]))

    def grouped(self, keys, nulls, sums):
        cols = unique(keys + nulls + [f[1] if isinstance(f, tuple) else f for fs in sums.values() for f in fs])
        parts = self._map(cols, grouped_pandas, keys, nulls, sums)
        return combine(pd.concat(parts, ignore_index=True), keys + [f"__na_{c}" for c in nulls], list(sums))

    def chunks(self, columns, func, coded=None):
        return self._map(columns, func)

    def probe(self, columns, categorical):
        parts = self._map(columns, probe_pandas, columns, categorical)
        return probe_pandas(pd.concat(parts), columns, categorical)

    def first_step(self, keys, scale, weights):
        parts = self._map(unique([*keys, weights]), first_step_pandas, keys, scale, weights)
        return combine(pd.concat(parts, ignore_index=True), keys, FIRST_STEP)


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


_FLOATS = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")
_INTS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")

_CONNECTION = None


def duckdb_connection():
    """The DuckDB connection the ``duckdb`` engine uses; configure it with SQL, e.g. a memory cap.

    Examples
    --------
    >>> con = duckdb_connection()  # doctest: +SKIP
    >>> con.execute("SET memory_limit = '2GB'")  # doctest: +SKIP
    """
    global _CONNECTION
    if _CONNECTION is None:
        duckdb = _require("duckdb", "duckdb")
        _CONNECTION = duckdb.connect()
    return _CONNECTION


class DuckDBSource(Source):
    """A Parquet file, a folder of Parquet files or a list of files, scanned by DuckDB out of core."""

    name = "duckdb"

    def __init__(self, path):
        self.con = duckdb_connection()
        files = [path] if isinstance(path, str | os.PathLike) else list(path)
        found = []
        for f in map(Path, files):
            if f.is_dir():
                found += sorted(str(p) for p in f.rglob("*.parquet"))
            elif f.exists():
                found.append(str(f))
            else:
                raise DesignError(f"engine='duckdb': no Parquet file or folder at {str(f)!r}")
        if not found:
            raise DesignError(f"engine='duckdb': no .parquet files under {', '.join(map(str, files))!r}")
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in found)
        self.src = f"read_parquet([{listed}], union_by_name = true)"
        described = self.con.execute(f"DESCRIBE SELECT * FROM {self.src}").fetchall()
        self.sql_types = {row[0]: str(row[1]).upper() for row in described}

    @property
    def dtypes(self) -> dict:
        def pandas_type(t: str):
            if t.startswith(_FLOATS):
                return np.dtype(np.float64)
            if t.startswith(_INTS):
                return np.dtype(np.int64)
            return np.dtype(bool) if t == "BOOLEAN" else np.dtype(object)
        return {c: pandas_type(t) for c, t in self.sql_types.items()}

    def _value(self, col: str) -> str:
        """A column as DOUBLE with NaN turned into NULL (pandas writes both for a missing float)."""
        c = f"CAST({_q(col)} AS DOUBLE)"
        return f"(CASE WHEN isnan({c}) THEN NULL ELSE {c} END)" if self._floating(col) else c

    def _floating(self, col: str) -> bool:
        return self.sql_types.get(col, "").startswith(_FLOATS)

    def _missing(self, col: str) -> str:
        return f"({_q(col)} IS NULL OR isnan({_q(col)}))" if self._floating(col) else f"({_q(col)} IS NULL)"

    def _product(self, factors) -> str:
        terms = []
        for f in factors:
            if isinstance(f, tuple) and f[0] == "shift":
                terms.append(f"({self._value(f[1])} - CAST('{float(f[2])!r}' AS DOUBLE))")
            elif isinstance(f, tuple):
                kind, col = f
                cond = {"missing": self._missing(col), "nonzero": f"{self._value(col)} <> 0",
                        "negative": f"{self._value(col)} < 0"}[kind]
                terms.append(f"CAST(COALESCE({cond}, false) AS DOUBLE)")
            else:
                terms.append(self._value(f))
        return " * ".join(terms) if terms else "1.0"

    def grouped(self, keys, nulls, sums):
        select = [_q(k) for k in keys] + [f"{self._missing(c)} AS {_q('__na_' + c)}" for c in nulls]
        select += [f"COALESCE(SUM({self._product(fs)}), 0.0)::DOUBLE AS {_q(name)}" for name, fs in sums.items()]
        group = " GROUP BY ALL" if keys or nulls else ""
        return self.con.execute(f"SELECT {', '.join(select)} FROM {self.src}{group}").df()

    def codable(self, levels):
        return {c for c, lv in levels.items()
                if self.sql_types.get(c) == "VARCHAR" and all(isinstance(v, str) for v in lv)}

    def chunks(self, columns, func, coded=None):
        """Chunks of ``columns``; a column in ``coded`` arrives as its position among its levels (SQL does the
        string matching, so Python never sees the strings)."""
        import pyarrow as pa

        def select(c):
            if c not in (coded or {}):
                return _q(c)
            listed = ", ".join("'" + v.replace("'", "''") + "'" for v in coded[c])
            return f"CAST(list_position([{listed}], {_q(c)}) AS BIGINT) - 1 AS {_q(c)}"
        query = f"SELECT {', '.join(map(select, columns))} FROM {self.src}"
        reader = self.con.sql(query).fetch_arrow_reader(CHUNK_ROWS)
        out, batches, rows = [], [], 0
        for batch in reader:  # DuckDB hands over row groups; numpy wants chunks of CHUNK_ROWS
            batches.append(batch)
            rows += batch.num_rows
            if rows >= CHUNK_ROWS:
                out.append(func(pa.Table.from_batches(batches).to_pandas()))
                batches, rows = [], 0
        if batches or not out:
            out.append(func(pa.Table.from_batches(batches, schema=reader.schema).to_pandas()))
        return out

    def first_step(self, keys, scale, weights):
        self.con.register("__toolkit_scale", scale)
        try:
            on = " AND ".join(f"r.{_q(k)} IS NOT DISTINCT FROM s.{_q(k)}" for k in keys) or "true"
            w = "1.0" if weights is None else f"CAST(r.{_q(weights)} AS DOUBLE)"
            terms = []
            for y, m in (("0", "(0.5 / (t + 1))"), ("1", "((t + 0.5) / (t + 1))")):
                dev = f"-2 * t * ln({m})" if y == "1" else f"-2 * t * ln(1 - {m})"
                ww = f"t * {m} * (1 - {m})"
                z = f"(ln({m} / (1 - {m})) + ({y} - {m}) / ({m} * (1 - {m})))"
                for name, expr in ((f"__dev{y}", dev), (f"__ww{y}", ww), (f"__wwz{y}", f"{ww} * {z}")):
                    terms.append(f"COALESCE(SUM(CASE WHEN t > 0 THEN {expr} ELSE 0 END), 0.0)::DOUBLE AS {name}")
            inner = (f"SELECT {', '.join('r.' + _q(k) for k in keys)}, {w} * COALESCE(s.__s, 0.0) AS t "
                     f"FROM {self.src} r LEFT JOIN __toolkit_scale s ON {on}")
            return self.con.execute(f"SELECT {', '.join(map(_q, keys))}, {', '.join(terms)} FROM ({inner}) "
                                    "GROUP BY ALL").df()
        finally:
            self.con.unregister("__toolkit_scale")

    def probe(self, columns, categorical):
        cols = ", ".join(map(_q, columns))
        complete = " AND ".join(f"NOT {self._missing(c)}" for c in columns) or "true"
        parts = [self.con.execute(f"SELECT {cols} FROM {self.src} WHERE {complete} LIMIT 2").df()]
        for c in categorical:
            parts.append(self.con.execute(
                f"SELECT {cols} FROM {self.src} WHERE {complete} QUALIFY row_number() OVER (PARTITION BY {_q(c)}) = 1"
            ).df())
        return pd.concat(parts, ignore_index=True).drop_duplicates()


def open_source(data, engine: str | None) -> Source:
    """The :class:`Source` for ``data``: a path (DuckDB), a dask dataframe, or a pandas frame.

    Examples
    --------
    >>> import pandas as pd
    >>> open_source(pd.DataFrame({"y": [1.0]}), "memory").name
    'memory'
    """
    if engine is not None:
        check_option(engine, "engine", ("memory", "duckdb", "dask"))
    if is_dask(data):
        if engine not in (None, "dask"):
            raise DesignError(f"a dask dataframe runs on engine='dask', not engine={engine!r}")
        return DaskSource(data)
    if isinstance(data, str | os.PathLike) or (isinstance(data, list | tuple) and data
                                               and all(isinstance(p, str | os.PathLike) for p in data)):
        if engine not in (None, "duckdb"):
            raise DesignError(f"a Parquet path is read by engine='duckdb', not engine={engine!r}")
        return DuckDBSource(data)
    if isinstance(data, pd.DataFrame):
        if engine == "duckdb":
            raise DesignError("engine='duckdb' reads Parquet out of core: pass the file or folder (write the frame "
                              "with DataFrame.to_parquet), or leave engine= out for a DataFrame in memory")
        if engine == "dask":
            dd = _require("dask.dataframe", "dask")
            return DaskSource(dd.dataframe.from_pandas(data, npartitions=2))
        return Source(data)
    raise DesignError(f"data must be a pandas DataFrame, a Parquet file, folder or list of files "
                      f"(engine='duckdb') or a dask dataframe, got {type(data).__name__}")
