"""Reading responses: formats, encodings, delimiters, Kobo/ODK headers, mapping, errors, simulator round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.errors import InputFileError, OutputError, ResponseError
from toolkit.io import check_writable, read_info, read_responses, write_table

INST = toolkit.load_instrument("dis-full")
KEY = "test-key"


def base(n: int = 3) -> pd.DataFrame:
    """Item-id headers, every item blank except a few answered ones."""
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)]})
    for item_id in INST.item_ids:
        df[item_id] = ""
    df["prac_01"] = ["Passer slet ikke på mig", "Forstår ikke spørgsmålet", "3"][:n]
    df["age"] = ["34,5", "40", "71"][:n]
    df["comment"] = ["Blåbærgrød", "", "ok"][:n]
    return df


def write_csv_bytes(path, df: pd.DataFrame, sep: str, encoding: str) -> None:
    path.write_bytes(df.to_csv(index=False, sep=sep).encode(encoding) if encoding != "utf-8-sig"
                     else b"\xef\xbb\xbf" + df.to_csv(index=False, sep=sep).encode("utf-8"))


# --------------------------------------------------------------------------- CSV detection


@pytest.mark.parametrize(("sep", "encoding", "reported"), [
    (",", "utf-8", "utf-8"),
    (";", "utf-8-sig", "utf-8-sig"),
    ("\t", "cp1252", "cp1252"),
    (";", "latin-1", "cp1252"),      # æøå are the same bytes in both; cp1252 is the superset
    (",", "utf-16", "utf-16"),
])
def test_csv_delimiter_and_encoding_detected(tmp_path, sep, encoding, reported):
    path = tmp_path / "resp.csv"
    write_csv_bytes(path, base(), sep, encoding)
    df = read_responses(path, INST)
    info = read_info(df)
    assert (info["delimiter"], info["encoding"], info["format"]) == (sep, reported, "csv")
    assert df["prac_01"].tolist() == ["Passer slet ikke på mig", "Forstår ikke spørgsmålet", "3"]
    assert df["comment"].iloc[0] == "Blåbærgrød"
    assert df["age"].iloc[0] == "34,5"  # values are left for cleaning, which logs the change
    res = toolkit.clean(df, INST, pseudonym_key=KEY)
    assert res.data["prac_01"].tolist()[::2] == [1.0, 3.0]
    assert res.data["prac_01_missing"].iloc[1] == "dont_understand"
    assert res.data["age"].iloc[0] == 34.5


def test_latin1_only_bytes_fall_back_to_latin1(tmp_path):
    path = tmp_path / "resp.csv"
    text = base().to_csv(index=False, sep=";").replace("ok", "ok\x81")
    path.write_bytes(text.encode("latin-1"))
    assert read_info(read_responses(path, INST))["encoding"] == "latin-1"


def test_semicolon_file_with_decimal_commas_and_quoted_commas(tmp_path):
    df = base()
    df["comment"] = ["a, b, c", "x", "y; z"]
    path = tmp_path / "resp.txt"
    path.write_text(df.to_csv(index=False, sep=";"), encoding="utf-8")
    out = read_responses(path, INST)
    assert read_info(out)["delimiter"] == ";"
    assert out["comment"].tolist() == ["a, b, c", "x", "y; z"]


def test_override_detection(tmp_path):
    path = tmp_path / "resp.csv"
    write_csv_bytes(path, base(), ";", "cp1252")
    out = read_responses(path, INST, encoding="cp1252", delimiter=";")
    assert read_info(out)["encoding"] == "cp1252" and out["comment"].iloc[0] == "Blåbærgrød"


# --------------------------------------------------------------------------- other formats


def test_xlsx_first_or_named_sheet(tmp_path):
    path = tmp_path / "resp.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="notes", index=False)
        base().to_excel(xl, sheet_name="data", index=False)
    with pytest.raises(ResponseError, match="required column"):
        read_responses(path, INST)  # the first sheet is the notes sheet
    out = read_responses(path, INST, sheet="data")
    assert read_info(out)["sheet"] == "data" and read_info(out)["format"] == "xlsx"
    assert out["prac_01"].iloc[0] == "Passer slet ikke på mig"
    assert read_info(read_responses(path, INST, sheet=1))["sheet"] == "data"
    assert read_info(read_responses(path, INST, sheet="1"))["sheet"] == "data"  # as typed on the command line
    with pytest.raises(InputFileError, match="nope"):
        read_responses(path, INST, sheet="nope")


def numeric_frame(n: int = 4) -> pd.DataFrame:
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)]})
    for item in INST.items:
        df[item.id] = np.nan if item.type not in ("text", "multiple") else None
    df["prac_01"] = [1.0, 88.0, 99.0, 5.0][:n]
    df["age"] = [30.0, 41.5, 200.0, np.nan][:n]
    df["comment"] = ["", "call 20304050", "", ""][:n]
    df["help_who"] = ["1 2", "", "", ""][:n]
    df["devices"] = ["1", "", "", ""][:n]
    return df


def test_spss_keeps_codes_value_labels_and_user_missing(tmp_path):
    path = tmp_path / "resp.sav"
    labels = {"prac_01": {1.0: "Not at all like me", 5.0: "Completely like me", 88.0: "Don't know",
                          99.0: "Prefer not to say"}}
    pyreadstat.write_sav(numeric_frame(), str(path), variable_value_labels=labels,
                         missing_ranges={"prac_01": [88.0, 99.0]})
    out = read_responses(path, INST)
    info = read_info(out)
    assert info["format"] == "sav"
    assert out["prac_01"].tolist() == [1.0, 88.0, 99.0, 5.0]  # user-missing codes kept as values
    assert sorted(info["user_missing"]["prac_01"]) == [88.0, 99.0]
    assert info["value_labels"]["prac_01"][88] == "Don't know"
    res = toolkit.clean(out, INST, pseudonym_key=KEY)
    assert res.data["prac_01_missing"].tolist()[1:3] == ["dont_know", "refused"]
    assert res.data["comment"].iloc[1] == "call [PHONE]"


def test_stata_and_parquet(tmp_path):
    frame = numeric_frame()
    dta = tmp_path / "resp.dta"
    pyreadstat.write_dta(frame.fillna({"comment": "", "help_who": "", "devices": ""}), str(dta))
    parquet = tmp_path / "resp.parquet"
    frame.to_parquet(parquet)
    for path, fmt in ((dta, "dta"), (parquet, "parquet")):
        out = read_responses(path, INST)
        assert read_info(out)["format"] == fmt
        assert out["prac_01"].tolist() == [1.0, 88.0, 99.0, 5.0]
        assert toolkit.clean(out, INST, pseudonym_key=KEY).data["age"].tolist()[:2] == [30.0, 41.5]


# --------------------------------------------------------------------------- Kobo / ODK


@pytest.mark.parametrize("sep", ["/", ".", ":", "-"])
def test_kobo_group_paths_metadata_and_split_multiple(sep):
    df = base()
    item_section = {i.id: i.section for i in INST.items}
    kobo = pd.DataFrame({"start": ["2026-01-01T10:00:00"] * 3, "_uuid": ["u1", "u2", "u3"],
                         "_submission_time": ["2026-01-01"] * 3})
    for col in df.columns:
        if col == "help_who":
            for code in (1, 2, 3, 4, 5, 6):
                kobo[f"help{sep}help_who{sep}{code}"] = ["1" if code in (1, 3) else "0", "0", ""][:3]
                kobo.loc[1, f"help{sep}help_who{sep}{code}"] = "1" if code == 6 else "0"
        elif col in item_section:
            kobo[f"{item_section[col]}{sep}{col}"] = df[col]
        else:
            kobo[col] = df[col]
    kobo["extra_note"] = ["a", "b", "c"]
    out = read_responses(kobo, INST)
    info = read_info(out)
    assert out["help_who"].tolist()[:2] == ["1 3", "6"] and pd.isna(out["help_who"].iloc[2])
    assert info["split_columns"]["help_who"] == [f"help{sep}help_who{sep}{c}" for c in range(1, 7)]
    assert set(info["metadata_columns"]) >= {"start", "_uuid", "_submission_time", "respondent_id"}
    assert info["unknown_columns"] == ["extra_note"]
    assert info["column_map"][f"skills{sep}prac_01"] == "prac_01"
    assert out["prac_01"].tolist() == df["prac_01"].tolist()


@pytest.mark.parametrize("lang", ["en", "da"])
def test_question_labels_as_headers_and_option_labels_in_split_columns(lang):
    help_who = INST.item("help_who")
    options = INST.response_sets[help_who.response_set].codes
    data = {}
    for item in INST.items:
        if item.id == "help_who":
            for opt in options:
                data[f"{item.text[lang]}/{opt.label[lang]}"] = [opt.label[lang] if opt.code == 2 else ""]
        else:
            data[f"{item.section}/{item.text[lang]}"] = [""]
    data[f"skills/{INST.item('prac_01').text[lang]}"] = [INST.response_sets["describes_me"].codes[3].label[lang]]
    out = read_responses(pd.DataFrame(data), INST)
    assert set(out.columns) == set(INST.item_ids) and read_info(out)["unknown_columns"] == []
    assert out["help_who"].iloc[0] == "2"
    assert toolkit.clean(out, INST).data["prac_01"].iloc[0] == 4.0  # no ids present: no key needed


def test_combined_and_split_multiple_keep_the_combined_column():
    df = base()
    df["help_any"] = "1"
    df["help_who"] = ["1 3", "2", "6"]
    for code in range(1, 7):
        df[f"help_who/{code}"] = "0"
    out = read_responses(df, INST)
    assert out["help_who"].tolist() == ["1 3", "2", "6"]
    assert not any(c.startswith("help_who/") for c in out.columns)
    assert read_info(out)["unknown_columns"] == []


# --------------------------------------------------------------------------- mapping and errors


def test_unknown_columns_kept_and_ids_matched_case_insensitively():
    df = base().rename(columns={"prac_01": "PRAC_01", "respondent_id": "Respondent_ID"})
    df["weird"] = 1
    out = read_responses(df, INST)
    assert "prac_01" in out.columns and "respondent_id" in out.columns
    assert out["weird"].tolist() == [1, 1, 1]
    assert read_info(out)["unknown_columns"] == ["weird"]
    assert list(df.columns)[:2] == ["Respondent_ID", INST.item_ids[0]]  # input untouched


def test_missing_required_columns_listed():
    with pytest.raises(ResponseError) as info:
        read_responses(base().drop(columns=["prac_01", "gender"]), INST)
    assert str(info.value).startswith("input frame: 2 required column(s) missing for instrument 'dis-full': "
                                      "prac_01, gender; is the export from another version of the form")


def test_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_responses(tmp_path / "nope.csv", INST)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_responses(tmp_path / "empty.csv", INST)
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    with pytest.raises(InputFileError, match="empty"):
        read_responses(tmp_path / "blank.csv", INST)
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="bad.xlsx"):
        read_responses(tmp_path / "bad.xlsx", INST)
    (tmp_path / "bad.sav").write_bytes(b"garbage")
    with pytest.raises(InputFileError, match="bad.sav"):
        read_responses(tmp_path / "bad.sav", INST)
    for seed in range(5):  # binary garbage named .csv
        (tmp_path / "garbage.csv").write_bytes(np.random.default_rng(seed).bytes(3000))
        with pytest.raises((InputFileError, ResponseError), match="garbage.csv"):
            read_responses(tmp_path / "garbage.csv", INST)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputFileError, match="unsupported"):
        read_responses(tmp_path / "x.json", INST)
    with pytest.raises(InputFileError, match="directory"):
        read_responses(tmp_path, INST)


def test_input_file_never_modified(tmp_path):
    path = tmp_path / "resp.csv"
    write_csv_bytes(path, base(), ";", "cp1252")
    before = path.read_bytes()
    toolkit.clean(read_responses(path, INST), INST, pseudonym_key=KEY)
    assert path.read_bytes() == before


def test_parquet_written_a_slice_at_a_time_reads_back_whole(tmp_path, monkeypatch):
    import toolkit.io as module

    df = pd.DataFrame({"f": [0.5, np.nan, 2.0, 3.0, 4.0, 5.0, 6.0], "c": pd.Categorical(list("abcabca")),
                       "o": pd.Series([None, None, None, 1.5, "x", None, 2], dtype=object),
                       "s": pd.Series([None, None, None, "p", "q", "r", "s"], dtype="str")})
    write_table(df, tmp_path / "whole.parquet")
    monkeypatch.setattr(module, "PARQUET_ROWS", 3)  # the first slice holds no text in "o" and "s"
    write_table(df, tmp_path / "sliced.parquet")
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "sliced.parquet").num_row_groups == 3
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "sliced.parquet"),
                                  pd.read_parquet(tmp_path / "whole.parquet"))
    write_table(df.iloc[:0], tmp_path / "empty.parquet")
    assert pd.read_parquet(tmp_path / "empty.parquet").columns.tolist() == ["f", "c", "o", "s"]


def test_write_table_formats_and_errors(tmp_path):
    df = pd.DataFrame({"a": ["=1+2", "+x", "-y", "@z", "ok"], "b": [1.0, -2.0, np.nan, 4.0, 5.0],
                       "c": pd.Series(["1", 2, 3.5, None, "x"], dtype=object)})
    write_table(df, tmp_path / "t.csv")
    assert pd.read_csv(tmp_path / "t.csv")["a"].tolist() == ["'=1+2", "'+x", "'-y", "'@z", "ok"]
    write_table(df, tmp_path / "t.xlsx")
    assert pd.read_excel(tmp_path / "t.xlsx", engine="calamine")["a"].tolist()[0] == "'=1+2"
    write_table(df, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["a"].tolist()[0] == "=1+2" and back["c"].tolist()[:3] == ["1", "2", "3.5"]
    assert df["a"].iloc[0] == "=1+2"
    with pytest.raises(OutputError, match="does not exist"):
        write_table(df, tmp_path / "no" / "t.csv")
    with pytest.raises(OutputError, match="unsupported"):
        check_writable(tmp_path / "t.json")


# --------------------------------------------------------------------------- simulator round trips


@pytest.fixture(scope="module")
def sims():
    return (toolkit.simulate.survey(INST, n=400, seed=11),
            toolkit.simulate.survey(INST, n=400, seed=11, clean=True))


def uncorrupted_mismatches(res, messy, clean, artefacts, inst=INST) -> list:
    ref = clean.set_index("respondent_id").loc[messy["respondent_id"]].reset_index()
    corrupted = set(zip(artefacts["row"], artefacts["column"], strict=True))
    out = []
    for col in inst.item_ids:
        got, want = res.data[col].reset_index(drop=True), ref[col]
        if inst.item(col).type in ("multiple", "text"):
            same = got.astype(object).fillna("").astype(str).to_numpy() == want.astype(object).fillna("").astype(
                str).to_numpy()
        else:
            g, w = got.to_numpy(float), pd.to_numeric(want).to_numpy(float)
            same = (g == w) | (np.isnan(g) & np.isnan(w))
        out += [(r, col) for r in np.flatnonzero(~same) if (r, col) not in corrupted]
    return out


@pytest.mark.parametrize("fmt", ["frame", "csv", "xlsx", "sav", "kobo", "dta", "parquet"])
def test_simulator_exports_round_trip(tmp_path, sims, fmt):
    messy, clean = sims
    if fmt == "frame":
        raw = read_responses(messy.responses, INST)
    elif fmt in ("dta", "parquet"):  # not simulator formats: the messy text columns written as they are
        path = tmp_path / f"resp.{fmt}"
        if fmt == "dta":
            text = messy.responses.select_dtypes(exclude="number").columns
            pyreadstat.write_dta(messy.responses.fillna(dict.fromkeys(text, "")), str(path))
        else:
            messy.responses.to_parquet(path)
        file_bytes = path.read_bytes()
        raw = read_responses(path, INST)
    else:
        path = messy.write(tmp_path / f"resp.{'csv' if fmt == 'kobo' else fmt}", format=fmt)
        file_bytes = path.read_bytes()
        raw = read_responses(path, INST)
    before, attrs = raw.copy(deep=True), repr(raw.attrs)
    res = toolkit.clean(raw, INST, pseudonym_key=KEY)
    pd.testing.assert_frame_equal(raw, before)  # neither the read frame ...
    assert repr(raw.attrs) == attrs
    assert fmt == "frame" or path.read_bytes() == file_bytes  # ... nor the file is modified
    assert len(res.data) == len(messy.responses)
    assert res.data["respondent_id"].str.startswith("ps-").all()
    assert uncorrupted_mismatches(res, messy.responses, clean.responses, messy.artefacts) == []
    if fmt == "kobo":
        info = read_info(raw)
        assert info["unknown_columns"] == [] and "_uuid" in info["metadata_columns"]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_kobo_label_headers_and_split_only_multiple_round_trip(sims, lang):
    """A Kobo export with question and option labels as headers, select_multiple only as 0/1 columns."""
    from toolkit.simulate.export import kobo_frame

    messy, clean = sims
    kobo, rename = kobo_frame(messy), {}
    for item in INST.items:
        path = f"{item.section}/{item.id}"
        if item.type == "multiple":
            kobo = kobo.drop(columns=path)
            for c in INST.response_sets[item.response_set].codes:
                rename[f"{path}/{c.code}"] = f"{item.section}/{item.text[lang]}/{c.label[lang]}"
        else:
            rename[path] = f"{item.section}/{item.text[lang]}"
    raw = read_responses(kobo.rename(columns=rename), INST)
    assert read_info(raw)["unknown_columns"] == [] and set(read_info(raw)["split_columns"]) == {
        i.id for i in INST.items if i.type == "multiple"}
    res = toolkit.clean(raw, INST, pseudonym_key=KEY)
    assert uncorrupted_mismatches(res, messy.responses, clean.responses, messy.artefacts) == []


@pytest.mark.parametrize("fmt", ["csv", "kobo"])
def test_screener_round_trip(tmp_path, fmt):
    inst = toolkit.load_instrument("dis-screener")
    messy = toolkit.simulate.survey(inst, n=400, seed=8)
    clean = toolkit.simulate.survey(inst, n=400, seed=8, clean=True)
    raw = read_responses(messy.write(tmp_path / "resp.csv", format=fmt), inst)
    res = toolkit.clean(raw, inst, pseudonym_key=KEY)
    assert uncorrupted_mismatches(res, messy.responses, clean.responses, messy.artefacts, inst) == []


def test_limesurvey_bracket_headers_and_y_checkboxes():
    df = base()
    df["help_any"] = "1"
    df = df.drop(columns="help_who")
    for code in range(1, 7):
        df[f"help_who[{code}]"] = ["Y" if code == 2 else "", "Y" if code in (1, 5) else "", ""]
    out = read_responses(df, INST)
    assert out["help_who"].tolist()[:2] == ["2", "1 5"] and pd.isna(out["help_who"].iloc[2])


text_cell = st.one_of(st.none(), st.text(alphabet="abcæøåÆØÅ é,;\t\"'=-+1234567890", min_size=1, max_size=12))


@settings(max_examples=30, deadline=None)
@given(cells=st.lists(text_cell, min_size=1, max_size=5), sep=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_text_survives_any_delimiter_and_encoding(cells, sep, encoding, tmp_path_factory):
    df = base(1).iloc[[0] * len(cells)].reset_index(drop=True)
    df["comment"] = cells
    path = tmp_path_factory.mktemp("csv") / "resp.csv"
    write_csv_bytes(path, df, sep, encoding)
    out = read_responses(path, INST)
    got = [None if pd.isna(v) else v for v in out["comment"]]
    assert got == cells
    assert read_info(out)["delimiter"] == sep


@pytest.mark.parametrize("ext", ["parquet", "csv", "xlsx"])
def test_cleaned_files_clean_to_themselves(tmp_path, sims, ext):
    res = toolkit.clean(sims[0].responses, INST, pseudonym_key=KEY)
    path = write_table(res.data, tmp_path / f"cleaned.{ext}")
    again = toolkit.clean(read_responses(path, INST), INST, pseudonym_key=KEY)
    assert again.log.empty
    assert again.data["respondent_id"].tolist() == res.data["respondent_id"].tolist()


# --------------------------------------------------------------------------- options and vocabulary


def test_instrument_as_object_bundled_id_or_path_and_options_keyword_only(tmp_path):
    from pathlib import Path

    from toolkit.errors import OptionError

    df = base()
    by_object = read_responses(df, INST)
    for instrument in ("dis-full", Path(toolkit.__file__).parent / "questionnaires" / "dis-full.yaml"):
        pd.testing.assert_frame_equal(read_responses(df, instrument), by_object)
    with pytest.raises(OptionError, match="instrument must be an Instrument"):
        read_responses(df, None)
    path = tmp_path / "resp.csv"
    write_csv_bytes(path, df, ";", "utf-8")
    with pytest.raises(TypeError):
        read_responses(path, INST, None, "utf-8")


def test_kobo_metadata_lists_each_column_once_ids_included():
    from toolkit.io import KOBO_ID_COLUMNS, KOBO_METADATA

    assert len(KOBO_METADATA) == len(set(KOBO_METADATA))
    assert KOBO_METADATA[:len(KOBO_ID_COLUMNS)] == KOBO_ID_COLUMNS
    kobo = pd.DataFrame({"DeviceID": ["d"], "_submitted_by": ["u"], **{i: [""] for i in INST.item_ids}})
    assert read_info(read_responses(kobo, INST))["metadata_columns"] == ["DeviceID", "_submitted_by"]


# --------------------------------------------------------------------------- legacy formats and declared missing values

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
SCREENER = toolkit.load_instrument("dis-screener")


def test_legacy_xls_is_read_with_excel_types():
    out = read_responses(EXPORTS / "responses.xls", SCREENER)  # made by tests/data/exports/make_fixtures.py
    info = read_info(out)
    assert info["format"] == "xls" and info["sheet"] == "responses"
    assert out["net_use_3m"].tolist() == ["Ja", "Nej"] and out["weight"].tolist() == [1.25, 0.8]
    assert toolkit.clean(out, SCREENER, pseudonym_key=KEY).data["net_use_3m"].tolist() == [1.0, 2.0]


def test_spss_portable_por_is_read(tmp_path):
    from toolkit.io import _read_file

    path = tmp_path / "resp.por"  # portable files allow names of 8 characters: too short for the item ids
    pyreadstat.write_por(pd.DataFrame({"PRAC_02": [1.0, 2.0], "IDNO": [11.0, 12.0]}), str(path))
    frame, info = _read_file(path, sheet=None, encoding=None, delimiter=None)
    assert info["format"] == "por" and frame["PRAC_02"].tolist() == [1.0, 2.0]
    with pytest.raises(ResponseError, match="required column"):  # read, then mapped to the instrument
        read_responses(path, SCREENER)


def test_spss_missing_ranges_are_kept_as_ranges(tmp_path):
    path = tmp_path / "resp.sav"
    frame = pd.DataFrame({i: [1.0] * 4 for i in SCREENER.item_ids} | {"income": [100.0, 2500.0, 2000.0, 3000.0]})
    pyreadstat.write_sav(frame, str(path), missing_ranges={"prac_02": [-9.0, 999.0],
                                                           "income": [{"lo": 2000.0, "hi": 3000.0}]})
    info = read_info(read_responses(path, SCREENER))
    assert sorted(info["user_missing"]["prac_02"]) == [-9.0, 999.0]
    assert info["missing_ranges"] == {"income": [(2000.0, 3000.0)]}  # a range, not its two endpoints
    assert "income" not in info["user_missing"]


def test_stata_extended_missing_values_are_reported_by_letter(tmp_path):
    path = tmp_path / "resp.dta"
    frame = pd.DataFrame({i: [1.0, 2.0, 1.0] for i in SCREENER.item_ids})
    frame["prac_02"] = pd.Series([1.0, "a", "b"], dtype=object)
    pyreadstat.write_dta(frame, str(path), missing_user_values={"prac_02": ["a", "b"]},
                         variable_value_labels={"prac_02": {1: "Not at all like me", "a": "Refusal",
                                                            "b": "Don't know"}})
    out = read_responses(path, SCREENER)
    info = read_info(out)
    assert info["format"] == "dta" and info["user_missing"]["prac_02"] == ["a", "b"]
    assert out["prac_02"].tolist() == [1.0, "a", "b"]
    assert info["value_labels"]["prac_02"]["a"] == "Refusal"


def test_unsupported_type_lists_the_legacy_formats(tmp_path):
    (tmp_path / "x.ods").write_text("x")
    with pytest.raises(InputFileError, match=r"\.xls, \.sav, \.por, \.dta"):
        read_responses(tmp_path / "x.ods", SCREENER)


def test_timestamps_with_a_time_zone_are_written_to_xlsx_in_utc(tmp_path):
    stamps = pd.to_datetime(pd.Series(["2026-03-02T14:00:00+01:00"]), utc=True)
    write_table(pd.DataFrame({"start": stamps}), tmp_path / "t.xlsx")
    assert pd.read_excel(tmp_path / "t.xlsx", engine="calamine")["start"].iloc[0] == pd.Timestamp("2026-03-02 13:00:00")
