"""clean_parquet_to: a Parquet export cleaned chunk by chunk into files reads back as one pass written whole."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.cleaning.to_files import clean_parquet_to
from toolkit.errors import OptionError
from toolkit.io import write_table

KEY = "files-test-key"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """300 rows of the sample with an id repeated across chunks, a fast interview, a carriage return in a
    comment (the CSV then quotes every text: decided on the whole file) and the one-pass files."""
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full").iloc[:300].copy()
    raw.loc[250, "respondent_id"] = raw.loc[3, "respondent_id"]
    raw.loc[290, "duration_sec"] = "5"
    folder = tmp_path_factory.mktemp("files")
    raw.to_parquet(folder / "plain.parquet", index=False)
    raw.loc[280, "comment"] = "first line\rsecond line"
    raw.to_parquet(folder / "cr.parquet", index=False)
    expected = {}
    for name in ("plain", "cr"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            whole = toolkit.clean(toolkit.read_responses(folder / f"{name}.parquet", "dis-full"), "dis-full",
                                  pseudonym_key=KEY)
        for fmt in ("parquet", "csv"):
            for key, table in (("data", whole.data), ("log", whole.log), ("flags", whole.flags)):
                write_table(table, folder / f"{name}-whole-{key}.{fmt}")
        expected[name] = whole
    return folder, expected


def _written(folder, name, fmt, rows):
    targets = {key: folder / f"{name}-{rows}-{key}.{fmt}" for key in ("data", "log", "flags")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        done = clean_parquet_to(folder / f"{name}.parquet", "dis-full", out=targets["data"], log=targets["log"],
                                flags=targets["flags"], chunk_rows=rows, pseudonym_key=KEY)
    return done, targets


@settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=41, max_value=400), name=st.sampled_from(["plain", "cr"]))
def test_csv_files_have_the_bytes_of_one_pass(sample, rows, name):
    folder, expected = sample
    done, targets = _written(folder, name, "csv", rows)
    for key, path in targets.items():
        assert path.read_bytes() == (folder / f"{name}-whole-{key}.csv").read_bytes(), key
    pd.testing.assert_frame_equal(done.totals, expected[name].totals)
    pd.testing.assert_frame_equal(done.flags, expected[name].flags)
    assert done.notes == expected[name].notes and done.read == expected[name].read


def test_a_carriage_return_in_a_late_chunk_quotes_the_whole_csv(sample):
    folder, _ = sample
    quoted, _ = (_written(folder, "cr", "csv", 100)[1]["data"].read_text().split("\n", 1))
    plain, _ = (_written(folder, "plain", "csv", 100)[1]["data"].read_text().split("\n", 1))
    assert quoted.startswith('"respondent_id"') and plain.startswith("respondent_id")  # row 280 is in chunk 3


@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=41, max_value=400))
def test_parquet_files_read_back_as_one_pass(sample, rows):
    folder, _ = sample
    _, targets = _written(folder, "plain", "parquet", rows)
    for key, path in targets.items():
        # a log's categories (columns, pseudonyms) are listed chunk by chunk: the same values, maybe reordered
        pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(folder / f"plain-whole-{key}.parquet"),
                                      check_categorical=False, obj=key)


def test_no_file_is_left_behind_on_failure(sample, tmp_path):
    folder, _ = sample
    with pytest.raises(OptionError, match="writes .parquet, .csv files"):
        clean_parquet_to(folder / "plain.parquet", "dis-full", out=tmp_path / "c.xlsx", pseudonym_key=KEY)
    with pytest.raises(OptionError, match="strict need"):
        clean_parquet_to(folder / "plain.parquet", "dis-full", out=tmp_path / "c.csv", strict=True)
    assert list(tmp_path.iterdir()) == []
