"""risk.index_sensitivity: Monte Carlo over the index's declared methodological choices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import toolkit
from toolkit import survey
from toolkit.errors import OptionError
from toolkit.risk.index import band_shares, inclusion_index
from toolkit.risk.sensitivity import index_sensitivity

INST = toolkit.load_instrument("dis-full")


@pytest.fixture(scope="module")
def sample():
    cleaned = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), INST, pseudonym_key="x")
    data = cleaned.data
    return data, toolkit.score(data, INST), survey.Design(data, weights="design_weight", strata="stratum")


@pytest.fixture(scope="module")
def sens(sample):
    data, scores, design = sample
    return index_sensitivity(data, scores, INST, design=design, n_draws=100, seed=3)


def test_the_declared_draw_reproduces_the_design_weighted_band_shares(sample, sens):
    data, scores, design = sample
    direct = band_shares(inclusion_index(data, scores, INST), design)
    merged = sens.shares.merge(direct, left_on=["district", "band"], right_on=["district", "level"])
    assert len(merged) == len(sens.shares)
    np.testing.assert_allclose(merged["declared"], merged["estimate"], atol=1e-12)


def test_intervals_are_ordered_and_shares_sum_to_one(sens):
    s = sens.shares
    assert ((s["low"] <= s["median"]) & (s["median"] <= s["high"])).all()
    assert np.allclose(s.groupby("district")["declared"].sum(), 1)
    r = sens.ranks
    n = len(r)
    for col in ("rank_mean", "rank_excluded"):
        assert sorted(r[col]) == list(range(1, n + 1))
        assert ((r[f"{col}_low"] >= 1) & (r[f"{col}_high"] <= n) & (r[f"{col}_low"] <= r[f"{col}_high"])).all()
    assert sens.stability[["p_band_change", "p_modal_change"]].stack().between(0, 1).all()


def test_the_draws_respect_the_declared_ranges(sens):
    d = sens.draws
    assert len(d) == 101 and d["draw"].iloc[0] == 0
    weights = d.filter(like="weight_")
    assert np.allclose(weights.sum(axis=1), 1) and (weights.iloc[0] == 1 / 3).all()
    assert d["knowledge_share"].iloc[0] == 0.6 and d["knowledge_share"].between(0.4, 0.8).all()
    jitter = INST.index.sensitivity["threshold_jitter"]
    assert (d["upper_highly_excluded"] - 45).abs().max() <= jitter
    assert (d["upper_included"] - 80).abs().max() <= jitter


def test_the_same_seed_gives_the_same_result(sample, sens):
    data, scores, design = sample
    again = index_sensitivity(data, scores, INST, design=design, n_draws=100, seed=3)
    assert again.shares.equals(sens.shares)
    other = index_sensitivity(data, scores, INST, design=design, n_draws=100, seed=4)
    assert not other.draws.equals(sens.draws)


def test_no_jitter_and_fixed_share_leaves_only_the_weights(sample):
    data, scores, design = sample
    spec = INST.index
    fixed = type(spec)(spec.label, spec.components, spec.bands,
                       {"weight_concentration": 1e9, "threshold_jitter": 0.0, "knowledge_share": (0.6, 0.6)},
                       spec.excluded)
    inst = dataclasses.replace(INST, index=fixed)
    s = index_sensitivity(data, scores, inst, design=design, n_draws=10)
    # only respondents exactly on a boundary (the points are coarse) can move
    np.testing.assert_allclose(s.shares["low"], s.shares["declared"], atol=0.01)
    assert (s.draws["upper_excluded"] == 61).all()
    assert (s.stability["p_band_change"] == 0).all()


def test_small_groups_are_suppressed(sample):
    data, scores, design = sample
    s = index_sensitivity(data, scores, INST, design=design, n_draws=5, min_cell=250)
    small = s.ranks["suppressed"]
    assert small.any() and s.ranks.loc[small, ["n", "mean_index", "rank_mean"]].isna().all().all()
    assert s.ranks.loc[~small, "mean_index"].notna().all()
    assert s.summary()["district"].tolist() == s.ranks["district"].tolist()


def test_options_are_checked(sample):
    data, scores, design = sample
    with pytest.raises(OptionError, match="n_draws"):
        index_sensitivity(data, scores, INST, design=design, n_draws=0)
    with pytest.raises(OptionError, match="no column"):
        index_sensitivity(data, scores, INST, design=design, by="county")
    with pytest.raises(OptionError, match="declares no index"):
        index_sensitivity(data, scores, "dis-screener", design=design)
