"""clean_parquet: cleaning a Parquet export in chunks gives the result of one pass, whatever the chunk size."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.cleaning.chunked import clean_parquet, parquet_rows
from toolkit.errors import InputFileError, OptionError

KEY = "chunk-test-key"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled sample as Parquet (text columns, as read), with an id repeated across chunks and a
    very short interview in the last rows (duplicate_id and speeder look at other chunks)."""
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full").iloc[:300].copy()
    raw.loc[250, "respondent_id"] = raw.loc[3, "respondent_id"]
    raw.loc[290, "duration_sec"] = "5"
    path = tmp_path_factory.mktemp("chunked") / "responses.parquet"
    raw.to_parquet(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = toolkit.clean(toolkit.read_responses(path, "dis-full"), "dis-full", pseudonym_key=KEY)
    return path, whole


def _assert_same(chunked, whole):
    for part in ("data", "log", "flags", "totals"):
        pd.testing.assert_frame_equal(getattr(chunked, part), getattr(whole, part), check_exact=True, obj=part)
    assert chunked.read == whole.read
    assert chunked.options == whole.options
    assert chunked.notes == whole.notes


@settings(max_examples=4)
@given(rows=st.integers(min_value=41, max_value=400))
def test_any_chunk_size_gives_the_one_pass_result(sample, rows):
    path, whole = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same(clean_parquet(path, "dis-full", chunk_rows=rows, pseudonym_key=KEY), whole)


def test_flags_that_compare_rows_look_across_chunks(sample):
    path, whole = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chunked = clean_parquet(path, "dis-full", chunk_rows=100, pseudonym_key=KEY)
    # the id of row 3 comes back in row 250, two chunks later; row 290 is fast against the whole file's median
    assert chunked.flags.loc[250, "duplicate_id"] and not chunked.flags.loc[3, "duplicate_id"]
    assert chunked.flags.loc[290, "speeder"]
    assert "duplicate_id" in chunked.flags.loc[250, "reasons"]
    assert int(chunked.log["row"].max()) > 250  # rows count from the top of the file
    assert whole.flags["duplicate_id"].sum() == chunked.flags["duplicate_id"].sum() >= 1


def test_a_warning_of_every_chunk_is_shown_once(sample, tmp_path):
    path, _ = sample
    raw = pd.read_parquet(path).assign(idno=[f"{i:06d}" for i in range(300)])  # taken for an id in every chunk
    raw.to_parquet(tmp_path / "ids.parquet", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean_parquet(tmp_path / "ids.parquet", "dis-full", chunk_rows=100, pseudonym_key=KEY)
    messages = [str(w.message) for w in caught]
    assert any("idno" in m for m in messages)
    assert len(messages) == len(set(messages))


def test_options_that_need_the_whole_file_are_refused(sample):
    path, _ = sample
    with pytest.raises(OptionError, match="strict need"):
        clean_parquet(path, "dis-full", chunk_rows=100, pseudonym_key=KEY, strict=True)
    with pytest.raises(OptionError, match="drop_flagged need"):
        clean_parquet(path, "dis-full", chunk_rows=100, pseudonym_key=KEY, drop_flagged=True)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(OptionError, match="chunk_rows must be a whole number"):
            clean_parquet(path, "dis-full", chunk_rows=bad, pseudonym_key=KEY)


def test_a_file_that_is_no_parquet_is_named(tmp_path):
    bad = tmp_path / "responses.parquet"
    bad.write_text("respondent_id\nr1\n")
    assert parquet_rows(bad) is None
    with pytest.raises(InputFileError, match="responses.parquet: not a readable Parquet file"):
        clean_parquet(bad, "dis-full", pseudonym_key=KEY)


def test_the_pipeline_cleans_a_large_parquet_file_in_chunks_with_the_same_results(sample, monkeypatch):
    from toolkit.config import Config
    from toolkit.pipeline import run

    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    path, _ = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stages = []
        chunked = run(path, "dis-full", config=Config(chunk_rows=150, groups=("gender",)), progress=stages.append)
        whole = run(path, "dis-full", config=Config(groups=("gender",)))
    assert stages[:2] == ["read", "clean"]
    pd.testing.assert_frame_equal(chunked.estimates, whole.estimates)
    pd.testing.assert_frame_equal(chunked.cleaned.flags, whole.cleaned.flags)
    assert chunked.meta["rows_read"] == whole.meta["rows_read"] == 300
