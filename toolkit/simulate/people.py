"""Everyone in the municipality: latent competences and the states that follow.

Model (all coefficients below are exported to ``truth.json`` under
``"models"``):

* health limitation ~ Bernoulli(p by age band);
* latent competence per domain
  ``theta_k = age_k[band] + edu_k[edu] + lang_k[lang] + health_k * h + e_k``,
  ``e ~ N(0, residual_sd^2 R)`` with residual correlations 0.40-0.50; the
  shared age, education, language and health effects raise the correlations
  in the municipality to about 0.5-0.7. Bureaucratic competence is also low
  among 18-29 year olds;
* binary states from logistic models on the latents and demographics
  (``STATE_MODELS``): ``online`` (used the internet in the last 3 months),
  ``exempt`` (exempt from Digital Post), ``missed_mail``, devices, ``helped``
  (got help with digital contact with authorities), ...;
* continuous drivers (``DRIVER_MODELS``, linear plus normal noise):
  ``help_need``, ``moral_cost``, ``motivation``, ``trust``, ``cost_stress``,
  ``mail_engagement``; they drive the attitude, help and mail items.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

DOMAINS = ("practical", "cognitive", "navigation", "bureaucratic")

HEALTH_BY_AGE = (0.06, 0.09, 0.15, 0.23, 0.42)

# Mean structure of the latents: one row per domain.
LATENT_MODEL = {
    "age_band": {  # 18-29, 30-44, 45-59, 60-74, 75+
        "practical": (0.55, 0.45, 0.15, -0.40, -1.45),
        "cognitive": (0.25, 0.30, 0.15, -0.15, -0.85),
        "navigation": (0.40, 0.45, 0.15, -0.35, -1.30),
        "bureaucratic": (-0.55, 0.25, 0.40, 0.15, -0.95),
    },
    "education": {  # basic, upper secondary / vocational, tertiary
        "practical": (-0.45, 0.0, 0.35),
        "cognitive": (-0.55, 0.0, 0.40),
        "navigation": (-0.45, 0.0, 0.40),
        "bureaucratic": (-0.55, 0.0, 0.45),
    },
    "language_other": {"practical": -0.15, "cognitive": -0.70, "navigation": -0.35, "bureaucratic": -0.80},
    "health": {"practical": -0.55, "cognitive": -0.35, "navigation": -0.40, "bureaucratic": -0.35},
    "residual_correlation": (
        (1.00, 0.45, 0.45, 0.40),
        (0.45, 1.00, 0.50, 0.50),
        (0.45, 0.50, 1.00, 0.45),
        (0.40, 0.50, 0.45, 1.00),
    ),
    "residual_sd": 0.85,
}

# Logistic models of the binary states: logit p = sum(coef * term).
# Terms: intercept, theta_<domain>, g (mean latent), age_75 (75+),
# age_18_29, health, offline, edu_basic, lang_other.
STATE_MODELS = {
    # before the drivers
    "online": {"intercept": 4.9, "theta_practical": 1.4, "age_75": -1.0, "health": -0.5, "edu_basic": -0.3},
    "exempt": {"intercept": -4.55, "g": -1.1, "offline": 2.6, "age_75": 0.5, "health": 0.7, "lang_other": 0.4},
    "missed_mail": {"intercept": -2.3, "theta_bureaucratic": -0.7, "age_18_29": 1.1, "offline": 1.0},
    "has_smartphone": {"intercept": 3.0, "theta_practical": 1.1, "age_75": -1.2},
    "has_computer": {"intercept": 1.4, "theta_practical": 0.6, "edu_basic": -0.6, "age_18_29": -0.3},
    "has_tablet": {"intercept": -0.5, "theta_practical": 0.3, "age_75": 0.4},
    "has_broadband": {"intercept": 2.6, "theta_practical": 0.5, "age_18_29": -0.6, "edu_basic": -0.4},
    "has_tv": {"intercept": -0.5, "age_18_29": 0.3, "theta_practical": 0.3},
    "mobile_data": {"intercept": 2.4, "theta_practical": 0.5, "offline": -3.0},
    # after the drivers
    "helped": {"intercept": -2.3, "help_need": 1.5, "offline": 1.0, "exempt": 0.8},
    "selfserv": {"intercept": 1.6, "g": 0.7, "age_75": -0.6},
    "selfserv_alone": {"intercept": 1.5, "help_need": -1.5},
    "eid_self": {"intercept": 2.6, "help_need": -1.4, "offline": -1.5},
}
_BEFORE_DRIVERS = ("exempt", "missed_mail", "has_smartphone", "has_computer", "has_tablet", "has_broadband",
                   "has_tv", "mobile_data")
_AFTER_DRIVERS = ("helped", "selfserv", "selfserv_alone", "eid_self")

# Continuous drivers: coefficient on each term plus N(0, noise_sd) noise.
DRIVER_MODELS = {
    "help_need": {"theta_bureaucratic": -0.55, "theta_practical": -0.45, "theta_navigation": -0.25, "health": 0.4,
                  "noise_sd": 0.7},
    "moral_cost": {"help_need": 0.55, "age_75": 0.2, "noise_sd": 0.85},
    "motivation": {"g": 0.6, "age_75": -0.5, "noise_sd": 0.8},
    "trust": {"g": 0.25, "edu_basic": -0.2, "noise_sd": 0.9},
    "cost_stress": {"edu_basic": 0.6, "g": -0.3, "lang_other": 0.4, "noise_sd": 0.9},
    "mail_engagement": {"theta_bureaucratic": 0.6, "age_18_29": -0.9, "age_75": 0.3, "noise_sd": 0.8},
}


def _terms(people: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    age, edu = people["age_band"], people["edu3"]
    terms = {
        "intercept": np.ones(age.shape[0]),
        "age_75": (age == 4).astype(float),
        "age_18_29": (age == 0).astype(float),
        "edu_basic": (edu == 0).astype(float),
        "lang_other": people["lang_w"],
        "health": people["health"].astype(float),
    }
    for k, dom in enumerate(DOMAINS):
        terms[f"theta_{dom}"] = people["theta"][:, k]
    terms["g"] = people["theta"].mean(axis=1)
    return terms


def _linear(model: dict[str, float], terms: dict[str, np.ndarray]) -> np.ndarray:
    return sum(coef * terms[name] for name, coef in model.items() if name != "noise_sd")


def draw_people(cells: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Latents, states and drivers for people with the given demographics.

    ``cells`` holds, per person, ``age_band`` (0-4), ``edu3`` (education level
    0-2) and ``lang_w`` (0 Danish, 0.5 Danish and another language, 1 mainly
    another language). Returns a dict of arrays; ``theta`` is (n, 4) in the
    order of ``DOMAINS``.

    Examples
    --------
    >>> n = 20_000
    >>> young = draw_people({"age_band": np.zeros(n, dtype=int), "edu3": np.ones(n, dtype=int),
    ...                      "lang_w": np.zeros(n)}, np.random.default_rng(0))
    >>> old = draw_people({"age_band": np.full(n, 4), "edu3": np.ones(n, dtype=int),
    ...                    "lang_w": np.zeros(n)}, np.random.default_rng(0))
    >>> bool(old["theta"][:, 0].mean() < young["theta"][:, 0].mean() - 1)  # practical falls steeply at 75+
    True
    >>> bool(old["online"].mean() < young["online"].mean())
    True
    """
    age, edu, lang = cells["age_band"], cells["edu3"], cells["lang_w"]
    n = age.shape[0]
    people = dict(cells)
    people["health"] = rng.random(n) < np.asarray(HEALTH_BY_AGE)[age]
    m = LATENT_MODEL
    mean = np.stack(
        [
            np.asarray(m["age_band"][d])[age]
            + np.asarray(m["education"][d])[edu]
            + m["language_other"][d] * lang
            + m["health"][d] * people["health"]
            for d in DOMAINS
        ],
        axis=1,
    )
    chol = np.linalg.cholesky(np.asarray(m["residual_correlation"]))
    resid = rng.standard_normal((n, len(DOMAINS))) @ chol.T * m["residual_sd"]
    people["theta"] = mean + resid
    terms = _terms(people)
    # states in a fixed order: later models use earlier states (offline)
    online = rng.random(n) < expit(_linear(STATE_MODELS["online"], terms))
    people["online"] = online
    terms["offline"] = (~online).astype(float)
    for name in _BEFORE_DRIVERS:
        people[name] = rng.random(n) < expit(_linear(STATE_MODELS[name], terms))
        terms[name] = people[name].astype(float)
    for name, model in DRIVER_MODELS.items():
        value = _linear(model, terms) + model["noise_sd"] * rng.standard_normal(n)
        people[name] = value
        terms[name] = value
    for name in _AFTER_DRIVERS:
        people[name] = rng.random(n) < expit(_linear(STATE_MODELS[name], terms))
    return people
