"""clean(): the pipeline end to end, its options and old keywords, its guarantees as properties.

The command line (``ditk clean``) is tested in tests/cli.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from tests.cleaning._helpers import INST, KEY, all_text, frame, instrument_fixture, logged, run
from toolkit.cleaning.log import PRIVACY_RULES
from toolkit.errors import DataQualityWarning, OptionError, ResponseError

inst = instrument_fixture()


# --------------------------------------------------------------------------- options


def test_raw_keyword_still_works_and_warns(inst):
    raw = frame(inst, 2, net_use_3m=["Yes", "7"])
    with pytest.warns(FutureWarning, match="raw= is now data="):
        old = toolkit.clean(raw=raw, instrument=inst, pseudonym_key=KEY)
    pd.testing.assert_frame_equal(old.data, run(raw, inst).data)
    with pytest.raises(OptionError, match="got both raw= and its new name data="):
        toolkit.clean(raw=raw, data=raw, instrument=inst, pseudonym_key=KEY)


def test_options_are_keyword_only_and_the_instrument_may_be_an_id_or_a_path(inst):
    from pathlib import Path

    raw = frame(inst, 2, net_use_3m=["Yes", "2"])
    with pytest.raises(TypeError):
        toolkit.clean(raw, inst, True)
    by_id = run(raw, "dis-full")
    by_path = run(raw, Path(toolkit.__file__).parent / "questionnaires" / "dis-full.yaml")
    pd.testing.assert_frame_equal(by_id.data, run(raw, inst).data)
    pd.testing.assert_frame_equal(by_path.data, by_id.data)
    with pytest.raises(OptionError, match="instrument must be an Instrument"):
        run(raw, 42)


def test_data_must_be_a_data_frame(inst):
    with pytest.raises(ResponseError, match="data must be a pandas DataFrame, got list"):
        run([{"net_use_3m": 1}], inst)


def test_progress_is_reported_step_by_step(inst):
    steps = []
    run(frame(inst, 2), inst, progress=lambda step, done: steps.append((step, done)))
    assert [s for s, _ in steps if s != "values"] == ["skip logic", "privacy", "data", "flags"]
    values = [d for s, d in steps if s == "values"]
    assert len(values) == len(inst.items) and values[-1] == 1.0


def test_options_record_what_was_used(inst):
    res = run(frame(inst, 1), inst, drop_flagged="speeder", clear_undecided=True)
    assert res.options == {"strict": False, "clear_undecided": True, "pseudonymise": True,
                           "id_columns": ["respondent_id"], "id_like_columns": [], "keep_ids": False,
                           "missing": {}, "user_missing": {}, "duration_source": "duration_sec",
                           "scan_pii": True, "drop_flagged": "speeder",
                           "speeder_share": 0.3, "longstring_share": 1.0, "grid_min_items": 8,
                           "max_missing_share": 0.5, "min_answers": 20}


def test_bad_drop_flagged_fails_before_any_work(inst, monkeypatch):
    import toolkit.cleaning.core as core

    def boom(*_args, **_kw):
        raise AssertionError("decoded before the options were checked")

    monkeypatch.setattr(core, "decode_items", boom)
    with pytest.raises(OptionError, match="drop_flagged must be one of"):
        run(frame(inst, 1), inst, drop_flagged="fast")


def test_drop_flagged_is_explicit_and_logged(inst):
    raw = frame(inst, 3)
    raw.loc[1, "duration_sec"] = 1.0
    res = run(raw, inst, drop_flagged="speeder")
    assert list(res.data.index) == [0, 2]
    dropped = res.log[res.log["rule"] == "drop_flagged"]
    assert dropped["row"].tolist() == [1] and dropped["position"].iloc[0] == "speeder; too_many_missing"
    assert res.counts("rows") == {"input": 3, "output": 2, "dropped": 1}
    with pytest.raises(OptionError, match="drop_flagged must be one of .duplicate_id., .*; got .fast."):
        run(raw, inst, drop_flagged=["fast"])


def test_top_level_clean_is_the_cleaning_function(inst):
    raw = frame(inst, 1)
    from toolkit.cleaning import Cleaned, clean as fn

    assert toolkit.clean is fn
    assert isinstance(toolkit.clean(raw, inst, pseudonym_key=KEY), Cleaned)


# --------------------------------------------------------------------------- guarantees (properties)

PII_SAMPLES = ["010190-1234", "2412851234", "ole@example.dk", "+45 20 30 40 50", "88 77 66 55", "0045 12345678"]
VALUE_POOL = ["1", "2", "3", "5", " 4 ", "3,0", "88", "99", "66", "7", "-1", "x", "", "Yes", "nej",
              "passer  HELT på mig", "Don't know", 3, 2.0, 88, "1 3", "3 1", None]
VARY = ["net_use_3m", "net_freq", "selfserv", "selfserv_alone", "help_any", "help_who", "age", "prac_01",
        "prac_02", "attn_01", "comment"]


def canonical(value):
    """What an unlogged raw cell must equal after cleaning: blank -> NaN, numbers as numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return text
    return float(value)


