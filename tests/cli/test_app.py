"""The ``ditk`` app: help, unknown commands, usage errors, the entry point and a fast start."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from toolkit.cli import app

COMMANDS = ("questionnaire", "simulate", "clean")


def test_help_lists_every_command_on_stdout(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert all(name in result.stdout for name in COMMANDS)
    assert result.stderr == ""


@pytest.mark.parametrize("args", [[], ["questionnaire"]])
def test_no_command_shows_the_help(runner, args):
    result = runner.invoke(app, args)
    assert "Usage:" in result.stdout and "Commands" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "No such command 'nope'"),
    (["questionnaire", "nope"], "No such command 'nope'"),
    (["clean"], "Missing argument"),
    (["simulate", "--n", "x", "--out", "a.csv"], "Invalid value for '--n'"),
    (["simulate", "--bogus"], "No such option"),
])
def test_usage_errors_exit_2_on_stderr(runner, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


@pytest.mark.parametrize(("args", "summary"), [
    (["clean", "--help"], "Read a survey export, clean it against the instrument"),
    (["simulate", "--help"], "Simulate a survey with known truth"),
    (["questionnaire", "build", "--help"], "Build XLSForm (KoboToolbox/ODK), printable HTML"),
])
def test_command_help_is_the_docstring_summary_only(runner, args, summary):
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0
    assert summary in result.stdout
    assert "Examples" not in result.stdout and ">>>" not in result.stdout


def test_a_toolkit_error_in_a_command_is_one_line_and_exit_2(runner, user_error, tmp_path):
    result = runner.invoke(app, ["simulate", "-i", "dis-nope", "--n", "5", "--out", str(tmp_path / "r.csv")])
    user_error(result, "unknown instrument 'dis-nope'")


def test_the_ditk_entry_point_is_the_app():
    (ditk,) = entry_points(group="console_scripts", name="ditk")
    assert ditk.value == "toolkit.cli:app"
    assert ditk.load() is app


def test_help_imports_neither_pandas_nor_the_toolkit_stages():
    code = ("import sys; from typer.testing import CliRunner; from toolkit.cli import app; "
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'scipy', 'matplotlib', 'seaborn', 'jinja2', "
            "'openpyxl', 'toolkit.errors', 'toolkit.cleaning', 'toolkit.simulate', 'toolkit.forms', "
            "'toolkit.pipeline', 'toolkit.report', 'toolkit.plots', 'toolkit.survey') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
