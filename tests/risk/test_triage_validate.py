"""validate_screener(): the screener's triage against the full one on the bundled full sample."""

from __future__ import annotations

import pytest

import toolkit
from toolkit.errors import ResponseError
from toolkit.risk.triage.validate import ScreenerValidation, validate_screener
from toolkit.survey import Design


@pytest.fixture(scope="module")
def full():
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
    data = toolkit.clean(raw, "dis-full", pseudonym_key="x").data
    return data, toolkit.score(data, "dis-full")


@pytest.fixture(scope="module")
def result(full):
    return validate_screener(*full, "dis-full", "dis-screener")


def test_reports_agreement_sensitivity_specificity_with_cis(result):
    m = result.summary().set_index("measure")
    assert list(m.index) == ["agreement", "sensitivity", "specificity"]
    assert ((m["ci_low"] < m["estimate"]) & (m["estimate"] < m["ci_high"])).all()
    assert m["estimate"].between(0, 1).all()
    assert m.loc["sensitivity", "n"] + m.loc["specificity", "n"] == m.loc["agreement", "n"]
    print(m.round(3).to_string())  # the figures the report quotes (pytest -s)


def test_confusion_table_is_weighted_and_published_through_the_disclosure_policy(result, full):
    table = result.confusion
    assert {"full", "screener", "n", "count", "share", "suppressed", "note"} <= set(table.columns)
    visible = table[~table["suppressed"]]
    assert visible["n"].min() >= 5
    assert table["n"].sum(skipna=True) <= len(full[0])
    agree = table.loc[table["full"] == table["screener"], "share"].sum()
    assert agree == pytest.approx(result.summary().set_index("measure").loc["agreement", "estimate"], abs=0.05)


def test_an_explicit_design_gives_the_same_figures(result, full):
    data, scores = full
    design = Design(data, weights="design_weight", strata="stratum")
    again = validate_screener(data, scores, "dis-full", "dis-screener", design=design)
    assert isinstance(again, ScreenerValidation)
    assert again.summary()["estimate"].tolist() == pytest.approx(result.summary()["estimate"].tolist())


def test_data_without_the_screener_items_is_refused(full):
    data, scores = full
    with pytest.raises(ResponseError, match="help_any"):
        validate_screener(data.drop(columns="help_any"), scores, "dis-full", "dis-screener")
