"""The model card: required sections (Mitchell et al. 2019, TRIPOD+AI), no identifiers, safe HTML."""

from __future__ import annotations

import re

import pytest

from tests.risk import _helpers
from tests.risk._helpers import toy
from toolkit.errors import OptionError
from toolkit.risk.model import ExclusionRiskModel


def test_model_card_markdown_holds_the_required_sections_and_no_ids():
    model, _ = _helpers.fitted()
    _, data = _helpers.bundled()
    text = model.card(lang="en", source="bundled sample_survey.csv")
    for heading in ("Intended use", "Why group-level planning only", "Data, outcome and predictors", "Model (",
                    "Performance overall and by group", "Calibration", "Limitations", "Uses that are not intended"):
        assert f"## {heading}" in text
    assert "section 7.3" in text and "help_any == 1" in text and "Needed help with digital public services" in text
    assert "1781 of 2028" in text and "`design_weight`" in text
    assert re.search(r"0\.\d{3} \(0\.\d{3} to 0\.\d{3}\)", text)  # figures with intervals
    words = set(re.findall(r"[\w-]+", text))
    assert not words & set(data["respondent_id"].dropna().astype(str))
    assert "Havde brug for hjælp" in model.card(lang="da")
    with pytest.raises(OptionError, match="lang"):
        model.card(lang="xx")


def test_model_card_html_is_self_contained_and_escaped():
    data = toy()
    data["x"] = data["x"].replace({"a": "<script>alert(1)</script>"})
    model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"]).fit(data)
    page = model.card_html()
    assert page.startswith("<!DOCTYPE html>") and page == model.card(format="html")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(src|href)=|https?://|@import", page)
    with pytest.raises(OptionError, match="format"):
        model.card(format="pdf")


def test_model_card_html_holds_no_ids_and_the_same_figures():
    model, _ = _helpers.fitted()
    _, data = _helpers.bundled()
    page = model.card_html()
    assert not set(re.findall(r"[\w-]+", page)) & set(data["respondent_id"].dropna().astype(str))
    auc = f"{model.discrimination_['estimate'].iloc[1]:.3f}"
    assert auc in page and auc in model.card()


def test_card_without_instrument_describes_the_outcome_column_and_shows_suppression():
    data = toy(200)
    data["area"] = ["small" if i < 3 else "large" for i in range(200)]
    text = ExclusionRiskModel(outcome="y", predictors=["x"], by=["area"]).fit(data).card()
    assert "Column `y` of the data" in text and "Source: not recorded." in text
    assert re.search(r"\| area \| small \|  \| suppressed \|", text)
