"""Triage rules: the bundled file loads for both instruments; mistakes are reported by file, rule and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from toolkit.errors import InstrumentError
from toolkit.risk.triage.rules import CATEGORIES, default_rules_path, load_rules


def _one(**change):
    rule = {"id": "r1", "category": "assisted_digital", "when": "proxy in [1, 2]",
            "reason": {"en": "someone else handles it", "da": "en anden klarer det"}}
    rule.update(change)
    return {"rules": [rule]}


def _problems(rules, instrument="dis-full"):
    with pytest.raises(InstrumentError) as info:
        load_rules(rules, instrument)
    return info.value.problems, str(info.value)


@pytest.mark.parametrize("instrument", ["dis-full", "dis-screener"])
def test_bundled_rules_load_for_both_instruments(instrument):
    spec = load_rules(None, instrument)
    assert spec.instrument == instrument
    assert {r.category for r in spec.rules} == set(CATEGORIES[:-1])
    assert set(spec.training) == {"practical", "cognitive", "navigation", "bureaucratic"}
    assert all(r.reason["en"] and r.reason["da"] for r in spec.rules)


def test_screener_rules_use_only_screener_items():
    full = {r.id for r in load_rules(None, "dis-full").rules}
    screener = {r.id for r in load_rules(None, "dis-screener").rules}
    assert screener < full


def test_typo_in_an_item_id_names_file_rule_and_field():
    problems, message = _problems(_one(when="proxyy in [1, 2]"))
    assert problems.loc[0, ["file", "rule", "field"]].tolist() == ["<rules dict>", "r1", "when"]
    assert "'proxyy'" in message and "dis-full" in message


def test_errors_from_a_file_name_the_file(tmp_path):
    spec = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    broken = copy.deepcopy(spec)
    broken["instruments"]["dis-screener"]["rules"][0]["when"] = "offline == 1 and exempt = 1"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    problems, message = _problems(path, "dis-screener")
    assert message.startswith(str(path))
    assert problems.loc[0, "rule"] == "offline_exempt" and "cannot parse" in problems.loc[0, "message"]


@pytest.mark.parametrize("change, field, words", [
    ({"category": "paper"}, "category", "must be one of"),
    ({"when": "proxy == 7"}, "when", "has no code 7"),
    ({"when": "proxy == 88"}, "when", "missing codes never compare true"),
    ({"when": "devices == 5"}, "when", "selected(...)"),
    ({"when": "practical_kn_level == 'poor'"}, "when", "'low'"),
    ({"when": "offline == 2"}, "when", "1 (holds) or 0"),
    ({"reason": {"en": "only English"}}, "reason.da", "missing or empty"),
    ({"reason": {"en": "a {place}", "da": "et {sted}"}}, "reason.en", "{domain}"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"id": "two words"}, "id", "must be a name"),
])
def test_each_kind_of_mistake_is_reported(change, field, words):
    problems, _ = _problems(_one(**change))
    row = problems[problems["field"] == field]
    assert len(row) == 1 and words in row["message"].iloc[0]


def test_every_problem_is_reported_at_once():
    rules = _one(when="nope == 1")
    rules["rules"].append({"id": "r1", "category": "independent", "when": "help_any == 1",
                           "reason": {"en": "x", "da": "x"}})
    rules["completeness"] = {"items": ["net_use_3m", "ghost"], "min_answered": 5}
    problems, _ = _problems(rules)
    assert len(problems) == 5


def test_counts_and_training_are_checked():
    rules = _one(when="n_low >= 2")
    rules["counts"] = {"n_low": ["low_practical == 1", "low_cognitve == 1"]}
    rules["training"] = {"maths": "low_practical == 1"}
    problems, _ = _problems(rules)
    assert set(problems["rule"]) == {"counts.n_low", "training"}


def test_unknown_instrument_section_is_named():
    with pytest.raises(InstrumentError, match="no triage rules for 'dis-full'; it has: other"):
        load_rules({"instruments": {"other": {}}}, "dis-full")


def test_unreadable_file_is_one_clear_error(tmp_path):
    with pytest.raises(InstrumentError, match="cannot read the triage rules"):
        load_rules(tmp_path / "absent.yaml", "dis-full")
    (tmp_path / "bad.yaml").write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid YAML"):
        load_rules(tmp_path / "bad.yaml", "dis-full")
