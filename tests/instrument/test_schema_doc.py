"""SCHEMA.md's minimal complete example loads, and means what the page says (so the docs cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.instrument import parse_instrument

SCHEMA = Path(toolkit.__file__).parent / "questionnaires" / "SCHEMA.md"


def _example() -> str:
    text = SCHEMA.read_text(encoding="utf-8")
    found = re.search(r"<!-- minimal-example -->\s*```yaml\n(.*?)```\s*<!-- /minimal-example -->", text, re.DOTALL)
    assert found, "SCHEMA.md lost its minimal example block"
    return found.group(1)


@pytest.fixture(scope="module")
def mini():
    return parse_instrument(_example(), file="SCHEMA.md example")


def test_the_minimal_example_is_what_the_page_promises(mini):
    assert mini.languages == ("en",) and mini.outcomes == {} and mini.domains == {}
    rs = mini.response_sets["trust_0_10"]
    assert (rs.min, rs.max) == (0, 10)
    assert mini.missing_codes == {77: "refused", 88: "dont_know", 99: "no_answer"}
    assert mini.missing_codes_of("vote") == {7: "refused", 8: "dont_know"}  # the set's own codes
    assert mini.item("vote").optional
    scale = mini.scales["trust_parliament"]
    assert scale.items == ("trstprl",) and scale.levels == {"low": 0.0, "basic": 4.0, "above_basic": 7.0}


def test_the_minimal_example_scores_builds_and_checks(mini, tmp_path):
    data = pd.DataFrame({"trstprl": [0, 5, 9, 77], "agea": [30, 40, 50, 60]})  # no "vote" column: it is optional
    scores = toolkit.score(toolkit.read_responses(data, mini), mini)
    assert scores["trust_parliament_level"].astype(object).tolist()[:3] == ["low", "basic", "above_basic"]
    assert pd.isna(scores["trust_parliament"].iloc[3])
    rel = toolkit.reliability(data, mini)
    assert rel["coefficient"].tolist() == ["none"] and "one item" in rel["note"].iloc[0]
    paths = toolkit.forms.build(mini, out=tmp_path)
    assert {p.name for p in paths} >= {"trust-mini.xlsx", "trust-mini.en.html", "trust-mini.codebook.en.md"}


def test_the_page_documents_every_missing_kind():
    from toolkit.instrument.vocabulary import MISSING_KIND_NAMES

    text = SCHEMA.read_text(encoding="utf-8")
    assert all(f"`{kind}`" in text for kind in MISSING_KIND_NAMES)
