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

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, as_list, check_option
from toolkit.errors import OptionError

F = TypeVar("F", bound=Callable[..., Any])

FLAGS = ("duplicate_id", "duplicate_answers", "speeder", "straightlining", "too_many_missing", "failed_check")


@dataclass(frozen=True, kw_only=True)
class FlagOptions:
    """Thresholds of the quality flags (read-only; see the module docstring for each flag).

    Attributes
    ----------
    speeder_share : float
        ``speeder``: duration below this share of the median duration.
    longstring_share : float
        ``straightlining``: a run of one answer at least this share of the grid's answered items.
    grid_min_items : int
        ``straightlining``: Likert grids with fewer items are not checked.
    max_missing_share : float
        ``too_many_missing``: more than this share of the asked items unanswered.
    min_answers : int
        ``duplicate_answers``: only rows with at least this many answered items count.

    Examples
    --------
    >>> FlagOptions(speeder_share=0.2)
    FlagOptions(speeder_share=0.2, longstring_share=1.0, grid_min_items=8, max_missing_share=0.5, min_answers=20)
    """

    speeder_share: float = 0.3
    longstring_share: float = 1.0
    grid_min_items: int = 8
    max_missing_share: float = 0.5
    min_answers: int = 20


#: The threshold keywords ``clean()`` took before ``flags=FlagOptions(...)``.
FLAG_KEYWORDS = tuple(f.name for f in fields(FlagOptions))


def flag_keywords(*, stacklevel: int = 2) -> Callable[[F], F]:
    """Accept the flag thresholds as keywords for one release: ``speeder_share=0.2`` -> ``flags=FlagOptions(...)``.

    A call with the old keywords works, with a :class:`FutureWarning` naming the new
    form; a call that gives both them and ``flags=`` is an error. ``stacklevel`` is
    that of the warning as seen from the wrapper (3 under another keyword decorator).

    Examples
    --------
    >>> @flag_keywords()
    ... def f(*, flags=None):
    ...     return flags
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(speeder_share=0.2).speeder_share
    0.2
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            old = {k: kwargs.pop(k) for k in FLAG_KEYWORDS if k in kwargs}
            if old:
                if kwargs.get("flags") is not None:
                    raise OptionError(f"{func.__name__}() got flags= and the old flag keywords "
                                      f"{', '.join(f'{k}=' for k in old)}; put them in flags=FlagOptions(...)")
                new = ", ".join(f"{k}={v!r}" for k, v in old.items())
                warnings.warn(f"{func.__name__}(): the keywords {', '.join(f'{k}=' for k in old)} are now "
                              f"flags=FlagOptions({new}); the old names go in the next release", FutureWarning,
                              stacklevel=stacklevel)
                kwargs["flags"] = FlagOptions(**old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def check_flag_options(flags: FlagOptions | None) -> FlagOptions:
    """``flags``, or the default thresholds for None; anything else is an OptionError.

    Examples
    --------
    >>> check_flag_options(None).grid_min_items
    8
    """
    if flags is None:
        return FlagOptions()
    if not isinstance(flags, FlagOptions):
        raise OptionError(f"flags must be a FlagOptions (toolkit.cleaning.FlagOptions), got {type(flags).__name__}")
    return flags


def flags_to_drop(drop_flagged: bool | str | Sequence[str]) -> list[str]:
    """The flags whose rows ``drop_flagged`` drops: none (False), every flag (True), or those named.

    Examples
    --------
    >>> flags_to_drop(False), flags_to_drop("speeder")
    ([], ['speeder'])
    >>> flags_to_drop(["fast"])
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: drop_flagged must be one of 'duplicate_id', ...; got 'fast'
    """
    if drop_flagged is False:
        return []
    chosen = list(FLAGS) if drop_flagged is True else as_list(drop_flagged, "drop_flagged")
    return [check_option(name, "drop_flagged", FLAGS) for name in chosen]


def likert_grids(instrument: Any, columns: pd.Index, min_items: int) -> list[list[str]]:
    """Likert items grouped by (section, response set), in questionnaire order; grids of ``min_items`` or more.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> [(g[0], len(g)) for g in likert_grids(inst, pd.Index(inst.item_ids), 8)]
    [('prac_01', 29)]
    >>> likert_grids(toolkit.load_instrument("dis-screener"), pd.Index(inst.item_ids), 8)  # its grid has 4 items
    []
    """
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


def _duplicate_id(raw_ids: pd.Series | None, n: int) -> np.ndarray:
    """The respondent id (as text, trimmed) was already seen in an earlier row."""
    if raw_ids is None:
        return np.zeros(n, dtype=bool)
    ids = raw_ids.astype("str").str.strip()
    return (ids.duplicated(keep="first") & raw_ids.notna()).to_numpy()


def row_keys(data: pd.DataFrame, instrument: Any) -> pd.DataFrame:
    """What the flags that compare rows need of each row: answer fingerprint, answers given, duration.

    Each row's keys depend on that row alone (text is hashed as text whatever the column's dtype in a
    part of the file), so the keys of a file's parts, put together, are the keys of the whole file.

    Examples
    --------
    >>> import toolkit
    >>> keys = row_keys(pd.DataFrame({"net_use_3m": [1.0, 1.0], "duration_sec": [60.0, None]}), "dis-screener")
    >>> keys["n_answered"].tolist(), bool(keys["fingerprint"].nunique() == 1), keys["duration"].tolist()[0]
    ([1, 1], True, 60.0)
    """
    instrument = as_instrument(instrument)
    answer_cols = [i.id for i in instrument.items if i.id in data.columns and i.type != "text"]
    n = len(data)
    n_answered = np.zeros(n, dtype=np.int64)
    fingerprint = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # a row fingerprint built column by column (no copy of the answer block)
        for col in answer_cols:
            values = data[col]
            if not pd.api.types.is_numeric_dtype(values.dtype):
                values = values.astype("str")  # a part without text in a column holds it as object
            n_answered += values.notna().to_numpy()
            h = pd.util.hash_pandas_object(values, index=False).to_numpy(np.uint64)
            fingerprint = fingerprint * np.uint64(1_000_003) + h
    duration = (pd.to_numeric(data["duration_sec"], errors="coerce").to_numpy(dtype=float)
                if "duration_sec" in data.columns else np.full(n, np.nan))
    return pd.DataFrame({"fingerprint": fingerprint, "n_answered": n_answered, "duration": duration},
                        index=data.index)


def _duplicate_answers(keys: pd.DataFrame, min_answers: int) -> np.ndarray:
    """Every answer equals an earlier row's, with at least ``min_answers`` answered."""
    return (keys["fingerprint"].duplicated(keep="first").to_numpy()
            & (keys["n_answered"].to_numpy() >= min_answers))


