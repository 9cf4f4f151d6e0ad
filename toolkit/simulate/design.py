"""Sample design, nonresponse, mode and completion time.

Design: stratified by district. The ``n`` respondents are allocated to
districts in proportion to the square root of district size (small
districts are over-sampled, so selection probabilities differ). Within a
district the frame is released in random order (a simple random sample
without replacement) until ``n_h`` people have responded; the design weight is
``N_h / m_h`` with ``m_h`` the number released. It is the base weight only: it
does not correct for nonresponse.

Nonresponse depends on age band, education and language at home only
(``RESPONSE_MODEL``), so raking to population.csv removes most of the bias
that it causes. Unweighted estimates understate exclusion, because the
oldest, the young and the least educated respond least.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from toolkit.errors import DesignError

RESPONSE_MODEL = {
    "intercept": -0.15,
    "age_band": (-0.75, -0.35, 0.05, 0.45, -0.55),
    "education": (-0.65, 0.0, 0.45),
    "language_other": -0.6,
}
# Mode codes of the instrument's ``mode`` item. P(paper) for online
# respondents; offline respondents answer on paper (75 %) or by telephone.
WEB, PAPER, PHONE = 1, 2, 3
OFFLINE_PHONE_SHARE = 0.25
PAPER_MODEL = {"intercept": -3.3, "age_band": (0.0, 0.3, 0.9, 1.9, 3.0), "edu_basic": 0.7}
# Web completion time: log-normal, median (seconds) grows with age band.
DURATION_MEDIAN = (660.0, 720.0, 780.0, 900.0, 1080.0)
DURATION_LOG_SD = 0.35
FIELDWORK_DAYS = 21


def response_propensity(age: np.ndarray, edu3: np.ndarray, lang_w: np.ndarray) -> np.ndarray:
    """P(respond) from age band (0-4), education level (0-2), other-language weight.

    Examples
    --------
    >>> p = response_propensity(np.array([0, 3, 3]), np.array([1, 1, 2]), np.zeros(3))
    >>> bool(p[0] < p[1] < p[2])  # the young respond least, the educated most
    True
    """
    m = RESPONSE_MODEL
    logit = m["intercept"] + np.asarray(m["age_band"])[age] + np.asarray(m["education"])[edu3]
    return expit(logit + m["language_other"] * lang_w)


def allocate(n: int, district_sizes: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Square-root allocation of ``n`` over districts, capped at ``caps``.

    Capped districts keep their cap and the rest is shared again among the
    others (so ``n`` equal to the population size gives a census).

    Examples
    --------
    >>> allocate(300, np.array([10_000, 40_000, 90_000]), np.array([1000, 1000, 1000])).tolist()
    [50, 100, 150]
    >>> allocate(300, np.array([10_000, 40_000, 90_000]), np.array([1000, 1000, 120])).tolist()
    [60, 120, 120]
    """
    if n > caps.sum():
        raise DesignError(f"cannot allocate n={n}: the population holds at most {int(caps.sum())}")
    alloc = np.zeros(len(caps), dtype=np.int64)
    free = np.ones(len(caps), dtype=bool)
    remaining = n
    while True:
        w = np.sqrt(district_sizes) * free
        exact = remaining * w / w.sum()
        over = free & (exact > caps)
        if not over.any():
            break
        alloc[over] = caps[over]
        free &= ~over
        remaining = n - int(alloc[~free].sum())
    base = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: remaining - int(base[free].sum())]] += 1
    alloc[free] = base[free]
    return alloc


def needed_population(n: int, shares: np.ndarray, rr: np.ndarray) -> int:
    """Smallest population size whose districts can deliver ``n`` respondents.

    Parameters
    ----------
    n : int
        Respondents wanted.
    shares : np.ndarray
        Population share of each district.
    rr : np.ndarray
        Expected response rate of each district.

    Returns
    -------
    int
        With a 6 % margin and 500 more, for the randomness of who responds.

    Examples
    --------
    >>> needed_population(1000, np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    2620
    """
    alloc_share = np.sqrt(shares) / np.sqrt(shares).sum()
    return int(np.ceil((n * alloc_share / (rr * shares)).max() * 1.06)) + 500


