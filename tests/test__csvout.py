"""The Arrow CSV writer writes the bytes ``DataFrame.to_csv`` writes, or declines."""

import decimal

import numpy as np
import pandas as pd
import pytest

from toolkit._csvout import write_csv


def _pandas(data: pd.DataFrame) -> bytes:
    return data.to_csv(index=False, lineterminator="\n", encoding="utf-8").encode("utf-8")


def _ours(data: pd.DataFrame, tmp_path) -> bytes | None:
    target = tmp_path / "t.csv"
    return target.read_bytes() if write_csv(data, target) else None


MIXED = pd.Series([np.float64(1.0), 1.5, 2, None, np.nan, "a,b", 'x"y', True, np.int64(3), pd.NA,
                   decimal.Decimal("1.10"), 1e-5, 0], dtype=object)


@pytest.mark.parametrize("data", [
    pd.DataFrame({"o": MIXED, "f": [1.0, 1e16, 1e-5, np.nan, np.inf, -0.0, 0.1 + 0.2, 0.0, 4, 5, -1e300, 7, 8],
                  "i": np.arange(13) - 5, "b": [True, False] * 6 + [True], 3: np.arange(13, dtype=np.uint8)}),
    pd.DataFrame({"s": pd.Series(["a", None, "é,ü", "x\ny", "", "'=1", 'q"'] * 2).astype("str"),
                  "c": pd.Categorical(["a", None, "b,c", "d"] * 3 + ["a", "a"]),
                  "f32": np.linspace(0, 1, 14, dtype=np.float32)}),
    pd.DataFrame({"a,b": ["x"], 'b"': pd.Series(["y"], dtype=object)}),
    pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)}),
])
def test_same_bytes_as_pandas(data, tmp_path):
    assert _ours(data, tmp_path) == _pandas(data)


def test_text_read_from_parquet_row_groups_in_chunks(tmp_path):
    source = pd.DataFrame({"s": pd.Series(["a", None, "b,c", "=1"] * 5).astype("str"), "n": np.arange(20)})
    source.to_parquet(tmp_path / "t.parquet", index=False, row_group_size=3)
    data = pd.read_parquet(tmp_path / "t.parquet")  # its text column is backed by one Arrow chunk per row group
    assert _ours(data, tmp_path) == _pandas(data)


def test_blocks_of_rows_join_up(tmp_path, monkeypatch):
    import toolkit._csvout as module

    monkeypatch.setattr(module, "BLOCK_ROWS", 3)
    data = pd.DataFrame({"i": range(10), "s": list("abcdefghi,"), "c": pd.Categorical(list("xyz,") * 2 + list("zz")),
                         "f": [0.5, np.nan] * 5, "o": pd.Series([1.0, "a,b", None, 2, "x"] * 2, dtype=object)})
    assert _ours(data, tmp_path) == _pandas(data)


@pytest.mark.parametrize("data", [
    pd.DataFrame({"only": ["", "x"]}),  # one column: an empty field is quoted there
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": ["x", "y"]}),
    pd.DataFrame({"t": pd.to_datetime(["2024-01-01", None]), "b": ["x", "y"]}),
    pd.DataFrame({"c": pd.Categorical([1.5, 2.5]), "b": ["x", "y"]}),
])
def test_declines_what_it_does_not_cover(data, tmp_path):
    assert _ours(data, tmp_path) is None
