"""toolkit.survey design and estimators: R parity (fixtures), properties and errors.

Golden values: tests/results/survey_fixtures.json, made by tests/results/survey_fixtures.R
with R's survey 4.1 on the api data (apistrat, apiclus1, apiclus2) and survey::nhanes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import survey
from toolkit.errors import DataQualityWarning, DesignError, OptionError

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXTURES = json.loads((RESULTS / "survey_fixtures.json").read_text())
CASES = FIXTURES["cases"]
MARGINS = FIXTURES["margins"]
CALIBRATED = ("rake_", "poststrat", "trim")


@cache
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(RESULTS / f"survey_{name}.csv")


@cache
def design(name: str) -> survey.Design:
    """The Python twin of each svydesign/rake/postStratify/trimWeights call in the R script."""
    nh = dict(weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU")
    simple = {
        "strat_fpc": lambda: survey.Design(data("apistrat"), weights="pw", strata="stype", fpc="fpc"),
        "strat_nofpc": lambda: survey.Design(data("apistrat"), weights="pw", strata="stype"),
        "clus1_fpc": lambda: survey.Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc"),
        "clus1_nofpc": lambda: survey.Design(data("apiclus1"), weights="pw", psu="dnum"),
        "clus2_uc": lambda: survey.Design(data("apiclus2"), weights="pw", psu=["dnum", "snum"]),
        "clus2_fpc": lambda: survey.Design(data("apiclus2"), psu=["dnum", "snum"],
                                           fpc=["fpc1", "fpc2"]),
        "nhanes": lambda: survey.Design(data("nhanes"), **nh),
        "rake_default": lambda: design("clus1_fpc").rake(
            {"stype": MARGINS["stype"], "sch_wide": MARGINS["sch_wide"]}),
        "rake_tight": lambda: design("clus1_fpc").rake(
            {"stype": MARGINS["stype"], "sch_wide": MARGINS["sch_wide"]}, max_iter=100, tol=1e-12),
        "rake_strat": lambda: design("strat_fpc").rake(
            {"sch_wide": MARGINS["sch_wide"], "awards": MARGINS["awards"]}, max_iter=50, tol=1e-10),
        "poststrat": lambda: design("clus1_fpc").poststratify("stype", MARGINS["stype"]),
        "trim": lambda: design("strat_fpc").trim(lower=16, upper=40),
        "trim_raked": lambda: design("rake_tight").trim(upper=36),
    }
    if name.startswith("lonely_"):
        nhl = data("nhanes").query("lonely_ok == 1").reset_index(drop=True)
        return survey.Design(nhl, **nh, lonely_psu=name.removeprefix("lonely_"))
    return simple[name]()


def run_case(case: dict) -> pd.DataFrame:
    d = design(case["design"])
    fun = case["fun"]
    if fun in ("mean", "total"):
        return getattr(d, fun)(case["variable"], by=case["by"], na_rm=case["na_rm"], min_cell=0)
    if fun == "proportion":
        return d.proportion(case["variable"], by=case["by"], na_rm=case["na_rm"], min_cell=0)
    if fun == "ratio":
        return d.ratio(case["numerator"], case["denominator"], by=case["by"], min_cell=0)
    raise ValueError(fun)


def assert_close(got, want, rtol, what):
    got, want = np.ravel(np.asarray(got, float)), np.ravel(np.asarray(want, float))
    assert got.shape == want.shape, f"{what}: {got.shape} rows, R has {want.shape}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0, err_msg=what)


ESTIMATE_CASES = sorted(k for k, c in CASES.items() if c["fun"] in ("mean", "total", "proportion", "ratio")
                        and not c["design"].startswith(CALIBRATED))


@pytest.mark.parametrize("case_id", ESTIMATE_CASES)
def test_estimates_match_r(case_id):
    case = CASES[case_id]
    got = run_case(case)
    for col in ("estimate", "se", "ci_low", "ci_high", "deff", "df"):
        assert_close(got[col], case[col], 1e-8, f"{case_id} {col}")
    for col, labels in (case.get("groups") or {}).items():
        assert got[col].astype(str).tolist() == labels
    if case["fun"] == "proportion":
        assert got["level"].astype(str).tolist() == [str(v) for v in np.atleast_1d(case["level"])]
        if case["by"]:
            for col in [case["by"]] if isinstance(case["by"], str) else case["by"]:
                assert got[col].astype(str).tolist() == [str(v) for v in case[col]]


# ----------------------------------------------------------------- behaviour
def toy(n=60, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "s": np.repeat(["a", "b", "c"], n // 3),
        "psu": np.tile(np.arange(4), n // 4),
        "w": rng.uniform(1, 5, n),
        "y": rng.normal(10, 2, n),
        "g": rng.choice(["x", "y", "z"], n),
        "cat": rng.choice(["lo", "mid", "hi"], n),
    })


def test_design_does_not_mutate_input():
    df = toy()
    before = df.copy()
    d = survey.Design(df, weights="w", strata="s", psu="psu")
    d.mean("y", by="g"), d.proportion("cat"), d.rake({"g": {"x": 10, "y": 20, "z": 30}})
    d.total("y", by=["g", "cat"]), d.ratio("y", "w"), d.poststratify("cat", {"lo": 1, "mid": 1, "hi": 1})
    d.trim(upper=4).weight_summary()
    fit = d.glm("y ~ w + C(cat)")
    fit.predict(df), fit.marginal_effects()
    pd.testing.assert_frame_equal(df, before)


def test_degrees_of_freedom_are_psus_minus_strata():
    d, nh = design("nhanes"), data("nhanes")
    assert d.degf == nh.groupby("SDMVSTRA")["SDMVPSU"].nunique().sum() - nh["SDMVSTRA"].nunique()


def test_lonely_psu_fail_names_the_stratum():
    with pytest.raises(DesignError, match=r"Stratum \(83\) has only one PSU"):
        survey.Design(data("nhanes").query("lonely_ok == 1"), weights="WTMEC2YR",
                      strata="SDMVSTRA", psu="SDMVPSU")


@pytest.mark.parametrize("col, value, message", [
    ("w", np.nan, r"weights column 'w'.*missing"),
    ("w", -1.0, r"weights column 'w'.*negative"),
    ("s", None, r"strata column 's' has 1 missing"),
])
def test_bad_design_columns_are_named(col, value, message):
    df = toy()
    df[col] = df[col].astype(object) if value is None else df[col]
    df.loc[3, col] = value
    with pytest.raises(DesignError, match=message):
        survey.Design(df, weights="w", strata="s", psu="psu")


def test_unknown_columns_are_named():
    d = survey.Design(toy(), weights="w")
    with pytest.raises(DesignError, match="grouping column 'nope'"):
        d.mean("y", by="nope")
    with pytest.raises(DesignError, match="variable column 'zz'"):
        d.total("zz")
    with pytest.raises(DesignError, match="'nope'"):
        survey.Design(toy(), weights="nope")


def test_fpc_rule_fractions_and_sizes_agree_and_mixing_fails():
    df = toy()
    df["N"] = df["s"].map({"a": 100, "b": 200, "c": 50})
    df["f"] = 4 / df["N"]
    by_size = survey.Design(df, weights="w", strata="s", psu="psu", fpc="N").mean("y", min_cell=0)
    by_frac = survey.Design(df, weights="w", strata="s", psu="psu", fpc="f").mean("y", min_cell=0)
    assert by_size["se"].iloc[0] == pytest.approx(by_frac["se"].iloc[0], rel=1e-12)
    df.loc[0, "f"] = 3.0
    with pytest.raises(DesignError, match="mix values above and below 1"):
        survey.Design(df, weights="w", strata="s", psu="psu", fpc="f")
    df.loc[0, "f"] = 0.0
    with pytest.raises(DesignError, match=r"fpc column 'f' has 1 zero or negative value\(s\) at rows 0"):
        survey.Design(df, weights="w", strata="s", psu="psu", fpc="f")


def test_without_weights_the_fpc_gives_the_selection_probabilities_as_r():
    # svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2) has no weights
    # argument; R's weights are N1/n1 * N2/n2, which is apiclus2$pw
    np.testing.assert_allclose(design("clus2_fpc").weights, data("apiclus2")["pw"], rtol=1e-12)
    # svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1): 757 districts / 15 sampled
    one = survey.Design(data("apiclus1"), psu="dnum", fpc="fpc")
    np.testing.assert_allclose(one.weights, 757 / 15, rtol=1e-15)
    with pytest.raises(DesignError, match=r"weights are needed: one fpc column \('fpc1'\) for 2 psu"):
        survey.Design(data("apiclus2"), psu=["dnum", "snum"], fpc="fpc1")
    assert (survey.Design(data("apiclus2"), psu=["dnum", "snum"]).weights == 1).all()


def test_na_without_na_rm_gives_nan_in_that_domain_only():
    df = toy()
    df.loc[0, "y"] = np.nan
    out = survey.Design(df, weights="w").mean("y", by="s", min_cell=0)
    assert out["estimate"].isna().tolist() == [True, False, False]
    assert survey.Design(df, weights="w").mean("y", by="s", na_rm=True)["estimate"].notna().all()


def test_small_cells_are_blanked_and_flagged():
    df = toy()
    df.loc[:2, "g"] = "rare"
    out = survey.Design(df, weights="w").mean("y", by="g", min_cell=5)
    rare = out[out["g"] == "rare"].iloc[0]
    assert rare["suppressed"] and np.isnan(rare["estimate"]) and np.isnan(rare["se"]) and pd.isna(rare["n"])
    assert rare["note"] == "n < 5: suppressed"
    assert not out.loc[out["g"] != "rare", "suppressed"].any()
    assert not survey.Design(df, weights="w", min_cell=3).mean("y", by="g")["suppressed"].any()


def test_proportions_sum_to_one_and_have_logit_cis_inside_unit_interval():
    out = design("nhanes").proportion("agecat", by="race")
    sums = out.groupby("race")["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    assert ((out["ci_low"] > 0) & (out["ci_high"] < 1) & (out["ci_low"] < out["estimate"])).all()


# ----------------------------------------------------------------- properties
frames = st.integers(0, 2**31 - 1).map(lambda seed: toy(60, seed))


@settings(max_examples=25, deadline=None)
@given(frames, st.integers(0, 2**31 - 1))
def test_estimates_do_not_depend_on_row_order(df, seed):
    perm = np.random.default_rng(seed).permutation(len(df))
    a = survey.Design(df, weights="w", strata="s", psu="psu").mean("y", by="g", min_cell=0)
    b = survey.Design(df.iloc[perm], weights="w", strata="s", psu="psu").mean("y", by="g", min_cell=0)
    cols = ["estimate", "se", "deff", "df"]
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(frames, st.booleans())
def test_domain_total_equals_full_design_total_of_zeroed_outcome(df, raked):
    def make(frame):
        d = survey.Design(frame, weights="w", strata="s", psu="psu")
        return d.rake({"cat": {"lo": 0.3, "mid": 0.3, "hi": 0.4}}, max_iter=50, tol=1e-12) if raked else d

    by = make(df).total("y", by="g", min_cell=0)
    for _, row in by.iterrows():
        zeroed = df.assign(yz=np.where(df["g"] == row["g"], df["y"], 0.0))
        full = make(zeroed).total("yz", min_cell=0).iloc[0]
        assert row["estimate"] == pytest.approx(full["estimate"], rel=1e-10)
        assert row["se"] == pytest.approx(full["se"], rel=1e-10)


# ----------------------------------------------------------------- glossary and checks
def test_old_df_attribute_still_works_and_warns():
    d = design("strat_nofpc")
    with pytest.warns(FutureWarning, match=r"Design.df is now Design.degf"):
        assert d.df == d.degf == 197
    assert "degf=197" in repr(d)


def test_design_options_are_keyword_only_and_checked():
    with pytest.raises(TypeError):
        survey.Design(toy(), "w")  # weights= is an option
    with pytest.raises(OptionError, match="lonely_psu must be one of 'fail', 'remove'"):
        survey.Design(toy(), weights="w", lonely_psu="drop")
    with pytest.raises(OptionError, match="min_cell must be a whole number"):
        survey.Design(toy(), min_cell=-1)
    with pytest.raises(DesignError, match="data must be a pandas DataFrame"):
        survey.Design([1, 2, 3])
    with pytest.raises(DesignError, match=r"data has no column\(s\) 'nope'"):
        survey.Design(toy(), strata="nope")


def test_weight_errors_name_the_column_the_count_and_the_first_rows():
    df = toy()
    df.loc[[2, 7], "w"] = np.nan
    with pytest.raises(DesignError, match=r"weights column 'w': 2 missing/non-finite value\(s\) at rows 2, 7"):
        survey.Design(df, weights="w")
    with pytest.raises(DesignError, match="weights column 'g' must be numeric"):
        survey.Design(toy(), weights="g")


def test_update_adds_columns_and_keeps_calibrated_weights():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "g": list("aabbab"), "w": [1.0, 2, 1, 2, 1, 2]})
    d = survey.Design(df, weights="w").rake({"g": {"a": 10.0, "b": 20.0}})
    u = d.update(y2=df["y"].to_numpy() * 2, y=lambda data: data["y"] + 1)
    assert np.array_equal(u.weights, d.weights)
    est = u.mean(["y", "y2"], min_cell=0).set_index("variable")
    base = d.mean("y", min_cell=0)
    assert est.loc["y2", "estimate"] == pytest.approx(2 * base["estimate"].iloc[0])
    assert est.loc["y2", "se"] == pytest.approx(2 * base["se"].iloc[0])
    assert est.loc["y", "estimate"] == pytest.approx(base["estimate"].iloc[0] + 1)
    assert list(df.columns) == ["y", "g", "w"]  # input untouched
    with pytest.raises(DesignError, match="one value per row"):
        d.update(z=[1, 2])


# ---------------------------------------------------------------- edge cases (survey_edge_fixtures.R)
EDGE = json.loads((Path(__file__).resolve().parents[1] / "results" / "survey_edge_fixtures.json").read_text())["cases"]
DOMAIN_LONELY = sorted(k for k in EDGE if k.startswith("domain_lonely_"))


@pytest.mark.parametrize("case_id", DOMAIN_LONELY)
def test_adjust_domain_lonely_matches_r_option(case_id):
    """options(survey.adjust.domain.lonely) with lonely.psu adjust/remove/certainty: a domain that holds
    one PSU of most strata (NHANES, PSU 1 or a stratum divisible by 3). Closed form: 1e-10."""
    want = EDGE[case_id]
    data = pd.read_csv(Path(__file__).resolve().parents[1] / "results" / "survey_edge_nhanes_domain.csv")
    d = survey.Design(data, weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU", lonely_psu=want["lonely_psu"],
                      adjust_domain_lonely=want["adjust"], min_cell=0)
    if want["adjust"]:  # R warns once per stratum (19 here), whatever lonely.psu says
        with pytest.warns(DataQualityWarning, match="have only one PSU in a domain") as rec:
            m = d.mean("RIAGENDR", by="dom")
        assert want["n_warnings"] > 0 and rec[0].filename == __file__
    else:
        m = d.mean("RIAGENDR", by="dom")
    np.testing.assert_allclose(m["estimate"], want["estimate"], rtol=1e-10)
    np.testing.assert_allclose(m["se"], want["se"], rtol=1e-10)


@pytest.mark.parametrize("case_id", ["stages_clus2_mean", "stages_clus2_total", "stages_clus1_mean"])
def test_variance_by_stage_matches_svyrecvar_one_stage(case_id):
    """Stage 1 is svyrecvar(one.stage = TRUE); stage 2 the rest of the multistage variance. 1e-10."""
    want = EDGE[case_id]
    read = lambda n: pd.read_csv(Path(__file__).resolve().parents[1] / "results" / f"survey_{n}.csv")  # noqa: E731
    d = (survey.Design(read("apiclus2"), psu=["dnum", "snum"], fpc=["fpc1", "fpc2"], min_cell=0)
         if "clus2" in case_id else survey.Design(read("apiclus1"), weights="pw", psu="dnum", fpc="fpc", min_cell=0))
    got = d.variance_by_stage(want["variable"], statistic=want["statistic"])
    expected = np.ravel(want["stage_variance"])[: len(got)]
    np.testing.assert_allclose(got["variance"], expected, rtol=1e-10, atol=1e-12 * abs(want["total"]))
    assert got["variance"].sum() == pytest.approx(want["total"], rel=1e-10)
    assert got["share"].sum() == pytest.approx(1.0)


def test_update_keeps_a_categorical_by_position_and_the_weights_atoms():
    from toolkit.survey import _shares

    d = survey.Design(pd.DataFrame({"w": [1.0, 1, 2, 2]}, index=[10, 11, 12, 13]), weights="w")
    atoms = _shares.design_atoms(d)
    u = d.update(c=pd.Series(pd.Categorical(list("xyxx")), index=[3, 2, 1, 0]))
    assert u.data["c"].dtype == "category" and u.data["c"].tolist() == list("xyxx")
    assert _shares.design_atoms(u) is atoms
    assert u.proportion("c", min_cell=0)["estimate"].round(4).tolist() == [0.8333, 0.1667]
