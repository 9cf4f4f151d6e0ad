"""``ditk clean``: end to end, the summary, user mistakes, strict mode, progress (from tests/cleaning/test_core.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.cli import app
from toolkit.cli import clean as clean_module

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


@pytest.fixture
def small_csv(tmp_path, inst, monkeypatch):
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    src = tmp_path / "in.csv"
    frame(inst, 4, net_use_3m=["1", "Yes", "2", "1"]).to_csv(src, index=False)
    return src


def test_end_to_end(runner, tmp_path, monkeypatch, inst):
    sim = toolkit.simulate.survey(inst, n=300, seed=2)
    messy = sim.responses.copy()
    messy.loc[0, "comment"] = "=HYPERLINK(\"http://x\") ring 20 30 40 50"
    src = tmp_path / "in.csv"
    messy.to_csv(src, index=False, sep=";", encoding="cp1252")
    before = src.read_bytes()
    monkeypatch.setenv("SURVEY_KEY", KEY)
    out, log, flags = tmp_path / "clean.csv", tmp_path / "log.csv", tmp_path / "flags.xlsx"
    result = runner.invoke(app, ["clean", str(src), "--instrument", "dis-full", "--out", str(out), "--log",
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
    assert runner.invoke(app, ["clean", str(src), "--out", str(parquet),
                               "--pseudonym-key-env", "SURVEY_KEY"]).exit_code == 0
    assert pd.read_parquet(parquet)["prac_01"].dtype == "float64"


def test_stdout_is_exactly_the_summary(runner, tmp_path, small_csv):
    out = tmp_path / "o.csv"
    result = runner.invoke(app, ["clean", str(small_csv), "-i", "dis-full", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["Instrument", "Read", "Unknown", "Changes", "Flags:", "Wrote"]
    assert "label_to_code 1" in lines[3]
    assert lines[5] == f"Wrote 4 rows to {out}"
    assert [p.name for p in tmp_path.iterdir() if p != small_csv] == ["o.csv"]


def test_a_large_input_shows_progress_on_stderr_only(runner, tmp_path, small_csv, monkeypatch):
    monkeypatch.setattr(clean_module, "PROGRESS_FROM_BYTES", 0)
    result = runner.invoke(app, ["clean", str(small_csv), "-o", str(tmp_path / "o.parquet")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 6 and lines[0].startswith("Instrument ") and lines[5].startswith("Wrote 4 rows")
    assert not any(step in result.stdout for step in ("reading", "cleaning:", "writing"))


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv"], "no such file"),
    (["empty.csv"], "empty"),
    (["in.csv", "--instrument", "nope"], "nope"),
    (["in.csv", "--out", "{tmp}/no/dir/out.parquet"], "does not exist"),
    (["in.csv", "--out", "{tmp}/out.json"], "unsupported"),
    (["in.csv", "--log", "{tmp}/no/dir/log.csv"], "does not exist"),
    (["in.csv", "--out", "{tmp}/in.csv"], "refusing to overwrite the input file"),
    (["in.csv", "--strict"], "first: row 0, column prac_01, value '9'"),
    (["in.csv", "--strict"], "add --log FILE to write every case"),
    (["bad.xlsx"], "bad.xlsx"),
    (["garbage.csv"], "garbage.csv"),
    (["notes.csv"], "required column(s) missing"),
    (["in.csv", "--missing", "77=refusal"], "kind of missing code 77 must be one of 'dont_know', 'refused', "
                                            "'dont_understand', 'not_applicable', 'no_answer'; got 'refusal'"),
    (["in.csv", "--missing", "77"], "--missing expects CODE=KIND pairs"),
    (["in.csv", "--duration-from", "start"], "duration_from must name two timestamp columns"),
    (["in.csv", "--duration-from", "start,end"], "duration_from: no column 'start'"),
    (["in.csv", "--id-column", "idno"], "id column 'idno' is not a column of the data"),
])
def test_user_mistakes_exit_2_with_one_line(runner, user_error, tmp_path, monkeypatch, inst, args, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("UNSET_KEY_VAR", raising=False)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.xlsx").write_bytes(b"\x89PNG not a workbook")
    (tmp_path / "garbage.csv").write_bytes(np.random.default_rng(0).bytes(3000))
    (tmp_path / "notes.csv").write_text("a;b\n1;2\n")
    frame(inst, 3, prac_01=["9", "1", "2"]).to_csv(tmp_path / "in.csv", index=False)
    before = (tmp_path / "in.csv").read_bytes()
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out.parquet")]
    user_error(runner.invoke(app, ["clean", *args]), message)
    assert not (tmp_path / "out.parquet").exists()
    assert (tmp_path / "in.csv").read_bytes() == before


def test_strict_writes_every_failure_case_to_the_log(runner, user_error, tmp_path, monkeypatch, inst):
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    frame(inst, 3, prac_01=["9", "1", "0"], age=["300", "40", "41"]).to_csv(tmp_path / "in.csv", index=False)
    log = tmp_path / "failures.csv"
    result = runner.invoke(app, ["clean", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.parquet"),
                                 "--log", str(log), "--strict"])
    line = user_error(result, f"every case written to {log}")
    assert "add --log" not in line
    cases = pd.read_csv(log)
    assert cases[["row", "column"]].values.tolist() == [[0, "age"], [0, "prac_01"], [2, "prac_01"]]
    assert not (tmp_path / "o.parquet").exists()


def test_strict_passes_clean_data_through(runner, tmp_path, small_csv):
    result = runner.invoke(app, ["clean", str(small_csv), "--strict", "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 rows" in result.stdout


def test_without_a_key_a_random_one_is_drawn_and_said_to_be_unstable(runner, tmp_path, small_csv, monkeypatch):
    monkeypatch.delenv("UNSET_KEY_VAR", raising=False)
    outs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for out in outs:
        result = runner.invoke(app, ["clean", str(small_csv), "-o", str(out), "--pseudonym-key-env", "UNSET_KEY_VAR"])
        assert result.exit_code == 0, result.output
        assert result.stderr == "Note: UNSET_KEY_VAR is not set: a random key was drawn, so pseudonyms are not " \
                                "stable across runs\n"
    first, second = (pd.read_csv(out)["respondent_id"] for out in outs)
    assert first.str.startswith("ps-").all() and not (first == second).any()


def test_an_ess_style_spss_file_with_its_own_conventions(runner, tmp_path, monkeypatch):
    import pyreadstat

    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    screener = toolkit.load_instrument("dis-screener")
    data = pd.DataFrame({i: [1.0, 2.0, 1.0] for i in screener.item_ids})
    data["net_use_3m"] = [77.0, 99.0, 1.0]
    data["idno"] = [501.0, 502.0, 503.0]
    data["anweight"] = [0.5, 1.5, 1.0]
    data["inwtm_a"] = ["2024-01-05 10:00:00"] * 3
    data["inwtm_b"] = ["2024-01-05 10:20:00", "2024-01-05 10:21:00", "2024-01-05 10:02:00"]
    src = tmp_path / "ess.sav"
    pyreadstat.write_sav(data, str(src))
    out = tmp_path / "clean.parquet"
    result = runner.invoke(app, ["clean", str(src), "-i", "dis-screener", "-o", str(out), "--missing",
                                 "77=refused,88=dont_know,99=no_answer", "--id-column", "idno",
                                 "--duration-from", "inwtm_a,inwtm_b"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no warning: the id column is named, the durations found
    cleaned = pd.read_parquet(out)
    assert cleaned["net_use_3m_missing"].tolist()[:2] == ["refused", "no_answer"]
    assert cleaned["idno"].str.startswith("ps-").all() and cleaned["anweight"].dtype == "float64"
    assert cleaned["duration_sec"].tolist() == [1200.0, 1260.0, 120.0]
    kept = runner.invoke(app, ["clean", str(src), "-i", "dis-screener", "-o", str(out), "--keep-ids"])
    assert kept.exit_code == 0, kept.output
    assert pd.read_parquet(out)["idno"].tolist() == [501.0, 502.0, 503.0]
    assert kept.stdout.splitlines()[-1].startswith("Note: no interview duration")  # once, in the summary
    assert "no interview duration" not in kept.stderr and "Traceback" not in kept.output


def test_id_like_columns_are_named_in_a_note(runner, tmp_path, monkeypatch, inst):
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    raw = frame(inst, 3).rename(columns={"respondent_id": "IDNO"})
    raw.to_csv(tmp_path / "in.csv", index=False)
    result = runner.invoke(app, ["clean", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Note: column(s) 'IDNO' look like identifiers")
    assert pd.read_csv(tmp_path / "o.csv")["IDNO"].str.startswith("ps-").all()


def test_report_takes_the_same_conventions(runner, user_error, tmp_path, small_csv):
    result = runner.invoke(app, ["report", str(small_csv), "--out", str(tmp_path / "r"), "--missing", "77=nope"])
    user_error(result, "kind of missing code 77 must be one of")
    for option in ("--missing", "--id-column", "--keep-ids", "--duration-from"):
        assert option in runner.invoke(app, ["report", "--help"]).stdout


def test_a_big_parquet_export_is_cleaned_in_chunks_with_the_same_files_and_summary(runner, tmp_path, monkeypatch,
                                                                                    inst):
    monkeypatch.setenv("DITK_PSEUDONYM_KEY", KEY)
    src = tmp_path / "in.parquet"
    toolkit.simulate.survey(inst, n=300, seed=3).responses.astype(str).to_parquet(src, index=False)
    import toolkit.cleaning.to_files as to_files

    calls = []
    real = to_files.clean_parquet_to
    monkeypatch.setattr(to_files, "clean_parquet_to", lambda *a, **k: calls.append(k["chunk_rows"]) or real(*a, **k))
    outputs = {}
    for name, extra in (("whole", []), ("chunked", ["--chunk-rows", "70"])):
        files = [tmp_path / f"{name}.parquet", tmp_path / f"{name}-log.csv", tmp_path / f"{name}-flags.csv"]
        result = runner.invoke(app, ["clean", str(src), "--out", str(files[0]), "--log", str(files[1]),
                                     "--flags", str(files[2]), *extra])
        assert result.exit_code == 0, result.output
        outputs[name] = files, result.stdout.replace(name, "NAME")
    (whole, whole_out), (chunked, chunked_out) = outputs["whole"], outputs["chunked"]
    assert calls == [70] and chunked_out == whole_out  # the same summary: rows, changes by rule, flags
    pd.testing.assert_frame_equal(pd.read_parquet(chunked[0]), pd.read_parquet(whole[0]))
    assert chunked[1].read_bytes() == whole[1].read_bytes() and chunked[2].read_bytes() == whole[2].read_bytes()
    result = runner.invoke(app, ["clean", str(src), "--out", str(tmp_path / "c.xlsx"), "--chunk-rows", "70"])
    assert result.exit_code == 0, result.output  # XLSX: cleaned in memory, as before
