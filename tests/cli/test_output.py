"""toolkit.cli._output: the one place that prints (errors and progress on stderr, data on stdout)."""

from __future__ import annotations

import pandas as pd
import pytest
import typer

import toolkit
from toolkit import errors
from toolkit.cli import _output


def _demo(exc: BaseException) -> typer.Typer:
    demo = typer.Typer()

    @demo.command()
    @_output.user_errors
    def run() -> None:
        typer.echo("partial")
        raise exc

    return demo


@pytest.mark.parametrize("cls", [errors.OptionError, errors.InstrumentError, errors.SchemaErrors,
                                 errors.InputFileError, errors.OutputError, errors.PrivacyError])
def test_every_toolkit_error_is_one_line_and_exit_2(runner, cls):
    exc = cls("bad [red]thing[/red] " + "x" * 300, pd.DataFrame()) if cls is errors.SchemaErrors \
        else cls("bad [red]thing[/red] " + "x" * 300)
    result = runner.invoke(_demo(exc), [])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {exc}\n"  # no markup interpreted, no wrapping at the terminal width
    assert "Traceback" not in result.output


def test_a_bug_is_not_turned_into_a_user_error(runner):
    result = runner.invoke(_demo(KeyError("bug")), [])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)
    assert "Error:" not in result.stderr


def test_schema_errors_show_the_hint_the_cli_gives():
    exc = errors.SchemaErrors("2 invalid values", pd.DataFrame()).with_hint("add --log FILE to write every case")
    assert str(exc) == "2 invalid values; add --log FILE to write every case"


def test_print_paths_one_per_line_on_stdout(capsys, tmp_path):
    _output.print_paths([tmp_path / "a.csv", "b.json"])
    out = capsys.readouterr()
    assert out.out == f"{tmp_path / 'a.csv'}\nb.json\n" and out.err == ""


@pytest.mark.parametrize("show", [False, True])
def test_progress_never_writes_to_stdout(capsys, show):
    with _output.progress(show=show) as report:
        report("reading")
        report("cleaning: skip logic", 0.5)
        report("writing")
    assert capsys.readouterr().out == ""


@pytest.fixture(scope="module")
def cleaned():
    inst = toolkit.load_instrument("dis-screener")
    data = pd.DataFrame({i: ["88", "1"] for i in inst.item_ids})
    return inst, toolkit.clean(data, inst)


def test_clean_summary_names_instrument_input_changes_flags_and_outputs(cleaned):
    inst, res = cleaned
    lines = _output.clean_summary(inst, res, "in.csv", ["out.parquet", "log.csv", "flags.xlsx"])
    assert lines[0] == f"Instrument dis-screener version {inst.version}"
    assert lines[1] == "Read 2 rows from in.csv (frame)"
    assert lines[2] == "Unknown columns kept: none"
    assert lines[3].startswith("Changes by rule: ") and f"missing_code {len(inst.item_ids)}" in lines[3]
    assert "label_to_code" not in lines[3]  # rules with no change are left out
    flags = res.counts("flag")
    assert lines[4].startswith(f"Flags: {flags.pop('flagged')} respondents flagged (")
    assert all(f"{name} {count}" in lines[4] for name, count in flags.items())
    assert lines[5] == "Wrote 2 rows to out.parquet, log.csv, flags.xlsx"


def test_clean_summary_reports_encoding_delimiter_and_unknown_columns(cleaned):
    inst, res = cleaned
    read = {"format": "csv", "encoding": "cp1252", "delimiter": ";", "unknown_columns": ["note", "extra"]}
    fake = type("Fake", (), {"read": read, "counts": res.counts, "options": res.options})()
    lines = _output.clean_summary(inst, fake, "in.csv", ["o.csv"])
    assert lines[1] == "Read 2 rows from in.csv (csv, encoding cp1252, delimiter ';')"
    assert lines[2] == "Unknown columns kept: note, extra"


def test_clean_summary_says_none_when_nothing_changed():
    inst = toolkit.load_instrument("dis-screener")
    res = toolkit.clean(pd.DataFrame({i: [None] for i in inst.item_ids}), inst)
    assert "Changes by rule: none" in _output.clean_summary(inst, res, "in.csv", ["o.csv"])


def test_print_clean_summary_prints_the_lines(capsys, cleaned):
    inst, res = cleaned
    _output.print_clean_summary(inst, res, "in.csv", ["o.csv"])
    out = capsys.readouterr()
    assert out.out.splitlines() == _output.clean_summary(inst, res, "in.csv", ["o.csv"]) and out.err == ""
