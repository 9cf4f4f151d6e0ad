"""The vocabulary defined once: missing codes and kinds, levels, metadata columns, the level classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.instrument import load_instrument, vocabulary
from toolkit.instrument.vocabulary import (
    CODED_TYPES, DEFAULT_MISSING_CODES, DONT_KNOW, ITEM_TYPES, LEVELS, METADATA_COLUMNS, MISSING_KINDS,
    NUMERIC_METADATA, classify_levels,
)


def test_missing_codes_and_kinds_agree():
    assert DEFAULT_MISSING_CODES == {"dont_know": 88, "refused": 99, "dont_understand": 66}
    assert DONT_KNOW == 88
    assert vocabulary.MISSING_KIND_NAMES == ("dont_know", "refused", "dont_understand", "not_applicable", "no_answer")
    assert MISSING_KINDS == (*vocabulary.MISSING_KIND_NAMES, "not_asked")
    assert set(DEFAULT_MISSING_CODES) <= set(vocabulary.MISSING_KIND_NAMES)
    for inst_id in ("dis-full", "dis-screener"):  # the bundled instruments use exactly these codes
        assert load_instrument(inst_id).missing_codes == {v: k for k, v in DEFAULT_MISSING_CODES.items()}


def test_item_types_and_metadata():
    assert set(CODED_TYPES) < set(ITEM_TYPES) and "numeric" not in CODED_TYPES
    assert METADATA_COLUMNS[0] == "respondent_id"
    assert set(NUMERIC_METADATA) <= set(METADATA_COLUMNS)


def test_classify_levels_uses_inclusive_lower_bounds():
    bounds = {"low": 1.0, "basic": 2.5, "above_basic": 4.0}
    got = classify_levels(pd.Series([0.5, 1.0, 2.49, 2.5, 4.0, 5.0, np.nan], index=list("abcdefg")), bounds, "lv")
    assert got.tolist()[:6] == ["low", "low", "low", "basic", "above_basic", "above_basic"]
    assert pd.isna(got["g"]) and got.name == "lv" and list(got.index) == list("abcdefg")
    assert got.cat.ordered and list(got.cat.categories) == list(LEVELS)
    assert (got.iloc[:6] < "above_basic").tolist() == [True] * 4 + [False] * 2  # ordered like the levels


def test_classify_levels_keeps_only_the_levels_a_scale_has():
    got = classify_levels(pd.Series([0, 3]), {"low": 0, "basic": 2})
    assert list(got.cat.categories) == ["low", "basic"] and got.tolist() == ["low", "basic"]


def test_nothing_else_is_exported():
    assert set(vocabulary.__all__) == {"ITEM_TYPES", "CODED_TYPES", "DEFAULT_MISSING_CODES", "DONT_KNOW",
                                       "MISSING_KINDS", "LEVELS", "METADATA_COLUMNS", "NUMERIC_METADATA",
                                       "classify_levels"}
