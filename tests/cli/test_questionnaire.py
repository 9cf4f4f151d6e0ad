"""``ditk questionnaire build``: every format, one language, user mistakes (copied from tests/test_forms.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.cli import app

INSTRUMENTS = ["dis-full", "dis-screener"]


def test_builds_every_format_and_lists_the_files_on_stdout(runner, tmp_path):
    result = runner.invoke(app, ["questionnaire", "build", "all", "--format", "all", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{i}{suffix}" for i in INSTRUMENTS for suffix in (
        ".xlsx", ".en.html", ".da.html", ".codebook.csv", ".codebook.en.md", ".codebook.da.md"))
    assert sorted(Path(line).name for line in result.stdout.splitlines()) == names
    assert all(Path(line).is_file() for line in result.stdout.splitlines())
    assert result.stderr == ""


def test_one_language_one_format(runner, tmp_path):
    result = runner.invoke(app, ["questionnaire", "build", "dis-screener", "--format", "html", "--lang", "da",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["dis-screener.da.html"]
    assert result.stdout == f"{tmp_path / 'dis-screener.da.html'}\n"


def test_short_options(runner, tmp_path):
    result = runner.invoke(app, ["questionnaire", "build", "dis-screener", "-f", "codebook", "-l", "en",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dis-screener.codebook.csv", "dis-screener.codebook.en.md"]


@pytest.mark.parametrize("args, message", [
    (["dis-nope"], "unknown instrument 'dis-nope'; available: dis-full, dis-screener"),
    (["dis-full", "--lang", "fr"], "language of instrument 'dis-full' must be one of 'en', 'da'; got 'fr'"),
    (["dis-full", "--format", "pdf"], "form format must be one of 'xlsform', 'html', 'codebook', 'all'; got 'pdf'"),
])
def test_user_mistakes_exit_2_with_one_line(runner, user_error, tmp_path, args, message):
    result = runner.invoke(app, ["questionnaire", "build", *args, "--out", str(tmp_path / "o")])
    user_error(result, message)
    assert not (tmp_path / "o").exists()


def test_unwritable_output_folder(runner, user_error, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["questionnaire", "build", "dis-full", "--out", str(blocker / "sub")])
    assert re.search(r"cannot write to output folder .*sub", user_error(result, "cannot write"))


def test_broken_instrument_file_lists_problems(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1\n")
    result = runner.invoke(app, ["questionnaire", "build", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error:") and "Traceback" not in result.output
    assert "bad.yaml" in result.stderr and "version: must be a quoted text" in result.stderr
