"""The engines return the in-memory Design's tables, however the rows are partitioned."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey.engines._parity import MARGINS, assert_same, dask_frame, survey_data, write_parquet
from toolkit import survey
from toolkit.errors import DesignError, OptionError
from toolkit.survey.engines import EngineDesign

pytest.importorskip("duckdb")
pytest.importorskip("dask.dataframe")

DESIGN = {"weights": "w", "strata": "s", "psu": "p"}
NO_PSU = {"weights": "w", "strata": "s"}  # a stratified sample: every respondent its own PSU
CALLS = {
    "mean": lambda d: d.mean(["y", "x"], by="g", na_rm=True),
    "mean_na": lambda d: d.mean("y", by=["g", "r"]),
    "total": lambda d: d.total("x", by="c"),
    "ratio": lambda d: d.ratio("y", "x", by="g", na_rm=True),
    "proportion": lambda d: d.proportion("c", by="g", ci_method="wald"),
    "proportion_logit": lambda d: d.proportion("c"),
    "proportion_likelihood": lambda d: d.rake(MARGINS).proportion("g", by="c", ci_method="likelihood", na_rm=True),
    "raked_mean": lambda d: d.rake(MARGINS).mean(["y", "x"], by="c", na_rm=True),
    "raked_proportion": lambda d: d.rake(MARGINS).proportion("c", ci_method="beta"),
    "poststratified_ratio": lambda d: d.poststratify("c", {"lo": 300, "mid": 200, "hi": 250}).ratio(
        "x", "w", by="r"),
}
partitions = st.lists(st.integers(1, 599), max_size=6)


def _compare(reference, engine_design, names=CALLS):
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, got = CALLS[name](reference), CALLS[name](engine_design)
        assert_same(ref, got)


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), cuts=partitions, row_group=st.integers(7, 400))
def test_duckdb_over_parquet_files_and_row_groups_equals_memory(tmp_path, design, seed, cuts, row_group):
    data = survey_data(seed)
    folder = write_parquet(data, tmp_path / "survey", cuts, row_group)
    _compare(survey.Design(data, **design), survey.Design(folder, engine="duckdb", **design))


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**16), cuts=partitions)
def test_dask_over_uneven_partitions_equals_memory(design, seed, cuts):
    data = survey_data(seed)
    _compare(survey.Design(data, **design), survey.Design(dask_frame(data, cuts), **design))


def test_one_parquet_file_and_a_list_of_files(tmp_path):
    data = survey_data(3)
    data.to_parquet(tmp_path / "one.parquet")
    ref = survey.Design(data, **DESIGN)
    _compare(ref, survey.Design(str(tmp_path / "one.parquet"), engine="duckdb", **DESIGN), ["mean", "proportion"])
    files = write_parquet(data, tmp_path / "parts", [100, 350], 50)
    listed = survey.Design(sorted(files.glob("*.parquet")), engine="duckdb", **DESIGN)
    _compare(ref, listed, ["total"])
    np.testing.assert_allclose(listed.rake(MARGINS).weights, ref.rake(MARGINS).weights, rtol=1e-12)


@pytest.mark.parametrize("options", [
    {"weights": "w", "strata": "s", "psu": "p", "lonely_psu": "adjust"},
    {"weights": "w", "psu": ["p", "ssu"], "fpc": ["N1", "N2"]},
    {"weights": "w", "strata": "s", "psu": "p", "fpc": "N1", "lonely_psu": "remove"},
    {"psu": "p", "lonely_psu": "average", "adjust_domain_lonely": True},
    {"weights": "w", "strata": "s", "psu": "p", "lonely_psu": "certainty", "min_cell": 0},
])
def test_design_options_that_reduce_to_cells(options):
    data = survey_data(11)
    data = data[~((data["s"] == 3) & (data["p"] != 3))]  # stratum 3 keeps a single PSU
    data = data.assign(ssu=np.arange(len(data)) % 3, N1=40, N2=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = survey.Design(data, **options)
        got = survey.Design(data, engine="dask", **options)
    assert got.degf == ref.degf
    _compare(ref, got, ["mean", "total", "proportion", "raked_mean"])


@pytest.mark.parametrize("options", [
    {"weights": "w", "strata": "s", "lonely_psu": "adjust", "adjust_domain_lonely": True},
    {"weights": "w", "strata": "s", "lonely_psu": "average", "adjust_domain_lonely": True},
    {"weights": "w", "strata": "s", "fpc": "N1", "lonely_psu": "remove"},
    {"weights": "w", "strata": "s", "fpc": "f", "lonely_psu": "certainty", "min_cell": 0},
    {"weights": "w", "lonely_psu": "average"},
    {"strata": "s", "lonely_psu": "adjust"},
])
def test_designs_without_psu_reduce_to_cells_of_respondents(options):
    data = survey_data(11)
    data = data[(data["s"] != 3) | (data.index == data.index[data["s"] == 3][0])]  # stratum 3: one respondent
    one = data.index[data["s"] == 1][0]  # domain "c" holds a single respondent of stratum 1
    data = data.assign(g=data["g"].where((data["s"] != 1) | (data["g"] != "c") | (data.index == one), "a"))
    data = data.assign(N1=900, f=data["s"] / 10 + 0.05)
    uncalibrated = ["mean", "mean_na", "total", "ratio", "proportion", "proportion_logit"]
    # zero weights: R's calibration divides by them (NaN SEs); without weights, raking to shares keeps
    # sum w = n and the SRS variance of a design effect is rounding noise
    zero = data.assign(w=data["w"].where(data.index % 17 != 0, 0.0))
    raked = [c for c in CALLS if c.startswith(("raked", "proportion_likelihood"))]
    for frame, calls in [(data, [*CALLS] if "weights" in options else uncalibrated),
                         (zero, uncalibrated + raked if "weights" in options else uncalibrated)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = survey.Design(frame, **options)
            got = survey.Design(frame, engine="dask", **options)
        assert got.degf == ref.degf and repr(got).startswith(f"Design(engine='dask', n={len(frame)}")
        _compare(ref, got, calls)


def test_a_lonely_psu_fails_as_in_memory():
    data = survey_data(2)
    data = data[~((data["s"] == 1) & (data["p"] != 1))]
    with pytest.raises(DesignError, match=r"Stratum \(1\) has only one PSU"):
        survey.Design(data, engine="dask", **DESIGN)


def test_rake_result_and_its_warnings_are_the_in_memory_ones():
    data = survey_data(5)
    clash = {"g": {"a": 300, "b": 200, "c": 100}, "r": {"n": 500, "s": 400}}
    with pytest.warns(Warning, match="disagree") as mem:
        ref = survey.Design(data, **DESIGN).rake(clash)
    with pytest.warns(Warning, match="disagree") as eng:
        got = survey.Design(data, engine="dask", **DESIGN).rake(clash)
    assert len(eng) == len(mem)
    assert_same(ref.rake_result.margins, got.rake_result.margins)
    np.testing.assert_allclose(got.weights, ref.weights, rtol=1e-12)
    assert got.rake_result.converged == ref.rake_result.converged
    with pytest.raises(DesignError, match="not among the population levels"):
        survey.Design(data, engine="dask", **DESIGN).rake({"g": {"a": 1, "b": 1}})


def test_what_does_not_reduce_says_so():
    data = survey_data(1)
    d = survey.Design(data, engine="dask", **DESIGN)
    for call in (lambda: d.quantile("y", 0.5), lambda: d.trim(upper=3), lambda: d.update(z=1),
                 lambda: d.weight_summary(), lambda: d.variance_by_stage("y")):
        with pytest.raises(DesignError, match="in-memory engine"):
            call()
    with pytest.raises(DesignError, match=r"poststratify\(\) with engine='dask' needs non-zero weights: 1 "):
        survey.Design(data.assign(w=data["w"].where(data.index != 7, 0.0)), engine="dask", **DESIGN).poststratify(
            "c", {"lo": 1, "mid": 1, "hi": 1})
    with pytest.raises(DesignError, match="fpc without weights"):
        survey.Design(data.assign(N=50), psu="p", fpc="N", engine="dask")
    with pytest.raises(DesignError, match="'nope' not found"):
        d.mean("nope")
    with pytest.raises(DesignError, match="weights column 'w' has 1 missing"):
        survey.Design(data.assign(w=data["w"].where(data.index != 4)), engine="dask", **DESIGN)


def test_engine_and_data_must_agree(tmp_path):
    data = survey_data(1)
    with pytest.raises(DesignError, match="no Parquet file or folder"):
        survey.Design(str(tmp_path / "missing.parquet"), **DESIGN)
    with pytest.raises(DesignError, match="read by engine='duckdb'"):
        survey.Design(str(tmp_path), engine="dask", **DESIGN)
    with pytest.raises(DesignError, match="data must be a pandas DataFrame, a Parquet file"):
        survey.Design({"y": [1]}, engine="duckdb", **DESIGN)
    with pytest.raises(OptionError, match="engine must be one of 'memory', 'duckdb', 'dask'"):
        survey.Design(data, engine="spark", **DESIGN)
    with pytest.raises(DesignError, match="reads Parquet out of core"):
        survey.Design(data, engine="duckdb", **DESIGN)
    assert isinstance(survey.Design(data, engine="memory", **DESIGN), survey.Design)
    assert isinstance(survey.Design(data, engine="dask", **DESIGN), EngineDesign)


def test_importing_the_toolkit_imports_no_engine():
    import subprocess
    import sys

    code = "import sys, toolkit, toolkit.survey; print('duckdb' in sys.modules or 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_memory_capped_duckdb_still_answers(tmp_path):
    from toolkit.survey.engines import duckdb_connection

    data = survey_data(8, n=3000)
    write_parquet(data, tmp_path / "capped", [1000, 2000], 500)
    con = duckdb_connection()
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    try:
        con.execute("SET memory_limit = '64MB'")
        got = survey.Design(tmp_path / "capped", **DESIGN).mean("y", by="g", na_rm=True)
    finally:
        con.execute(f"SET memory_limit = '{limit}'")
    assert_same(survey.Design(data, **DESIGN).mean("y", by="g", na_rm=True), got)


def test_the_pandas_source_goes_through_the_same_cells():
    data = survey_data(4)
    _compare(survey.Design(data, **DESIGN), EngineDesign(data, engine="memory", **DESIGN))
    assert pd.api.types.is_integer_dtype(EngineDesign(data, engine="memory", **DESIGN).mean("y")["n"])


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
def test_a_variable_far_from_zero_keeps_its_digits(tmp_path, design):
    data = survey_data(9, n=2000).assign(y=lambda f: f["y"] + 1e6)  # second moments are summed around the mean
    folder = write_parquet(data, tmp_path / "far", [700], 300)
    ref, got = survey.Design(data, **design), survey.Design(folder, engine="duckdb", **design)
    for call in (lambda d: d.mean("y", by="g", na_rm=True), lambda d: d.total("y", by="c", na_rm=True)):
        a, b = call(ref), call(got)
        if design is NO_PSU:  # with PSUs a cell's mean y rounds at 1e-16 * 1e6: SEs agree to ~1e-10 there
            assert_same(a, b)
        np.testing.assert_allclose(b["deff"], a["deff"], rtol=1e-10 if design is NO_PSU else 1e-9)


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
def test_zero_weights_in_a_raked_design_give_the_in_memory_nan(design):
    data = survey_data(12).assign(w=lambda f: f["w"].where(f.index % 23 != 0, 0.0))
    ref, got = survey.Design(data, **design), survey.Design(data, engine="dask", **design)
    _compare(ref, got, ["raked_mean", "raked_proportion"])
    assert np.isnan(CALLS["raked_mean"](got)["se"]).all()  # R's x / psw is 0 / 0 for them
