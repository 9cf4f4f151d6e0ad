"""Triage: one support recommendation per respondent, for the person being helped.

``triage(data, scores, instrument)`` turns a respondent's answers to the
screener (``dis-screener``) or the full survey (``dis-full``) into one of five
categories, highest priority first:

* ``offline_alternative`` -- an offline route is needed (offline and exempt
  from Digital Post, no device, or cannot and will not go online);
* ``assisted_digital`` -- someone completes the task with them (low in
  several competence domains, relies on others for Digital Post, ...);
* ``skills_training`` -- training in one named domain (``domain``: the
  weakest low one of practical, cognitive, navigation, bureaucratic);
* ``occasional_advice`` -- mostly fine, sought help recently or one weak spot;
* ``independent`` -- every condition could be checked and none holds.

Each row carries the reasons that triggered it. The rules are transparent and
configurable: a YAML file (bundled: ``toolkit/risk/data/triage.yaml``, for
both instruments) whose conditions are written in the instrument's rule
language and checked against the instrument on load. Missing answers make a
condition unknown rather than false, and are noted ("not enough answers for
..."); see ``toolkit/risk/TRIAGE.md`` for the rules, the missing-answers
policy and the rationale (UK GDS "assisted digital", the field notes).

* :mod:`.rules` -- read and check a rules file (:func:`load_rules`).
* :mod:`.evaluate` -- three-valued evaluation and :func:`triage`.
* :mod:`.summary` -- :func:`triage_summary`, a printable text or HTML page
  addressed to the respondent, in English or Danish.
* :mod:`.validate` -- :func:`validate_screener`: the screener's triage
  against the full questionnaire's, design-based.

Guardrail (DESIGN.md, FIELD-NOTES.md): person-level output exists only as
triage for the person being helped, with their consent. No function here
adds identifiers or links a recommendation to other records; a summary
names the person only if the helper passes a name.

Examples
--------
>>> from toolkit.risk.triage import CATEGORIES
>>> CATEGORIES[0], CATEGORIES[-1]
('offline_alternative', 'independent')
"""

from toolkit.risk.triage.evaluate import triage
from toolkit.risk.triage.rules import CATEGORIES, TriageRule, TriageRules, load_rules
from toolkit.risk.triage.summary import triage_summary
from toolkit.risk.triage.validate import SUPPORT, ScreenerValidation, validate_screener

__all__ = ["triage", "triage_summary", "validate_screener", "ScreenerValidation", "CATEGORIES", "SUPPORT",
           "TriageRule", "TriageRules", "load_rules"]
