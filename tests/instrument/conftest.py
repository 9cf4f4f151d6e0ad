"""A minimal ESS-like instrument: one language, a 0-10 scale with levels, ESS's missing codes, no outcomes."""

from __future__ import annotations

import copy

import pytest

ESS = {
    "id": "ess-trust",
    "version": "1",
    "languages": ["en"],
    "title": {"en": "Trust in institutions (ESS round 10 items)"},
    "missing_codes": [
        {"code": 77, "kind": "refused", "en": "Refusal"},
        {"code": 88, "kind": "dont_know", "en": "Don't know"},
        {"code": 99, "kind": "no_answer", "en": "No answer"},
    ],
    "response_sets": {
        "trust_0_10": [{"code": 0, "en": "No trust at all"},
                       *({"code": k, "en": str(k)} for k in range(1, 10)),
                       {"code": 10, "en": "Complete trust"}],
        "gender": {"codes": [{"code": 1, "en": "Male"}, {"code": 2, "en": "Female"}],
                   "missing_codes": [{"code": 9, "kind": "no_answer", "en": "No answer"}]},
    },
    "sections": [
        {"id": "trust", "label": {"en": "Trust"}, "items": [
            {"id": "trstprl", "type": "likert", "response_set": "trust_0_10", "text": {"en": "Trust in parliament"}},
            {"id": "trstlgl", "type": "likert", "response_set": "trust_0_10",
             "text": {"en": "Trust in the legal system"}},
            {"id": "trstplc", "type": "likert", "response_set": "trust_0_10", "text": {"en": "Trust in the police"},
             "optional": True},
            {"id": "trstep", "type": "likert", "response_set": "trust_0_10",
             "text": {"en": "Trust in the European Parliament"}},
        ]},
        {"id": "background", "label": {"en": "Background"}, "items": [
            {"id": "gndr", "type": "single", "response_set": "gender", "text": {"en": "Gender"}},
            {"id": "agea", "type": "numeric", "min": 15, "max": 120, "text": {"en": "Age"}},
        ]},
    ],
    "scales": {
        "trust": {"kind": "self_report", "items": ["trstprl", "trstlgl", "trstplc"], "min_valid": 2,
                  "levels": {"basic": 4, "above_basic": 7}, "label": {"en": "Institutional trust"}},
        "trust_ep": {"kind": "self_report", "items": ["trstep"], "min_valid": 1, "levels": {"basic": 5}},
    },
}


@pytest.fixture
def ess_doc():
    """The ESS-like instrument as a dict (a fresh copy for each test)."""
    return copy.deepcopy(ESS)
