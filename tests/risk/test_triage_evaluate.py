"""triage(): one category per respondent with its reasons, on the bundled samples and by property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.errors import OptionError, ResponseError
from toolkit.instrument import parse_rule
from toolkit.risk.triage import CATEGORIES, triage
from toolkit.risk.triage.evaluate import Evaluator
from toolkit.risk.triage.rules import default_rules_path

SCREENER = toolkit.load_instrument("dis-screener")


def score_screener(data):
    """toolkit.score on the screener (its self-report scales have one item each)."""
    return toolkit.score(data, SCREENER)


@pytest.fixture(scope="module")
def screener():
    raw = toolkit.read_responses(toolkit.datasets.path("sample_screener.csv"), "dis-screener")
    data = toolkit.clean(raw, "dis-screener", pseudonym_key="x").data
    return data, score_screener(data)


@pytest.fixture(scope="module")
def full():
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
    data = toolkit.clean(raw, "dis-full", pseudonym_key="x").data
    return data, toolkit.score(data, "dis-full")


def _person(**answers):
    """One screener respondent: every question answered 'don't know' unless given."""
    data = pd.DataFrame({i: [answers.get(i, 88)] for i in SCREENER.item_ids})
    levels = {f"{s}_level": [answers.get(f"{s}_level", "above_basic")] for s in SCREENER.scales}
    return data, pd.DataFrame(levels)


def test_every_screener_respondent_gets_one_category_with_reasons(screener):
    data, scores = screener
    out = triage(data, scores, "dis-screener")
    assert out.index.equals(data.index) and len(out) == len(data)
    assert out["category"].cat.ordered and list(out["category"].cat.categories) == list(CATEGORIES)
    assert out["category"].notna().all()
    assert (out["reasons"].str.len() > 0).all() and (out["rule_ids"].str.len() > 0).all()
    training = out["category"] == "skills_training"
    assert out.loc[training, "domain"].notna().all() and out.loc[~training, "domain"].isna().all()
    assert set(out.columns) == {"category", "domain", "reasons", "rule_ids"}


def test_full_survey_triage_uses_its_richer_rules(full):
    data, scores = full
    out = triage(data, scores, "dis-full", lang="da")
    assert out["rule_ids"].str.contains("proxy").any()
    assert out["reasons"].str.contains("Digital Post").any()
    assert out["category"].value_counts().gt(0).all()


def test_order_and_index_are_kept(full):
    data, scores = full
    perm = np.random.default_rng(3).permutation(len(data))
    labels = pd.Index([f"p{i}" for i in range(len(data))])
    out = triage(data.iloc[perm].set_axis(labels), scores.iloc[perm].set_axis(labels), "dis-full")
    assert out.index.equals(labels)
    expected = triage(data, scores, "dis-full").iloc[perm]
    assert (out["rule_ids"].to_numpy() == expected["rule_ids"].to_numpy()).all()


def test_screener_lets_full_knowledge_overrule_one_low_self_report_item():
    base = {i: 3 for i in SCREENER.item_ids} | {"net_use_3m": 1, "dp_exempt": 2, "help_any": 2,
                                                "practical_sr_level": "low"}
    assert triage(*_person(**base), "dis-screener").loc[0, "category"] == "independent"
    out = triage(*_person(**base, practical_kn_level="basic"), "dis-screener")
    assert (out.loc[0, "category"], out.loc[0, "domain"]) == ("skills_training", "practical")


def test_offline_and_exempt_needs_an_offline_alternative():
    out = triage(*_person(net_use_3m=2, dp_exempt=1, help_any=1), "dis-screener")
    assert out.loc[0, "category"] == "offline_alternative"
    assert out.loc[0, "reasons"].startswith("offline: no internet use in the last 3 months")


def test_low_in_one_domain_names_the_domain():
    data, scores = _person(net_use_3m=1, dp_exempt=2, help_any=2, cognitive_kn_level="low")
    out = triage(data, scores, "dis-screener")
    assert (out.loc[0, "category"], out.loc[0, "domain"]) == ("skills_training", "cognitive")
    assert "social and cognitive" in out.loc[0, "reasons"]


def test_weakest_low_domain_is_chosen_by_scores():
    section = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))["instruments"]["dis-screener"]
    section["rules"] = [r for r in section["rules"] if r["id"] == "low_domain"]
    data, scores = _person(net_use_3m=1, dp_exempt=2, help_any=2, navigation_kn_level="basic",
                           bureaucratic_kn_level="basic")
    scores["navigation_sr_level"], scores["navigation_sr"] = "low", 2.0
    scores["bureaucratic_sr_level"], scores["bureaucratic_sr"] = "low", 1.0
    out = triage(data, scores, SCREENER, rules=section)
    assert (out.loc[0, "category"], out.loc[0, "domain"]) == ("skills_training", "bureaucratic")
    scores["navigation_sr"] = 1.0  # a tie goes to the domain listed first
    assert triage(data, scores, SCREENER, rules=section).loc[0, "domain"] == "navigation"


