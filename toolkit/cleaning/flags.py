"""Respondent-level quality flags, computed on cleaned data. Rows are flagged, never dropped here.

Flags (one boolean column each):

``duplicate_id``        the respondent id was already seen in an earlier row
``duplicate_answers``   every item answer is identical to an earlier row's (at least
                        ``min_answers`` answered items: in a short form, identical answer
                        patterns are common among genuine respondents)
``speeder``             duration below ``speeder_share`` x the median duration
``straightlining``      a Likert grid (likert items sharing section and response set,
                        at least ``grid_min_items`` items) answered with one identical value
                        in a run (missing cells skipped) of at least ``longstring_share`` x
                        the number of items answered in the grid
``too_many_missing``    more than ``max_missing_share`` of the asked items unanswered
                        (blank, don't know, refused, don't understand)
``failed_check``        an attention check item answered, but not with its expected code

Grids shorter than ``grid_min_items`` (default 8) are not checked for straight-lining: on
a short grid, one answer throughout is common among genuine respondents (on the 4-item
grid of ``dis-screener`` it would flag about 5 % of honest respondents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

FLAGS = ("duplicate_id", "duplicate_answers", "speeder", "straightlining", "too_many_missing", "failed_check")


@dataclass(frozen=True)
class FlagOptions:
    """Thresholds of the quality flags (see the module docstring)."""

    speeder_share: float = 0.3
    longstring_share: float = 1.0
    grid_min_items: int = 8
    max_missing_share: float = 0.5
    min_answers: int = 20


def likert_grids(instrument: Any, columns: pd.Index, min_items: int) -> list[list[str]]:
    """Likert items grouped by (section, response set), in questionnaire order."""
    grids: dict[tuple[str, str], list[str]] = {}
    for item in instrument.items:
        if item.type == "likert" and item.id in columns:
            grids.setdefault((item.section, item.response_set), []).append(item.id)
    return [g for g in grids.values() if len(g) >= min_items]


def longstring(block: np.ndarray) -> np.ndarray:
    """Longest run of identical answers per row, skipping missing cells (loops over columns, not rows).

    Examples
    --------
    >>> longstring(np.array([[1, 1, 1, 2], [3, np.nan, 3, 3], [np.nan] * 4]))
    array([3, 3, 0])
    """
    n, k = block.shape
    best = np.zeros(n, dtype=np.int64)
    run = np.zeros(n, dtype=np.int64)
    last = np.full(n, np.nan)
    for j in range(k):
        cur = block[:, j]
        seen = ~np.isnan(cur)
        run = np.where(seen, np.where(cur == last, run + 1, 1), run)
        last = np.where(seen, cur, last)
        best = np.maximum(best, run)
    return best


def compute_flags(
    data: pd.DataFrame,
    instrument: Any,
    *,
    raw_ids: pd.Series | None,
    asked: dict[str, np.ndarray],
    options: FlagOptions,
) -> pd.DataFrame:
    """One row per respondent: the flags, diagnostics (``duration_ratio``, ``longstring``,
    ``missing_share``), ``flagged`` (any flag) and ``reasons`` (flag names joined by ``"; "``)."""
    n = len(data)
    items = [i for i in instrument.items if i.id in data.columns]
    answer_cols = [i.id for i in items if i.type != "text"]
    out: dict[str, Any] = {}

    if raw_ids is not None:
        ids = raw_ids.astype("str").str.strip()
        out["duplicate_id"] = (ids.duplicated(keep="first") & raw_ids.notna()).to_numpy()
    else:
        out["duplicate_id"] = np.zeros(n, dtype=bool)

    # Row fingerprint built column by column (no copy of the answer block).
    n_answered = np.zeros(n, dtype=np.int64)
    fingerprint = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in answer_cols:
            n_answered += data[col].notna().to_numpy()
            h = pd.util.hash_pandas_object(data[col], index=False).to_numpy(np.uint64)
            fingerprint = fingerprint * np.uint64(1_000_003) + h
    out["duplicate_answers"] = pd.Series(fingerprint).duplicated(keep="first").to_numpy() & (
        n_answered >= options.min_answers)

    if "duration_sec" in data.columns:
        dur = pd.to_numeric(data["duration_sec"], errors="coerce").to_numpy(dtype=float)
        med = np.nanmedian(dur) if np.isfinite(dur).any() else np.nan
        ratio = dur / med if med and np.isfinite(med) else np.full(n, np.nan)
        out["speeder"] = np.nan_to_num(ratio, nan=np.inf) < options.speeder_share
    else:
        ratio = np.full(n, np.nan)
        out["speeder"] = np.zeros(n, dtype=bool)

    straight = np.zeros(n, dtype=bool)
    longest = np.zeros(n, dtype=np.int64)
    for grid in likert_grids(instrument, data.columns, options.grid_min_items):
        block = data[grid].to_numpy(dtype=float)
        ls = longstring(block)
        longest = np.maximum(longest, ls)
        n_ans = (~np.isnan(block)).sum(axis=1)
        need = np.maximum(options.grid_min_items, np.ceil(options.longstring_share * n_ans))
        straight |= (n_ans >= options.grid_min_items) & (ls >= need)
    out["straightlining"] = straight

    n_asked = np.zeros(n, dtype=np.int64)
    n_missing = np.zeros(n, dtype=np.int64)
    for col in answer_cols:
        a = asked[col]
        n_asked += a
        n_missing += a & data[col].isna().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        miss_share = np.where(n_asked > 0, n_missing / np.maximum(n_asked, 1), np.nan)
    out["too_many_missing"] = np.nan_to_num(miss_share, nan=0.0) > options.max_missing_share

    failed = np.zeros(n, dtype=bool)
    for item in items:
        if item.check:
            x = data[item.id].to_numpy(dtype=float)
            failed |= ~np.isnan(x) & (x != float(item.check["expected"]))
    out["failed_check"] = failed

    flags = pd.DataFrame({f: np.asarray(out[f], dtype=bool) for f in FLAGS}, index=data.index)
    flags["flagged"] = flags[list(FLAGS)].any(axis=1)
    reasons = pd.Series("", index=data.index, dtype="str")
    for f in FLAGS:
        reasons = reasons.where(~flags[f], reasons + np.where(reasons.eq(""), "", "; ") + f)
    flags["reasons"] = reasons
    flags["duration_ratio"] = ratio
    flags["longstring"] = longest
    flags["missing_share"] = miss_share
    return flags
