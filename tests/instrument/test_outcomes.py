"""Outcome evaluation: every declared outcome per respondent, one rule for survey data and the simulator's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ResponseError
from toolkit.instrument import load_instrument
from toolkit.instrument.outcomes import evaluate_outcomes, kleene, rule_frame
from toolkit.instrument.rules import parse

INST = load_instrument("dis-full")


@pytest.fixture(scope="module")
def scored():
    data = toolkit.datasets.load("sample_survey.csv")
    cleaned = toolkit.clean(data, INST, pseudonym_key="k")
    return cleaned.data, toolkit.score(cleaned.data, INST)


def test_every_outcome_is_a_nullable_boolean_column_on_the_data_index(scored):
    data, scores = scored
    out = evaluate_outcomes(data, scores, INST)
    assert list(out.columns) == list(INST.outcomes) and "excluded_any" in out
    assert out.index.equals(data.index) and all(str(t) == "boolean" for t in out.dtypes)


def test_where_known_it_agrees_with_the_two_valued_rule(scored):
    data, scores = scored
    both = pd.concat([data, scores], axis=1)
    out = evaluate_outcomes(data, scores, INST)
    for oid, outcome in INST.outcomes.items():
        two_valued = INST.evaluate(outcome.parsed, both)
        known = out[oid].notna()
        assert (out[oid][known] == two_valued[known]).all(), oid
        assert not out[oid][~known].any() and not two_valued[~known].any(), oid  # unknown was False


def test_excluded_any_is_the_kleene_or_of_the_other_outcomes(scored):
    data, scores = scored
    out = evaluate_outcomes(data, scores, INST)
    others = out.drop(columns="excluded_any")
    expected = others.any(axis=1, skipna=True)
    expected = expected.where(expected | others.notna().all(axis=1), pd.NA).astype("boolean")
    assert out["excluded_any"].equals(expected.rename("excluded_any"))


KLEENE = [  # rule, a, b -> expected
    ("a == 1 or b == 1", [1, 2, None, None, 2], [None, None, 1, 2, 2], [True, None, True, None, False]),
    ("a == 1 and b == 1", [1, 2, None, None, 1], [None, None, 1, 2, 1], [None, False, None, False, True]),
    ("not a == 1", [1, 2, None, None, None], [1] * 5, [False, True, None, None, None]),
    ("not (a == 1 or b == 1)", [2, 2, None, 1, None], [2, None, 1, None, None],
     [True, None, False, False, None]),
]


@pytest.mark.parametrize("rule, a, b, expected", KLEENE, ids=[k[0] for k in KLEENE])
def test_three_valued_logic(rule, a, b, expected):
    true, false = kleene(parse(rule), pd.DataFrame({"a": a, "b": b}, dtype=float), {})
    got = [True if t else False if f else None for t, f in zip(true, false, strict=True)]
    assert got == expected


def test_missing_codes_and_blank_selections_are_unknown():
    frame = pd.DataFrame({"a": [88.0, 1.0], "m": ["88", " "]})
    true, false = kleene(parse("a == 1 or selected(m, 1)"), frame, {"a": {88}, "m": {88}})
    assert true.tolist() == [False, True] and false.tolist() == [False, False]


def test_a_column_in_neither_data_nor_scores_names_the_outcome():
    with pytest.raises(ResponseError, match="outcome 'offline'.*net_use_3m"):
        evaluate_outcomes(pd.DataFrame({"dp_exempt": [1]}), pd.DataFrame(index=[0]), INST)


def test_mapping_input_takes_the_index_of_the_scores():
    data = {"net_use_3m": np.array([2.0, 1.0, 88.0]), "dp_exempt": np.array([1.0, 2.0, 2.0]),
            "help_any": np.array([1.0, 2.0, np.nan])}
    levels = {s.level_column: ["low", "basic", "above_basic"] for s in INST.scales.values()}
    scores = pd.DataFrame(levels, index=[10, 11, 12])
    out = evaluate_outcomes(data, scores, INST)
    assert list(out.index) == [10, 11, 12]
    assert out["offline"].tolist() == [True, False, pd.NA]  # 88 is "don't know": unknown, not "no"
    assert out["needs_help"].tolist() == [True, False, pd.NA]
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


def test_evaluated_on_distinct_rows_as_on_every_row(scored):
    """The rules run once per distinct row of their inputs; the masks are those of every row."""
    data, scores = scored
    inst = load_instrument("dis-full")
    out = evaluate_outcomes(data, scores, inst)
    for oid, outcome in inst.outcomes.items():
        names = outcome.parsed.variables()
        every = rule_frame({**{k: data[k] for k in names if k not in scores},
                            **{k: scores[k].to_numpy() for k in names if k in scores}}, names)
        true, false = kleene(outcome.parsed, every, inst.missing_by_column)
        expected = pd.array(true, dtype="boolean")
        expected[~(true | false)] = pd.NA
        pd.testing.assert_extension_array_equal(out[oid].array, expected)


def test_distinct_rows_count_missing_values_as_one():
    from toolkit.instrument.outcomes import _distinct_rows

    cols = {"a": pd.Series([1.0, np.nan, 1.0, np.nan]), "b": np.array(["x", None, "x", np.nan], dtype=object)}
    distinct, rows = _distinct_rows(cols)
    assert rows[0] == rows[2] and rows[1] == rows[3] and rows[0] != rows[1] and len(distinct["b"]) == 2
    assert distinct["a"].iloc[rows[0]] == 1.0 and distinct["b"][rows[0]] == "x" and pd.isna(distinct["b"][rows[1]])
