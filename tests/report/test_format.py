"""Numbers in English and Danish."""

from __future__ import annotations

import math

from toolkit.report import _format as fmt


def test_shares_and_ranges_in_both_languages():
    assert fmt.pct(0.2431, "en") == "24.3%"
    assert fmt.pct(0.2431, "da") == "24,3 %"
    assert fmt.pct_range(0.221, 0.26, "en", digits=0) == "22–26%"
    assert fmt.pct_range(0.221, 0.26, "da") == "22,1–26,0 %"


def test_counts_use_the_language_thousands_separator():
    assert fmt.count(12345.6, "en") == "12,346"
    assert fmt.count(12345.6, "da") == "12.346"
    assert fmt.number(1234.5, "da") == "1.234,50"
    assert fmt.count_range(1431.4, 2426.9, "en") == "1,431–2,427"


def test_missing_values_show_a_dash():
    assert fmt.pct(math.nan, "en") == fmt.DASH
    assert fmt.number(None, "da") == fmt.DASH
    assert fmt.pct_range(0.1, None, "en") == fmt.DASH
    assert fmt.flag(None, "yes", "no") == fmt.DASH
    assert fmt.flag(True, "yes", "no") == "yes"


def test_confidence_level():
    assert fmt.level(0.95, "en") == "95%"
    assert fmt.level(0.9, "da") == "90 %"
