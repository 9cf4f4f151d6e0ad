"""Instruments end to end: read -> clean -> score -> reliability -> design-based estimate.

The bundled screener has one-item self-report scales (scored, no alpha, a note says why); the ESS-like
instrument has one language, a 0-10 scale, ESS's own missing codes, an optional item absent from the data and
no outcomes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.survey import Design

ESS_PATH = Path(__file__).with_name("ess_like.yaml")


@pytest.fixture(scope="module")
def screener_chain():
    raw = toolkit.read_responses(toolkit.datasets.path("sample_screener.csv"), "dis-screener")
    cleaned = toolkit.clean(raw, "dis-screener", pseudonym_key="test-key")
    scores = toolkit.score(cleaned.data, "dis-screener")
    rel = toolkit.reliability(cleaned.data, "dis-screener")
    return cleaned, scores, rel


def test_screener_one_item_scales_score(screener_chain):
    cleaned, scores, _ = screener_chain
    inst = toolkit.load_instrument("dis-screener")
    one_item = [s for s in inst.scales.values() if len(s.items) == 1]
    assert len(one_item) == 4
    for sc in one_item:
        item = cleaned.data[sc.items[0]]
        expected = np.where(item.notna(), inst.response_set_of(sc.items[0]).min + inst.response_set_of(
            sc.items[0]).max - item if inst.item(sc.items[0]).reverse else item, np.nan)
        np.testing.assert_allclose(scores[sc.id].to_numpy(dtype=float), expected.astype(float))
        assert scores[sc.level_column].notna().sum() == item.notna().sum()


def test_screener_reliability_notes_one_item_scales(screener_chain):
    _, _, rel = screener_chain
    rel = rel.set_index("scale")
    one = rel.loc["practical_sr"]
    assert one["n_items"] == 1 and np.isnan(one["alpha"]) and one["coefficient"] == "none"
    assert "one item" in one["note"] and "alpha" in one["note"]
    assert rel.loc["practical_kn", "alpha"] > 0 and rel.loc["practical_kn", "note"] == ""


def test_screener_estimates_with_its_design(screener_chain):
    cleaned, scores, _ = screener_chain
    design = Design(pd.concat([cleaned.data, scores], axis=1), weights="design_weight", strata="stratum")
    means = design.mean(["practical_sr", "practical_kn"], na_rm=True).set_index("variable")
    assert means.loc["practical_sr", "estimate"] == pytest.approx(
        np.average(scores["practical_sr"].dropna(), weights=cleaned.data.loc[scores["practical_sr"].notna(),
                                                                            "design_weight"]))
    assert (means["ci_low"] < means["estimate"]).all() and (means["estimate"] < means["ci_high"]).all()
    levels = design.proportion("practical_sr_level", na_rm=True)
    assert levels["estimate"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- an ESS-like instrument
def _ess_raw(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(5, 2, n)
    data = {"idno": np.arange(10001, 10001 + n), "stratum": rng.integers(1, 5, n),
            "psu": rng.integers(1, 41, n), "anweight": rng.uniform(0.5, 2.0, n)}
    for item in ("trstprl", "trstlgl", "trstep"):  # trstplc, an optional item, is not in the file
        x = np.clip(np.round(latent + rng.normal(0, 1.5, n)), 0, 10)
        x[rng.random(n) < 0.03] = 77
        x[rng.random(n) < 0.04] = 88
        x[rng.random(n) < 0.02] = 99
        data[item] = x
    data["gndr"] = rng.choice([1, 2], n)
    data["agea"] = rng.integers(15, 90, n)
    data["psu"] = data["stratum"] * 100 + data["psu"] % 10  # PSUs nested in strata
    return pd.DataFrame(data)


def test_ess_like_instrument_end_to_end():
    inst = toolkit.load_instrument(ESS_PATH)
    raw = _ess_raw()
    read = toolkit.read_responses(raw, inst)
    assert "trstplc" not in read.columns  # an optional item may be absent
    cleaned = toolkit.clean(read, inst, pseudonym_key="test-key")
    kinds = cleaned.data["trstprl_missing"].value_counts()
    assert {"refused", "dont_know", "no_answer"} <= set(kinds[kinds > 0].index)  # ESS's kinds, not 66/88/99's
    assert cleaned.data["trstprl"].dropna().between(0, 10).all()

    scores = toolkit.score(cleaned.data, inst)
    answered = cleaned.data[["trstprl", "trstlgl"]]
    expected = answered.mean(axis=1).where(answered.notna().sum(axis=1) >= 2)
    np.testing.assert_allclose(scores["trust"].to_numpy(dtype=float), expected.to_numpy(dtype=float))
    assert set(scores["trust_level"].dropna()) == {"low", "basic", "above_basic"}
    np.testing.assert_allclose(scores["trust_ep"].to_numpy(dtype=float), cleaned.data["trstep"].to_numpy(dtype=float))

    # scoring the raw file applies the same missing codes
    raw_scores = toolkit.score(raw, inst)
    np.testing.assert_allclose(raw_scores["trust"].to_numpy(dtype=float), scores["trust"].to_numpy(dtype=float))

    data = pd.concat([raw[["stratum", "psu", "anweight"]], scores], axis=1)
    design = Design(data, weights="anweight", strata="stratum", psu="psu")
    mean = design.mean("trust", na_rm=True).iloc[0]
    ok = scores["trust"].notna()
    assert mean["estimate"] == pytest.approx(np.average(scores["trust"][ok], weights=raw["anweight"][ok]))
    assert mean["ci_low"] < mean["estimate"] < mean["ci_high"]


def test_ess_like_raw_scores_use_each_sets_missing_codes():
    # 9 is an answer on the 0-10 scale; only the gender set declares it missing
    inst = toolkit.load_instrument(ESS_PATH)
    df = pd.DataFrame({"trstprl": [9, 77], "trstlgl": [9, 99], "trstep": [9, 88]})
    scores = toolkit.score(df, inst)
    assert scores["trust"].tolist()[0] == 9.0 and np.isnan(scores["trust"].tolist()[1])


def test_ess_like_instrument_through_the_pipeline_without_outcomes():
    from toolkit import pipeline
    from toolkit.errors import DataQualityWarning
    from toolkit.risk import outcomes

    inst = toolkit.load_instrument(ESS_PATH)
    with pytest.warns(DataQualityWarning) as record:
        res = pipeline.run(_ess_raw(), inst)
    messages = [str(w.message) for w in record]
    assert "no outcome estimates: instrument 'ess-trust' declares no outcomes" in messages
    assert any(m.startswith("no risk model: instrument 'ess-trust' declares no outcome 'needs_help'") for m in messages)
    assert res.estimates.empty and res.outcomes.shape == (400, 0) and res.model is None and res.triage is None
    assert set(res.scores.columns) >= {"trust", "trust_level", "trust_ep"}
    assert outcomes(res.cleaned.data, res.scores, inst).shape == (400, 0)
