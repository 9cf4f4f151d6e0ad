"""Writers: byte-stable CSV, XLSX, SPSS .sav, Kobo export and truth JSON."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import OptionError

INST = toolkit.load_instrument("dis-full")
SCREENER = toolkit.load_instrument("dis-screener")


def _md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_same_seed_same_files_in_every_format(tmp_path):
    first = toolkit.simulate.survey(INST, n=60, seed=7)
    paths = {}
    for fmt in ("csv", "xlsx", "sav", "kobo"):
        paths[fmt] = first.write(tmp_path / f"a_{fmt}.out", format=fmt)
    first.write_truth(tmp_path / "a_truth.json")
    time.sleep(1.1)  # a timestamp in the file would now differ
    again = toolkit.simulate.survey(INST, n=60, seed=7)
    for fmt in ("csv", "xlsx", "sav", "kobo"):
        assert _md5(again.write(tmp_path / f"b_{fmt}.out", format=fmt)) == _md5(paths[fmt]), fmt
    assert _md5(again.write_truth(tmp_path / "b_truth.json")) == _md5(tmp_path / "a_truth.json")
    other = toolkit.simulate.survey(INST, n=60, seed=8)
    assert not other.clean_responses.equals(first.clean_responses)


def test_xlsx_and_sav_hold_the_csv_content(tmp_path):
    import pyreadstat

    sim = toolkit.simulate.survey(INST, n=80, seed=2, clean=True)
    csv = pd.read_csv(sim.write(tmp_path / "r.csv"))
    xlsx = pd.read_excel(sim.write(tmp_path / "r.xlsx"), engine="calamine")
    pd.testing.assert_frame_equal(xlsx, csv, check_dtype=False)
    sav, meta = pyreadstat.read_sav(str(sim.write(tmp_path / "r.sav")))
    np.testing.assert_allclose(sav["prac_01"], csv["prac_01"])
    assert meta.variable_value_labels["prac_01"][1.0] == "Not at all like me"
    assert meta.variable_value_labels["prac_01"][88.0] == "Don't know"


def test_kobo_export_has_group_paths_and_select_multiple_columns(tmp_path):
    sim = toolkit.simulate.survey(INST, n=150, seed=4, clean=True)
    kobo = pd.read_csv(sim.write(tmp_path / "k.csv", format="kobo"), dtype={"access/devices": "str"})
    for col in ("skills/prac_03", "access/devices", "access/devices/1", "access/devices/5", "help/help_who/4",
                "_uuid", "_submission_time", "_id", "_index", "start", "end", "design_weight", "stratum"):
        assert col in kobo.columns, col
    assert kobo["_uuid"].is_unique and kobo["_uuid"].str.fullmatch(r"[0-9a-f-]{36}").all()
    for code in range(1, 6):
        has = kobo["access/devices"].str.split(" ").map(lambda xs, c=str(code): c in xs)
        assert (kobo[f"access/devices/{code}"] == has.astype(float)).all()
    asked = kobo["help/help_any"] == 1
    assert kobo.loc[~asked, "help/help_who/1"].isna().all()
    assert (kobo.loc[asked, [f"help/help_who/{c}" for c in range(1, 7)]].sum(axis=1) >= 1).all()


def test_unknown_output_format_is_an_option_error(tmp_path):
    sim = toolkit.simulate.survey(SCREENER, n=20, seed=1)
    with pytest.raises(OptionError, match="format must be one of 'csv', 'xlsx', 'sav', 'kobo'; got 'pdf'"):
        sim.write(tmp_path / "x.pdf")


def test_writers_fail_on_a_missing_folder(tmp_path):
    from toolkit.errors import OutputError
    from toolkit.simulate import export

    with pytest.raises(OutputError, match="does not exist"):
        export.write_csv(pd.DataFrame({"x": [1]}), tmp_path / "no" / "x.csv")


def test_old_keywords_still_work_with_a_warning(tmp_path):
    from toolkit.simulate import export

    df = pd.DataFrame({"net_use_3m": [1.0, 2.0]})
    with pytest.warns(FutureWarning, match="df= is now data="):
        export.write_csv(df=df, path=tmp_path / "a.csv")
    with pytest.warns(FutureWarning, match="df= is now data="):
        export.write_xlsx(df=df, path=tmp_path / "a.xlsx")
    with pytest.warns(FutureWarning) as caught:
        export.write_sav(df=df, inst=SCREENER, path=tmp_path / "a.sav")
    assert len(caught) == 2 and all("is now" in str(w.message) for w in caught)
    assert pd.read_csv(tmp_path / "a.csv")["net_use_3m"].tolist() == [1, 2]


def test_truth_json_is_plain_json(tmp_path):
    import json

    from toolkit.simulate import export

    path = export.write_json({"a": (1, np.int64(2)), "b": np.float64("nan"), 3: np.bool_(True)}, tmp_path / "t.json")
    assert json.loads(path.read_text()) == {"a": [1, 2], "b": None, "3": True}
