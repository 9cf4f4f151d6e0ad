"""The report's tables as display rows: CIs, daggers, suppression, labels."""

from __future__ import annotations

import pandas as pd

import toolkit
from toolkit.report import _tables
from toolkit.report._words import Words

WORDS = Words(lang="en", instrument=toolkit.load_instrument("dis-full"), conf_level=0.95, min_cell=5,
              cv_threshold=0.3)


def row(**values) -> pd.Series:
    base = {"estimate": 0.24, "ci_low": 0.22, "ci_high": 0.26, "reliable": True, "suppressed": False}
    return pd.Series({**base, **values})


def test_a_published_cell_carries_its_ci():
    assert _tables.estimate_cell(row(), WORDS) == {"value": "24.0%", "ci": "22.0–26.0%", "dagger": False}


def test_an_unreliable_cell_carries_a_dagger_and_a_suppressed_one_no_numbers():
    assert _tables.estimate_cell(row(reliable=False), WORDS)["dagger"] is True
    assert _tables.estimate_cell(row(estimate=float("nan"), suppressed=True), WORDS) == {
        "suppressed": "suppressed (n\xa0<\xa05)"}


def test_summary_sentences_are_plain_words_with_the_ci(results):
    sentences = {s["outcome"]: s for s in _tables.summary_sentences(results.estimates, WORDS)}
    needs = results.summary().set_index("outcome").loc["needs_help"]
    text = sentences["Needed help with digital public services"]["text"]
    assert text.startswith(f"About {100 * needs['estimate']:.0f}% of residents (95% CI ")
    assert f"{100 * needs['ci_low']:.0f}–{100 * needs['ci_high']:.0f}%" in text
    assert text.endswith("needed help with digital public services in the last year.")


def test_estimate_tables_have_the_overall_row_first_and_a_column_per_outcome(results):
    tables = _tables.estimate_tables(results.estimates, WORDS)
    assert [t["by"] for t in tables] == ["district", "age_band", "gender", "education", "home_lang"]
    district = tables[0]
    assert district["rows"][0]["label"] == "All residents" and district["rows"][1]["label"] == "Nordby"
    assert len(district["columns"]) == results.estimates["outcome"].nunique()


def test_projection_rows_name_districts_and_methods(results):
    (table,) = _tables.projection_tables(results.projection, WORDS)
    first = table["rows"][0]
    assert first["district"] == "Nordby" and first["span"] == 3 and first["method"] == "Direct estimate"
    assert table["rows"][1]["span"] == 0
    assert _tables.projection_tables(pd.DataFrame(), WORDS) == []


def test_model_terms_are_named_by_the_instrument(results):
    rows = _tables.model_rows(results.model.glm_.table, WORDS)
    terms = [r["term"] for r in rows]
    assert terms[0] == "Intercept (reference group)"
    assert "Gender: Man" in terms and "Age band: 75+" in terms
    assert rows[terms.index("Age band: 75+")]["p"] == "< 0.001"


def test_weighting_is_a_row_per_measure(results):
    table = _tables.weighting_table(results.weighting, WORDS)
    assert table["columns"] == ["Design weights", "Raked weights"]
    labels = [r["label"] for r in table["rows"]]
    assert "Effective n (Kish)" in labels and "Converged" in labels


def test_cleaning_rows_split_changes_from_flags(results):
    changes, flags = _tables.cleaning_rows(results.cleaned.totals, WORDS)
    assert changes[0]["label"] == "Rows read"
    assert flags[-1]["label"] == "Respondents with at least one flag"


def test_triage_rows_show_the_suppression_text():
    table = pd.DataFrame({"category": ["a", "b"], "n": pd.array([20, None], dtype="Int64"), "share": [0.8, None],
                          "suppressed": [False, True]})
    rows = _tables.triage_rows(table, WORDS)
    assert rows[0] == {"category": "a", "n": "20", "share": "80.0%"}
    assert rows[1]["n"] == "suppressed (n\xa0<\xa05)" and rows[1]["share"] == ""
