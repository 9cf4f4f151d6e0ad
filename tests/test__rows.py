"""toolkit._rows: distinct rows as groupby(dropna=False) finds them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit._rows import row_patterns


def test_patterns_are_the_groups_of_the_rows_in_order_of_first_appearance():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.choice(["x", "y", None], 500), "b": rng.choice([1.0, 2.5, np.nan], 500),
                          "c": pd.Categorical(rng.choice(["p", "q"], 500), categories=["q", "p", "r"])})
    codes, first = row_patterns(frame)
    expected = frame.groupby(["a", "b", "c"], sort=False, dropna=False, observed=True).ngroup().to_numpy()
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(first, [np.flatnonzero(codes == k)[0] for k in range(len(first))])
    # every row equals its pattern's first row
    same = frame.iloc[first[codes]].reset_index(drop=True).astype(str)
    pd.testing.assert_frame_equal(same, frame.astype(str))


def test_a_continuous_column_gives_one_pattern_per_distinct_value():
    x = np.random.default_rng(1).normal(size=300)
    codes, first = row_patterns(pd.DataFrame({"x": np.r_[x, x[:10]]}))
    assert len(first) == 300 and (codes[300:] == codes[:10]).all()


def test_many_wide_columns_do_not_overflow_the_key():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({f"c{j}": rng.integers(0, 1000, 2000) for j in range(12)})
    codes, first = row_patterns(frame)
    assert len(first) == len(frame.drop_duplicates())
    assert (frame.iloc[first[codes]].to_numpy() == frame.to_numpy()).all()


def test_no_rows_and_no_columns():
    codes, first = row_patterns(pd.DataFrame({"a": []}))
    assert len(codes) == 0 and len(first) == 0
    codes, first = row_patterns(pd.DataFrame(index=range(3)))
    assert codes.tolist() == [0, 0, 0] and first.tolist() == [0]
