"""The distinct rows of a few columns, so that work that depends on a row's values alone runs once per distinct row.

Used for covariate patterns (:mod:`toolkit.survey._patterns`), outcome rules
(:mod:`toolkit.instrument.outcomes`), triage reasons and labels made numbers in
the pipeline: each computes on ``frame.iloc[first]`` and expands by ``codes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_KEY_LIMIT = 1 << 62  # combined keys stay inside int64


def row_patterns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, first)``: each row's pattern number, and the position of each pattern's first row.

    Patterns are numbered in the order they first appear; missing values equal
    each other (as ``groupby(dropna=False)``), and values that compare equal in
    Python (``1``, ``1.0``) are one pattern, as they are one level to patsy.
    ``frame.iloc[first]`` holds one row per pattern, and ``values[codes]``
    expands per-pattern ``values`` back to the rows.

    Examples
    --------
    >>> codes, first = row_patterns(pd.DataFrame({"g": ["a", "b", "a", None], "x": [1, 2, 1, 3]}))
    >>> codes.tolist(), first.tolist()
    ([0, 1, 0, 2], [0, 1, 3])
    """
    n = len(frame)
    key = np.zeros(n, np.int64)
    size = 1
    for j in range(frame.shape[1]):
        codes, uniques = pd.factorize(frame.iloc[:, j], use_na_sentinel=True)
        width = len(uniques) + 1  # 0 is the missing value
        if size * width >= _KEY_LIMIT:
            key = pd.factorize(key)[0].astype(np.int64)
            size = int(key.max(initial=0)) + 1
        key = key * width + (codes + 1)
        size *= width
    codes = pd.factorize(key)[0].astype(np.intp)
    first = np.empty(int(codes.max(initial=-1)) + 1, np.intp)
    backwards = np.arange(n - 1, -1, -1)
    first[codes[backwards]] = backwards  # the last write of each pattern is its first row
    return codes, first
