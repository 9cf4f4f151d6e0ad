"""build(): every format, all or nothing, instruments as objects or ids; the CLI; committed forms are current."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit import forms, load_instrument
from toolkit.cli import app
from toolkit.errors import OptionError, OutputError

INSTRUMENTS = ["dis-full", "dis-screener"]


def test_build_rejects_unknown_format_and_language(tmp_path):
    with pytest.raises(OptionError, match="form format must be one of 'xlsform', 'html', 'codebook', 'all'; got 'pdf'"):
        forms.build("dis-full", "pdf", None, tmp_path)
    with pytest.raises(OptionError, match="language of instrument 'dis-full' must be one of 'en', 'da'; got 'de'"):
        forms.build("dis-full", "html", ["de"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(instrument, path, *, default_language="en"):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(forms, "write_xlsform", broken)
    out = tmp_path / "new"
    with pytest.raises(OutputError, match="No space left on device"):
        forms.build("all", "all", None, out)
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(OutputError):
        forms.build("dis-screener", "all", None, existing)
    assert list(existing.iterdir()) == []


def test_build_takes_instrument_objects_and_ids(tmp_path):
    paths = forms.build([load_instrument("dis-screener"), "dis-full"], "codebook", ["da"], tmp_path)
    assert [p.name for p in paths] == ["dis-screener.codebook.csv", "dis-screener.codebook.da.md",
                                       "dis-full.codebook.csv", "dis-full.codebook.da.md"]
    with pytest.raises(OptionError, match="form format must be one of"):
        forms.build("dis-full", [], None, tmp_path / "none")


SCREENER = load_instrument("dis-screener")


BUILDERS = {  # name -> call with the instrument given as an object, as an id, and with the old keyword
    "check_languages": (lambda: forms.check_languages(SCREENER, None),
                        lambda: forms.check_languages("dis-screener", None),
                        lambda: forms.check_languages(inst=SCREENER, languages=None)),
    "xlsform_sheets": (lambda: forms.xlsform_sheets(SCREENER)["survey"],
                       lambda: forms.xlsform_sheets("dis-screener")["survey"],
                       lambda: forms.xlsform_sheets(inst=SCREENER)["survey"]),
    "question_numbers": (lambda: forms.question_numbers(SCREENER), lambda: forms.question_numbers("dis-screener"),
                         lambda: forms.question_numbers(inst=SCREENER)),
    "paper_html": (lambda: forms.paper_html(SCREENER, "da"), lambda: forms.paper_html("dis-screener", "da"),
                   lambda: forms.paper_html(inst=SCREENER, lang="da")),
    "codebook_markdown": (lambda: forms.codebook_markdown(SCREENER), lambda: forms.codebook_markdown("dis-screener"),
                          lambda: forms.codebook_markdown(inst=SCREENER)),
    "codebook_csv": (lambda: forms.codebook_csv(SCREENER), lambda: forms.codebook_csv("dis-screener"),
                     lambda: forms.codebook_csv(inst=SCREENER)),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_instrument_as_object_or_id_and_the_old_keyword(name):
    by_object, by_id, old_keyword = BUILDERS[name]
    expected = by_object()
    assert _equal(by_id(), expected)
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        assert _equal(old_keyword(), expected)


def _equal(a, b) -> bool:
    return a.equals(b) if isinstance(a, pd.DataFrame) else a == b


def test_committed_built_forms_are_up_to_date(built):
    committed = Path(__file__).resolve().parents[2] / "questionnaires" / "built"
    fresh = sorted(p.name for p in built.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == fresh, (
        "rebuild: ditk questionnaire build all --out questionnaires/built")
    for name in fresh:
        if name.endswith(".xlsx"):
            old = pd.read_excel(committed / name, engine="calamine", sheet_name=None, dtype=str, keep_default_na=False)
            new = pd.read_excel(built / name, engine="calamine", sheet_name=None, dtype=str, keep_default_na=False)
            assert old.keys() == new.keys() and all(old[k].equals(new[k]) for k in new), name
        else:
            assert (committed / name).read_text(encoding="utf-8") == (built / name).read_text(encoding="utf-8"), (
                f"{name} is stale: ditk questionnaire build all --out questionnaires/built")


runner = CliRunner()


def test_cli_builds_every_format(tmp_path):
    result = runner.invoke(app, ["questionnaire", "build", "all", "--format", "all", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{i}{suffix}" for i in INSTRUMENTS for suffix in (
        ".xlsx", ".en.html", ".da.html", ".codebook.csv", ".codebook.en.md", ".codebook.da.md"))
    assert len(result.stdout.splitlines()) == len(names)


def test_cli_one_language_one_format(tmp_path):
    result = runner.invoke(app, ["questionnaire", "build", "dis-screener", "--format", "html", "--lang", "da",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["dis-screener.da.html"]


@pytest.mark.parametrize("args, message", [
    (["dis-nope"], "unknown instrument 'dis-nope'; available: dis-full, dis-screener"),
    (["dis-full", "--lang", "fr"], "language of instrument 'dis-full' must be one of 'en', 'da'; got 'fr'"),
    (["dis-full", "--format", "pdf"], "form format must be one of 'xlsform', 'html', 'codebook', 'all'; got 'pdf'"),
])
def test_cli_user_mistakes_exit_2_with_one_line(tmp_path, args, message):
    result = runner.invoke(app, ["questionnaire", "build", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_cli_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["questionnaire", "build", "dis-full", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert re.search(r"cannot write to output folder .*sub", result.stderr)


def test_cli_broken_instrument_file_lists_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(io.StringIO("id: bad\nversion: 1\n").getvalue())
    result = runner.invoke(app, ["questionnaire", "build", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "version: must be a quoted text" in result.stderr
