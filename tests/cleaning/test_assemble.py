"""Assembling the cleaned data (toolkit.cleaning.assemble): input order, dtypes, companions, pseudonyms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.cleaning._helpers import instrument_fixture
from toolkit.cleaning.assemble import _frame, assemble_columns, assemble_data
from toolkit.cleaning.coding import decode_items, decode_numeric_metadata
from toolkit.cleaning.log import LogBuilder

inst = instrument_fixture()


def assembled(inst, data, **kw):
    items = [inst.item(c) for c in data.columns if c in inst.item_ids]
    _, decoded = decode_items(data, inst, items)
    options = {"ids": [], "key": None, "scan_pii": True} | kw
    log = LogBuilder()
    columns, pseudonyms = assemble_columns(data, inst, decoded, decode_numeric_metadata(data), log=log, **options)
    return columns, pseudonyms, log.build(None), items, decoded


def test_columns_in_input_order_with_their_cleaned_types(inst):
    data = pd.DataFrame({"note": ["x"], "age": ["40"], "help_who": ["3 1"], "comment": [5],
                         "duration_sec": ["60"], "prac_01_missing": ["refused"], "count": [1]})
    columns, pseudonyms, log, _, _ = assembled(inst, data)
    assert list(columns) == ["note", "age", "help_who", "comment", "duration_sec", "count"]  # companion rebuilt later
    assert columns["age"].dtype == "float64" and columns["duration_sec"].dtype == "float64"
    assert columns["help_who"].tolist() == ["1 3"] and columns["comment"].tolist() == ["5"]
    assert columns["count"].equals(data["count"])
    assert pseudonyms is None
    assert log["rule"].tolist() == ["recode_multiple"]


def test_pseudonyms_are_those_of_respondent_id_else_the_first_id(inst):
    data = pd.DataFrame({"_uuid": ["u1"], "respondent_id": ["r1"]})
    _, both, _, _, _ = assembled(inst, data, ids=["_uuid", "respondent_id"], key=b"k")
    _, uuid_only, _, _, _ = assembled(inst, data, ids=["_uuid"], key=b"k")
    _, kept, _, _, _ = assembled(inst, data, ids=["_uuid", "respondent_id"], key=None)
    assert both.tolist()[0].startswith("ps-") and uuid_only.tolist()[0].startswith("ps-")
    assert both.tolist() != uuid_only.tolist()  # respondent_id's pseudonym wins over the earlier _uuid's
    assert both.tolist() == assembled(inst, data[["respondent_id"]], ids=["respondent_id"], key=b"k")[1].tolist()
    assert kept.tolist() == ["r1"]  # not pseudonymised: respondent_id as it is


def test_no_pii_scan_keeps_text_as_typed(inst):
    data = pd.DataFrame({"comment": ["a@b.dk"], "note": ["ring 20304050"]})
    columns, _, log, _, _ = assembled(inst, data, scan_pii=False)
    assert columns["comment"].tolist() == ["a@b.dk"] and columns["note"].tolist() == ["ring 20304050"]
    assert log.empty


def test_assemble_data_adds_companions_and_consumes_its_inputs(inst):
    data = pd.DataFrame({"prac_01": ["88", "3"], "age": ["200", "40"]})
    columns, _, _, items, decoded = assembled(inst, data)
    out = assemble_data(columns, items, decoded, data.index)
    assert list(out.columns) == ["prac_01", "age", "prac_01_missing", "age_missing"]
    assert out["prac_01_missing"].tolist()[0] == "dont_know" and out["age_missing"].isna().all()
    assert columns == {} and decoded == {}


@pytest.mark.parametrize("n_columns", [0, 3, 8, 17])
def test_frame_built_in_groups_equals_one_frame(n_columns):
    columns = {f"c{i}": np.arange(3.0) + i for i in range(n_columns)}
    expected = pd.DataFrame(dict(columns), index=["a", "b", "c"])
    pd.testing.assert_frame_equal(_frame(columns, pd.Index(["a", "b", "c"])), expected)