cell = st.one_of(st.sampled_from(VALUE_POOL),
                 st.builds(lambda a, p, b: f"{a} {p} {b}", st.text("abc ", max_size=4), st.sampled_from(PII_SAMPLES),
                           st.text("xyz", max_size=3)))


@st.composite
def raw_frames(draw):
    n = draw(st.integers(1, 6))
    cols = {c: draw(st.lists(cell, min_size=n, max_size=n)) for c in VARY}
    # ids as exports carry them: text, numbers, Kobo server ids, or (a mistake) a CPR number or phone
    cols["respondent_id"] = draw(st.lists(st.one_of(st.sampled_from(["r1", "r2", 1001, 1001.0]),
                                                    st.sampled_from(PII_SAMPLES)), min_size=n, max_size=n))
    cols["_id"] = draw(st.lists(st.integers(1, 99_999_999), min_size=n, max_size=n))
    return n, cols


@pytest.mark.filterwarnings("ignore:id column:toolkit.errors.DataQualityWarning")  # PII drawn as ids
@settings(max_examples=25, deadline=None)
@given(raw_frames())
def test_guarantees(spec):
    inst = INST
    n, cols = spec
    raw = frame(inst, n, **cols)
    raw["note"] = cols["comment"]
    before = raw.copy(deep=True)
    res = run(raw, inst)
    # input never modified; rows and order kept
    pd.testing.assert_frame_equal(raw, before)
    assert len(res.data) == len(res.flags) == n and list(res.data.index) == list(raw.index)
    # applying the log backwards restores every logged raw value (privacy rules withhold theirs)
    rebuilt = res.data.astype(object)
    value_log = res.log[~res.log["rule"].isin(PRIVACY_RULES)]
    for row, col, old, new in value_log[["row", "column", "old", "new"]].itertuples(index=False):
        now = rebuilt.at[row, col]
        assert (pd.isna(now) and pd.isna(new)) or now == new
        rebuilt.at[row, col] = old
    for row, col, old in value_log[["row", "column", "old"]].itertuples(index=False):
        original = raw.at[row, col]
        if isinstance(original, str) and any(m in str(old) for m in ("[CPR]", "[EMAIL]", "[PHONE]")):
            continue  # the raw value held PII: the log keeps it redacted
        assert rebuilt.at[row, col] is original or rebuilt.at[row, col] == original
    # unlogged item cells are the raw value, read as a number where it is one
    touched = set(zip(res.log["row"], res.log["column"].astype(str), strict=True))
    for col in VARY:
        if col == "comment":
            continue
        for row in range(n):
            if (row, col) not in touched:
                got, want = res.data.at[row, col], canonical(raw.at[row, col])
                if isinstance(got, str):  # select_multiple keeps its codes as text
                    value = raw.at[row, col]
                    want = f"{value:g}" if isinstance(value, (int, float)) else str(value).strip()
                assert (pd.isna(got) and want is None) or got == want, (row, col, raw.at[row, col], got)
    # no PII anywhere in the outputs
    out_text = all_text(res)
    for secret in PII_SAMPLES:
        assert secret not in out_text
    assert not re.search(r"@example\.dk", out_text)
    # idempotent: cleaning cleaned data changes nothing
    again = run(res.data, inst)
    assert again.log.empty
    pd.testing.assert_frame_equal(again.data, res.data)
    # ids kept: still no PII from them, server ids unchanged, and idempotent too
    kept = toolkit.clean(raw, inst, keep_ids=True)
    kept_text = all_text(kept)
    assert not any(secret in kept_text for secret in PII_SAMPLES)
    assert kept.data["_id"].tolist() == raw["_id"].tolist()
    kept_again = toolkit.clean(kept.data, inst, keep_ids=True)
    assert kept_again.log.empty
    pd.testing.assert_frame_equal(kept_again.data, kept.data)