def _speeder(dur: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(speeder, duration / median duration); no duration anywhere, no speeder."""
    med = np.nanmedian(dur) if np.isfinite(dur).any() else np.nan
    ratio = dur / med if med and np.isfinite(med) else np.full(len(dur), np.nan)
    return np.nan_to_num(ratio, nan=np.inf) < share, ratio


def _straightlining(data: pd.DataFrame, instrument: Any, options: FlagOptions) -> tuple[np.ndarray, np.ndarray]:
    """(straight-lined a long Likert grid, longest run of one answer in any grid)."""
    n = len(data)
    straight = np.zeros(n, dtype=bool)
    longest = np.zeros(n, dtype=np.int64)
    for grid in likert_grids(instrument, data.columns, options.grid_min_items):
        block = data[grid].to_numpy(dtype=float)
        ls = longstring(block)
        longest = np.maximum(longest, ls)
        n_ans = (~np.isnan(block)).sum(axis=1)
        need = np.maximum(options.grid_min_items, np.ceil(options.longstring_share * n_ans))
        straight |= (n_ans >= options.grid_min_items) & (ls >= need)
    return straight, longest


def _too_many_missing(data: pd.DataFrame, answer_cols: list[str], asked: dict[str, np.ndarray],
                      max_share: float) -> tuple[np.ndarray, np.ndarray]:
    """(more than ``max_share`` of the asked items unanswered, that share)."""
    n = len(data)
    n_asked = np.zeros(n, dtype=np.int64)
    n_missing = np.zeros(n, dtype=np.int64)
    for col in answer_cols:
        a = asked[col]
        n_asked += a
        n_missing += a & data[col].isna().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        miss_share = np.where(n_asked > 0, n_missing / np.maximum(n_asked, 1), np.nan)
    return np.nan_to_num(miss_share, nan=0.0) > max_share, miss_share


def _failed_check(data: pd.DataFrame, items: list[Any]) -> np.ndarray:
    """An attention check answered, but not with its expected code."""
    failed = np.zeros(len(data), dtype=bool)
    for item in items:
        if item.check:
            x = data[item.id].to_numpy(dtype=float)
            failed |= ~np.isnan(x) & (x != float(item.check["expected"]))
    return failed


def _reasons(flags: pd.DataFrame) -> pd.Series:
    """The names of each row's flags joined by "; ", made once per combination of flags that occurs."""
    import pyarrow as pa

    combination = np.zeros(len(flags), dtype=np.int64)
    for bit, f in enumerate(FLAGS):
        combination |= flags[f].to_numpy(dtype=np.int64) << bit
    present, which = np.unique(combination, return_inverse=True)
    texts = pa.array(["; ".join(f for bit, f in enumerate(FLAGS) if c >> bit & 1) for c in present], pa.large_string())
    taken = texts.take(pa.array(which.reshape(-1)))
    return pd.Series(pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=flags.index)


def compute_flags(
    data: pd.DataFrame,
    instrument: Any,
    *,
    raw_ids: pd.Series | None,
    asked: dict[str, np.ndarray],
    options: FlagOptions,
) -> pd.DataFrame:
    """One row per respondent: the flags, ``flagged`` (any flag), ``reasons`` and the diagnostics.

    ``reasons`` joins the names of a row's flags by ``"; "``; the diagnostics are
    ``duration_ratio``, ``longstring`` and ``missing_share``. ``raw_ids`` are the
    respondent ids before pseudonymisation, ``asked`` says which items each row was asked.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> data = pd.DataFrame({"duration_sec": [600.0, 60.0, 600.0]})
    >>> flags = compute_flags(data, inst, raw_ids=pd.Series(["a", "b", "a"]), asked={}, options=FlagOptions())
    >>> flags["reasons"].tolist()
    ['', 'speeder', 'duplicate_id']
    """
    items = [i for i in instrument.items if i.id in data.columns]
    answer_cols = [i.id for i in items if i.type != "text"]
    keys = row_keys(data, instrument)
    speeder, ratio = _speeder(keys["duration"].to_numpy(), options.speeder_share)
    straight, longest = _straightlining(data, instrument, options)
    too_many, miss_share = _too_many_missing(data, answer_cols, asked, options.max_missing_share)
    out = {"duplicate_id": _duplicate_id(raw_ids, len(data)),
           "duplicate_answers": _duplicate_answers(keys, options.min_answers),
           "speeder": speeder, "straightlining": straight, "too_many_missing": too_many,
           "failed_check": _failed_check(data, items)}
    flags = pd.DataFrame({f: np.asarray(out[f], dtype=bool) for f in FLAGS}, index=data.index)
    flags["flagged"] = flags[list(FLAGS)].any(axis=1)
    flags["reasons"] = _reasons(flags)
    flags["duration_ratio"] = ratio
    flags["longstring"] = longest
    flags["missing_share"] = miss_share
    return flags


def cross_row_flags(flags: pd.DataFrame, keys: pd.DataFrame, *, raw_ids: pd.Series | None,
                    options: FlagOptions) -> pd.DataFrame:
    """``flags`` with the flags that compare rows computed again over all rows.

    Used where the rows were flagged in parts (:mod:`toolkit.cleaning.chunked`):
    ``duplicate_id``, ``duplicate_answers``, ``speeder`` and ``duration_ratio`` look
    at earlier rows or the median, so they are decided on the whole file, from the
    parts' :func:`row_keys` put together; then ``flagged`` and ``reasons``. The other
    flags are kept. Returns a new frame.

    Examples
    --------
    >>> import toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> data = pd.DataFrame({"duration_sec": [600.0, 60.0, 600.0]})
    >>> ids = pd.Series(["a", "b", "a"])
    >>> parts = [compute_flags(data.iloc[i:i + 1], inst, raw_ids=ids.iloc[i:i + 1], asked={}, options=FlagOptions())
    ...          for i in range(3)]
    >>> whole = cross_row_flags(pd.concat(parts), row_keys(data, inst), raw_ids=ids, options=FlagOptions())
    >>> whole["reasons"].tolist()
    ['', 'speeder', 'duplicate_id']
    """
    speeder, ratio = _speeder(keys["duration"].to_numpy(), options.speeder_share)
    out = flags.copy()
    out["duplicate_id"] = _duplicate_id(raw_ids, len(keys))
    out["duplicate_answers"] = _duplicate_answers(keys, options.min_answers)
    out["speeder"] = speeder
    out["duration_ratio"] = ratio
    out["flagged"] = out[list(FLAGS)].any(axis=1)
    out["reasons"] = _reasons(out)
    return out
