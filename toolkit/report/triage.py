"""The triage distribution: respondents per support category, through the small-cell policy.

Only this group-level table reaches the report and its files; the
per-respondent triage stays with the person being helped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from toolkit.disclosure import DEFAULT_MIN_CELL, suppress
from toolkit.outputs import confine_path
from toolkit.report import _files

__all__ = ["triage_distribution", "write_triage_table", "TRIAGE_FILE"]

#: the file :func:`write_triage_table` writes
TRIAGE_FILE = "triage.csv"


def triage_distribution(triage: pd.DataFrame | None, *, min_cell: int | None = None) -> pd.DataFrame | None:
    """Respondents per triage category (``category``, ``n``, ``share``), small cells suppressed.

    The categories add up to everyone triaged, so they are one set for
    secondary suppression.

    Parameters
    ----------
    triage : pd.DataFrame or None
        One row per respondent with a ``category`` column (``toolkit.risk.triage``).
    min_cell : int, optional
        The small-cell threshold (default 5).

    Returns
    -------
    pd.DataFrame or None
        None when there is no triage.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["independent"] * 20 + ["assisted_digital"] * 9 + ["skills_training"] * 2})
    >>> triage_distribution(t)[["category", "n", "suppressed"]]
               category     n  suppressed
    0       independent    20       False
    1  assisted_digital  <NA>        True
    2   skills_training  <NA>        True
    """
    if triage is None or "category" not in triage:
        return None
    counts = triage["category"].value_counts(sort=False, dropna=False)
    table = pd.DataFrame({"category": counts.index.astype(str), "n": counts.to_numpy()})
    table["share"] = table["n"] / max(int(table["n"].sum()), 1)
    return suppress(table, n="n", min_cell=DEFAULT_MIN_CELL if min_cell is None else min_cell, sets=())


def write_triage_table(triage: pd.DataFrame, out_dir: str | os.PathLike, *, min_cell: int | None = None,
                       name: str = TRIAGE_FILE) -> Path:
    """Write :func:`triage_distribution` as CSV into ``out_dir`` (safely: temporary file, then rename).

    Parameters
    ----------
    triage : pd.DataFrame
        One row per respondent with a ``category`` column.
    out_dir : str or Path
        The folder; made if missing.
    min_cell : int, optional
        The small-cell threshold (default 5).
    name : str
        The file name (a plain name, no folder).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> t = pd.DataFrame({"category": ["independent"] * 8})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_triage_table(t, tmp).read_text().splitlines()[1]
    'independent,8,1.0,False,'
    """
    target = confine_path(_files.output_folder(out_dir), Path(Path(name).name).stem, suffix=Path(name).suffix)
    return _files.write_frame(triage_distribution(triage, min_cell=min_cell), target)