def test_any_index_keeps_rows_in_order_and_log_rows_are_positions(inst):
    raw = frame(inst, 4, net_use_3m=["Yes", "2", "nej", "7"], comment=[None, "a@b.dk", None, None])
    plain = run(raw, inst)
    raw.index = ["b", "b", "a", "z"]  # duplicated, unsorted labels
    res = run(raw, inst)
    assert list(res.data.index) == list(raw.index) and list(res.flags.index) == list(raw.index)
    pd.testing.assert_frame_equal(res.data.reset_index(drop=True), plain.data)
    pd.testing.assert_frame_equal(res.log, plain.log)
    assert logged(res, "net_use_3m").index.tolist() == [0, 2, 3]


# --------------------------------------------------------------------------- against the simulator's truth


@pytest.fixture(scope="module")
def simulated(inst):
    sim = toolkit.simulate.survey(inst, n=3000, seed=5)
    return sim, run(sim.responses, inst)


def test_every_kind_of_corruption_is_caught_and_logged(simulated):
    from toolkit.simulate.detection import detection

    sim, res = simulated
    rates = detection(res, sim.artefacts).set_index("kind")
    assert set(sim.artefacts["kind"]) <= set(rates.index)
    assert (rates["n"] > 0).all()
    exact = rates.drop(index="skip_violation")
    assert exact["rate"].tolist() == [1.0] * len(exact)
    # skipped answers under a parent that is itself missing are kept on purpose (rule undecided)
    assert rates.loc["skip_violation", "rate"] > 0.85
    assert rates.loc["straightliner", "false_alarms"] == 0 and rates.loc["duplicate", "false_alarms"] == 0
    assert rates.loc["speeder", "false_alarms"] <= 0.01 * len(res.flags)


def test_simulated_cleaning_guarantees(simulated, inst):
    sim, res = simulated
    assert len(res.data) == len(sim.responses)
    assert (res.data["respondent_id"].str.startswith("ps-")).all()
    text = all_text(res)
    pii = sim.artefacts[sim.artefacts["kind"] == "pii"]["messy"]
    secrets = pii.str.extract(r"(\d{6}-\d{4}|[\w.]+@example\.\w+|\+45 [\d ]{11})")[0].dropna()
    assert len(secrets) == len(pii)
    assert not any(s in text for s in secrets)
    again = run(res.data, inst)
    assert again.log.empty and again.data.equals(res.data)


def test_data_quality_warnings_point_at_the_caller_of_clean(inst):
    ids = frame(inst, 2)
    ids["respondent_id"] = [20000001, 20000002]
    with pytest.warns(DataQualityWarning, match="look like phone") as record:
        toolkit.clean(ids, inst, keep_ids=True)
    assert record[0].filename == __file__
    partial = frame(inst, 1).drop(columns="net_use_3m")
    partial.attrs = {"read": {"format": "csv"}}  # as read_responses left it: no second required-column check
    with pytest.warns(DataQualityWarning, match="skip rule of .* not checked") as record:
        toolkit.clean(partial, inst, pseudonym_key=KEY)
    assert {r.filename for r in record} == {__file__}
