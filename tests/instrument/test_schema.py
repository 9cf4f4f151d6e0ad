"""The in-memory instrument: response sets, codebook, lookups, skip rules and rules over its columns, scale levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import ResponseError
from toolkit.instrument import load_instrument


@pytest.fixture(scope="module")
def full():
    return load_instrument("dis-full")


@pytest.fixture(scope="module")
def screener():
    return load_instrument("dis-screener")


def test_every_response_set_carries_the_missing_codes(full, screener):
    for inst in (full, screener):
        for rs in inst.response_sets.values():
            assert rs.missing_codes == {66: "dont_understand", 88: "dont_know", 99: "refused"}
            assert not rs.valid_codes & set(rs.missing_codes)
            assert rs.min == min(rs.valid_codes) and rs.max == max(rs.valid_codes)


def test_codebook_lists_every_item(full, screener):
    for inst in (full, screener):
        cb = inst.codebook()
        assert cb["variable"].tolist() == inst.item_ids
        assert {"variable", "section", "domain", "type", "reverse", "correct", "scale", "label_en",
                "label_da", "codes", "missing_codes"} <= set(cb.columns)
    cb = full.codebook().set_index("variable")
    assert cb.loc["prac_05", "reverse"] and cb.loc["prac_05", "scale"] == "practical_sr"
    assert cb.loc["bure_k2", "correct"] == 2
    assert cb.loc["net_use_3m", "codes"] == "1=Yes; 2=No"
    assert cb.loc["net_use_3m", "codes_da"] == "1=Ja; 2=Nej"
    assert cb.loc["prac_03", "kobo_path"] == "skills/prac_03"


def test_unknown_item_is_a_lookup_error(full):
    with pytest.raises(LookupError, match="no item 'nope'"):
        full.item("nope")


def test_relevant_is_vectorised_and_missing_is_false(full):
    df = pd.DataFrame({
        "devices": ["1 3", "2", None, "1"],
        "home_conn": [3, 3, 1, 99],
        "mobile_data": [1, np.nan, np.nan, 2],
        "help_any": [1, 2, 88, 1],
    })
    assert full.relevant(df, "mobile_data").tolist() == [True, False, False, True]
    assert full.relevant(df, "afford").tolist() == [True, False, True, False]
    assert full.relevant(df, "help_who").tolist() == [True, False, False, True]
    assert full.relevant(df, "devices").tolist() == [True] * 4
    assert full.relevant(df, "help_who").index.equals(df.index)


def test_relevant_needs_the_columns_it_names(full):
    with pytest.raises(ResponseError, match="needs column"):
        full.relevant(pd.DataFrame({"x": [1]}), "help_who")


def test_numeric_items_keep_88_as_a_value(full):
    # age 88 is an age, not "don't know": missing codes apply to coded items only
    df = pd.DataFrame({"age": [88, 40], "net_use_3m": [88, 1]})
    assert full.evaluate("age >= 65", df).tolist() == [True, False]
    assert full.evaluate("net_use_3m != 1", df).tolist() == [False, False]


def test_text_columns_are_compared_as_codes(full):
    # a raw export may hold codes as text: "88" is still a missing code
    df = pd.DataFrame({"net_use_3m": ["1", "88", "2", None]})
    assert full.evaluate("net_use_3m != 1", df).tolist() == [False, False, True, False]
    assert full.relevant(df, "net_freq").tolist() == [True, False, False, False]


def test_outcome_rules_on_level_columns(full):
    levels = ["low", "basic", "above_basic"]
    df = pd.DataFrame({"practical_kn_level": pd.Categorical(["low", "basic", None], categories=levels, ordered=True),
                       "practical_sr_level": ["basic", "low", "low"]})
    assert full.evaluate(full.outcomes["low_practical"].parsed, df).tolist() == [True, True, True]


def test_scale_levels_classify(full):
    scale = full.scales["practical_sr"]
    assert scale.levels == {"low": 1.0, "basic": 2.5, "above_basic": 4.0}
    got = scale.classify(pd.Series([1.0, 2.49, 2.5, 3.99, 4.0, 5.0, np.nan]))
    assert got.iloc[:6].tolist() == ["low", "low", "basic", "basic", "above_basic", "above_basic"]
    assert pd.isna(got.iloc[6]) and got.name == "practical_sr_level"
