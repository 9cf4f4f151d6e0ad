"""Outcome evaluation: every declared outcome per respondent, one rule for survey data and the simulator's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.instrument import load_instrument
from toolkit.instrument.outcomes import evaluate_outcomes, rule_frame

INST = load_instrument("dis-full")


@pytest.fixture(scope="module")
def scored():
    data = toolkit.datasets.load("sample_survey.csv")
    cleaned = toolkit.clean(data, INST, pseudonym_key="k")
    return cleaned.data, toolkit.score(cleaned.data, INST)


def test_every_outcome_is_a_bool_column_on_the_data_index(scored):
    data, scores = scored
    out = evaluate_outcomes(data, scores, INST)
    assert list(out.columns) == list(INST.outcomes)
    assert out.index.equals(data.index) and all(pd.api.types.is_bool_dtype(t) for t in out.dtypes)


def test_agrees_with_evaluating_each_rule_on_data_and_scores(scored):
    data, scores = scored
    both = pd.concat([data, scores], axis=1)
    out = evaluate_outcomes(data, scores, INST)
    for oid, outcome in INST.outcomes.items():
        assert out[oid].equals(INST.evaluate(outcome.parsed, both).rename(oid)), oid


def test_mapping_input_takes_the_index_of_the_scores():
    data = {"net_use_3m": np.array([2.0, 1.0, 88.0]), "dp_exempt": np.array([1.0, 2.0, 2.0]),
            "help_any": np.array([1.0, 2.0, np.nan])}
    levels = {s.level_column: ["low", "basic", "above_basic"] for s in INST.scales.values()}
    scores = pd.DataFrame(levels, index=[10, 11, 12])
    out = evaluate_outcomes(data, scores, INST)
    assert list(out.index) == [10, 11, 12]
    assert out["offline"].tolist() == [True, False, False]  # 88 is "don't know", not "no"
    assert out["needs_help"].tolist() == [True, False, False]
    assert out["low_practical"].tolist() == [True, False, False]


def test_a_name_in_the_scores_wins_over_the_data():
    data = pd.DataFrame({"net_use_3m": [1, 1], "dp_exempt": [2, 2], "help_any": [2, 2],
                         "practical_kn_level": ["low", "low"]})
    levels = pd.DataFrame({s.level_column: ["basic", "basic"] for s in INST.scales.values()})
    assert not evaluate_outcomes(data, levels, INST)["low_practical"].any()


def test_rule_frame_keeps_text_as_object():
    small = rule_frame({"b": np.array(["1 3", None], dtype=object), "a": np.array([1.0, np.nan]), "c": [0]},
                       {"a", "b"})
    assert small.columns.tolist() == ["a", "b"]
    assert small["b"].dtype == object and small["a"].dtype == float
