"""Privacy phase (toolkit.cleaning.pii): id columns, pseudonyms, PII redacted in text, ids and numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from tests.cleaning._helpers import KEY, all_text, frame, instrument_fixture, logged, run
from toolkit.cleaning.log import LOG_COLUMNS, LogBuilder
from toolkit.cleaning.pii import (ID_COLUMNS, SYSTEM_ID_FORMATS, id_columns_in, may_hold_pii, redact_other_column,
                                  redact_values, resolve_pseudonym_key)
from toolkit.errors import DataQualityWarning, PrivacyError, ResponseError
from toolkit.io import KOBO_ID_COLUMNS, KOBO_METADATA

inst = instrument_fixture()


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
    raw["number"] = [101901234.0, 3.5, np.nan]  # 0101901234 read as a number
    raw["count"] = [1, 2, 3]
    res = run(raw, inst)
    assert res.data["mobile"].tolist() == ["[PHONE]", 11, 12]
    assert res.data["number"].tolist()[:2] == ["[CPR]", 3.5]
    assert logged(res, "number")["rule"].tolist() == ["pii_cpr"]
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
    res = toolkit.clean(raw, inst, keep_ids=True)
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
        res = toolkit.clean(raw, inst, keep_ids=True)
    assert res.data["respondent_id"].tolist() == ["[PHONE]"] * 3 + [4]
    raw["respondent_id"] = [20000001, 2, 3, 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert toolkit.clean(raw, inst, keep_ids=True).data["respondent_id"].tolist()[:2] == ["[PHONE]", 2]


def test_kobo_export_without_pseudonyms_keeps_its_ids(tmp_path, inst):
    sim = toolkit.simulate.survey(inst, n=150, seed=4)
    raw = toolkit.read_responses(sim.write(tmp_path / "kobo.csv", format="kobo"), inst)
    res = toolkit.clean(raw, inst, keep_ids=True)
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
    kept = toolkit.clean(raw, inst, keep_ids=True)
    assert kept.data["respondent_id"].tolist() == ["r0000", "r0001"]
    assert toolkit.clean(raw.drop(columns="respondent_id"), inst).data.shape[0] == 2  # no ids: no key needed



def test_id_vocabulary_is_defined_once_and_known_to_the_reader():
    assert ID_COLUMNS == ("respondent_id", *KOBO_ID_COLUMNS)
    assert set(KOBO_ID_COLUMNS) <= set(KOBO_METADATA)
    assert set(SYSTEM_ID_FORMATS) <= set(KOBO_METADATA)  # every server-made id column is read as metadata


def test_id_columns_matched_case_insensitively_in_vocabulary_order_items_excluded():
    data = pd.DataFrame(columns=["_UUID", "prac_01", "Respondent_ID", "note"])
    assert id_columns_in(data, None, item_ids=["prac_01"]) == ["Respondent_ID", "_UUID"]
    assert id_columns_in(data, ["note", "prac_01", "absent"], item_ids=["prac_01"]) == ["note"]


def test_a_key_is_needed_only_when_ids_hold_values(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    blank = pd.DataFrame({"respondent_id": [None, None]})
    assert resolve_pseudonym_key(blank, ["respondent_id"], pseudonymise=True, key=None,
                                 key_env="NO_SUCH_KEY_VAR") is None
    ids = blank.fillna("a")
    assert resolve_pseudonym_key(ids, ["respondent_id"], pseudonymise=False, key=None, key_env=None) is None
    with pytest.raises(PrivacyError, match="NO_SUCH_KEY_VAR"):
        resolve_pseudonym_key(ids, ["respondent_id"], pseudonymise=True, key=None, key_env="NO_SUCH_KEY_VAR")


def test_which_columns_may_hold_pii():
    assert may_hold_pii(pd.Series(["x"], dtype="str")) and may_hold_pii(pd.Series([1, "x"], dtype=object))
    assert may_hold_pii(pd.Series([12345678])) and not may_hold_pii(pd.Series([1234567]))
    assert not may_hold_pii(pd.Series([True, False])) and not may_hold_pii(pd.Series(pd.to_datetime(["2024-01-01"])))


def test_redacted_values_keep_values_without_pii_as_they_are():
    values = np.array(["ole@example.dk", 101901234, 3.5, None], dtype=object)
    out = redact_values(values)
    assert out.tolist() == ["[EMAIL]", "[CPR]", 3.5, None]
    assert values[0] == "ole@example.dk"  # a new array


def test_a_mostly_redacted_id_column_warns_once_per_column():
    log = LogBuilder()
    with pytest.warns(DataQualityWarning, match="'key': 100% of ids"):
        out = redact_other_column("key", pd.Series(["20304050"]), ["key"], log)
    assert out.tolist() == ["[PHONE]"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        redact_other_column("note", pd.Series(["20304050"]), ["key"], LogBuilder())  # not an id: no warning


# --------------------------------------------------------------------------- columns that look like ids


def ess_like(inst, n=4):
    raw = frame(inst, n).drop(columns="respondent_id")
    raw.insert(0, "idno", [10001.0 + i for i in range(n)])  # ESS: a number per respondent, read from SPSS
    return raw


def test_a_unique_idno_is_pseudonymised_with_a_warning_naming_it(inst):
    with pytest.warns(DataQualityWarning, match=r"'idno' look like identifiers.*--id-column.*--keep-ids"):
        res = run(ess_like(inst), inst)
    assert res.data["idno"].str.startswith("ps-").all()
    assert "10001" not in all_text(res)
    assert res.options["id_like_columns"] == ["idno"] and "idno" in res.options["id_columns"]


def test_without_a_key_id_like_columns_are_refused_naming_the_flag_and_the_variable(inst, monkeypatch):
    monkeypatch.delenv("DITK_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PrivacyError, match=r"idno.*DITK_PSEUDONYM_KEY.*--pseudonym-key-env.*--keep-ids"):
        toolkit.clean(ess_like(inst), inst)


def test_keep_ids_keeps_them_in_clear_and_says_nothing(inst):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        res = toolkit.clean(ess_like(inst), inst, keep_ids=True)
    assert res.data["idno"].tolist()[:2] == [10001.0, 10002.0] and res.options["keep_ids"]


def test_the_named_id_column_is_the_respondent(inst):
    raw = ess_like(inst)
    raw.loc[3, "idno"] = 10001.0  # a second submission of the first respondent
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        res = run(raw, inst, id_column="idno", drop_flagged="duplicate_id")
    assert res.flags["duplicate_id"].tolist() == [False, False, False, True]
    assert res.flags["respondent_id"].tolist()[3] == res.flags["respondent_id"].tolist()[0]
    assert res.log.loc[res.log["rule"] == "drop_flagged", "respondent_id"].tolist() == [res.flags["respondent_id"][0]]
    with pytest.raises(ResponseError, match="id column 'respid' is not a column"):
        run(raw, inst, id_column="respid")


def test_uuids_and_cpr_numbers_are_ids_whatever_the_column_is_called(inst):
    raw = frame(inst, 3, token=["a3bb189e-8bf9-3888-9912-ace4e6543002", "b3bb189e-8bf9-3888-9912-ace4e6543002",
                                "c3bb189e-8bf9-3888-9912-ace4e6543002"],
                person=["0101901234", "0202901234", "0303901234"], wave_id=["1", "1", "1"], id=["a", "a", "b"])
    with pytest.warns(DataQualityWarning, match="'token', 'person'"):
        res = run(raw, inst)
    assert res.data["token"].str.startswith("ps-").all() and res.data["person"].str.startswith("ps-").all()
    assert res.data["wave_id"].tolist() == [1.0, 1.0, 1.0] and res.data["id"].tolist() == ["a", "a", "b"]  # not unique


def test_pseudonymise_false_still_works_with_a_future_warning(inst):
    with pytest.warns(FutureWarning, match="keep_ids=True"):
        res = toolkit.clean(frame(inst, 2), inst, pseudonymise=False)
    assert res.data["respondent_id"].tolist() == ["r0000", "r0001"]
