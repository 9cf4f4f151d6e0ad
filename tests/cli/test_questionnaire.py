"""``ditk questionnaire build``: every format, one language, user mistakes (copied from tests/test_forms.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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


# --------------------------------------------------------------------------- ditk questionnaire check
ESS = Path(__file__).resolve().parents[1] / "instrument" / "ess_like.yaml"
BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken_instruments"


@pytest.mark.parametrize("source, summary", [
    ("dis-full", "valid instrument dis-full 1.0.0: 80 items, 8 scales, languages en, da"),
    (str(ESS), "valid instrument ess-trust 1: 6 items, 2 scales, language en"),
])
def test_check_a_valid_instrument_prints_one_line(runner, source, summary):
    result = runner.invoke(app, ["questionnaire", "check", source])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{source}: {summary}\n" and result.stderr == ""


def test_check_prints_every_problem_and_exits_2(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = ESS.read_text(encoding="utf-8")
    text = text.replace("kind: no_answer, en: No answer}\nresponse_sets", "kind: skipped, en: x}\nresponse_sets")
    bad.write_text(text.replace("basic: 4\n", "basic: 12\n").replace("type: single", "type: dropdown")
                   .replace("version: '1'", "version: 1"), encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "check", str(bad)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Traceback" not in result.output and "nan" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {bad}: 4 problems in the instrument definition:"
    assert lines[1:] == [
        f"  {bad}: (instrument): version: must be a quoted text such as \"1.0.0\", got 1",
        f"  {bad}: missing_codes: codes[2].kind: code 99: kind must be one of dont_know, refused, dont_understand, "
        "not_applicable, no_answer; got 'skipped'",
        f"  {bad}: gndr: type: must be one of likert, knowledge, single, multiple, numeric, text, got 'dropdown'",
        f"  {bad}: scales.trust: levels.basic: must be a number above 0 and at most 10 (the scale runs from 0 to 10), "
        "got 12",
    ]


@pytest.mark.parametrize("fixture", sorted(p.name for p in BROKEN.iterdir()))
def test_check_broken_fixture_files_without_traceback(runner, fixture):
    result = runner.invoke(app, ["questionnaire", "check", str(BROKEN / fixture)])
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and "problem" in result.stderr


def test_check_a_missing_file(runner, user_error, tmp_path):
    user_error(runner.invoke(app, ["questionnaire", "check", str(tmp_path / "nope.yaml")]), "no instrument file")


def test_build_in_another_language_notes_english_instructions_once(runner, tmp_path):
    doc = yaml.safe_load(ESS.read_text(encoding="utf-8"))
    text = yaml.safe_dump(doc, allow_unicode=True).replace("en:", "nb:").replace("- en\n", "- nb\n")
    source = tmp_path / "ess-nb.yaml"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "build", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert sorted(Path(p).name for p in result.stdout.splitlines()) == [
        "ess-trust.codebook.csv", "ess-trust.codebook.nb.md", "ess-trust.nb.html", "ess-trust.xlsx"]
    assert result.stderr.splitlines() == [
        "Note: the forms of 'ess-trust' print their own instructions (tick boxes, skip directions, headings) in "
        "English for nb: the toolkit has them only in en, da; questions and answers are in nb"]
