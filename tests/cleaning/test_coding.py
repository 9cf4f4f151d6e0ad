"""Value rules (toolkit.cleaning.coding): labels, decimal commas, select_multiple, missing codes, bounds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.cleaning._helpers import frame, instrument_fixture, logged, run
from toolkit.cleaning.coding import (VALUE_RULES, carry_over_missing_kinds, decode_items,
                                     decode_numeric_metadata)
from toolkit.instrument.vocabulary import MISSING_KINDS

inst = instrument_fixture()


def test_labels_in_either_language_case_and_space_insensitive(inst):
    raw = frame(inst, 5, net_use_3m=["Yes", "  nej ", "JA", "no", "1"])
    res = run(raw, inst)
    assert res.data["net_use_3m"].tolist() == [1.0, 2.0, 1.0, 2.0, 1.0]
    log = logged(res, "net_use_3m")
    assert list(log.index) == [0, 1, 2, 3]
    assert set(log["rule"]) == {"label_to_code"}
    assert log.loc[1, "old"] == "  nej " and log.loc[1, "new"] == 2.0


def test_decimal_comma_and_numeric_bounds(inst):
    raw = frame(inst, 4, age=["34,5", "200", "abc", "15"])
    res = run(raw, inst)
    assert res.data["age"].tolist()[0] == 34.5
    assert res.data["age"].isna().tolist() == [False, True, True, False]
    assert logged(res, "age")["rule"].tolist() == ["decimal_comma", "out_of_range", "invalid_value"]


def test_missing_codes_become_nan_with_kind(inst):
    raw = frame(inst, 5, prac_01=["88", 99, "66", "Ved ikke", "3"])
    res = run(raw, inst)
    assert res.data["prac_01"].isna().tolist() == [True, True, True, True, False]
    assert res.data["prac_01_missing"].tolist()[:4] == ["dont_know", "refused", "dont_understand", "dont_know"]
    assert pd.isna(res.data["prac_01_missing"].iloc[4])
    assert set(logged(res, "prac_01")["rule"]) == {"missing_code"}
    assert list(res.data["prac_01_missing"].cat.categories) == list(MISSING_KINDS)


def test_out_of_range_and_impossible_codes(inst):
    raw = frame(inst, 4, prac_01=["7", "2.5", "0", "5"])
    res = run(raw, inst)
    assert res.data["prac_01"].tolist()[:3] == [pytest.approx(math.nan, nan_ok=True)] * 3
    assert res.data["prac_01"].iloc[3] == 5.0
    assert logged(res, "prac_01")["rule"].tolist() == ["out_of_range"] * 3


def test_select_multiple_normalised(inst):
    raw = frame(inst, 5, help_any=[1] * 5,
                help_who=["3 1", "2", "Family outside my household;En anden", "1 9", "88"])
    res = run(raw, inst)
    assert res.data["help_who"].tolist()[:4] == ["1 3", "2", "2 6", "1"]
    assert pd.isna(res.data["help_who"].iloc[4])
    rules = logged(res, "help_who")["rule"]
    assert rules.to_dict() == {0: "recode_multiple", 2: "label_to_code", 3: "out_of_range", 4: "missing_code"}


def test_select_multiple_labels_joined_by_spaces_or_with_commas_inside(inst):
    raw = frame(inst, 4, help_any=[1] * 4,
                help_who=["Someone in my household A friend, neighbour or colleague", "3,1", "1 x",
                          "Don\u2019t know"])
    res = run(raw, inst)
    assert res.data["help_who"].tolist()[:3] == ["1 3", "1 3", "1"]
    assert res.data["help_who_missing"].iloc[3] == "dont_know"
    assert logged(res, "help_who")["rule"].tolist() == ["label_to_code", "recode_multiple", "invalid_value",
                                                       "missing_code"]



def test_decode_items_reports_progress_per_item(inst):
    items = [inst.item("net_use_3m"), inst.item("age")]
    steps = []
    coders, decoded = decode_items(pd.DataFrame({"net_use_3m": ["Ja"], "age": ["40"]}), inst, items,
                                   lambda step, done: steps.append((step, done)))
    assert steps == [("values", 0.5), ("values", 1.0)]
    assert set(coders) == set(decoded) == {"net_use_3m", "age"}
    assert decoded["age"].values.tolist() == [40.0]


def test_numeric_metadata_are_non_negative_numbers():
    meta = decode_numeric_metadata(pd.DataFrame({"duration_sec": ["1,5", "-2"], "design_weight": [2.0, 1.0],
                                                 "district": ["a", "b"]}))
    assert list(meta) == ["duration_sec", "design_weight"]
    assert meta["duration_sec"].values.tolist()[0] == 1.5 and math.isnan(meta["duration_sec"].values[1])
    assert [VALUE_RULES[r] for r in meta["duration_sec"].rule] == ["decimal_comma", "out_of_range"]


def test_carried_over_kinds_fill_only_cells_this_pass_left_without_one(inst):
    data = pd.DataFrame({"prac_01": ["88", np.nan, "3", np.nan],
                         "prac_01_missing": ["refused", "not_asked", "dont_know", None]})
    items = [inst.item("prac_01")]
    _, decoded = decode_items(data, inst, items)
    carry_over_missing_kinds(data, items, decoded)
    kinds = [MISSING_KINDS[k] if k >= 0 else None for k in decoded["prac_01"].kind]
    assert kinds == ["dont_know", "not_asked", None, None]  # this pass wins; an answer keeps no kind
