"""triage_summary(): a page for the respondent in English and Danish, text or escaped HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import OptionError
from toolkit.risk.triage.rules import CATEGORIES
from toolkit.risk.triage.summary import triage_summary

ROWS = {
    "offline_alternative": ("offline_exempt", None),
    "assisted_digital": ("several_low; unknown:offline_exempt", None),
    "skills_training": ("low_domain", "bureaucratic"),
    "occasional_advice": ("unknown:sought_help; incomplete", None),
    "independent": ("independent", None),
}


def _row(category):
    ids, domain = ROWS[category]
    return pd.Series({"category": category, "domain": domain, "reasons": "as the triage wrote them",
                      "rule_ids": ids}, name="ps-123")


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("lang, title", [("en", "What might help you"), ("da", "Det kan hjælpe dig")])
def test_every_category_renders_in_both_languages(category, lang, title):
    text = triage_summary(_row(category), lang=lang)
    assert text.startswith(title)
    assert text.count("\n- ") == len(ROWS[category][0].split("; "))
    html = triage_summary(_row(category), lang=lang, output="html")
    assert f'<html lang="{lang}">' in html and title in html


def test_reasons_are_rendered_in_the_page_language():
    da = triage_summary(_row("skills_training"), "dis-full", lang="da")
    assert "lav kompetence inden for ét område: bureaukratisk" in da
    assert "at kende den offentlige sektor" in da
    en = triage_summary(_row("assisted_digital"), lang="en")
    assert "not enough answers for: offline: no internet use" in en


def test_no_identifier_unless_the_helper_passes_a_name():
    row = _row("independent")
    assert "ps-123" not in triage_summary(row) and "ps-123" not in triage_summary(row, output="html")
    assert "Udarbejdet til: Ann" in triage_summary(row, lang="da", name="Ann")


def test_html_is_escaped():
    html = triage_summary(_row("independent"), name="<script>x</script>", output="html")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_unknown_rule_ids_fall_back_to_the_row_reasons():
    row = _row("independent").copy()
    row["rule_ids"], row["reasons"] = "my_rule", "my own reason"
    assert "- my own reason" in triage_summary(row)


def test_a_one_row_frame_is_accepted_and_bad_input_is_not():
    frame = _row("independent").to_frame().T
    assert triage_summary(frame) == triage_summary(_row("independent"))
    with pytest.raises(OptionError, match="one row"):
        triage_summary(pd.concat([frame, frame]))
    with pytest.raises(OptionError, match="output"):
        triage_summary(frame, output="pdf")
    with pytest.raises(OptionError, match="lang"):
        triage_summary(frame, lang="sv")
