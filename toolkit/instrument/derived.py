"""Variables derived from the answers, defined once for analysis and simulation alike.

The age bands are those of the register table ``population.csv`` (weighting and
projection use it as margins), so an analysis that rakes to the register and the
simulator that writes it must cut ages in the same places.

Examples
--------
>>> AGE_BANDS
('18-29', '30-44', '45-59', '60-74', '75+')
>>> age_band([29, 30]).tolist()
['18-29', '30-44']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Age-band labels of population.csv, youngest first.
AGE_BANDS = ("18-29", "30-44", "45-59", "60-74", "75+")
#: Whole years (first, last) in each band; the open top band is drawn up to 95.
AGE_LIMITS = ((18, 29), (30, 44), (45, 59), (60, 74), (75, 95))


def age_band(age) -> pd.Series:
    """Age in years -> the age-band label population.csv uses (NaN outside 18+).

    Parameters
    ----------
    age : array-like or pd.Series
        Ages in years; a value that is not a number gives NaN.

    Returns
    -------
    pd.Series
        Labels of :data:`AGE_BANDS` (object dtype); NaN below 18 or missing.

    Examples
    --------
    >>> age_band([18, 44, 75, 17]).tolist()
    ['18-29', '30-44', '75+', nan]
    """
    age = pd.to_numeric(pd.Series(age), errors="coerce")
    bins = [lo for lo, _ in AGE_LIMITS] + [np.inf]
    return pd.cut(age, bins, right=False, labels=list(AGE_BANDS)).astype(object).where(age >= 18)


__all__ = ["AGE_BANDS", "AGE_LIMITS", "age_band"]