def test_missing_answers_are_noted_not_read_as_no():
    out = triage(*_person(net_use_3m=1, dp_exempt=2), "dis-screener")  # help_any: don't know
    assert out.loc[0, "category"] == "occasional_advice"
    assert "not enough answers for: someone helped" in out.loc[0, "reasons"]
    assert out.loc[0, "rule_ids"].endswith("incomplete")


def test_too_few_answers_is_an_incomplete_screening():
    data, scores = _person(net_use_3m=1, dp_exempt=2, help_any=2)
    out = triage(data, scores, "dis-screener")
    assert out.loc[0, "category"] == "occasional_advice"
    assert "incomplete screening: ask in person" in out.loc[0, "reasons"]


def test_independent_is_a_finding_with_its_reason():
    answers = {i: 3 for i in SCREENER.item_ids} | {"net_use_3m": 1, "dp_exempt": 2, "help_any": 2}
    out = triage(*_person(**answers), "dis-screener", lang="da")
    assert out.loc[0, "category"] == "independent"
    assert out.loc[0, "reasons"].startswith("ingen af betingelserne")


def test_skipped_items_are_not_missing_answers():
    ev = Evaluator(pd.DataFrame({"dp_exempt": [1, None], "dp_read": [None, None]}), toolkit.load_instrument("dis-full"))
    true, unknown = ev.truth(parse_rule("dp_read == 4 or dp_exempt == 1"))
    assert true.tolist() == [True, False] and unknown.tolist() == [False, True]


def test_bad_arguments():
    data, scores = _person()
    with pytest.raises(OptionError, match="lang"):
        triage(data, scores, "dis-screener", lang="fr")
    with pytest.raises(ResponseError, match="same rows"):
        triage(data, scores.set_axis(["x"]), "dis-screener")
    with pytest.raises(ResponseError, match="need column"):
        triage(data.drop(columns="help_any"), scores, "dis-screener")


def test_user_rules_as_a_dict():
    rules = {"rules": [{"id": "asked", "category": "assisted_digital", "when": "help_any == 1",
                        "reason": {"en": "asked for help", "da": "bad om hjælp"}}]}
    out = triage(*_person(help_any=1), "dis-screener", rules=rules)
    assert out.loc[0, ["category", "rule_ids"]].tolist() == ["assisted_digital", "asked"]


CODES = st.sampled_from([1, 2, 3, 4, 5, 88, 99, None])
LEVEL = st.sampled_from(["low", "basic", "above_basic", None])


@st.composite
def screener_rows(draw):
    n = draw(st.integers(1, 6))
    data = pd.DataFrame({i: draw(st.lists(CODES, min_size=n, max_size=n)) for i in SCREENER.item_ids},
                        dtype=float)
    for i in ("net_use_3m", "dp_exempt", "help_any"):
        data[i] = data[i].where(data[i].isin([1, 2, 88, 99]))
    scores = pd.DataFrame({f"{s}_level": draw(st.lists(LEVEL, min_size=n, max_size=n)) for s in SCREENER.scales})
    for s in SCREENER.scales:
        scores[s] = np.where(scores[f"{s}_level"].isna(), np.nan, draw(st.floats(0, 1)))
    return data, scores


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(screener_rows(), st.randoms())
def test_a_row_does_not_depend_on_other_rows_or_column_order(rows, rnd):
    data, scores = rows
    whole = triage(data, scores, SCREENER)
    for i in range(len(data)):
        alone = triage(data.iloc[[i]], scores.iloc[[i]], SCREENER)
        pd.testing.assert_frame_equal(alone, whole.iloc[[i]], check_categorical=False)
    cols, score_cols = list(data.columns), list(scores.columns)
    rnd.shuffle(cols)
    rnd.shuffle(score_cols)
    pd.testing.assert_frame_equal(triage(data[cols], scores[score_cols], SCREENER), whole)


def test_no_respondents_gives_an_empty_result():
    data = pd.DataFrame({i: pd.Series([], dtype=float) for i in SCREENER.item_ids})
    scores = pd.DataFrame({f"{s}_level": pd.Series([], dtype=object) for s in SCREENER.scales})
    out = triage(data, scores, SCREENER)
    assert out.empty and list(out.columns) == ["category", "domain", "reasons", "rule_ids"]


def test_joined_reasons_per_row_as_joined_one_by_one():
    from toolkit.risk.triage.evaluate import _joined

    rng = np.random.default_rng(3)
    n = 200
    pieces = [(rng.choice(np.array(["a", "b", "c"], dtype=object), n), rng.random(n) < 0.5),
              ("fixed", rng.random(n) < 0.3), ("", rng.random(n) < 0.2),
              (rng.choice(np.array(["x", "y"], dtype=object), n), rng.random(n) < 0.6)]
    expected = ["; ".join(t if isinstance(t, str) else t[i] for t, m in pieces if m[i]) for i in range(n)]
    assert _joined(pieces, n).tolist() == expected
    # the same texts given as (distinct texts, each row's number)
    numbered = []
    for text, mask in pieces:
        if not isinstance(text, str):
            codes, texts = pd.factorize(text)
            text = (np.asarray(texts, dtype=object), codes)
        numbered.append((text, mask))
    assert _joined(numbered, n).tolist() == expected
    assert _joined([("a", np.zeros(0, bool))], 0).tolist() == []
