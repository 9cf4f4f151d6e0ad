"""FayHerriot against R: metafor::rma's REML/ML fit and sae::mseFH's Prasad-Rao / Datta-Lahiri MSE.

Golden values: tests/results/fay_herriot_fixtures.json from tests/results/fay_herriot_fixtures.R
(metafor run with threshold 1e-14, so both sides are converged to machine precision).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import BoundaryWarning, ModelError, OptionError
from toolkit.risk import FayHerriot

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXTURES = json.loads((RESULTS / "fay_herriot_fixtures.json").read_text())["cases"]
DATA = {"bcg": "fh_bcg.csv", "bcg_intercept": "fh_bcg.csv", "api_county": "fh_api_county.csv",
        "api_share_arcsin": "fh_api_share.csv"}


def _fit(case: dict) -> FayHerriot:
    data = pd.read_csv(RESULTS / DATA[case["case"]])
    covariates = [c for c in case["coef"] if c != "(Intercept)"]
    transform = "arcsin" if case["case"].endswith("arcsin") else "none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        return FayHerriot(method=case["method"], transform=transform).fit(data, covariates=covariates)


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


@pytest.mark.parametrize("case", FIXTURES, ids=lambda c: f"{c['case']}-{c['method']}")
def test_matches_metafor_and_mse_fh(case):
    fh = _fit(case)
    assert _rel(fh.sigma2_u_, case["sigma2_u"]) < 1e-8
    assert _rel(fh.coef_.to_numpy(), list(case["coef"].values())) < 1e-8
    assert _rel(fh.vcov_.to_numpy(), case["vcov"]) < 1e-8
    assert abs(fh.loglik_ - case["loglik"]) < 1e-8
    table = fh.transformed_ if fh.transform == "arcsin" else fh.table_
    assert table["area"].tolist() == case["area"]
    assert _rel(table["synthetic"], case["synthetic"]) < 1e-8
    assert _rel(table["eblup"], case["eblup"]) < 1e-8
    assert _rel(table["eblup"], case["blup_metafor"]) < 1e-8
    assert _rel(table["mse"], case["mse"]) < 1e-8
    if fh.transform == "none":
        assert _rel(fh.table_["gamma"], case["gamma"]) < 1e-8
        assert np.allclose(fh.table_["rmse"] ** 2, fh.table_["mse"])


def test_out_of_sample_prediction_matches_the_r_formula():
    case = next(c for c in FIXTURES if c["case"] == "api_county" and c["method"] == "reml")
    fh = _fit(case)
    data = pd.read_csv(RESULTS / "fh_api_county.csv")
    pred = fh.predict(data)
    assert _rel(pred["mse"], case["out_of_sample_mse"]) < 1e-8
    assert _rel(pred["synthetic"], case["synthetic"]) < 1e-8


def test_arcsine_back_transformation_stays_in_the_unit_interval_and_is_bias_corrected():
    case = next(c for c in FIXTURES if c["case"] == "api_share_arcsin")
    fh = _fit(case)
    t = fh.table_
    assert ((t["ci_low"] >= 0) & (t["ci_high"] <= 1) & (t["ci_low"] <= t["eblup"]) & (t["eblup"] <= t["ci_high"])).all()
    naive = np.sin(fh.transformed_["eblup"]) ** 2
    g1 = fh.transformed_["variance"] * fh.sigma2_u_ / (fh.sigma2_u_ + fh.transformed_["variance"])
    # E[sin^2 X] for X ~ N(theta, g1), checked by quadrature for one area
    x, w = np.polynomial.hermite_e.hermegauss(80)
    theta, var = fh.transformed_["eblup"].iloc[0], g1.iloc[0]
    expected = np.sum(w * np.sin(theta + np.sqrt(var) * x) ** 2) / np.sqrt(2 * np.pi)
    assert t["eblup"].iloc[0] == pytest.approx(expected, rel=1e-10)
    assert not np.allclose(t["eblup"], naive)
    assert np.allclose(fh.n_eff_, t["direct"] * (1 - t["direct"]) / t["direct_se"] ** 2)


def test_benchmarking_hits_the_total_and_adds_the_adjustment_to_the_mse():
    data = pd.read_csv(RESULTS / "fh_api_county.csv").assign(pop=lambda d: np.arange(1, len(d) + 1.0))
    share = data["pop"] / data["pop"].sum()
    total = float(np.sum(share * data["estimate"]))
    fh = FayHerriot().fit(data, covariates=["meals", "ell"], benchmark=total, benchmark_weights="pop")
    t = fh.table_
    assert np.sum(share * t["benchmarked"]) / share.sum() == pytest.approx(total, rel=1e-12)
    assert np.allclose(t["mse_benchmarked"], t["mse"] + (t["benchmarked"] - t["eblup"]) ** 2)


def test_zero_area_variance_warns_and_gives_the_synthetic_estimate():
    areas = pd.DataFrame({"area": list("ABCDEF"), "estimate": [1.0, 1.01, 0.99, 1.0, 1.02, 0.98],
                          "se": [0.5, 0.4, 0.6, 0.9, 0.3, 0.5]})
    with pytest.warns(BoundaryWarning, match="estimated as 0"):
        fh = FayHerriot().fit(areas)
    assert fh.sigma2_u_ == 0.0
    assert np.allclose(fh.table_["eblup"], fh.table_["synthetic"])
    assert (fh.table_["gamma"] == 0).all()


@pytest.mark.parametrize("bad, message", [(0.0, "zero or missing for B"), (np.nan, "zero or missing for B")])
def test_an_area_with_zero_or_missing_se_is_named(bad, message):
    areas = pd.DataFrame({"area": list("ABCD"), "estimate": [1.0, 2.0, 1.5, 3.0], "se": [0.5, bad, 0.6, 0.9]})
    with pytest.raises(ModelError, match=message):
        FayHerriot().fit(areas)


def test_bad_options_and_inputs_get_clear_errors():
    areas = pd.DataFrame({"area": list("ABCD"), "estimate": [1.0, 2.0, 1.5, 3.0], "se": [0.5, 0.4, 0.6, 0.9]})
    with pytest.raises(OptionError, match="method must be one of 'reml', 'ml'"):
        FayHerriot(method="fh").fit(areas)
    with pytest.raises(ModelError, match="no column.*'x'"):
        FayHerriot().fit(areas, covariates=["x"])
    with pytest.raises(ModelError, match="strictly between 0 and 1"):
        FayHerriot(transform="arcsin").fit(areas)
    with pytest.raises(ModelError, match="not fitted"):
        FayHerriot().predict(areas)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31), st.integers(5, 40))
def test_eblup_lies_between_direct_and_synthetic_and_mse_is_positive(seed, m):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=m)
    se = rng.uniform(0.1, 1.0, size=m)
    areas = pd.DataFrame({"area": [f"a{i}" for i in range(m)], "x": x,
                          "estimate": 1 + x + rng.normal(0, 0.5, m) + rng.normal(0, se), "se": se})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        t = FayHerriot().fit(areas, covariates=["x"]).table_
    lo = np.minimum(t["direct"], t["synthetic"]) - 1e-12
    hi = np.maximum(t["direct"], t["synthetic"]) + 1e-12
    assert ((t["eblup"] >= lo) & (t["eblup"] <= hi)).all()
    assert (t["mse"] > 0).all() and ((t["gamma"] >= 0) & (t["gamma"] < 1)).all()
    # row order does not matter
    shuffled = areas.sample(frac=1, random_state=seed % 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        again = FayHerriot().fit(shuffled, covariates=["x"]).table_.set_index("area").loc[t["area"]]
    assert np.allclose(again["eblup"].to_numpy(), t["eblup"].to_numpy(), rtol=1e-9, atol=1e-12)


def test_an_offset_is_the_same_model_fitted_to_the_difference():
    data = pd.read_csv(RESULTS / "fh_api_county.csv").assign(o=lambda d: 5.0 * d["meals"])
    with_offset = FayHerriot().fit(data, covariates=["ell"], offset="o")
    shifted = FayHerriot().fit(data.assign(estimate=data["estimate"] - data["o"]), covariates=["ell"])
    assert with_offset.sigma2_u_ == pytest.approx(shifted.sigma2_u_, rel=1e-12)
    assert np.allclose(with_offset.table_["eblup"], shifted.table_["eblup"] + data["o"])
    assert np.allclose(with_offset.table_["mse"], shifted.table_["mse"])
    new = pd.DataFrame({"area": ["x"], "ell": [10.0], "o": [100.0]})
    assert with_offset.predict(new)["synthetic"].iloc[0] == pytest.approx(
        shifted.predict(new)["synthetic"].iloc[0] + 100.0)


def test_without_intercept_an_offset_alone_is_the_plain_composite():
    data = pd.read_csv(RESULTS / "fh_bcg.csv").assign(o=0.0)
    fh = FayHerriot(intercept=False).fit(data, offset="o")
    assert fh.coef_.empty and fh.vcov_.shape == (0, 0)
    t = fh.table_
    assert np.allclose(t["synthetic"], 0.0)
    assert np.allclose(t["eblup"], t["gamma"] * t["direct"])
    v = 1.0 / (fh.sigma2_u_ + t["direct_se"] ** 2)
    assert np.sum(v**2 * t["direct"] ** 2) == pytest.approx(np.sum(v), rel=1e-9)  # the score is zero (ML = REML)
    assert np.allclose(fh.predict(data)["mse"], fh.sigma2_u_)
