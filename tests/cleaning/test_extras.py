"""Columns that are no item are typed in the cleaned output: numbers, datetimes, text."""

from __future__ import annotations

import pandas as pd

from tests.cleaning._helpers import frame, instrument_fixture, logged, run
from toolkit.cleaning.extras import as_timestamps, type_column

inst = instrument_fixture()


def test_weights_numbers_and_dates_are_typed_text_stays_text(inst):
    raw = frame(inst, 3, anweight=["1,25", "0.8", ""], wave=["1", "2", "2"], code=["0101", "0147", "2"],
                interview=["2026-03-02", "2026-03-03", None], note=["x", "2", "3"],
                stamp=["2026-03-02T14:12:58.000+01:00", "2026-07-02T14:12:58.000+02:00", ""])
    res = run(raw, inst)
    data = res.data
    assert data["anweight"].dtype == "float64" and data["anweight"].tolist()[:2] == [1.25, 0.8]
    assert data["anweight"].isna().iloc[2]
    assert logged(res, "anweight")["rule"].tolist() == ["decimal_comma"]
    assert data["wave"].tolist() == [1.0, 2.0, 2.0]
    assert data["code"].tolist() == ["0101", "0147", "2"]  # a leading zero: a code, kept as text
    assert pd.api.types.is_datetime64_dtype(data["interview"])
    assert data["interview"].iloc[0] == pd.Timestamp("2026-03-02")
    assert str(data["stamp"].dt.tz) == "UTC"
    assert data["stamp"].tolist()[:2] == [pd.Timestamp("2026-03-02 13:12:58", tz="UTC"),
                                          pd.Timestamp("2026-07-02 12:12:58", tz="UTC")]
    assert data["note"].tolist() == ["x", "2", "3"]
    assert not logged(res, "wave").size  # reading "1" as 1 is no change


def test_design_columns_keep_their_values(inst):
    res = run(frame(inst, 2, stratum=["1", "2"]), inst)
    assert res.data["stratum"].tolist() == ["1", "2"]


def test_cleaned_data_cleans_to_itself(inst):
    first = run(frame(inst, 2, anweight=["1,5", "2"], stamp=["2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z"]), inst)
    again = run(first.data, inst)
    pd.testing.assert_series_equal(again.data["anweight"], first.data["anweight"])
    pd.testing.assert_series_equal(again.data["stamp"], first.data["stamp"])


def test_type_column_and_timestamps():
    assert type_column(pd.Series([True, False])).values.tolist() == [True, False]
    assert type_column(pd.Series(["1", "x"])).values.tolist() == ["1", "x"]
    day_first = as_timestamps(pd.Series(["02.03.2026", "2026-03-04"]), utc=False)
    assert day_first.tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-04")]
