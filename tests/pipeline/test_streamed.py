"""run(spool=): the streamed route gives the in-memory run's results, whatever the chunk size."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit import pipeline
from toolkit.cleaning.to_files import CleanedFiles
from toolkit.config import Config
from toolkit.errors import OptionError

TABLES = ("estimates", "projection", "weighting", "reliability", "outcomes", "triage")


@pytest.fixture(scope="module")
def in_memory(tmp_path_factory):
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
    path = tmp_path_factory.mktemp("streamed") / "responses.parquet"
    raw.to_parquet(path, index=False)
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        mp.setenv("DITK_PSEUDONYM_KEY", "streamed-key")
        warnings.simplefilter("ignore")
        return path, pipeline.run(path, "dis-full", population=toolkit.datasets.load("population.csv"))


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=300, max_value=1500))
def test_streaming_gives_the_in_memory_results(in_memory, tmp_path_factory, monkeypatch, rows):
    path, whole = in_memory
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", "streamed-key")
    spool = tmp_path_factory.mktemp("spool")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = pipeline.run(path, "dis-full", population=toolkit.datasets.load("population.csv"),
                                config=Config(chunk_rows=rows), spool=spool)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(streamed, name).reset_index(drop=True),
                                      getattr(whole, name).reset_index(drop=True), check_exact=False, rtol=1e-12,
                                      obj=name)
    pd.testing.assert_frame_equal(streamed.model.table_, whole.model.table_, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(streamed.design.data, whole.design.data)  # the gaps standardised on the file
    pd.testing.assert_frame_equal(pd.read_parquet(spool / "scores.parquet"), whole.scores.reset_index(drop=True))
    pd.testing.assert_frame_equal(streamed.cleaned.flags, whole.cleaned.flags)
    assert isinstance(streamed.cleaned, CleanedFiles) and streamed.scores is None
    assert {k: v for k, v in streamed.meta.items() if k != "config" and whole.meta[k] != v} == {}
    assert sorted(p.name for p in spool.iterdir()) == ["cleaned.parquet", "cleaning_log.csv", "flags.csv",
                                                       "scores.parquet"]


def test_only_a_parquet_file_streams(tmp_path):
    with pytest.raises(OptionError, match="spool= streams a Parquet file.*to_parquet"):
        pipeline.run(toolkit.datasets.path("sample_survey.csv"), "dis-full", spool=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_duckdb_estimates_equal_the_in_memory_ones(in_memory, tmp_path, monkeypatch):
    pytest.importorskip("duckdb")
    path, whole = in_memory
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", "streamed-key")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = pipeline.run(path, "dis-full", population=toolkit.datasets.load("population.csv"),
                                config=Config(chunk_rows=700, engine="duckdb"), spool=tmp_path)
    pd.testing.assert_frame_equal(streamed.estimates, whole.estimates, check_exact=False, rtol=1e-10)
    assert (tmp_path / "analysis.parquet").is_file()  # what DuckDB read: the estimate columns only
    assert len(pd.read_parquet(tmp_path / "analysis.parquet").columns) < 20


def test_duckdb_needs_a_streamed_run():
    with pytest.raises(OptionError, match="engine='duckdb' estimates over the files of a streamed run"):
        pipeline.run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(engine="duckdb"))
    with pytest.raises(OptionError, match="engine must be one of 'memory', 'duckdb'"):
        Config(engine="spark")
