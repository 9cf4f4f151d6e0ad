"""survey(): clean data follows the instrument, truth is exact on a census, options are validated, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import DesignError, OptionError
from toolkit.instrument.derived import age_band
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.simulate import design, items
from toolkit.simulate.messiness import RATES

INST = toolkit.load_instrument("dis-full")
SCREENER = toolkit.load_instrument("dis-screener")


def test_clean_data_is_canonical(large_clean):
    df = large_clean.responses
    assert df is large_clean.clean_responses and large_clean.artefacts.empty
    assert list(df.columns[:6]) == list(toolkit.simulate.METADATA)
    assert df["respondent_id"].is_unique and len(df) == 20000
    for item in INST.items:
        col = df[item.id]
        if item.type in ("likert", "knowledge", "single"):
            assert set(col.dropna().unique()) <= INST.response_sets[item.response_set].valid_codes, item.id
        if item.rule is not None:  # never answered where the skip logic skips it
            assert col[~INST.relevant(df, item.id)].isna().all(), item.id
    assert (df["attn_01"] == 4).all()
    assert df.loc[df["mode"] != design.WEB, "duration_sec"].isna().all()


def test_truth_equals_a_direct_count_on_a_census(monkeypatch):
    """Census (everyone sampled and responding, no errors) -> truth exactly, with the public scorer.

    Small chunks make the census span several chunks and both worker processes, as a large population does.
    """
    monkeypatch.setattr(toolkit.simulate, "CHUNK", 2_500)
    sim = toolkit.simulate.survey(INST, n=12_000, seed=3, clean=True, nonresponse=False, population_size=12_000)
    df = sim.responses
    assert len(df) == 12_000 and np.allclose(df["design_weight"], 1.0)
    scores = toolkit.score(df, INST)
    both = pd.concat([df, scores], axis=1)
    for oid, outcome in INST.outcomes.items():
        y = INST.evaluate(outcome.parsed, both).astype(float)
        truth = sim.truth["prevalence"][oid]
        assert y.mean() == pytest.approx(truth["overall"], abs=1e-6), oid
        by_d = y.groupby(df["district"].astype(int)).mean()
        for code, p in by_d.items():
            assert p == pytest.approx(truth[str(code)], abs=1e-6), (oid, code)
    for sid in INST.scales:
        assert scores[sid].mean() == pytest.approx(sim.truth["scale_mean"][sid]["overall"], abs=1e-6), sid


def test_truth_agrees_with_a_large_weighted_draw():
    """Horvitz-Thompson estimates from a large sample without nonresponse land on the truth."""
    sim = toolkit.simulate.survey(INST, n=30_000, seed=9, clean=True, nonresponse=False)
    out = evaluate_outcomes(sim.responses, items.score(INST, sim.responses), INST)
    w = sim.responses["design_weight"].to_numpy()
    for oid in INST.outcomes:
        y = out[oid].to_numpy(dtype=float)
        est = np.average(y, weights=w)
        p = sim.truth["prevalence"][oid]["overall"]
        se = np.sqrt(p * (1 - p) / len(y))
        assert abs(est - p) < 4 * se, oid


def test_clean_true_switches_every_artefact_off():
    sim = toolkit.simulate.survey(INST, n=500, seed=11, clean=True)
    assert sim.artefacts.empty and sim.responses.equals(sim.clean_responses)
    coded = [i.id for i in INST.items if i.type in ("likert", "knowledge", "single")]
    assert not sim.responses[coded].isin([66, 88, 99]).any().any()
    assert all(pd.api.types.is_float_dtype(sim.responses[c]) for c in coded)
    messy = toolkit.simulate.survey(INST, n=500, seed=11)
    pd.testing.assert_frame_equal(messy.clean_responses, sim.clean_responses)  # same respondents


def test_rates_are_configurable_and_validated():
    sim = toolkit.simulate.survey(SCREENER, n=300, seed=1, rates={k: 0.0 for k in RATES} | {"duplicate": 0.2})
    assert set(sim.artefacts["kind"]) == {"duplicate"}
    with pytest.raises(OptionError, match="messiness rate must be one of 'speeder'.*; got 'typo'"):
        toolkit.simulate.survey(SCREENER, n=10, rates={"typo": 0.1})
    with pytest.raises(DesignError, match="between 0 and 1"):
        toolkit.simulate.survey(SCREENER, n=10, rates={"label": 2})


def test_dif_item_changes_only_that_item():
    dif = {"navi_k2": {"group": "age_band", "level": "75+", "shift": 1.5}}
    base = toolkit.simulate.survey(INST, n=4000, seed=6, clean=True)
    planted = toolkit.simulate.survey(INST, n=4000, seed=6, clean=True, dif_items=dif)
    a, b = base.responses, planted.responses
    pd.testing.assert_frame_equal(a.drop(columns="navi_k2"), b.drop(columns="navi_k2"))
    old = age_band(a["age"]) == "75+"
    right = INST.item("navi_k2").correct
    assert (b.loc[old, "navi_k2"] == right).mean() < (a.loc[old, "navi_k2"] == right).mean() - 0.1
    assert ((a.loc[~old, "navi_k2"] == right) == (b.loc[~old, "navi_k2"] == right)).all()
    assert planted.truth["models"]["dif"] == dif
    with pytest.raises(OptionError, match=r"dif_items\['navi_k2'\] group must be one of 'age_band'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k2": {"group": "shoe_size", "level": 1, "shift": 1}})
    with pytest.raises(DesignError, match="has no item 'navi_k9'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k9": {"group": "gender", "level": 1, "shift": 1}})
    with pytest.raises(OptionError, match=r"level must be one of '18-29'.*; got '80\+'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k2": {"group": "age_band", "level": "80+", "shift": 1}})


def test_instrument_is_given_as_object_id_or_path():
    from toolkit.instrument.loader import _bundled_dir

    by_id = toolkit.simulate.survey("dis-screener", n=30, seed=4, clean=True)
    by_path = toolkit.simulate.survey(_bundled_dir() / "dis-screener.yaml", n=30, seed=4, clean=True)
    pd.testing.assert_frame_equal(by_id.responses, by_path.responses)
    with pytest.raises(OptionError, match="instrument must be an Instrument"):
        toolkit.simulate.survey(42, n=10)


def test_old_inst_keyword_still_works_with_a_warning():
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        sim = toolkit.simulate.survey(inst=SCREENER, n=20, seed=1, clean=True)
    assert sim.instrument is SCREENER


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        toolkit.simulate.survey(SCREENER, 20)


def test_n_must_be_a_positive_whole_number():
    for bad in (0, 2.5, "10"):
        with pytest.raises(DesignError, match="n must be a positive whole number"):
            toolkit.simulate.survey(SCREENER, n=bad)


def test_simulation_is_read_only_and_summarises_truth_against_respondents(large_clean):
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        large_clean.seed = 2
    table = large_clean.summary()
    assert table["outcome"].tolist() == list(INST.outcomes) and (table["n"] == 20000).all()
    truth = {o: p["overall"] for o, p in large_clean.truth["prevalence"].items()}
    assert table.set_index("outcome")["truth"].to_dict() == truth
    assert (table["respondents"] < table["truth"]).all()  # nonresponse hides exclusion
