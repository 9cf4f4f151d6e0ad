"""Cleaning: value rules, skip logic, log, flags, privacy, strict mode, and the guarantees as properties."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.cleaning.flags import FlagOptions
from toolkit.cleaning.log import LOG_COLUMNS, PRIVACY_RULES
from toolkit.errors import DataQualityWarning, OptionError, PrivacyError, ResponseError, SchemaErrors

KEY = "test-key"


@pytest.fixture(scope="module")
def inst():
    return toolkit.load_instrument("dis-full")


def frame(inst, n: int, **columns) -> pd.DataFrame:
    """A raw export: every item column blank (object), respondent ids, then the given columns."""
    df = pd.DataFrame(np.nan, index=range(n), columns=["respondent_id", *inst.item_ids, "duration_sec"],
                      dtype=object)
    df["respondent_id"] = [f"r{i:04d}" for i in range(n)]
    df["duration_sec"] = 600.0
    for col, values in columns.items():
        df[col] = pd.Series(values, dtype=object)
    return df


def run(raw, inst, **kw):
    return toolkit.clean(raw, inst, pseudonym_key=KEY, **kw)


def all_text(res) -> str:
    return res.data.to_csv() + res.log.to_csv() + res.flags.to_csv() + res.summary().to_csv()


def logged(res, column):
    return res.log[res.log["column"] == column].set_index("row")


# --------------------------------------------------------------------------- value rules


def test_labels_in_either_language_case_and_space_insensitive(inst):
    raw = frame(inst, 5, net_use_3m=["Yes", "  nej ", "JA", "no", "1"])
    res = run(raw, inst)
    assert res.data["net_use_3m"].tolist() == [1.0, 2.0, 1.0, 2.0, 1.0]
    log = logged(res, "net_use_3m")
    assert list(log.index) == [0, 1, 2, 3]
    assert set(log["rule"]) == {"label_to_code"}
    assert log.loc[1, "old"] == "  nej " and log.loc[1, "new"] == 2.0


def test_decimal_comma_and_numeric_bounds(inst):
    raw = frame(inst, 4, age=["34,5", "200", "abc", "15"])
    res = run(raw, inst)
    assert res.data["age"].tolist()[0] == 34.5
    assert res.data["age"].isna().tolist() == [False, True, True, False]
    assert logged(res, "age")["rule"].tolist() == ["decimal_comma", "out_of_range", "invalid_value"]


def test_missing_codes_become_nan_with_kind(inst):
    raw = frame(inst, 5, prac_01=["88", 99, "66", "Ved ikke", "3"])
    res = run(raw, inst)
    assert res.data["prac_01"].isna().tolist() == [True, True, True, True, False]
    assert res.data["prac_01_missing"].tolist()[:4] == ["dont_know", "refused", "dont_understand", "dont_know"]
    assert pd.isna(res.data["prac_01_missing"].iloc[4])
    assert set(logged(res, "prac_01")["rule"]) == {"missing_code"}
    assert list(res.data["prac_01_missing"].cat.categories) == ["dont_know", "refused", "dont_understand",
                                                               "not_asked"]


def test_out_of_range_and_impossible_codes(inst):
    raw = frame(inst, 4, prac_01=["7", "2.5", "0", "5"])
    res = run(raw, inst)
    assert res.data["prac_01"].tolist()[:3] == [pytest.approx(math.nan, nan_ok=True)] * 3
    assert res.data["prac_01"].iloc[3] == 5.0
    assert logged(res, "prac_01")["rule"].tolist() == ["out_of_range"] * 3


def test_select_multiple_normalised(inst):
    raw = frame(inst, 5, help_any=[1] * 5,
                help_who=["3 1", "2", "Family outside my household;En anden", "1 9", "88"])
    res = run(raw, inst)
    assert res.data["help_who"].tolist()[:4] == ["1 3", "2", "2 6", "1"]
    assert pd.isna(res.data["help_who"].iloc[4])
    rules = logged(res, "help_who")["rule"]
    assert rules.to_dict() == {0: "recode_multiple", 2: "label_to_code", 3: "out_of_range", 4: "missing_code"}


def test_select_multiple_labels_joined_by_spaces_or_with_commas_inside(inst):
    raw = frame(inst, 4, help_any=[1] * 4,
                help_who=["Someone in my household A friend, neighbour or colleague", "3,1", "1 x",
                          "Don\u2019t know"])
    res = run(raw, inst)
    assert res.data["help_who"].tolist()[:3] == ["1 3", "1 3", "1"]
    assert res.data["help_who_missing"].iloc[3] == "dont_know"
    assert logged(res, "help_who")["rule"].tolist() == ["label_to_code", "recode_multiple", "invalid_value",
                                                       "missing_code"]


def test_skip_logic_clears_and_cascades(inst):
    # net_use_3m = 2 (no): net_freq and selfserv are not asked; selfserv_alone hangs on selfserv.
    raw = frame(inst, 2, net_use_3m=["2", "1"], net_freq=["3", "3"], selfserv=["1", "1"],
                selfserv_alone=["1", "1"])
    res = run(raw, inst)
    for col in ("net_freq", "selfserv", "selfserv_alone"):
        assert pd.isna(res.data[col].iloc[0]) and res.data[col].iloc[1] == (3.0 if col == "net_freq" else 1.0)
        assert res.data[f"{col}_missing"].iloc[0] == "not_asked"
        assert logged(res, col).loc[0, "rule"] == "not_asked"
        assert logged(res, col).loc[0, "old"] == raw.loc[0, col]


def test_not_asked_is_recorded_even_when_blank(inst):
    raw = frame(inst, 1, help_any=["2"])
    res = run(raw, inst)
    assert res.data["help_who_missing"].iloc[0] == "not_asked"
    assert "help_who" not in set(res.log["column"])


# --------------------------------------------------------------------------- privacy


def test_pii_redacted_and_never_logged(inst):
    raw = frame(inst, 4, comment=["min cpr er 010190-1234", "mail ole.hansen@example.dk",
                                 "ring +45 20 30 40 50", "dato 320190-1234 ok"])
    raw["note"] = ["tlf 2030 4050", None, "x", "y"]
    res = run(raw, inst)
    assert res.data["comment"].tolist()[:3] == ["min cpr er [CPR]", "mail [EMAIL]", "ring [PHONE]"]
    assert res.data["comment"].iloc[3] == "dato 320190-1234 ok"  # day 32: not a CPR number
    assert res.data["note"].iloc[0] == "tlf [PHONE]"
    assert tuple(res.log.columns) == LOG_COLUMNS
    pii = res.log[res.log["rule"].astype(str).str.startswith("pii_")]
    assert pii["rule"].astype(str).tolist() == ["pii_cpr", "pii_phone", "pii_email", "pii_phone"]
    assert pii["old"].isna().all()
    assert pii["position"].tolist()[:1] == ["11-22"]
    text = all_text(res)
    for secret in ("010190-1234", "ole.hansen@example.dk", "20 30 40 50", "2030 4050"):
        assert secret not in text


def test_numbers_that_look_like_phones_or_cpr_in_unknown_columns(inst):
    raw = frame(inst, 3)
    raw["mobile"] = [20304050, 11, 12]
    raw["cprnr"] = [101901234.0, 3.5, np.nan]  # 0101901234 read as a number
    raw["count"] = [1, 2, 3]
    res = run(raw, inst)
    assert res.data["mobile"].tolist() == ["[PHONE]", 11, 12]
    assert res.data["cprnr"].tolist()[:2] == ["[CPR]", 3.5]
    assert logged(res, "cprnr")["rule"].tolist() == ["pii_cpr"]
    assert res.data["count"].dtype == raw["count"].dtype
    assert "20304050" not in all_text(res)
    # Excel cells typed as numbers inside text items and mixed text/number columns (calamine, dtype=object)
    mixed = frame(inst, 3, comment=[101901234, 20304050.0, 123456789])
    mixed["note"] = pd.Series([101901234, "x", 5], dtype=object)
    typed = run(mixed, inst)
    assert typed.data["comment"].tolist() == ["[CPR]", "[PHONE]", "123456789"]  # 0123456789: month 23
    assert typed.data["note"].tolist() == ["[CPR]", "x", 5]
    assert "101901234" not in all_text(typed)
    typed_in = run(frame(inst, 2, age=[101901234.0, "20304050"]), inst)  # numbers in a numeric item
    assert typed_in.data["age"].isna().all()
    assert logged(typed_in, "age")["old"].tolist() == ["[CPR]", "[PHONE]"]


def test_server_made_ids_are_ids_not_free_text(inst):
    raw = frame(inst, 4)
    raw["_id"] = pd.Series([40000001, 40000002, 40000003, 40000004], dtype="int64")
    raw["_uuid"] = ["82ced56b-3470-4d74-93a0-7ffe6ce22955", "20304050-16c1-4a4e-a6f6-010190123400",
                    "ole@example.dk", None]
    raw["meta/instanceID"] = ["uuid:20304050-16c1-4a4e-a6f6-76aa30073a11", "x 20304050", None, None]
    raw["respondent_id"] = ["r1", "010190-1234", "r3", "r4"]
    res = toolkit.clean(raw, inst, pseudonymise=False)
    assert res.data["_id"].tolist() == raw["_id"].tolist() and res.data["_id"].dtype == "int64"
    assert res.data["_uuid"].tolist()[:3] == [*raw["_uuid"][:2], "[EMAIL]"]  # UUIDs kept; anything else scanned
    assert res.data["meta/instanceID"].tolist()[:2] == [raw["meta/instanceID"][0], "x [PHONE]"]
    assert res.data["respondent_id"].tolist()[:2] == ["r1", "[CPR]"]  # a respondent id is scanned in full
    assert set(zip(res.log["row"], res.log["column"].astype(str), strict=True)) == {
        (2, "_uuid"), (1, "meta/instanceID"), (1, "respondent_id")}
    assert "ole@example.dk" not in all_text(res) and "010190-1234" not in all_text(res)


def test_kept_ids_that_look_like_phone_numbers_are_redacted_with_a_warning(inst):
    raw = frame(inst, 4)
    raw["respondent_id"] = [20000001, 20000002, 20000003, 4]
    with pytest.warns(DataQualityWarning, match="75% of ids look like phone or CPR numbers"):
        res = toolkit.clean(raw, inst, pseudonymise=False)
    assert res.data["respondent_id"].tolist() == ["[PHONE]"] * 3 + [4]
    raw["respondent_id"] = [20000001, 2, 3, 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert toolkit.clean(raw, inst, pseudonymise=False).data["respondent_id"].tolist()[:2] == ["[PHONE]", 2]


def test_kobo_export_without_pseudonyms_keeps_its_ids(tmp_path, inst):
    sim = toolkit.simulate.survey(inst, n=150, seed=4)
    raw = toolkit.read_responses(sim.write(tmp_path / "kobo.csv", "kobo"), inst)
    res = toolkit.clean(raw, inst, pseudonymise=False)
    assert res.data["_id"].tolist() == raw["_id"].tolist()
    assert res.data["_uuid"].tolist() == raw["_uuid"].tolist()
    assert not res.log["column"].astype(str).isin(["_id", "_uuid", "respondent_id"]).any()
    pii = sim.artefacts["kind"].eq("pii").sum()
    assert sum(res.counts("rule")[f"pii_{k}"] for k in ("cpr", "email", "phone")) == pii


def test_pseudonyms_keyed_stable_and_idempotent(inst):
    raw = frame(inst, 3)
    raw["respondent_id"] = ["a", "b", "a"]
    one, two = run(raw, inst), toolkit.clean(raw, inst, pseudonym_key="other")
    ids = one.data["respondent_id"]
    assert ids[0] == ids[2] != ids[1] and ids[0].startswith("ps-")
    assert not set(ids) & set(two.data["respondent_id"])
    assert (one.log.loc[one.log["rule"] == "pseudonymise", "old"].isna()).all()
    assert one.flags["duplicate_id"].tolist() == [False, False, True]


def test_spss_float_ids_get_the_pseudonyms_of_text_ids(inst):
    as_text = frame(inst, 3)
    as_text["respondent_id"] = ["1001", "1002", "1003"]
    as_float = as_text.assign(respondent_id=[1001.0, 1002.0, 1003.0])  # how pyreadstat reads a numeric id
    assert run(as_float, inst).data["respondent_id"].tolist() == run(as_text, inst).data["respondent_id"].tolist()


def test_key_from_environment_or_privacy_error(inst, monkeypatch):
    raw = frame(inst, 2)
    monkeypatch.delenv("DITK_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PrivacyError, match="DITK_PSEUDONYM_KEY"):
        toolkit.clean(raw, inst)
    monkeypatch.setenv("MY_KEY", KEY)
    env = toolkit.clean(raw, inst, pseudonym_key_env="MY_KEY")
    assert env.data["respondent_id"].equals(run(raw, inst).data["respondent_id"])
    kept = toolkit.clean(raw, inst, pseudonymise=False)
    assert kept.data["respondent_id"].tolist() == ["r0000", "r0001"]
    assert toolkit.clean(raw.drop(columns="respondent_id"), inst).data.shape[0] == 2  # no ids: no key needed


# --------------------------------------------------------------------------- strict


def test_strict_gathers_every_failure_in_one_error(inst):
    raw = frame(inst, 3, prac_01=["7", "3", "x"], age=["5", "40", "41"], net_use_3m=["2", "1", "1"],
                net_freq=["1", "1", "1"], comment=["a@b.dk", None, None])
    with pytest.raises(SchemaErrors) as info:
        run(raw, inst, strict=True)
    fc = info.value.failure_cases
    assert str(info.value).startswith("4 invalid value(s) in 2 row(s): ")
    assert "first: row 0, column age, value '5', expected a number in [15, 110]" in str(info.value)
    assert list(fc.columns) == ["row", "column", "value", "expected"]
    got = set(zip(fc["row"], fc["column"], strict=True))
    assert got == {(0, "prac_01"), (2, "prac_01"), (0, "age"), (0, "net_freq")}
    assert "not asked" in fc.loc[fc["column"] == "net_freq", "expected"].iloc[0]
    assert fc.loc[fc["column"] == "prac_01", "value"].tolist() == ["7", "x"]
    assert fc.loc[fc["column"] == "age", "expected"].iloc[0] == "a number in [15, 110]"
    assert isinstance(info.value, ResponseError)
    run(frame(inst, 2, prac_01=["passer  HELT på mig", "2"]), inst, strict=True)  # recodings are not failures


# --------------------------------------------------------------------------- flags


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


INST = toolkit.load_instrument("dis-full")


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
    kept = toolkit.clean(raw, inst, pseudonymise=False)
    kept_text = all_text(kept)
    assert not any(secret in kept_text for secret in PII_SAMPLES)
    assert kept.data["_id"].tolist() == raw["_id"].tolist()
    kept_again = toolkit.clean(kept.data, inst, pseudonymise=False)
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


def test_undecided_skip_rule_keeps_the_answer_unless_asked_to_clear(inst):
    raw = frame(inst, 2, help_any=["88", "2"], help_freq=["3", "3"])
    kept = run(raw, inst)
    assert kept.data["help_freq"].tolist()[0] == 3.0 and pd.isna(kept.data["help_freq"].iloc[1])
    cleared = run(raw, inst, clear_undecided=True)
    assert cleared.data["help_freq"].isna().all()
    assert logged(cleared, "help_freq")["rule"].tolist() == ["not_asked", "not_asked"]


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


# --------------------------------------------------------------------------- CLI


def test_cli_clean_end_to_end(tmp_path, monkeypatch, inst):
    from typer.testing import CliRunner

    from toolkit.cli import app

    sim = toolkit.simulate.survey(inst, n=300, seed=2)
    messy = sim.responses.copy()
    messy.loc[0, "comment"] = "=HYPERLINK(\"http://x\") ring 20 30 40 50"
    src = tmp_path / "in.csv"
    messy.to_csv(src, index=False, sep=";", encoding="cp1252")
    before = src.read_bytes()
    monkeypatch.setenv("SURVEY_KEY", KEY)
    out, log, flags = tmp_path / "clean.csv", tmp_path / "log.csv", tmp_path / "flags.xlsx"
    result = CliRunner().invoke(app, ["clean", str(src), "--instrument", "dis-full", "--out", str(out), "--log",
                                      str(log), "--flags", str(flags), "--pseudonym-key-env", "SURVEY_KEY"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # the summary goes to stdout; a small file shows no progress bar
    assert f"Instrument {inst.id} version {inst.version}" in result.stdout
    assert f"Read {len(messy)} rows from {src} (csv, encoding cp1252, delimiter ';')" in result.stdout
    assert "label_to_code" in result.stdout and "respondents flagged" in result.stdout
    assert f"Wrote {len(messy)} rows to {out}, {log}, {flags}" in result.stdout
    assert src.read_bytes() == before
    written = pd.read_csv(out)
    assert len(written) == len(messy)
    assert written.loc[0, "comment"] == "'=HYPERLINK(\"http://x\") ring [PHONE]"
    everything = (out.read_text() + log.read_text() + pd.read_excel(flags, engine="calamine").to_csv()
                  + result.stdout)
    secrets = sim.artefacts.loc[sim.artefacts["kind"] == "pii", "messy"].str.extract(
        r"(\d{6}-\d{4}|[\w.]+@example\.\w+|\+45 [\d ]{11})")[0]
    assert secrets.notna().all() and len(secrets) > 0
    for secret in [*secrets, "20 30 40 50", "r0001"]:
        assert secret not in everything
    parquet = tmp_path / "clean.parquet"
    assert CliRunner().invoke(app, ["clean", str(src), "--out", str(parquet),
                                    "--pseudonym-key-env", "SURVEY_KEY"]).exit_code == 0
    assert pd.read_parquet(parquet)["prac_01"].dtype == "float64"


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv"], "no such file"),
    (["empty.csv"], "empty"),
    (["in.csv", "--instrument", "nope"], "nope"),
    (["in.csv", "--out", "{tmp}/no/dir/out.parquet"], "does not exist"),
    (["in.csv", "--out", "{tmp}/out.json"], "unsupported"),
    (["in.csv", "--pseudonym-key-env", "UNSET_KEY_VAR"], "UNSET_KEY_VAR"),
    (["in.csv", "--strict"], "first: row 0, column prac_01, value '9'"),
    (["in.csv", "--strict"], "add --log FILE to write every case"),
    (["bad.xlsx"], "bad.xlsx"),
    (["garbage.csv"], "garbage.csv"),
    (["notes.csv"], "required column(s) missing"),
])
def test_cli_user_mistakes_exit_2_with_one_line(tmp_path, monkeypatch, inst, args, message):
    from typer.testing import CliRunner

    from toolkit.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("UNSET_KEY_VAR", raising=False)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.xlsx").write_bytes(b"\x89PNG not a workbook")
    (tmp_path / "garbage.csv").write_bytes(np.random.default_rng(0).bytes(3000))
    (tmp_path / "notes.csv").write_text("a;b\n1;2\n")
    raw = frame(inst, 3, prac_01=["9", "1", "2"])
    raw.to_csv(tmp_path / "in.csv", index=False)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out.parquet")]
    result = CliRunner().invoke(app, ["clean", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_cli_strict_writes_every_failure_case_to_the_log(tmp_path, monkeypatch, inst):
    from typer.testing import CliRunner

    from toolkit.cli import app

    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    frame(inst, 3, prac_01=["9", "1", "0"], age=["300", "40", "41"]).to_csv(tmp_path / "in.csv", index=False)
    log = tmp_path / "failures.csv"
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.parquet"),
                                      "--log", str(log), "--strict"])
    assert result.exit_code == 2 and "every case written to" in result.stderr
    cases = pd.read_csv(log)
    assert cases[["row", "column"]].values.tolist() == [[0, "age"], [0, "prac_01"], [2, "prac_01"]]
    assert not (tmp_path / "o.parquet").exists()
