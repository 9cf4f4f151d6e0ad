"""pipeline.run on the bundled sample: the stages in order, tidy results, raked when a population is given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import datasets, pipeline
from toolkit.pipeline import _stages
from toolkit.config import Config
from toolkit.errors import OptionError


@pytest.fixture(scope="module")
def small():
    return toolkit.simulate.survey("dis-full", n=400, seed=5).responses


@pytest.fixture(scope="module")
def results():
    return pipeline.run(datasets.path("sample_survey.csv"), "dis-full", population=datasets.load("population.csv"))


def test_estimates_are_tidy_and_cover_every_outcome_and_group(results):
    est = results.estimates
    assert est.columns.tolist() == list(pipeline.ESTIMATE_COLUMNS)
    inst = toolkit.load_instrument("dis-full")
    assert set(est["outcome"]) == set(inst.outcomes)
    assert set(est["by"]) == {"overall", "district", "age_band", "gender", "education", "home_lang"}
    assert set(est.loc[est["by"] == "district", "group_label"]) == {
        c.label["en"] for c in inst.response_sets["district"].codes}
    shown = est[~est["suppressed"]]
    assert ((shown["ci_low"] <= shown["estimate"]) & (shown["estimate"] <= shown["ci_high"])).all()
    hidden = est[est["suppressed"]]
    assert hidden["estimate"].isna().all() and hidden["n"].isna().all()


def test_the_raked_estimate_is_near_the_truth(results):
    truth = datasets.load("truth.json")["prevalence"]
    overall = results.summary().set_index("outcome")
    for outcome in ("needs_help", "offline", "low_bureaucratic"):
        row = overall.loc[outcome]
        half = (row["ci_high"] - row["ci_low"]) / 2
        assert abs(row["estimate"] - truth[outcome]["overall"]) < 2 * half, outcome
    assert results.meta["raked"]
    raked = results.weighting[results.weighting["weighting"] == "raked"]
    assert not raked.empty


def test_projection_has_three_methods_per_district(results):
    proj = results.projection
    assert set(proj["method"]) == {"direct", "model", "fay_herriot"}
    assert proj.groupby("district")["preferred"].sum().eq(1).all()


def test_meta_records_versions_input_hash_and_unstable_pseudonyms(results, monkeypatch):
    import hashlib

    digest = hashlib.sha256(datasets.path("sample_survey.csv").read_bytes()).hexdigest()
    assert results.meta["input_sha256"] == digest
    assert results.meta["instrument_version"] == toolkit.load_instrument("dis-full").version
    assert results.meta["pseudonyms_stable"] is False
    assert results.meta["duplicates_left_out"] > 0
    assert sum(results.meta["imputed"].values()) > 0


def test_a_key_in_the_environment_makes_pseudonyms_stable(monkeypatch, small):
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", "k")
    cfg = Config(groups=(), outcomes=("needs_help",))
    one = pipeline.run(small, "dis-full", config=cfg)
    two = pipeline.run(small, "dis-full", config=cfg)
    assert one.meta["pseudonyms_stable"]
    assert one.cleaned.data["respondent_id"].equals(two.cleaned.data["respondent_id"])


def test_without_population_nothing_is_raked_or_projected(small):
    res = pipeline.run(small, "dis-full", config=Config(groups=("age_band",)))
    assert not res.meta["raked"] and res.projection.empty
    assert set(res.weighting["weighting"]) == {"design"}


def test_unknown_outcome_is_an_option_error(small):
    with pytest.raises(OptionError, match="not declared by dis-full"):
        pipeline.run(small, "dis-full", config=Config(outcomes=("nope",)))


def test_the_input_frame_is_not_modified(small):
    raw = small.copy()
    before = raw.copy()
    pipeline.run(raw, "dis-full", config=Config(groups=()))
    pd.testing.assert_frame_equal(raw, before)
    assert np.isfinite(before.select_dtypes("number").to_numpy(float)).any()


def test_margins_the_survey_lacks_are_left_out_with_a_warning():
    from toolkit.errors import DataQualityWarning

    with pytest.warns(DataQualityWarning, match="raking without the margin.*age_band"):
        res = pipeline.run(datasets.path("sample_screener.csv"), "dis-screener",
                           population=datasets.load("population.csv"), config=Config(groups=("district",)))
    assert res.meta["raked"] and res.meta["margins"] == ["district"]
    assert res.model is None and res.projection.empty
    raked = res.design.weights
    district_totals = pd.Series(raked).groupby(res.design.data["district"].to_numpy()).sum()
    target = datasets.load("population.csv").groupby("district")["count"].sum()
    assert np.allclose(district_totals.sort_index().to_numpy(), target.sort_index().to_numpy(), rtol=1e-6)


@pytest.mark.parametrize("values", [pd.Series(["3", "4", None, "x", "3"], dtype="str"),
                                    pd.Series(["3", "4", "3"], dtype="str"), pd.Series([1.0, np.nan, 2.0]),
                                    pd.Series([None, None], dtype=object), pd.Series([], dtype="str")])
def test_labels_to_numbers_once_per_distinct_value(values):
    pd.testing.assert_series_equal(_stages._to_number(values.set_axis(values.index + 10)),
                                   pd.to_numeric(values.set_axis(values.index + 10), errors="coerce"))


def test_a_group_with_no_answer_is_left_out_with_a_warning(small):
    from toolkit.errors import DataQualityWarning

    with pytest.warns(DataQualityWarning) as caught:
        res = pipeline.run(small.assign(education=np.nan), "dis-full", config=Config(groups=("education", "gender")))
    messages = [str(w.message) for w in caught]
    assert "no estimates by 'education': the column holds no answer" in messages
    assert "the risk model leaves out 'education': no respondent answered it" in messages
    assert set(res.estimates["by"]) == {"overall", "gender"}
    assert "education" not in res.model.predictors


def test_the_analysis_frame_keeps_items_compact_and_exact(results):
    data, cleaned = results.design.data, results.cleaned.data
    kept = cleaned.loc[~results.cleaned.flags["duplicate_id"].to_numpy()].reset_index(drop=True)
    assert data["prac_01"].dtype == np.float32 and data["motiv_01"].dtype == np.float32
    np.testing.assert_array_equal(data["prac_01"].to_numpy(np.float64), kept["prac_01"].to_numpy(np.float64))
    # design, margin and group columns keep their dtype, so the tables' levels do too
    assert data["design_weight"].dtype == np.float64 and data["gender"].dtype == kept["gender"].dtype


def test_items_with_values_float32_cannot_hold_stay_float64():
    data = pd.DataFrame({"prac_01": [1.0, 2.0, np.nan], "prac_02": [1.0, 0.1, 2.0]})
    out = _stages._compact_items(data, toolkit.load_instrument("dis-full"), Config())
    assert out["prac_01"].dtype == np.float32 and out["prac_02"].dtype == np.float64
    assert data["prac_01"].dtype == np.float64  # the input is not modified
