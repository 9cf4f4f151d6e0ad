"""Interview durations for the speeder flag: duration_sec, Kobo start/end, _submission_time, named timestamps."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from tests.cleaning._helpers import KEY, frame, instrument_fixture, run
from toolkit.errors import DataQualityWarning, OptionError, ResponseError

inst = instrument_fixture()
STARTS = ["2026-03-02T14:00:00.000+01:00"] * 4
ENDS = ["2026-03-02T14:15:00.000+01:00", "2026-03-02T14:14:00.000+01:00", "2026-03-02T14:01:00.000+01:00",
        "2026-03-02T13:59:00.000+01:00"]


def no_duration(inst, n, **columns):
    raw = frame(inst, n, **columns)
    return raw.drop(columns="duration_sec")


def test_kobo_start_and_end_give_durations_and_find_speeders(inst):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        res = run(no_duration(inst, 4, start=STARTS, end=ENDS), inst)
    assert res.data["duration_sec"].tolist()[:3] == [900.0, 840.0, 60.0]
    assert np.isnan(res.data["duration_sec"].iloc[3])  # ends before it starts: unknown
    assert res.flags["speeder"].tolist() == [False, False, True, False]
    assert res.options["duration_source"] == "start,end" and res.notes == ()


def test_submission_time_in_utc_ends_the_interview(inst):
    raw = no_duration(inst, 3, start=STARTS[:3],
                      _submission_time=["2026-03-02T13:15:00", "2026-03-02T13:14:00", "2026-03-02T13:01:00"])
    res = run(raw, inst)
    assert res.data["duration_sec"].tolist() == [900.0, 840.0, 60.0]
    assert res.options["duration_source"] == "start,_submission_time"


def test_two_named_timestamp_columns(inst):
    raw = no_duration(inst, 3, inwtm_a=["2026-03-02 10:00", "2026-03-02 10:00", "2026-03-02 10:00"],
                      inwtm_b=["2026-03-02 10:30", "2026-03-02 10:31", "2026-03-02 10:02"])
    res = run(raw, inst, duration_from="inwtm_a,inwtm_b")
    assert res.data["duration_sec"].tolist() == [1800.0, 1860.0, 120.0]
    assert run(raw, inst, duration_from=("inwtm_a", "inwtm_b")).flags["speeder"].tolist() == [False, False, True]
    with pytest.raises(ResponseError, match="no column 'inwtm_c'"):
        run(raw, inst, duration_from=("inwtm_a", "inwtm_c"))
    with pytest.raises(OptionError, match="two timestamp columns"):
        run(raw, inst, duration_from="inwtm_a")


def test_no_duration_source_is_said_once(inst):
    with pytest.warns(DataQualityWarning, match="no interview duration") as caught:
        res = run(no_duration(inst, 3), inst)
    assert sum("no interview duration" in str(w.message) for w in caught) == 1
    assert len(res.notes) == 1 and "--duration-from" in res.notes[0]
    assert res.options["duration_source"] is None and not res.flags["speeder"].any()


def test_bundled_kobo_export_has_timestamps_and_no_duration_column():
    raw = toolkit.datasets.load("sample_kobo.csv")
    assert "duration_sec" not in raw and raw["start"].str.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d").all()
    res = toolkit.clean(toolkit.read_responses(toolkit.datasets.path("sample_kobo.csv"), "dis-full"), "dis-full",
                        pseudonym_key=KEY)
    assert res.options["duration_source"] == "start,end"
    assert res.data["duration_sec"].notna().mean() > 0.95 and res.flags["speeder"].any()
    assert str(res.data["start"].dt.tz) == "UTC" and pd.api.types.is_datetime64_dtype(res.data["_submission_time"])
