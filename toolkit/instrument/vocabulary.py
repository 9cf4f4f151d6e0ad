"""The instrument's vocabulary, defined once: item types, missing codes and kinds, levels, metadata columns.

Every other module reads these names from here (or from the loaded
:class:`~toolkit.instrument.Instrument`, which may declare its own missing
codes); none writes its own copy.

Examples
--------
>>> from toolkit.instrument import vocabulary
>>> vocabulary.DEFAULT_MISSING_CODES["dont_know"]
88
>>> vocabulary.MISSING_KINDS[-1]
'not_asked'
"""

from __future__ import annotations

#: Item types an instrument may use, and those answered with codes from a response set.
ITEM_TYPES = ("likert", "knowledge", "single", "multiple", "numeric", "text")
CODED_TYPES = ("likert", "knowledge", "single", "multiple")

#: Kind of missing answer -> its code in the bundled instruments (DigIQ's convention: 66 "don't
#: understand", 88 "don't know", 99 "rather not say").
DEFAULT_MISSING_CODES = {"dont_know": 88, "refused": 99, "dont_understand": 66}
#: Code of "don't know": on a knowledge item it counts as incorrect, not as missing.
DONT_KNOW = DEFAULT_MISSING_CODES["dont_know"]
#: Every kind of missing answer in cleaned data, in the order of the ``<item>_missing`` categories:
#: the coded kinds, then ``not_asked`` (skipped by the routing).
MISSING_KINDS = (*DEFAULT_MISSING_CODES, "not_asked")

#: Competence levels of a scale, lowest first (an ordered category in scored data).
LEVELS = ("low", "basic", "above_basic")

#: The canonical metadata columns of a response file.
METADATA_COLUMNS = ("respondent_id", "district", "stratum", "design_weight", "mode", "duration_sec")
#: Metadata columns that hold numbers (cleaned as non-negative numbers).
NUMERIC_METADATA = ("duration_sec", "design_weight")

__all__ = ["ITEM_TYPES", "CODED_TYPES", "DEFAULT_MISSING_CODES", "DONT_KNOW", "MISSING_KINDS", "LEVELS",
           "METADATA_COLUMNS", "NUMERIC_METADATA"]
