"""The rule language: parsing, rendering to XLSForm and words, vectorised evaluation with missing codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import InstrumentError
from toolkit.instrument import load_instrument, parse_rule


@pytest.fixture(scope="module")
def full():
    return load_instrument("dis-full")


def test_rule_renders_to_xlsform_and_words(full):
    rule = parse_rule("home_conn in [1, 2] or not selected(devices, 1)")
    assert rule.xlsform() == "${home_conn} = 1 or ${home_conn} = 2 or not(selected(${devices}, '1'))"
    assert rule.words(lang="en") == "home_conn is 1 or 2 or it is not the case that devices includes 1"
    assert "eller" in rule.words(lang="da")
    assert full.item("afford").rule.xlsform() == "${home_conn} = 1 or ${home_conn} = 2 or ${mobile_data} = 1"


_codes = st.sampled_from([1, 2, 3, 66, 88, 99, np.nan])


@settings(max_examples=60, deadline=None)
@given(a=st.lists(_codes, min_size=1, max_size=30), data=st.data())
def test_rule_algebra_matches_elementwise_logic(a, data):
    b = data.draw(st.lists(_codes, min_size=len(a), max_size=len(a)))
    df = pd.DataFrame({"a": a, "b": b}, dtype=float)
    miss = {"a": {66, 88, 99}, "b": {66, 88, 99}}

    def ok(x):
        return not np.isnan(x) and x not in (66, 88, 99)

    expect_a = [ok(x) and x == 1 for x in a]
    expect_b = [ok(y) and y in (2, 3) for y in b]
    got = parse_rule("a == 1 and not b in [2, 3]").evaluate(df, missing=miss).tolist()
    assert got == [x and not y for x, y in zip(expect_a, expect_b, strict=True)]
    got = parse_rule("(a == 1) or b in [2, 3]").evaluate(df, missing=miss).tolist()
    assert got == [x or y for x, y in zip(expect_a, expect_b, strict=True)]
    assert parse_rule("a != 1").evaluate(df, missing=miss).tolist() == [ok(x) and x != 1 for x in a]


@pytest.mark.parametrize("text, position", [("a ==", 5), ("a = 1", 3), ("(a == 1", 8), ("a == 1 b", 8),
                                            ("a in [1,", 9), ("and == 1", 1)])
def test_rule_syntax_errors_name_the_position(text, position):
    with pytest.raises(InstrumentError, match=f"position {position}"):
        parse_rule(text)
