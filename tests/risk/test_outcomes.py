"""risk.outcomes: the declared outcomes per respondent, missing where their inputs are missing."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.errors import ResponseError
from toolkit.risk.outcomes import outcomes

INST = toolkit.load_instrument("dis-full")


@pytest.fixture(scope="module")
def sample():
    cleaned = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), INST, pseudonym_key="x")
    return cleaned.data, toolkit.score(cleaned.data, INST)


def test_on_the_sample_it_equals_the_instrument_rules(sample):
    data, scores = sample
    out = outcomes(data, scores, "dis-full")
    both = pd.concat([data, scores], axis=1)
    assert list(out.columns) == list(INST.outcomes)
    for oid, outcome in INST.outcomes.items():
        rule = INST.evaluate(outcome.rule, both)
        known = out[oid].notna()
        assert (out[oid][known] == rule[known]).all(), oid
    assert out["offline"].isna().sum() == data["net_use_3m"].isna().sum()  # unknown exactly where unanswered


def _value(x):
    return None if pd.isna(x) else bool(x)


def _one_person(**answers):
    base = {"net_use_3m": 1.0, "dp_exempt": 2.0, "help_any": 2.0}
    data = pd.DataFrame([{**base, **answers}])
    levels = pd.DataFrame([{s.level_column: "basic" for s in INST.scales.values()}])
    return data, levels


@pytest.mark.parametrize("answers, offline, excluded_any", [
    ({}, False, False),
    ({"net_use_3m": None}, None, None),  # nothing else is true: unknown
    ({"net_use_3m": 88.0}, None, None),  # "don't know" is missing too
    ({"net_use_3m": None, "help_any": 1.0}, None, True),  # a known true part decides the or
    ({"net_use_3m": 2.0, "dp_exempt": None}, True, True),
])
def test_missing_inputs_propagate(answers, offline, excluded_any):
    data, levels = _one_person(**answers)
    out = outcomes(data, levels, INST).iloc[0]
    assert _value(out["offline"]) is offline and _value(out["excluded_any"]) is excluded_any


def test_a_missing_scale_level_makes_low_unknown_not_false():
    data, levels = _one_person()
    levels.loc[0, "practical_kn_level"] = None
    out = outcomes(data, levels, INST).iloc[0]
    assert _value(out["low_practical"]) is None
    levels.loc[0, "practical_sr_level"] = "low"
    assert _value(outcomes(data, levels, INST).iloc[0]["low_practical"]) is True


def test_columns_missing_from_the_data_are_an_error_naming_outcome_and_columns():
    data, levels = _one_person()
    with pytest.raises(ResponseError, match=r"outcome 'needs_help' \(help_any == 1\) needs column\(s\) help_any"):
        outcomes(data.drop(columns="help_any"), levels, INST)
    with pytest.raises(ResponseError, match="low_practical.*practical_kn_level, practical_sr_level"):
        outcomes(data, levels.drop(columns=["practical_kn_level", "practical_sr_level"]), INST)


def test_inputs_are_checked():
    data, levels = _one_person()
    with pytest.raises(ResponseError, match="scores must be a pandas DataFrame"):
        outcomes(data, {"x": [1]}, INST)
    with pytest.raises(ResponseError, match="1 rows but scores has 2"):
        outcomes(data, pd.concat([levels, levels]), INST)


def test_the_screener_declares_excluded_any_too():
    assert "excluded_any" in toolkit.load_instrument("dis-screener").outcomes
