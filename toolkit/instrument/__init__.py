"""Questionnaire definitions: load and validate instrument YAML.

``load_instrument("dis-full")`` (or a path to a YAML file) returns an
:class:`Instrument`: items in questionnaire order, response sets with their
missing codes (the instrument's, 66/88/99 by default, or a set's own; ask
:meth:`Instrument.missing_codes_of` for an item's), domains, sections, scales
and outcomes, in any languages.
Skip rules and outcome rules use the small expression language of
:mod:`toolkit.instrument.rules`; :func:`evaluate_outcomes` applies the outcome
rules, and :mod:`toolkit.instrument.derived` holds derived variables such as
:func:`age_band`. The YAML schema is documented in questionnaires/SCHEMA.md;
``ditk questionnaire check FILE`` validates a file.
"""

from toolkit.instrument.derived import AGE_BANDS, age_band
from toolkit.instrument.loader import available_instruments, load_instrument, parse_instrument
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.instrument.rules import Rule, RuleSyntaxError, parse as parse_rule
from toolkit.instrument.vocabulary import (
    CODED_TYPES, DEFAULT_MISSING_CODES, ITEM_TYPES, LEVELS, METADATA_COLUMNS, MISSING_KIND_NAMES, MISSING_KINDS,
)
from toolkit.instrument.schema import (
    Code, Domain, Instrument, Item, Outcome, ResponseSet,
    Scale, Section,
)

__all__ = [
    "load_instrument", "parse_instrument", "available_instruments", "Instrument", "Item", "Code",
    "ResponseSet", "Domain", "Section", "Scale", "Outcome", "Rule", "RuleSyntaxError", "parse_rule",
    "ITEM_TYPES", "CODED_TYPES", "MISSING_KIND_NAMES", "MISSING_KINDS", "DEFAULT_MISSING_CODES", "LEVELS",
    "METADATA_COLUMNS", "evaluate_outcomes", "age_band", "AGE_BANDS",
]
