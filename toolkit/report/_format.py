"""Numbers as the report prints them, in English or Danish (decimal comma, "24 %").

Formatting only: every number comes from the results as it is.
"""

from __future__ import annotations

import math
from typing import Any

DASH = "–"  # an en dash: no value, and the joint of a range


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value: Any, lang: str, digits: int = 2) -> str:
    """``1234.5`` -> ``"1,234.50"`` (en) or ``"1.234,50"`` (da); missing -> an en dash."""
    if _missing(value):
        return DASH
    text = f"{float(value):,.{digits}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def count(value: Any, lang: str) -> str:
    """A count rounded to a whole number, with thousands separators."""
    return number(value, lang, digits=0)


def _percent_sign(lang: str) -> str:
    return " %" if lang == "da" else "%"


def pct(value: Any, lang: str, digits: int = 1) -> str:
    """A share as a percentage: ``0.243`` -> ``"24.3%"`` / ``"24,3 %"``."""
    if _missing(value):
        return DASH
    return number(100 * float(value), lang, digits) + _percent_sign(lang)


def pct_range(low: Any, high: Any, lang: str, digits: int = 1) -> str:
    """A confidence interval of a share: ``"22.1–26.0%"`` / ``"22,1–26,0 %"``."""
    if _missing(low) or _missing(high):
        return DASH
    return f"{number(100 * float(low), lang, digits)}{DASH}{number(100 * float(high), lang, digits)}" + \
        _percent_sign(lang)


def count_range(low: Any, high: Any, lang: str) -> str:
    """A confidence interval of a count: ``"1,431–2,427"``."""
    if _missing(low) or _missing(high):
        return DASH
    return f"{count(low, lang)}{DASH}{count(high, lang)}"


def level(conf_level: float, lang: str) -> str:
    """A confidence level as text: ``0.95`` -> ``"95%"`` / ``"95 %"``."""
    return f"{100 * conf_level:g}" + _percent_sign(lang)


def flag(value: Any, yes: str, no: str) -> str:
    """A boolean as a word; missing -> an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    try:
        return yes if bool(value) else no
    except (TypeError, ValueError):  # pd.NA
        return DASH
