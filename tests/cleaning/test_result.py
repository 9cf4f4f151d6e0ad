"""The result (toolkit.cleaning.result): a frozen Cleaned, its totals, summary() and counts()."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from tests.cleaning._helpers import frame, instrument_fixture, run
from toolkit.cleaning.flags import FLAGS
from toolkit.cleaning.log import RULES
from toolkit.cleaning.result import Cleaned, totals
from toolkit.errors import OptionError

inst = instrument_fixture()


@pytest.fixture(scope="module")
def res(inst):
    raw = frame(inst, 3, net_use_3m=["Yes", "7", "2"])
    raw.loc[2, "duration_sec"] = 1.0
    return run(raw, inst, drop_flagged="speeder")


def test_cleaned_is_read_only(res):
    assert dataclasses.is_dataclass(res) and isinstance(res, Cleaned)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.data = pd.DataFrame()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.totals = None


def test_summary_is_the_counts_table(res):
    table = res.summary()
    assert table is res.totals
    assert list(table.columns) == ["kind", "name", "count"]
    assert table["kind"].tolist() == ["rows"] * 3 + ["rule"] * len(RULES) + ["flag"] * (len(FLAGS) + 1)
    assert res.counts("rows") == {"input": 3, "output": 2, "dropped": 1}
    assert res.counts("rule")["label_to_code"] == 1 and res.counts("rule")["out_of_range"] == 1
    assert res.counts("rule")["drop_flagged"] == 1 and res.counts("flag")["speeder"] == 1


def test_counts_of_an_unknown_kind_is_an_option_error(res):
    with pytest.raises(OptionError, match="kind must be one of 'rows', 'rule', 'flag'; got 'rules'"):
        res.counts("rules")


def test_repr_names_rows_changes_and_flagged(res):
    assert repr(res).startswith("Cleaned(rows=2, changes=")
    assert "'label_to_code': 1" in repr(res) and repr(res).endswith(f"flagged={int(res.flags['flagged'].sum())})")


def test_totals_count_every_rule_even_those_unused(res):
    table = totals(3, res.data, res.log.iloc[:0], res.flags, 0)
    assert table.loc[table["kind"] == "rule", "count"].eq(0).all()
    assert table.loc[table["name"] == "output", "count"].item() == len(res.data)
