"""Models of the items that are not competence items: access, use, mail, help, background.

Each entry of ``ITEM_MODELS`` names how an item of the bundled instruments
follows from a person's states, drivers and demographics (see
:mod:`toolkit.simulate.people`). The categorical ones are small documented
rules in ``_custom``; they are also exported to ``truth["item_parameters"]``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from toolkit.instrument.derived import AGE_LIMITS
from toolkit.simulate.draws import grm_draw, multiple_strings

ITEM_MODELS: dict[str, dict] = {
    "devices": {"kind": "custom", "rule": "1 smartphone, 2 tablet, 3 computer, 4 smart TV from the has_* states; "
                "5 'none' when none of them"},
    "home_conn": {"kind": "custom", "rule": "1 if has_broadband; else online: 2/3 with P 0.5; offline: 3 (P 0.8)"},
    "mobile_data": {"kind": "state", "state": "mobile_data", "yes": 1, "no": 2},
    "afford": {"kind": "grm", "driver": "cost_stress", "sign": 1, "location": 1.2},
    "net_use_3m": {"kind": "state", "state": "online", "yes": 1, "no": 2},
    "net_freq": {"kind": "grm", "driver": "g", "sign": -1, "location": 1.0},
    "eid": {"kind": "custom", "rule": "3 (no MitID) w.p. 0.6 if exempt, 0.5 if offline, else 0.01; otherwise "
            "1 (app) w.p. expit(1.5 + theta_practical) if has_smartphone, else 2"},
    "eid_self": {"kind": "state", "state": "eid_self", "yes": 1, "no": 2},
    "selfserv": {"kind": "state", "state": "selfserv", "yes": 1, "no": 2},
    "dp_exempt": {"kind": "state", "state": "exempt", "yes": 1, "no": 2},
    "dp_read": {"kind": "custom", "rule": "4 (someone else reads it) w.p. expit(help_need - 1.5) among the 75+ "
                "and offline; else 5 (never) if offline; else GRM on mail_engagement over codes 5, 3, 2, 1"},
    "missed_mail": {"kind": "custom", "rule": "missed_mail state: 2 or 3 (3 w.p. 0.35); else 1"},
    "help_any": {"kind": "state", "state": "helped", "yes": 1, "no": 2},
    "help_who": {"kind": "custom", "rule": "each helper with a fixed probability by age band; at least one"},
    "help_freq": {"kind": "grm", "driver": "help_need", "sign": 1, "location": 0.6},
    "selfserv_alone": {"kind": "state", "state": "selfserv_alone", "yes": 1, "no": 2},
    "proxy": {"kind": "custom", "rule": "P(proxy) = expit(-3.2 + 1.2 help_need + 1.0 age_75); formal 40 %"},
    "motiv_01": {"kind": "grm", "driver": "motivation", "sign": 1, "location": -0.4},
    "motiv_02": {"kind": "grm", "driver": "motivation", "sign": 1, "location": -0.6},
    "trust_01": {"kind": "grm", "driver": "trust", "sign": 1, "location": -0.4},
    "trust_02": {"kind": "grm", "driver": "trust", "sign": 1, "location": -0.6},
    "privacy_01": {"kind": "grm", "driver": "trust", "sign": -1, "location": 0.0},
    "moral_burden": {"kind": "grm", "driver": "moral_cost", "sign": 1, "location": 0.3},
    "moral_selfblame": {"kind": "grm", "driver": "moral_cost", "sign": 1, "location": 0.5},
    "moral_second": {"kind": "grm", "driver": "moral_cost", "sign": 1, "location": 0.9},
    "age": {"kind": "custom", "rule": "uniform whole years within the age band (75+: 75-95)"},
    "gender": {"kind": "demographic", "column": "gender"},
    "education": {"kind": "demographic", "column": "education"},
    "home_lang": {"kind": "demographic", "column": "home_lang"},
    "district": {"kind": "demographic", "column": "district"},
    "health": {"kind": "custom", "rule": "health limitation: 1 (a lot) w.p. 0.35 else 2; no limitation: 3"},
    "employment": {"kind": "custom", "rule": "by age band (EMPLOYMENT table); with a health limitation "
                   "under 60, 5 (disability pension) w.p. 0.3"},
    "household": {"kind": "custom", "rule": "by age band (HOUSEHOLD table)"},
    "mode": {"kind": "design", "rule": "the fieldwork mode (1 web, 2 paper, 3 telephone)"},
}

# P(code) by age band (rows 18-29 ... 75+), codes 1..6 / 1..5.
EMPLOYMENT = np.array([
    [0.50, 0.40, 0.06, 0.00, 0.01, 0.03],
    [0.86, 0.05, 0.05, 0.00, 0.02, 0.02],
    [0.84, 0.02, 0.05, 0.00, 0.06, 0.03],
    [0.35, 0.00, 0.03, 0.50, 0.10, 0.02],
    [0.03, 0.00, 0.00, 0.96, 0.00, 0.01],
])
HOUSEHOLD = np.array([
    [0.40, 0.25, 0.08, 0.03, 0.24],
    [0.20, 0.15, 0.55, 0.07, 0.03],
    [0.20, 0.35, 0.38, 0.05, 0.02],
    [0.28, 0.65, 0.04, 0.01, 0.02],
    [0.50, 0.40, 0.00, 0.00, 0.10],
])
# P(helper selected | helped): help_who code -> probability by age band (18-29 ... 75+).
_HELPER_BY_AGE = {
    1: (0.45, 0.50, 0.45, 0.40, 0.25),  # someone in the household
    2: (0.40, 0.20, 0.25, 0.40, 0.60),  # family outside the household
    3: (0.25, 0.25, 0.20, 0.12, 0.10),  # a friend, neighbour or colleague
    4: (0.10, 0.12, 0.15, 0.18, 0.20),  # citizen service staff
    5: (0.05, 0.05, 0.07, 0.12, 0.15),  # library staff, an IT volunteer or an association
    6: (0.05, 0.05, 0.05, 0.05, 0.08),  # someone else
}
HELPERS = np.array(list(_HELPER_BY_AGE.values())).T  # rows: age bands, columns: codes 1..6


def _categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One 0-based category per row of ``probs`` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    return (rng.random(probs.shape[0])[:, None] > cum[:, :-1]).sum(axis=1)


def custom(item_id: str, people: dict[str, np.ndarray], codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Answers (codes as float) to the item ``item_id`` under its rule in ``ITEM_MODELS``.

    Parameters
    ----------
    item_id : str
        An item whose model is ``{"kind": "custom"}``.
    people : dict of arrays
        States, drivers and demographics from :func:`toolkit.simulate.people.draw_people`.
    codes : np.ndarray
        The item's substantive codes (for select-multiple items).
    rng : np.random.Generator

    Returns
    -------
    np.ndarray
        Codes as float; space-separated codes (object) for select-multiple items.

    Examples
    --------
    >>> from toolkit.simulate.people import draw_people
    >>> n = 1000
    >>> folk = draw_people({"age_band": np.full(n, 4), "edu3": np.ones(n, dtype=int), "lang_w": np.zeros(n)},
    ...                    np.random.default_rng(0))
    >>> ages = custom("age", folk, np.array([]), np.random.default_rng(1))
    >>> bool(ages.min() >= 75 and ages.max() <= 95)
    True
    """
    age = people["age_band"]
    n = age.shape[0]
    u = rng.random(n)
    online = people["online"]
    if item_id == "devices":
        sel = np.stack([people["has_smartphone"], people["has_tablet"], people["has_computer"], people["has_tv"]], 1)
        sel = np.concatenate([sel, ~sel.any(axis=1, keepdims=True)], axis=1)
        return multiple_strings(sel, codes)
    if item_id == "home_conn":
        return np.where(people["has_broadband"], 1.0, np.where(online, np.where(u < 0.5, 2.0, 3.0),
                                                               np.where(u < 0.8, 3.0, 1.0)))
    if item_id == "eid":
        p_none = np.where(people["exempt"], 0.6, np.where(~online, 0.5, 0.01))
        app = people["has_smartphone"] & (rng.random(n) < expit(1.5 + people["theta"][:, 0]))
        return np.where(u < p_none, 3.0, np.where(app, 1.0, 2.0))
    if item_id == "dp_read":
        other = ((age == 4) | ~online) & (u < expit(people["help_need"] - 1.5))
        idx = grm_draw(people["mail_engagement"], 1.5, [-1.2, -0.3, 0.6], rng)
        # offline people cannot read it themselves: someone reads it for them, or no one does
        return np.where(other, 4.0, np.where(online, np.array([5.0, 3.0, 2.0, 1.0])[idx], 5.0))
    if item_id == "missed_mail":
        return np.where(people["missed_mail"], np.where(u < 0.35, 3.0, 2.0), 1.0)
    if item_id == "help_who":
        sel = rng.random((n, HELPERS.shape[1])) < HELPERS[age]
        none = ~sel.any(axis=1)
        sel[none, np.where(age[none] == 4, 1, 0)] = True
        return multiple_strings(sel, codes)
    if item_id == "proxy":
        has = u < expit(-3.2 + 1.2 * people["help_need"] + 1.0 * (age == 4))
        return np.where(has, np.where(rng.random(n) < 0.4, 1.0, 2.0), 3.0)
    if item_id == "age":
        lo = np.array([a for a, _ in AGE_LIMITS])[age]
        hi = np.array([b for _, b in AGE_LIMITS])[age]
        return np.floor(lo + u * (hi - lo + 1))
    if item_id == "health":
        return np.where(people["health"], np.where(u < 0.35, 1.0, 2.0), 3.0)
    if item_id == "employment":
        code = _categorical(EMPLOYMENT[age], rng) + 1.0
        disabled = people["health"] & (age < 3) & (u < 0.3)
        return np.where(disabled, 5.0, code)
    if item_id == "household":
        return _categorical(HOUSEHOLD[age], rng) + 1.0
    raise KeyError(item_id)
