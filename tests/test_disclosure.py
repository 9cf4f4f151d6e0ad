"""toolkit.disclosure: the one small-cell policy (primary and secondary suppression)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import disclosure
from toolkit.disclosure import DEFAULT_MIN_CELL, DisclosurePolicy, suppress
from toolkit.errors import OptionError

VALUES = ["estimate", "se", "ci_low", "ci_high", "cv", "deff", "share", "count"]


def table_of(counts: list[int], groups: list[int]) -> pd.DataFrame:
    n = np.asarray(counts)
    return pd.DataFrame({"group": groups, "level": range(len(n)), "estimate": n / 10 + 0.5, "se": 0.1,
                         "ci_low": 0.0, "ci_high": 1.0, "cv": 0.2, "deff": 1.1, "share": 0.3,
                         "count": n * 3, "df": 12, "n": n})


tables = st.integers(1, 12).flatmap(lambda k: st.tuples(
    st.lists(st.integers(0, 30), min_size=k, max_size=k),
    st.lists(st.integers(0, 3), min_size=k, max_size=k),
)).map(lambda t: table_of(*t))


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(0, 10), st.booleans())
def test_no_published_row_under_the_threshold_shows_an_estimate_or_count(table, min_cell, with_sets):
    out = suppress(table, min_cell=min_cell, sets="group" if with_sets else None)
    small = table["n"].to_numpy() < min_cell
    shown = ~out["suppressed"].to_numpy()
    assert not (small & shown).any()
    assert out.loc[small, VALUES].isna().all().all() and out.loc[small, "n"].isna().all()
    assert (out.loc[small, "note"] == f"n < {min_cell}: suppressed").all()
    # what is published is published unchanged, and the labels and the design df are never blanked
    pd.testing.assert_frame_equal(out.loc[shown, VALUES].reset_index(drop=True),
                                  table.loc[shown, VALUES].reset_index(drop=True), check_dtype=False)
    assert (out.loc[shown, "n"].to_numpy() == table.loc[shown, "n"].to_numpy()).all()
    assert out[["group", "level", "df"]].equals(table[["group", "level", "df"]])
    assert (out.loc[shown, "note"] == "").all() and (out.loc[~shown, "note"] != "").all()


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(1, 10), st.booleans())
def test_secondary_suppression_leaves_no_set_with_exactly_one_suppressed_cell(table, min_cell, whole):
    key = () if whole else "group"
    out = suppress(table, min_cell=min_cell, sets=key)
    sets = out.assign(one=1).groupby(["group"] if not whole else np.zeros(len(out)))
    per_set = sets.agg(cells=("one", "size"), hidden=("suppressed", "sum"))
    assert not ((per_set["cells"] > 1) & (per_set["hidden"] == 1)).any()
    # only the cells needed: each secondary cell is the one smallest cell of a set that had a lone primary
    secondary = out["note"].str.startswith("suppressed to protect").to_numpy()
    primary = table["n"].to_numpy() < min_cell
    assert not (secondary & primary).any()
    codes = np.zeros(len(out), int) if whole else out["group"].to_numpy()
    for code in np.unique(codes[secondary]):
        members = codes == code
        assert primary[members].sum() == 1 and secondary[members].sum() == 1
        assert table["n"][secondary & members].iloc[0] == table["n"][members & ~primary].min()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=8), st.integers(1, 8))
def test_cells_held_by_few_respondents_are_suppressed_with_their_set(held, min_cell):
    """A proportion table: n is the group size (large), ``cell_n`` the respondents holding each level."""
    t = table_of([sum(held)] * len(held), [0] * len(held))
    out = suppress(t, min_cell=min_cell, sets="group", cell_n=held)
    held = np.asarray(held)
    few = (held > 0) & (held < min_cell)
    assert out.loc[few, "suppressed"].all() and out.loc[few, "n"].isna().all()
    assert out["suppressed"].sum() != 1


def test_the_default_threshold_is_the_policy_default():
    t = table_of([4, 5], [0, 1])
    assert DEFAULT_MIN_CELL == 5 == DisclosurePolicy().min_cell
    assert suppress(t)["suppressed"].tolist() == [True, False]
    assert DisclosurePolicy(5).apply(t).equals(suppress(t))


def test_min_cell_zero_publishes_everything_with_the_same_columns():
    t = table_of([0, 1, 2], [0, 0, 0])
    out = suppress(t, min_cell=0, sets="group")
    assert not out["suppressed"].any() and (out["note"] == "").all()
    assert list(out.columns) == [*t.columns, "suppressed", "note"]
    assert str(out["n"].dtype) == "Int64" and out["n"].tolist() == [0, 1, 2]


def test_secondary_suppression_takes_the_next_smallest_cell_and_says_why():
    t = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2, "share": [0.05, 0.5, 0.15, 0.3, 0.5, 0.5],
                      "n": [2, 50, 15, 30, 10, 10]})
    out = suppress(t, sets="g")
    assert out["suppressed"].tolist() == [True, False, True, False, False, False]
    assert out["note"].tolist() == ["n < 5: suppressed", "", "suppressed to protect a cell with n < 5", "", "", ""]
    assert out["n"].isna().tolist() == [True, False, True, False, False, False]
    # without sets there is no secondary suppression
    assert suppress(t)["suppressed"].sum() == 1


def test_empty_tables_and_rows_in_no_set():
    empty = suppress(table_of([], []), sets="group")
    assert len(empty) == 0 and list(empty.columns[-2:]) == ["suppressed", "note"]
    t = pd.DataFrame({"g": [None, None, "a"], "share": [0.1, 0.9, 1.0], "n": [2, 18, 20]})
    assert suppress(t, sets="g")["suppressed"].tolist() == [True, False, False]  # rows without a set key


def test_suppressing_twice_changes_nothing_and_the_input_is_untouched():
    t = table_of([3, 8, 9, 40], [0, 0, 1, 1])
    before = t.copy()
    once = suppress(t, sets="group")
    pd.testing.assert_frame_equal(suppress(once, sets="group"), once)
    pd.testing.assert_frame_equal(t, before)


def test_named_columns_and_integer_columns():
    t = pd.DataFrame({"g": ["a", "b"], "mean_age": [40.5, 31.0], "people": [200, 3], "n": [200, 3]})
    out = suppress(t, columns=["mean_age", "people"])
    assert out["mean_age"].isna().tolist() == [False, True]
    assert str(out["people"].dtype) == "Int64" and out["people"].isna().tolist() == [False, True]
    assert suppress(t, n="people", min_cell=5)["n"].tolist() == [200, 3]  # n is no count column here


@pytest.mark.parametrize("bad", [-1, 2.5, "5", True])
def test_a_bad_threshold_is_an_option_error(bad):
    with pytest.raises(OptionError, match="min_cell must be a whole number"):
        DisclosurePolicy(bad)


def test_missing_columns_are_named():
    t = table_of([3], [0])
    with pytest.raises(OptionError, match="table has no column.*'count_col'"):
        suppress(t, n="count_col")
    with pytest.raises(OptionError, match="table has no column.*'zone'"):
        suppress(t, sets="zone")
    with pytest.raises(OptionError, match="cell_n must have one value per row"):
        suppress(t, cell_n=[1, 2])


def test_the_policy_is_frozen():
    policy = DisclosurePolicy(7)
    with pytest.raises(AttributeError):
        policy.min_cell = 3  # type: ignore[misc]
    assert policy.note_primary == "n < 7: suppressed" and "n < 7" in policy.note_secondary
    assert set(disclosure.__all__) == {"DEFAULT_MIN_CELL", "ESTIMATE_COLUMNS", "DisclosurePolicy", "suppress"}
