"""The one small-cell policy: every table the toolkit publishes is suppressed here.

A *cell* is a row of a tidy table whose estimate rests on the respondents
counted in its ``n`` column. A cell with ``n < min_cell`` is not published:

* **Primary suppression.** Its estimate-like columns (``estimate``, ``se``,
  ``ci_low``, ``ci_high``, ``cv``, ``deff``, ``share``, ``count``, ...:
  :data:`ESTIMATE_COLUMNS`, whichever are present, or the ``columns`` given)
  *and* its count ``n`` are blanked, ``suppressed`` is True and ``note`` says
  why (``"n < 5: suppressed"``). A suppressed cell shows neither its estimate
  nor its count. A caller may also pass ``cell_n``, the respondents a cell's
  estimate rests on when that is not ``n`` (the respondents holding one level
  of a proportion, where ``n`` is the size of the group): a cell held by 1 to
  ``min_cell - 1`` of them is suppressed too. A cell held by none (a zero
  share) names no one and stays.
* **Secondary suppression.** Cells that add up to a margin someone can see
  (the levels of one proportion within one group sum to 1; counts add up to a
  published total) form a *set*, declared with ``sets=``: the columns whose
  values identify a set (``sets=()`` makes the whole table one set; a row
  with a missing key, such as a published total, is in no set). A lone
  suppressed cell in a set could be recovered by subtraction, so when exactly
  one cell of a set is suppressed, the next-smallest cell of that set (the
  smallest ``cell_n``, else ``n``; the first row on ties) is suppressed as
  well, with the note ``"suppressed to protect a cell with n < 5"``. Sets
  partition the rows, so one pass leaves no set with exactly one suppressed
  cell, except a set of a single row, whose margin is the cell itself and is
  the caller's to withhold.

``min_cell=0`` turns suppression off; the ``suppressed`` and ``note`` columns
are still added, so a table has the same columns either way. ``n`` becomes a
nullable integer (``Int64``) column; blanked float columns hold NaN and
blanked integer columns ``<NA>``.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"g": ["a", "b"], "estimate": [0.2, 0.5], "n": [40, 3]})
>>> suppress(t)
   g  estimate     n  suppressed               note
0  a       0.2    40       False
1  b       NaN  <NA>        True  n < 5: suppressed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit._validation import as_list, check_frame
from toolkit.errors import OptionError

__all__ = ["DEFAULT_MIN_CELL", "ESTIMATE_COLUMNS", "DisclosurePolicy", "suppress"]

#: Cells resting on fewer respondents than this are suppressed (the toolkit's one threshold).
DEFAULT_MIN_CELL = 5

#: Columns blanked in a suppressed cell, whichever a table has (besides its count column).
ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "cv", "deff", "deff_kish", "share", "count",
                    "total", "mean", "proportion", "percent", "ratio", "rate", "sd", "var", "median")


@dataclass(frozen=True)
class DisclosurePolicy:
    """The small-cell rule: suppress cells with fewer than ``min_cell`` respondents.

    Parameters
    ----------
    min_cell : int, default :data:`DEFAULT_MIN_CELL`
        Smallest publishable number of respondents in a cell; 0 publishes everything.

    Examples
    --------
    >>> policy = DisclosurePolicy(min_cell=10)
    >>> policy.note_primary
    'n < 10: suppressed'
    >>> policy.is_small([3, 10, 0]).tolist()
    [True, False, True]
    """

    min_cell: int = DEFAULT_MIN_CELL

    def __post_init__(self) -> None:
        value = self.min_cell
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise OptionError(f"min_cell must be a whole number of respondents, 0 or more; got {value!r}")
        object.__setattr__(self, "min_cell", int(value))

    @property
    def note_primary(self) -> str:
        """The note of a cell under the threshold.

        Examples
        --------
        >>> DisclosurePolicy().note_primary
        'n < 5: suppressed'
        """
        return f"n < {self.min_cell}: suppressed"

    @property
    def note_secondary(self) -> str:
        """The note of a cell suppressed so that a small cell cannot be recovered from a margin.

        Examples
        --------
        >>> DisclosurePolicy(3).note_secondary
        'suppressed to protect a cell with n < 3'
        """
        return f"suppressed to protect a cell with n < {self.min_cell}"

    def is_small(self, counts) -> np.ndarray:
        """True where a count is under the threshold (a missing count is not small).

        Examples
        --------
        >>> DisclosurePolicy(5).is_small(pd.Series([4, None, 7], dtype="Int64")).tolist()
        [True, False, False]
        """
        values = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(np.float64, na_value=np.nan)
        return (values < self.min_cell) if self.min_cell > 0 else np.zeros(len(values), bool)

    def apply(self, table: pd.DataFrame, *, n: str = "n", columns: Sequence[str] | None = None,
              sets: str | Sequence[str] | None = None, cell_n=None) -> pd.DataFrame:
        """Suppress ``table`` under this policy; see :func:`suppress` for the parameters.

        Examples
        --------
        >>> t = pd.DataFrame({"level": ["x", "y", "z"], "share": [0.02, 0.18, 0.8], "n": [2, 18, 80]})
        >>> DisclosurePolicy(5).apply(t, sets=())["suppressed"].tolist()
        [True, True, False]
        """
        table = check_frame(table, "table", columns=[n])
        blank = _blank_columns(table, n, columns)
        primary = self._primary(table, n, cell_n)
        secondary = (_secondary(table, primary, sets, table[n] if cell_n is None else cell_n)
                     if sets is not None else np.zeros(len(table), bool))
        return self._publish(table, n, blank, primary, secondary)

    def _primary(self, table: pd.DataFrame, n: str, cell_n) -> np.ndarray:
        flag = self.is_small(table[n])
        if cell_n is not None:
            held = pd.to_numeric(pd.Series(cell_n), errors="coerce").to_numpy(np.float64, na_value=np.nan)
            if held.shape != (len(table),):
                raise OptionError(f"cell_n must have one value per row ({len(table)}), got shape {held.shape}")
            flag = flag | ((held > 0) & self.is_small(held))
        if "suppressed" in table.columns:  # suppressing twice keeps what was suppressed before
            flag = flag | table["suppressed"].fillna(False).to_numpy(bool)
        return flag

    def _publish(self, table: pd.DataFrame, n: str, blank: list[str], primary: np.ndarray,
                 secondary: np.ndarray) -> pd.DataFrame:
        hide = primary | secondary
        out = table.copy()
        for col in blank:
            out[col] = _masked(out[col], hide)
        out[n] = _masked(_as_count(out[n]), hide)
        out["suppressed"] = hide
        notes = np.where(primary, self.note_primary, np.where(secondary, self.note_secondary, ""))
        if "note" in table.columns:  # keep the reason given when it was first suppressed
            old = table["note"].fillna("").astype(str).to_numpy()
            notes = np.where(old != "", old, notes)
        out["note"] = pd.array(notes, dtype="str")
        return out


def _blank_columns(table: pd.DataFrame, n: str, columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return [c for c in ESTIMATE_COLUMNS if c in table.columns and c != n]
    cols = as_list(columns, "columns")
    check_frame(table, "table", columns=cols)
    return [c for c in cols if c != n]


def _masked(values: pd.Series, hide: np.ndarray) -> pd.Series:
    """``values`` with the hidden rows missing: NaN in floats, <NA> in (nullable) integers."""
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("boolean")
    elif pd.api.types.is_integer_dtype(values):
        values = values.astype("Int64")
    return values.mask(hide) if hide.any() else values


def _as_count(values: pd.Series) -> pd.Series:
    """A count column as nullable ``Int64`` when its values are whole numbers (else as it is)."""
    if pd.api.types.is_integer_dtype(values):
        return values.astype("Int64")
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.dropna()
    if len(whole) == values.notna().sum() and bool((whole == np.round(whole)).all()):
        return numbers.astype("Int64")
    return values


def _secondary(table: pd.DataFrame, primary: np.ndarray, sets, size) -> np.ndarray:
    """Per set with exactly one suppressed cell, the unsuppressed cell with the smallest size."""
    keys = as_list(sets, "sets")
    check_frame(table, "table", columns=keys)
    size = pd.to_numeric(pd.Series(size), errors="coerce").to_numpy(np.float64, na_value=np.inf)
    if keys:
        code = table.groupby(keys, sort=False, dropna=True).ngroup().fillna(-1).to_numpy(np.int64)
    else:
        code = np.zeros(len(table), np.int64)
    out = np.zeros(len(table), bool)
    in_set = code >= 0
    if not in_set.any():
        return out
    k = int(code.max()) + 1
    lone = np.bincount(code[in_set], weights=primary[in_set], minlength=k) == 1
    rows = np.flatnonzero(in_set & ~primary & lone[np.maximum(code, 0)])
    if rows.size:  # per set, its smallest unsuppressed cell (the first row on ties)
        rows = rows[np.lexsort((rows, size[rows], code[rows]))]
        out[rows[np.r_[True, np.diff(code[rows]) != 0]]] = True
    return out


def suppress(table: pd.DataFrame, *, n: str = "n", min_cell: int | None = None,
             columns: Sequence[str] | None = None, sets: str | Sequence[str] | None = None,
             cell_n=None) -> pd.DataFrame:
    """Apply the small-cell policy to a tidy table: blank, flag and explain small cells.

    Every table the toolkit publishes goes through this function (R's ``survey``
    has no counterpart; statistical offices call it primary and secondary cell
    suppression). See the module notes for the rule.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per cell, with a count column. Never modified.
    n : str, default "n"
        The count column: respondents behind each cell.
    min_cell : int, optional
        Cells with ``n < min_cell`` are suppressed; default :data:`DEFAULT_MIN_CELL`,
        0 turns suppression off.
    columns : list of str, optional
        Columns to blank besides ``n``; default the :data:`ESTIMATE_COLUMNS` present.
    sets : str or list of str, optional
        Columns identifying sets of cells that sum to a visible margin (e.g. the
        variable and group columns of a proportion table); ``()`` makes the whole
        table one set. Without it there is no secondary suppression.
    cell_n : array-like, optional
        Respondents each cell's estimate rests on when that is not ``n`` (e.g. the
        respondents holding a level); 1 to ``min_cell - 1`` of them suppresses the cell.

    Returns
    -------
    pandas.DataFrame
        A copy with the suppressed cells blanked (``n`` as nullable ``Int64``), a
        boolean ``suppressed`` column and a text ``note`` column ("" where published).

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "a", "a"], "level": ["x", "y", "z"],
    ...                   "estimate": [0.03, 0.27, 0.7], "n": [3, 27, 70]})
    >>> out = suppress(t, sets="g")
    >>> out[["level", "estimate", "n", "suppressed"]]
      level  estimate     n  suppressed
    0     x       NaN  <NA>        True
    1     y       NaN  <NA>        True
    2     z       0.7    70       False
    >>> out["note"].tolist()
    ['n < 5: suppressed', 'suppressed to protect a cell with n < 5', '']
    """
    policy = DisclosurePolicy(DEFAULT_MIN_CELL if min_cell is None else min_cell)
    return policy.apply(table, n=n, columns=columns, sets=sets, cell_n=cell_n)
