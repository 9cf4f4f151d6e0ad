"""toolkit.survey.quantile: Design.quantile against R's svyquantile (tests/results/survey_edge_fixtures.R).

Every interval type (mean, beta, xlogit, asin, score) and every qrule, on a stratified, a one-stage
cluster and a two-stage design, overall and by domain. The estimates and Woodruff intervals are
closed form; the score interval finds its roots with Brent's method at R's tolerance 1/(100 sqrt(n)),
and the interval ends are data values, so all agree to 1e-10.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.errors import DesignError, OptionError
from toolkit.survey.quantile import qrule

RESULTS = Path(__file__).resolve().parents[1] / "results"
EDGE = json.loads((RESULTS / "survey_edge_fixtures.json").read_text())["cases"]
CASES = sorted(k for k in EDGE if k.startswith("quantile_") and not k.startswith("quantile_by_"))


@cache
def design(name):
    read = lambda n: pd.read_csv(RESULTS / f"survey_{n}.csv")  # noqa: E731
    return {
        "strat": lambda: survey.Design(read("apistrat"), weights="pw", strata="stype", fpc="fpc", min_cell=0),
        "clus1": lambda: survey.Design(read("apiclus1"), weights="pw", psu="dnum", fpc="fpc", min_cell=0),
        "clus2": lambda: survey.Design(read("apiclus2"), psu=["dnum", "snum"], fpc=["fpc1", "fpc2"], min_cell=0),
    }[name]()


def _column(values):
    return np.array([np.nan if v is None else v for v in values], float)


@pytest.mark.parametrize("case_id", CASES)
def test_quantiles_match_svyquantile(case_id):
    want = EDGE[case_id]
    got = design(want["design"]).quantile("api00", want["q"], ci_method=want["ci_method"], qrule=want["qrule"])
    assert got["quantile"].tolist() == want["q"]
    expected = np.column_stack([_column(want[k]) for k in ("estimate", "ci_low", "ci_high", "se")])
    np.testing.assert_allclose(got[["estimate", "ci_low", "ci_high", "se"]].to_numpy(float), expected,
                               rtol=1e-10, equal_nan=True)


@pytest.mark.parametrize("name", ["strat", "clus1"])
def test_quantiles_by_domain_match_svyby(name):
    want = EDGE[f"quantile_by_{name}"]
    got = design(name).quantile("api00", want["q"], by="sch_wide")
    assert got["sch_wide"].unique().tolist() == want["groups"]
    np.testing.assert_allclose(got["estimate"].to_numpy(float), np.ravel(want["estimate"]), rtol=1e-10)
    se = np.array([[np.nan if v is None else v for v in row] for row in want["se"]], float).ravel()
    np.testing.assert_allclose(got["se"].to_numpy(float), se, rtol=1e-10, equal_nan=True)


def test_quantile_table_goes_through_disclosure():
    d = survey.Design(pd.DataFrame({"y": np.arange(8.0), "g": list("aaaaaabb")}))
    out = d.quantile("y", 0.5, by="g")
    assert out.loc[out["g"] == "b", "suppressed"].all() and out.loc[out["g"] == "b", "estimate"].isna().all()
    assert not out.loc[out["g"] == "a", "suppressed"].any()


def test_quantile_checks_its_options():
    d = design("strat")
    with pytest.raises(OptionError, match="ci_method must be one of"):
        d.quantile("api00", 0.5, ci_method="wald")
    with pytest.raises(OptionError, match="qrule must be one of"):
        d.quantile("api00", 0.5, qrule="hf10")
    with pytest.raises(DesignError, match=r"lie in \[0, 1\]"):
        d.quantile("api00", 1.5)


def test_qrule_math_is_the_weighted_inverse_cdf():
    x, w = np.array([5.0, 1, 3]), np.array([1.0, 2, 1])
    assert [qrule(x, w, p) for p in (0.5, 0.6, 1.0)] == [1.0, 3.0, 5.0]
