"""The latent model: correlations and calibration as in the field notes."""

from __future__ import annotations

import numpy as np

import toolkit
from toolkit.simulate import people, population


def test_latents_and_calibration_match_field_notes(large_clean):
    t = large_clean.truth
    prev = {k: v["overall"] for k, v in t["prevalence"].items()}
    assert 0.05 <= prev["exempt"] <= 0.07
    assert 0.17 <= prev["needs_help"] <= 0.28
    assert 0.17 <= prev["low_bureaucratic"] <= 0.28
    by_age = t["prevalence_by_age_band"]
    assert by_age["offline"]["75+"] > 5 * by_age["offline"]["45-59"]  # steep at 75+
    assert by_age["low_bureaucratic"]["18-29"] > 2 * by_age["low_bureaucratic"]["30-44"]  # young adults
    # within one demographic cell the latents correlate through the residuals only ...
    same = people.draw_people({"age_band": np.full(50_000, 2), "edu3": np.ones(50_000, dtype=int),
                               "lang_w": np.zeros(50_000)}, np.random.default_rng(0))
    corr = np.corrcoef(same["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() > 0.4 and corr.max() < 0.7
    # ... across age and education about 0.5-0.7
    mixed = people.draw_people({"age_band": np.repeat(np.arange(5), 10_000),
                                "edu3": np.tile(np.arange(3), 16_667)[:50_000], "lang_w": np.zeros(50_000)},
                               np.random.default_rng(1))
    corr = np.corrcoef(mixed["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() >= 0.45 and corr.max() <= 0.75
    # ... and in the municipality itself (the issue: about 0.5 to 0.7)
    res = toolkit.simulate._residents(population.population_table(100_000, range(1, 9)), list(range(1, 9)))
    town = people.draw_people({k: res[k] for k in ("age_band", "edu3", "lang_w")}, np.random.default_rng(2))
    corr = np.corrcoef(town["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() >= 0.45 and corr.max() <= 0.72
    assert mixed["missed_mail"][mixed["age_band"] == 0].mean() > 2 * mixed["missed_mail"][mixed["age_band"] == 2].mean()


def test_states_follow_the_latents():
    n = 40_000
    folk = people.draw_people({"age_band": np.full(n, 2), "edu3": np.ones(n, dtype=int), "lang_w": np.zeros(n)},
                              np.random.default_rng(3))
    practical = folk["theta"][:, people.DOMAINS.index("practical")]
    low, high = practical < np.quantile(practical, 0.2), practical > np.quantile(practical, 0.8)
    assert folk["online"][low].mean() < folk["online"][high].mean()
    assert folk["help_need"][low].mean() > folk["help_need"][high].mean()
    assert set(people.STATE_MODELS) <= set(folk) and set(people.DRIVER_MODELS) <= set(folk)
