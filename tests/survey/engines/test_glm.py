"""Survey GLMs on the engines equal the in-memory fit, also on a distributed cluster."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey.engines._parity import MARGINS, assert_same, dask_frame, survey_data, write_parquet
from toolkit import survey
from toolkit.errors import BoundaryWarning, ConvergenceWarning, DesignError, ModelError

pytest.importorskip("duckdb")
pytest.importorskip("dask.dataframe")

DESIGN = {"weights": "w", "strata": "s", "psu": "p"}
NO_PSU = {"weights": "w", "strata": "s"}  # every respondent its own PSU
FITS = {
    "logit": lambda d: d.glm("b ~ x + C(g) + r", family="binomial"),
    "gaussian_na": lambda d: d.glm("y ~ x + C(c)"),
    "raked_poisson": lambda d: d.rake(MARGINS).glm("b ~ x + g", family="quasipoisson"),
}


def _compare(reference, engine_design):
    for fit in FITS.values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(fit(reference), fit(engine_design))


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), cuts=st.lists(st.integers(1, 599), max_size=5), row_group=st.integers(9, 300))
def test_duckdb_glm_equals_memory(tmp_path, design, seed, cuts, row_group):
    data = survey_data(seed)
    folder = write_parquet(data, tmp_path / "glm", cuts, row_group)
    _compare(survey.Design(data, **design), survey.Design(folder, engine="duckdb", **design))


@pytest.mark.parametrize("design", [DESIGN, NO_PSU], ids=["psu", "no_psu"])
@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 2**16), cuts=st.lists(st.integers(1, 599), max_size=5))
def test_dask_glm_equals_memory(design, seed, cuts):
    data = survey_data(seed)
    _compare(survey.Design(data, **design), survey.Design(dask_frame(data, cuts), **design))


@pytest.mark.parametrize("options", [
    {"weights": "w", "strata": "s", "lonely_psu": "adjust", "adjust_domain_lonely": True},
    {"weights": "w", "strata": "s", "lonely_psu": "average", "adjust_domain_lonely": True},
    {"weights": "w", "strata": "s", "fpc": "N1", "lonely_psu": "remove"},
    {"weights": "w"},
    {"strata": "s", "lonely_psu": "certainty"},
])
def test_glm_without_psu_over_cells_of_respondents(options):
    data = survey_data(11)
    data = data[(data["s"] != 3) | (data.index == data.index[data["s"] == 3][0])]  # stratum 3: one respondent
    ref, got = survey.Design(data.assign(N1=900), **options), survey.Design(data.assign(N1=900), engine="dask",
                                                                            **options)
    _compare(ref, got)
    fit = lambda d: d.poststratify("c", {"lo": 300, "mid": 200, "hi": 250}).glm("y ~ x + C(r)")  # noqa: E731
    assert_same(fit(ref), fit(got))


def test_a_local_cluster_gives_the_in_memory_numbers():
    distributed = pytest.importorskip("distributed")
    data = survey_data(21)
    ref = survey.Design(data, **DESIGN)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster):
        d = survey.Design(dask_frame(data, [150, 160, 420]), **DESIGN)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(ref.mean("y", by="g", na_rm=True), d.mean("y", by="g", na_rm=True))
            assert_same(ref.rake(MARGINS).proportion("c", by="r", ci_method="wald"),
                        d.rake(MARGINS).proportion("c", by="r", ci_method="wald"))
            assert_same(FITS["logit"](ref), FITS["logit"](d))


def test_the_fit_predicts_and_warns_like_the_in_memory_one():
    data = survey_data(6)
    data["sep"] = (data["x"] > 3).astype(float)
    ref, got = survey.Design(data, **DESIGN), survey.Design(data, engine="dask", **DESIGN)
    new = data.head(5)
    assert_same(ref.glm("b ~ x + C(g)", family="binomial").predict(new),
                got.glm("b ~ x + C(g)", family="binomial").predict(new))
    with pytest.raises(ModelError, match="in-memory engine"):
        got.glm("b ~ x", family="binomial").marginal_effects()
    with pytest.warns(BoundaryWarning, match="separated"), pytest.warns(ConvergenceWarning):
        got.glm("sep ~ x", family="binomial", max_iter=15)
    with pytest.raises(ModelError, match="rank deficient"):
        survey.Design(data.assign(x2=data["x"] * 2), engine="dask", **DESIGN).glm("b ~ x + x2")
    with pytest.raises(ModelError, match="binomial outcome"):
        got.glm("y ~ x", family="binomial")
    with pytest.raises(ModelError, match="unknown column"):
        got.glm("b ~ nope")
    with pytest.raises(DesignError, match="in-memory engine"):
        got.glm("b ~ np.log(x)")
