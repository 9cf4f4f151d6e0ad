"""``ditk report``: end to end on a small simulated export, options, and one-line user mistakes."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.cli import app
from toolkit.cli import report as report_module


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A 400-respondent export of dis-full, messy like a real one, and the bundled population table."""
    folder = tmp_path_factory.mktemp("export")
    sim = toolkit.simulate.survey(toolkit.load_instrument("dis-full"), n=400, seed=3)
    sim.responses.to_csv(folder / "survey.csv", index=False)
    toolkit.datasets.load("population.csv").to_csv(folder / "population.csv", index=False)
    return folder


def test_a_report_in_danish_with_a_population_and_no_key(runner, export, tmp_path, monkeypatch):
    monkeypatch.delenv("DITK_PSEUDONYM_KEY", raising=False)
    result = runner.invoke(app, ["report", str(export / "survey.csv"), "--instrument", "dis-full", "--population",
                                 str(export / "population.csv"), "--out", str(tmp_path / "out"), "--lang", "da",
                                 "--group", "district", "--group", "gender", "--outcome", "needs_help",
                                 "--min-cell", "10"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == str(tmp_path / "out" / "report.html") and len(lines) == 5
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Sammenfatning" in page and "Celler med færre end 10 respondenter" in page
    assert "Pseudonymerne er ikke stabile" in page and "Fremskrivning til bydele" in page
    estimates = page.split('id="estimates"')[1].split("</section>")[0]
    assert "Aldersgruppe" not in estimates and "Bydel" in estimates
    assert "Havde brug for hjælp" in estimates and "Offline" not in estimates
    assert "Traceback" not in result.output


def test_without_a_population_raking_and_projection_are_skipped(runner, export, tmp_path):
    result = runner.invoke(app, ["report", str(export / "survey.csv"), "--out", str(tmp_path), "--group", "gender"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Raking and projection were skipped: no population table" in page


def test_settings_come_from_the_config_file_with_options_on_top(tmp_path):
    toml = tmp_path / "report.toml"
    toml.write_text('lang = "da"\nmin_cell = 10\ngroups = ["district"]\n')
    config = report_module._settings(str(toml), lang=None, min_cell=None, outcomes=None, groups=None)
    assert (config.lang, config.min_cell, config.groups) == ("da", 10, ("district",))
    config = report_module._settings(str(toml), lang="en", min_cell=3, outcomes=["offline"], groups=None)
    assert (config.lang, config.min_cell, config.outcomes) == ("en", 3, ("offline",))
    config = report_module._settings(None, lang=None, min_cell=None, outcomes=None, groups=None, chunk_rows=250,
                                     engine="duckdb")
    assert (config.chunk_rows, config.engine) == (250, "duckdb")


def test_progress_is_reported_per_stage(export, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(report_module._output, "progress", _recording(seen))
    report_module.make_report(export / "survey.csv", "dis-full", population=None, out=tmp_path,
                              config=toolkit.config.Config(groups=("gender",)))
    assert [s for s, _ in seen] == list(report_module.STAGES)
    assert [done for _, done in seen] == sorted(done for _, done in seen)


def _recording(seen):
    from contextlib import contextmanager

    @contextmanager
    def progress(*, show):
        yield lambda stage, done=None: seen.append((stage, done))

    return progress


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv"], "no such file"),
    (["{export}/survey.csv", "--lang", "fr"], "--lang must be one of"),
    (["{export}/survey.csv", "--population", "nope.csv"], "population table nope.csv"),
    (["{export}/survey.csv", "--population", "{export}/survey.csv"], "population"),
    (["{export}/survey.csv", "--geojson", "nope.geojson"], "GeoJSON file nope.geojson"),
    (["{export}/survey.csv", "--config", "nope.toml"], "config file nope.toml"),
    (["{export}/survey.csv", "--min-cell", "-1"], "min_cell"),
    (["{export}/survey.csv", "--outcome", "happiness"], "happiness"),
    (["{export}/survey.csv", "--group", "shoe_size"], "shoe_size"),
    (["{export}/survey.csv", "--instrument", "nope"], "nope"),
    (["{export}/survey.csv", "--engine", "spark"], "--engine must be one of"),
    (["{export}/survey.csv", "--chunk-rows", "0"], "chunk_rows must be 1 or more"),
])
def test_user_mistakes_exit_2_with_one_line(runner, user_error, export, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{export}", str(export)) for a in args]
    user_error(runner.invoke(app, ["report", *args, "--out", str(tmp_path / "out")]), message)
    assert not (tmp_path / "out" / "report.html").exists()


def test_a_big_parquet_export_streams_to_the_same_report(tmp_path, monkeypatch):
    """More rows than chunk_rows: the run streams through a hidden folder in the output folder, which is
    gone afterwards; the files and the report are those of the in-memory run."""
    import re

    from toolkit.cli.report import make_report
    from toolkit.config import Config

    monkeypatch.setenv("DITK_PSEUDONYM_KEY", "stream-key")
    src = tmp_path / "r.parquet"
    toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full").to_parquet(src, index=False)
    population = toolkit.datasets.load("population.csv")
    whole = make_report(src, "dis-full", population=population, out=tmp_path / "whole", config=Config(), show=False)
    streamed = make_report(src, "dis-full", population=population, out=tmp_path / "streamed",
                           config=Config(chunk_rows=600), show=False)
    assert sorted(p.name for p in (tmp_path / "streamed").iterdir()) == sorted(p.name for p in whole.values())
    for key in ("log", "flags"):
        assert streamed[key].read_bytes() == whole[key].read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(streamed["cleaned"]), pd.read_parquet(whole["cleaned"]),
                                  check_categorical=False)
    no_images = [re.sub(r"base64,[A-Za-z0-9+/=]+", "", p["report"].read_text()) for p in (whole, streamed)]
    assert no_images[0] == no_images[1]
