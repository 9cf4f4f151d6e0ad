"""Strict mode (toolkit.cleaning.strict): every discarded answer is a failure case, raised at once."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from tests.cleaning._helpers import frame, instrument_fixture, run
from toolkit.cleaning.strict import FAILURE_COLUMNS, failure_cases, raise_failures
from toolkit.errors import ResponseError, SchemaErrors

inst = instrument_fixture()


def test_strict_gathers_every_failure_in_one_error(inst):
    raw = frame(inst, 3, prac_01=["7", "3", "x"], age=["5", "40", "41"], net_use_3m=["2", "1", "1"],
                net_freq=["1", "1", "1"], comment=["a@b.dk", None, None])
    with pytest.raises(SchemaErrors) as info:
        run(raw, inst, strict=True)
    fc = info.value.failure_cases
    assert str(info.value).startswith("4 invalid value(s) in 2 row(s): ")
    assert "first: row 0, column age, value '5', expected a number in [15, 110]" in str(info.value)
    assert list(fc.columns) == ["row", "column", "value", "expected"]
    got = set(zip(fc["row"], fc["column"], strict=True))
    assert got == {(0, "prac_01"), (2, "prac_01"), (0, "age"), (0, "net_freq")}
    assert "not asked" in fc.loc[fc["column"] == "net_freq", "expected"].iloc[0]
    assert fc.loc[fc["column"] == "prac_01", "value"].tolist() == ["7", "x"]
    assert fc.loc[fc["column"] == "age", "expected"].iloc[0] == "a number in [15, 110]"
    assert isinstance(info.value, ResponseError)
    run(frame(inst, 2, prac_01=["passer  HELT på mig", "2"]), inst, strict=True)  # recodings are not failures



def test_no_failures_is_an_empty_table_and_no_error(inst):
    from toolkit.cleaning.coding import decode_items

    data = pd.DataFrame({"prac_01": ["3"]})
    items = [inst.item("prac_01")]
    coders, decoded = decode_items(data, inst, items)
    cases = failure_cases(data, items, coders, decoded, {})
    assert cases.empty and tuple(cases.columns) == FAILURE_COLUMNS
    raise_failures(cases)


def test_failure_values_holding_pii_are_redacted_and_many_columns_summarised():
    cases = pd.DataFrame({"row": range(12), "column": [f"c{i:02d}" for i in range(12)], "value": "x",
                          "expected": "a code"})
    with pytest.raises(SchemaErrors, match=r"12 invalid value\(s\) in 12 row\(s\): c00 \(1\), .* and 2 more columns"):
        raise_failures(cases)
    raw = frame(toolkit.load_instrument("dis-full"), 1, age=["20304050"])
    with pytest.raises(SchemaErrors) as info:
        run(raw, toolkit.load_instrument("dis-full"), strict=True)
    assert info.value.failure_cases["value"].tolist() == ["[PHONE]"]
    assert "20304050" not in str(info.value)
