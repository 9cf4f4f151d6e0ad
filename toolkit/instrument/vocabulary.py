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

from collections.abc import Mapping

import numpy as np
import pandas as pd

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
MISSING_KIND_NAMES = ("dont_know", "refused", "dont_understand", "not_applicable", "no_answer")
MISSING_KINDS = (*MISSING_KIND_NAMES, "not_asked")

#: Competence levels of a scale, lowest first (an ordered category in scored data).
LEVELS = ("low", "basic", "above_basic")



def classify_levels(scores: pd.Series, bounds: Mapping[str, float], name: str | None = None) -> pd.Series:
    """Levels from inclusive lower bounds, as an ordered category of the levels in ``bounds``.

    A score below the lowest bound gets the lowest level; NaN stays missing.
    This is the one level classifier: ``Scale.classify`` and ``toolkit.score`` use it.

    Examples
    --------
    >>> s = classify_levels(pd.Series([0, 2, 3, 4, None]), {"low": 0, "basic": 2, "above_basic": 4})
    >>> s.tolist()
    ['low', 'basic', 'basic', 'above_basic', nan]
    >>> s.cat.ordered, list(s.cat.categories)
    (True, ['low', 'basic', 'above_basic'])
    """
    names = [lv for lv in LEVELS if lv in bounds]
    cut = np.array([bounds[lv] for lv in names], dtype=float)
    x = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    idx = np.clip(np.searchsorted(cut, x, side="right") - 1, 0, len(names) - 1)
    codes = np.where(np.isnan(x), -1, idx)
    return pd.Series(pd.Categorical.from_codes(codes, categories=names, ordered=True), index=scores.index,
                     name=scores.name if name is None else name)


#: The canonical metadata columns of a response file.
METADATA_COLUMNS = ("respondent_id", "district", "stratum", "design_weight", "mode", "duration_sec")
#: Metadata columns that hold numbers (cleaned as non-negative numbers).
NUMERIC_METADATA = ("duration_sec", "design_weight")

__all__ = ["ITEM_TYPES", "CODED_TYPES", "DEFAULT_MISSING_CODES", "DONT_KNOW", "MISSING_KINDS", "LEVELS",
           "METADATA_COLUMNS", "NUMERIC_METADATA", "classify_levels"]
