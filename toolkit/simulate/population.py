"""The fictional municipality: districts and their population cells.

The cell counts are a fixed, documented structure (they do not depend on the
seed): district x age band x gender x education x language at home, coded as
the instrument codes them (``district``, ``gender``, ``education``,
``home_lang``; ``age_band`` is a label such as "30-44", from the ``age`` item
with :func:`toolkit.instrument.derived.age_band`). One district is older
(Strandvig), one has many students (Nordby), one has many residents who speak
another language at home (Kildemose). ``population.csv`` is this table; weighting and projection use
it as the register totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.instrument.derived import AGE_BANDS

# The coarse levels the latent model uses, and the instrument codes in each.
EDUCATION_CODES = ((1,), (2, 3), (4, 5, 6))  # basic; upper secondary / vocational; tertiary
HOME_LANG_CODES = ((1,), (2, 3))  # Danish; (partly) another language
# Fine split of coarse levels (by age band for upper secondary vs vocational).
_UPPER_SECONDARY = np.array([0.55, 0.35, 0.30, 0.25, 0.20])  # share of code 2 within (2, 3)
_TERTIARY_SPLIT = np.array([0.15, 0.50, 0.35])  # codes 4, 5, 6
_HOME_LANG_SPLIT = np.array([0.45, 0.55])  # codes 2 (both), 3 (mainly other)
DEFAULT_DISTRICTS = ("Nordby", "Strandvig", "Kildemose", "Bakkehøj", "Havnestad", "Egelund", "Vestervang",
                     "Lyngdal")

DEFAULT_SIZE = 60_000  # residents aged 18+ in the default municipality

# Adults by age band (roughly Danish), share female by age band.
_AGE_SHARE = np.array([0.19, 0.23, 0.25, 0.21, 0.12])
_FEMALE = np.array([0.49, 0.50, 0.50, 0.51, 0.57])
# Education by age band (rows) - older cohorts have less tertiary education.
_EDU_BY_AGE = np.array(
    [
        [0.28, 0.47, 0.25],
        [0.14, 0.40, 0.46],
        [0.19, 0.46, 0.35],
        [0.27, 0.46, 0.27],
        [0.42, 0.38, 0.20],
    ]
)
# Share speaking a language other than Danish at home, by age band.
_OTHER_LANG = np.array([0.13, 0.14, 0.10, 0.06, 0.03])

# District profiles: relative size, age-band multipliers, education tilt
# (odds multiplier of tertiary vs basic), other-language multiplier.
DISTRICT_PROFILES = (
    {"kind": "central, many students", "size": 1.35, "age": (2.3, 1.2, 0.8, 0.6, 0.5), "edu": 1.8, "lang": 1.3},
    {"kind": "older", "size": 0.75, "age": (0.5, 0.6, 0.9, 1.5, 2.6), "edu": 0.8, "lang": 0.4},
    {"kind": "many speak another language at home", "size": 1.0, "age": (1.3, 1.4, 1.0, 0.7, 0.5), "edu": 0.55,
     "lang": 3.2},
    {"kind": "suburban families", "size": 1.2, "age": (0.8, 1.3, 1.2, 0.9, 0.7), "edu": 1.3, "lang": 0.8},
    {"kind": "mixed", "size": 1.0, "age": (1.0, 1.0, 1.0, 1.0, 1.0), "edu": 1.0, "lang": 1.0},
    {"kind": "rural", "size": 0.7, "age": (0.7, 0.8, 1.1, 1.3, 1.3), "edu": 0.6, "lang": 0.5},
    {"kind": "former industrial", "size": 0.9, "age": (0.9, 0.9, 1.1, 1.1, 1.1), "edu": 0.7, "lang": 1.4},
    {"kind": "coastal, affluent", "size": 0.6, "age": (0.6, 0.9, 1.1, 1.3, 1.2), "edu": 1.9, "lang": 0.6},
)


def _largest_remainder(expected: np.ndarray, total: int) -> np.ndarray:
    """Round ``expected`` to integers that sum to ``total`` (ties by position)."""
    expected = expected * (total / expected.sum())
    base = np.floor(expected).astype(np.int64)
    short = total - int(base.sum())
    order = np.argsort(-(expected - base), kind="stable")
    base[order[:short]] += 1
    return base


def cell_shares(n_districts: int) -> np.ndarray:
    """Coarse shares: (district, age band, gender, education level 0-2, other language 0/1).

    Parameters
    ----------
    n_districts : int
        Districts take the profiles of ``DISTRICT_PROFILES`` in turn.

    Returns
    -------
    np.ndarray
        Shape (n_districts, 5, 2, 3, 2), summing to 1.

    Examples
    --------
    >>> shares = cell_shares(8)
    >>> shares.shape, round(float(shares.sum()), 6)
    ((8, 5, 2, 3, 2), 1.0)
    """
    shares = np.zeros((n_districts, len(AGE_BANDS), 2, 3, 2))
    for d in range(n_districts):
        prof = DISTRICT_PROFILES[d % len(DISTRICT_PROFILES)]
        age = _AGE_SHARE * np.asarray(prof["age"])
        age /= age.sum()
        # tilt education odds: tertiary x edu, basic / edu
        edu = _EDU_BY_AGE * np.array([1 / prof["edu"], 1.0, prof["edu"]])
        edu /= edu.sum(axis=1, keepdims=True)
        other = np.clip(_OTHER_LANG * prof["lang"], 0, 0.6)
        lang = np.stack([1 - other, other], axis=1)
        sex = np.stack([_FEMALE, 1 - _FEMALE], axis=1)
        shares[d] = (
            prof["size"]
            * age[:, None, None, None]
            * sex[:, :, None, None]
            * edu[:, None, :, None]
            * lang[:, None, None, :]
        )
    return shares / shares.sum()


def fine_shares(n_districts: int) -> np.ndarray:
    """Shares by (district, age band, gender, education code, home_lang code).

    Parameters
    ----------
    n_districts : int

    Returns
    -------
    np.ndarray
        Shape (n_districts, 5, 2, 6, 3): :func:`cell_shares` split into the instrument's codes.

    Examples
    --------
    >>> bool(np.isclose(fine_shares(3).sum(), cell_shares(3).sum()))
    True
    """
    coarse = cell_shares(n_districts)  # (d, a, s, e3, l2)
    edu = np.zeros(coarse.shape[:3] + (6, 2))
    for a in range(len(AGE_BANDS)):
        edu[:, a, :, 0] = coarse[:, a, :, 0]
        edu[:, a, :, 1] = coarse[:, a, :, 1] * _UPPER_SECONDARY[a]
        edu[:, a, :, 2] = coarse[:, a, :, 1] * (1 - _UPPER_SECONDARY[a])
        for j in range(3):
            edu[:, a, :, 3 + j] = coarse[:, a, :, 2] * _TERTIARY_SPLIT[j]
    fine = np.zeros(edu.shape[:4] + (3,))
    fine[..., 0] = edu[..., 0]
    fine[..., 1] = edu[..., 1] * _HOME_LANG_SPLIT[0]
    fine[..., 2] = edu[..., 1] * _HOME_LANG_SPLIT[1]
    return fine


def population_table(size: int, district_codes) -> pd.DataFrame:
    """Integer cell counts, one row per cell, in instrument codes.

    District totals are rounded first, then cells within each district, so
    the table sums exactly to ``size``.

    Examples
    --------
    >>> tab = population_table(60_000, range(1, 9))
    >>> int(tab["count"].sum()), list(tab.columns)
    (60000, ['district', 'age_band', 'gender', 'education', 'home_lang', 'count'])
    """
    codes = list(district_codes)
    shares = fine_shares(len(codes))
    district_n = _largest_remainder(shares.sum(axis=(1, 2, 3, 4)), size)
    counts = np.stack([_largest_remainder(shares[d].ravel(), int(district_n[d])) for d in range(len(codes))])
    idx = np.indices(shares.shape).reshape(5, -1)
    return pd.DataFrame(
        {
            "district": np.asarray(codes)[idx[0]],
            "age_band": np.asarray(AGE_BANDS, dtype=object)[idx[1]],
            "gender": idx[2] + 1,
            "education": idx[3] + 1,
            "home_lang": idx[4] + 1,
            "count": counts.ravel(),
        }
    )