def draw_sample(
    people: dict[str, np.ndarray], n: int, rng: np.random.Generator, *, nonresponse: bool
) -> dict[str, np.ndarray]:
    """Select respondents; return their population indices and design columns.

    Parameters
    ----------
    people : dict of arrays
        ``district`` (0-based index), ``age_band``, ``edu3`` and ``lang_w`` of everyone.
    n : int
        Respondents to select.
    rng : np.random.Generator
    nonresponse : bool
        False: everyone released responds.

    Returns
    -------
    dict of arrays
        ``index`` (of the respondents), ``design_weight`` (theirs), and per
        district ``released``, ``respondents`` and ``district_size``.

    Examples
    --------
    >>> frame = {"district": np.repeat([0, 1], 500), "age_band": np.full(1000, 2), "edu3": np.ones(1000, dtype=int),
    ...          "lang_w": np.zeros(1000)}
    >>> s = draw_sample(frame, 100, np.random.default_rng(0), nonresponse=False)
    >>> s["respondents"].tolist(), s["design_weight"][:1].tolist()
    ([50, 50], [10.0])
    """
    district = people["district"]
    n_districts = int(district.max()) + 1
    sizes = np.bincount(district, minlength=n_districts)
    if nonresponse:
        p = response_propensity(people["age_band"], people["edu3"], people["lang_w"])
    else:
        p = np.ones(district.shape[0])
    responds = rng.random(district.shape[0]) < p
    caps = np.bincount(district, weights=responds, minlength=n_districts).astype(np.int64)
    target = allocate(n, sizes, caps)
    # release each district's frame in random order until n_h have responded
    order = np.lexsort((rng.random(district.shape[0]), district))
    d_sorted = district[order]
    got = responds[order].astype(np.int64)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    cum = np.cumsum(got)
    cum_within = cum - np.concatenate([[0], cum[start[1:] - 1]])[d_sorted]
    # released: everyone up to (and including) the n_h-th respondent
    reached = (got == 1) & (cum_within == target[d_sorted])
    last = np.full(n_districts, -1, dtype=np.int64)
    last[d_sorted[reached]] = np.flatnonzero(reached)
    released_n = np.where(target > 0, last - start + 1, 0)
    pos = np.arange(district.shape[0]) - start[d_sorted]
    chosen = (pos < released_n[d_sorted]) & (got == 1)
    idx = order[chosen]
    weight = sizes / np.maximum(released_n, 1)
    return {
        "index": idx,
        "design_weight": weight[district[idx]],
        "released": released_n,
        "respondents": target,
        "district_size": sizes,
    }


def draw_mode_and_time(
    age: np.ndarray, edu3: np.ndarray, online: np.ndarray, rng: np.random.Generator, *, modes: bool
) -> dict[str, np.ndarray]:
    """Mode code, web completion time (s, NaN off the web) and submission offset (s).

    Parameters
    ----------
    age, edu3 : np.ndarray
        Age band (0-4) and education level (0-2) of each respondent.
    online : np.ndarray of bool
        Used the internet in the last 3 months.
    rng : np.random.Generator
    modes : bool
        False: everyone answers on the web.

    Returns
    -------
    dict of arrays
        ``mode``, ``duration_sec`` and ``offset_sec``.

    Examples
    --------
    >>> fw = draw_mode_and_time(np.full(4, 2), np.ones(4, dtype=int), np.array([True, True, False, False]),
    ...                         np.random.default_rng(0), modes=True)
    >>> bool((fw["mode"][2:] != WEB).all())  # offline people answer on paper or by telephone
    True
    """
    n = age.shape[0]
    m = PAPER_MODEL
    p_paper = expit(m["intercept"] + np.asarray(m["age_band"])[age] + m["edu_basic"] * (edu3 == 0))
    u, v = rng.random(n), rng.random(n)
    mode = np.full(n, float(WEB))
    if modes:
        mode[online & (u < p_paper)] = PAPER
        mode[~online] = np.where(v[~online] < OFFLINE_PHONE_SHARE, PHONE, PAPER)
    duration = np.asarray(DURATION_MEDIAN)[age] * np.exp(DURATION_LOG_SD * rng.standard_normal(n))
    duration = np.where(mode == WEB, np.round(duration), np.nan)
    offset = np.floor(rng.random(n) * FIELDWORK_DAYS * 86_400)
    return {"mode": mode, "duration_sec": duration, "offset_sec": offset}
