"""Skip logic (toolkit.cleaning.skips): answers where an item was not asked are cleared and logged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.cleaning._helpers import frame, instrument_fixture, logged, run
from toolkit.cleaning.coding import VALUE_RULES, decode_items
from toolkit.cleaning.skips import apply_skip_logic
from toolkit.errors import DataQualityWarning

inst = instrument_fixture()


def test_skip_logic_clears_and_cascades(inst):
    # net_use_3m = 2 (no): net_freq and selfserv are not asked; selfserv_alone hangs on selfserv.
    raw = frame(inst, 2, net_use_3m=["2", "1"], net_freq=["3", "3"], selfserv=["1", "1"],
                selfserv_alone=["1", "1"])
    res = run(raw, inst)
    for col in ("net_freq", "selfserv", "selfserv_alone"):
        assert pd.isna(res.data[col].iloc[0]) and res.data[col].iloc[1] == (3.0 if col == "net_freq" else 1.0)
        assert res.data[f"{col}_missing"].iloc[0] == "not_asked"
        assert logged(res, col).loc[0, "rule"] == "not_asked"
        assert logged(res, col).loc[0, "old"] == raw.loc[0, col]


def test_not_asked_is_recorded_even_when_blank(inst):
    raw = frame(inst, 1, help_any=["2"])
    res = run(raw, inst)
    assert res.data["help_who_missing"].iloc[0] == "not_asked"
    assert "help_who" not in set(res.log["column"])


def test_undecided_skip_rule_keeps_the_answer_unless_asked_to_clear(inst):
    raw = frame(inst, 2, help_any=["88", "2"], help_freq=["3", "3"])
    kept = run(raw, inst)
    assert kept.data["help_freq"].tolist()[0] == 3.0 and pd.isna(kept.data["help_freq"].iloc[1])
    cleared = run(raw, inst, clear_undecided=True)
    assert cleared.data["help_freq"].isna().all()
    assert logged(cleared, "help_freq")["rule"].tolist() == ["not_asked", "not_asked"]



def test_a_rule_the_data_cannot_check_warns_and_keeps_the_answers(inst):
    data = pd.DataFrame({"net_freq": ["3"]})  # its parent net_use_3m is not in the data
    items = [inst.item("net_freq")]
    _, decoded = decode_items(data, inst, items)
    with pytest.warns(DataQualityWarning, match="skip rule of net_freq not checked"):
        asked = apply_skip_logic(inst, items, decoded, clear_undecided=False)
    assert asked["net_freq"].tolist() == [True] and decoded["net_freq"].values.tolist() == [3.0]


def test_clearing_cascades_in_questionnaire_order_and_says_who_was_asked(inst):
    data = pd.DataFrame({"net_use_3m": ["2", "1", "88"], "selfserv": ["1", "1", "1"],
                         "selfserv_alone": ["1", np.nan, "1"]})
    items = [inst.item(i) for i in ("net_use_3m", "selfserv", "selfserv_alone")]
    _, decoded = decode_items(data, inst, items)
    asked = apply_skip_logic(inst, items, decoded, clear_undecided=False)
    assert asked["selfserv"].tolist() == [False, True, True]  # row 2: parent unknown, rule undecided
    assert asked["selfserv_alone"].tolist() == [False, True, True]  # row 0: cascaded from the cleared selfserv
    not_asked = VALUE_RULES.index("not_asked")
    assert (decoded["selfserv"].rule == not_asked).tolist() == [True, False, False]
    assert (decoded["selfserv_alone"].rule == not_asked).tolist() == [True, False, False]
    assert decoded["selfserv_alone"].values.tolist()[2] == 1.0
