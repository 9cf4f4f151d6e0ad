"""Missing values an export declares: SPSS/Stata user-missing values and ranges, and a per-file code map."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

import toolkit
from tests.cleaning._helpers import KEY, frame, instrument_fixture, logged, run
from toolkit.cleaning.missing import check_missing_map, declared_missing, kind_from_label, parse_missing
from toolkit.errors import OptionError
from toolkit.instrument.vocabulary import MISSING_KIND_NAMES

inst = instrument_fixture()
SCREENER = toolkit.load_instrument("dis-screener")


def screener_sav(tmp_path, **write) -> pd.DataFrame:
    """A .sav file of screener answers plus an income column, read back with read_responses."""
    data = pd.DataFrame({i: [1.0] * 5 for i in SCREENER.item_ids})
    data["prac_02"] = [1.0, -9.0, 999.0, 2500.0, 4.0]
    data["income"] = [100.0, 2500.0, 2000.0, 3000.0, 3001.0]
    data["duration_sec"] = 600.0
    path = tmp_path / "resp.sav"
    pyreadstat.write_sav(data, str(path), **write)
    return toolkit.read_responses(path, SCREENER)


def test_spss_user_missing_values_and_ranges_are_applied_with_their_kind(tmp_path):
    raw = screener_sav(tmp_path, missing_ranges={"prac_02": [-9.0, {"lo": 999.0, "hi": 3000.0}],
                                                 "income": [{"lo": 2000.0, "hi": 3000.0}]},
                       variable_value_labels={"prac_02": {-9.0: "Refused", 999.0: "Skipped",
                                                          1.0: "Not at all like me"}})
    res = toolkit.clean(raw, SCREENER, pseudonym_key=KEY)
    assert res.data["prac_02"].tolist()[::4] == [1.0, 4.0] and res.data["prac_02"].iloc[1:4].isna().all()
    # -9's label names a refusal; the range 999-3000 takes the kind of its low end's label ("Skipped")
    assert res.data["prac_02_missing"].tolist()[1:4] == ["refused", "not_applicable", "not_applicable"]
    assert set(logged(res, "prac_02")["rule"]) == {"missing_code"}
    assert logged(res, "prac_02")["old"].tolist() == [-9.0, 999.0, 2500.0]
    # an extra column: the range applies, the column is a number column with its kinds beside it
    assert res.data["income"].tolist()[::4] == [100.0, 3001.0] and res.data["income"].iloc[1:4].isna().all()
    assert res.data["income_missing"].tolist()[1:4] == ["no_answer"] * 3
    assert res.data["income"].dtype == "float64"
    # the definitions are recorded, the range as a range
    assert res.options["user_missing"]["income"] == [{"low": 2000.0, "high": 3000.0, "kind": "no_answer"}]
    assert {"low": -9.0, "high": -9.0, "kind": "refused"} in res.options["user_missing"]["prac_02"]


def test_without_definitions_the_same_values_are_out_of_range(tmp_path):
    res = toolkit.clean(screener_sav(tmp_path), SCREENER, pseudonym_key=KEY)
    assert res.data["prac_02_missing"].isna().all()
    assert logged(res, "prac_02")["rule"].tolist() == ["out_of_range"] * 3
    assert res.data["income"].tolist() == [100.0, 2500.0, 2000.0, 3000.0, 3001.0]


def test_stata_extended_missing_values_are_missing_with_the_kind_their_label_names(tmp_path):
    data = pd.DataFrame({i: [1.0] * 4 for i in SCREENER.item_ids} | {"duration_sec": [600.0] * 4})
    data["prac_02"] = pd.Series([1.0, "a", "b", "c"], dtype=object)
    path = tmp_path / "resp.dta"
    pyreadstat.write_dta(data, str(path), missing_user_values={"prac_02": ["a", "b", "c"]},
                         variable_value_labels={"prac_02": {1: "Not at all like me", "a": "Refusal",
                                                            "b": "Don't know", "c": "Not applicable"}})
    res = toolkit.clean(toolkit.read_responses(path, SCREENER), SCREENER, pseudonym_key=KEY)
    assert res.data["prac_02"].tolist()[0] == 1.0 and res.data["prac_02"].iloc[1:].isna().all()
    assert res.data["prac_02_missing"].tolist()[1:] == ["refused", "dont_know", "not_applicable"]


def test_ess_codes_by_the_file_map(inst):
    raw = frame(inst, 4, net_use_3m=["77", "88", "99", "1"])
    default = run(raw, inst)
    assert logged(default, "net_use_3m")["rule"].tolist()[0] == "out_of_range"  # 77 is no code of the instrument
    assert default.data["net_use_3m_missing"].tolist()[2] == "refused"  # 99 is "rather not say" there
    res = run(raw, inst, missing={77: "refused", 88: "dont_know", 99: "no_answer"})
    assert res.data["net_use_3m_missing"].tolist()[:3] == ["refused", "dont_know", "no_answer"]
    assert set(logged(res, "net_use_3m")["rule"]) == {"missing_code"}
    assert res.data["net_use_3m"].tolist()[3] == 1.0
    assert res.options["missing"] == {77: "refused", 88: "dont_know", 99: "no_answer"}


def test_a_code_of_the_map_that_is_a_valid_answer_stays_an_answer(inst):
    raw = frame(inst, 3, net_use_3m=["1", "7", "2"], prac_01=["5", "7", "3"])
    res = run(raw, inst, missing={2: "refused", 7: "refused"})
    assert res.data["net_use_3m"].tolist()[::2] == [1.0, 2.0]  # 2 is "No" on a yes/no item
    assert res.data["net_use_3m_missing"].tolist()[1] == "refused"
    assert res.data["prac_01"].tolist()[::2] == [5.0, 3.0] and res.data["prac_01_missing"].tolist()[1] == "refused"


def test_the_file_map_leaves_numeric_items_alone(inst):
    res = run(frame(inst, 2, age=["77", "99"]), inst, missing={77: "refused", 99: "no_answer"})
    assert res.data["age"].tolist() == [77.0, 99.0]  # an age of 77 is an age


def test_unknown_kinds_and_codes_are_refused_with_the_allowed_kinds(inst):
    with pytest.raises(OptionError, match="kind of missing code 77 must be one of 'dont_know', 'refused', "
                                          "'dont_understand', 'not_applicable', 'no_answer'; got 'refusal'"):
        run(frame(inst, 1), inst, missing={77: "refusal"})
    with pytest.raises(OptionError, match="got 'not_asked'"):
        check_missing_map({77: "not_asked"})  # set by the routing, never by a file
    with pytest.raises(OptionError, match="numbers"):
        check_missing_map({"x": "refused"})
    with pytest.raises(OptionError, match="mapping"):
        check_missing_map([77])


def test_command_line_form():
    assert parse_missing("77=refused,88=dont_know,99=no_answer") == {77: "refused", 88: "dont_know",
                                                                     99: "no_answer"}
    assert parse_missing(" -9 = refused ,") == {-9: "refused"} and parse_missing(None) == {}
    with pytest.raises(OptionError, match="CODE=KIND"):
        parse_missing("77 refused")


@pytest.mark.parametrize(("label", "kind"), [
    ("Refusal", "refused"), ("REFUSED", "refused"), ("Prefer not to say", "refused"),
    ("Ønsker ikke at svare", "refused"),
    ("Don't know", "dont_know"), ("Don\u2019t know", "dont_know"), ("Ved ikke", "dont_know"),
    ("Not applicable", "not_applicable"), ("Skipped", "not_applicable"), ("NA", "not_applicable"),
    ("No answer", "no_answer"), ("Missing", "no_answer"), ("Don't understand the question", "dont_understand"),
    ("Something else", "no_answer"), (None, "no_answer"),
])
def test_kind_from_label(label, kind):
    assert kind_from_label(label) == kind
    assert kind in MISSING_KIND_NAMES


def test_a_range_takes_the_kind_of_its_label():
    info = {"missing_ranges": {"x": [(-9.0, -1.0)]}, "value_labels": {"x": {-9: "Refusal"}}}
    assert declared_missing(info)["x"].ranges == ((-9.0, -1.0, "refused"),)
    assert declared_missing({"user_missing": {"x": []}}) == {}
