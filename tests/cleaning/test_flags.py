"""Quality flags (toolkit.cleaning.flags): thresholds in FlagOptions, the old keywords, dropping."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from tests.cleaning._helpers import frame, instrument_fixture, run
from toolkit.cleaning.flags import FLAGS, FlagOptions, check_flag_options, flag_keywords, flags_to_drop
from toolkit.errors import OptionError

inst = instrument_fixture()


def grid(inst):
    return [i.id for i in inst.items if i.section == "skills" and i.type == "likert"]


def test_quality_flags(inst):
    n = 6
    rng = np.random.default_rng(3)
    cols = {i.id: ["1"] * n for i in inst.items if i.type not in ("numeric", "text")}
    cols.update({c: [str(v) for v in rng.integers(1, 6, n)] for c in grid(inst)})
    cols["attn_01"] = ["4"] * n
    raw = frame(inst, n, age=["40"] * n, **cols)
    raw.loc[1, grid(inst)] = "3"                      # straight-liner, also fails the check (expects 4)
    raw.loc[2, "duration_sec"] = 60.0                   # speeder: 60 < 0.3 * 600
    raw.loc[3] = raw.loc[0]                             # duplicate submission: same id and answers
    raw.loc[4, inst.item_ids] = np.nan                  # nothing answered
    raw.loc[5, grid(inst)[:10]] = "2"                   # a long run, but not the whole grid
    res = run(raw, inst)
    f = res.flags
    assert f["straightlining"].tolist() == [False, True, False, False, False, False]
    assert f["failed_check"].tolist() == [False, True, False, False, False, False]
    assert f["speeder"].tolist() == [False, False, True, False, False, False]
    assert f["duplicate_id"].tolist() == [False, False, False, True, False, False]
    assert f["duplicate_answers"].tolist() == [False, False, False, True, False, False]
    assert f["too_many_missing"].tolist() == [False, False, False, False, True, False]
    assert f["longstring"].tolist()[1] == len(grid(inst)) and f["longstring"][5] >= 10
    assert f["reasons"].tolist() == ["", "straightlining; failed_check", "speeder", "duplicate_id; duplicate_answers",
                                     "too_many_missing", ""]
    assert res.counts("flag") == {"duplicate_id": 1, "duplicate_answers": 1, "speeder": 1, "straightlining": 1,
                                  "too_many_missing": 1, "failed_check": 1, "flagged": 4}
    assert len(res.data) == n  # flagged, not dropped
    loose = run(raw, inst, flags=FlagOptions(longstring_share=0.3))
    assert loose.flags["straightlining"][5]



def test_flag_options_are_read_only_with_the_documented_defaults():
    opts = FlagOptions()
    assert dataclasses.asdict(opts) == {"speeder_share": 0.3, "longstring_share": 1.0, "grid_min_items": 8,
                                        "max_missing_share": 0.5, "min_answers": 20}
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.speeder_share = 0.1
    assert check_flag_options(None) == opts and check_flag_options(opts) is opts
    with pytest.raises(OptionError, match="flags must be a FlagOptions"):
        check_flag_options({"speeder_share": 0.1})


@pytest.mark.parametrize(("keyword", "value"), [("speeder_share", 0.2), ("longstring_share", 0.5),
                                                ("grid_min_items", 4), ("max_missing_share", 0.9),
                                                ("min_answers", 5)])
def test_old_flag_keywords_still_work_and_warn(inst, keyword, value):
    raw = frame(inst, 3)
    with pytest.warns(FutureWarning, match=f"{keyword}= are now flags=FlagOptions"):
        old = run(raw, inst, **{keyword: value})
    new = run(raw, inst, flags=FlagOptions(**{keyword: value}))
    assert old.options[keyword] == value
    pd.testing.assert_frame_equal(old.flags, new.flags)
    with pytest.raises(OptionError, match="got flags= and the old flag keywords"):
        run(raw, inst, flags=FlagOptions(), **{keyword: value})


def test_the_shim_warns_at_its_callers_line():
    @flag_keywords()
    def f(*, flags=None):
        return flags

    with pytest.warns(FutureWarning) as record:
        assert f(min_answers=3) == FlagOptions(min_answers=3)
    assert record[0].filename == __file__


def test_thresholds_change_the_flags(inst):
    raw = frame(inst, 3)
    raw.loc[1, "duration_sec"] = 150.0  # a quarter of the median
    assert run(raw, inst).flags["speeder"].tolist() == [False, True, False]
    assert not run(raw, inst, flags=FlagOptions(speeder_share=0.2)).flags["speeder"].any()
    assert not run(raw, inst, flags=FlagOptions(max_missing_share=1.0)).flags["too_many_missing"].any()


def test_flags_to_drop():
    assert flags_to_drop(False) == [] and flags_to_drop(True) == list(FLAGS)
    assert flags_to_drop("speeder") == ["speeder"] and flags_to_drop(("speeder", "failed_check")) == [
        "speeder", "failed_check"]
    with pytest.raises(OptionError, match="drop_flagged must be one of 'duplicate_id', .*; got 'fast'"):
        flags_to_drop(["speeder", "fast"])
