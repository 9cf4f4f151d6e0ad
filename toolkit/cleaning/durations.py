"""Interview durations for the speeder flag: from ``duration_sec``, or from two timestamps.

The first source present is used:

1. two timestamp columns the user names, ``duration_from=("start", "end")``
   (``ditk clean --duration-from start,end``);
2. a ``duration_sec`` column (seconds);
3. KoboToolbox/ODK's ``start`` and ``end`` (ISO timestamps with a time zone);
4. Kobo's ``_submission_time`` (UTC) with ``start``.

A duration from timestamps is ``end - start`` in seconds (negative: missing) and goes into
the cleaned data as ``duration_sec``. Without any source the speeder flag cannot be
computed: :func:`toolkit.clean` says so once, as a warning and in ``Cleaned.notes``.

Examples
--------
>>> frame = pd.DataFrame({"start": ["2026-03-02T14:00:00.000+01:00"], "end": ["2026-03-02T14:10:30.000+01:00"]})
>>> seconds, source = derive_duration(frame, None)
>>> seconds.tolist(), source
([630.0], 'start,end')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit._validation import as_list
from toolkit.cleaning.extras import as_timestamps
from toolkit.errors import OptionError, ResponseError

__all__ = ["derive_duration", "check_duration_from", "NO_DURATION"]

#: Kobo/ODK timestamp pairs (start, end) tried in order when no duration column is present.
TIMESTAMP_PAIRS = (("start", "end"), ("start", "_submission_time"))
#: The note when no duration source exists.
NO_DURATION = ("no interview duration: the data has no duration_sec column and no start/end or "
               "_submission_time timestamps, so speeders are not flagged; name two timestamp columns "
               "with duration_from=(START, END) (ditk: --duration-from START,END)")


def check_duration_from(duration_from: str | Sequence[str] | None) -> tuple[str, str] | None:
    """``duration_from`` as (start column, end column): two names, or one text ``"start,end"``.

    Examples
    --------
    >>> check_duration_from("inwtm_start, inwtm_end")
    ('inwtm_start', 'inwtm_end')
    >>> check_duration_from(["start"])
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: duration_from must name two timestamp columns, START,END; got ['start']
    """
    if duration_from is None:
        return None
    names = ([p.strip() for p in duration_from.split(",")] if isinstance(duration_from, str)
             else [str(p).strip() for p in as_list(duration_from, "duration_from")])
    if len(names) != 2 or not all(names):
        raise OptionError(f"duration_from must name two timestamp columns, START,END; got {names}")
    return names[0], names[1]


def _column(frame: pd.DataFrame, name: str) -> str | None:
    """The column called ``name``, matched case-insensitively (and after a Kobo group path ``meta/``)."""
    lower = {str(c).lower().rsplit("/", 1)[-1]: c for c in frame.columns}
    return name if name in frame.columns else lower.get(name.lower())


def _seconds(frame: pd.DataFrame, start: str, end: str) -> pd.Series:
    delta = (as_timestamps(frame[end]) - as_timestamps(frame[start])).dt.total_seconds()
    return delta.where(delta >= 0).astype("float64")


def derive_duration(frame: pd.DataFrame, duration_from: tuple[str, str] | None) -> tuple[pd.Series | None, str | None]:
    """(durations in seconds to use, or None to keep ``duration_sec`` as cleaned; the source, or None if none).

    Raises
    ------
    ResponseError
        A column named in ``duration_from`` is not in the data.

    Examples
    --------
    >>> derive_duration(pd.DataFrame({"duration_sec": [60]}), None)
    (None, 'duration_sec')
    >>> derive_duration(pd.DataFrame({"x": [1]}), None)
    (None, None)
    """
    if duration_from is not None:
        found = [_column(frame, c) for c in duration_from]
        absent = [c for c, f in zip(duration_from, found, strict=True) if f is None]
        if absent:
            raise ResponseError(f"duration_from: no column {', '.join(map(repr, absent))} in the data; columns: "
                                f"{', '.join(map(str, frame.columns[:30]))}")
        return _seconds(frame, found[0], found[1]), ",".join(found)
    if "duration_sec" in frame.columns:
        return None, "duration_sec"
    for start, end in TIMESTAMP_PAIRS:
        s, e = _column(frame, start), _column(frame, end)
        if s is not None and e is not None:
            seconds = _seconds(frame, s, e)
            if np.isfinite(seconds.to_numpy()).any():
                return seconds, f"{s},{e}"
    return None, None
