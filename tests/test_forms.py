"""Form builders: XLSForm converts with pyxform, paper forms route in words, codebooks list every item, CLI."""

from __future__ import annotations

import io
import re
from pathlib import Path
import warnings

import pandas as pd
import pytest
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from toolkit import forms, load_instrument
from toolkit.cli import app
from toolkit.errors import OptionError, OutputError

INSTRUMENTS = ["dis-full", "dis-screener"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("forms")
    forms.build("all", "all", None, out)
    return out


@pytest.mark.parametrize("inst_id", INSTRUMENTS)
def test_every_built_xlsform_converts_with_pyxform(built, inst_id):
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = convert(xlsform=str(built / f"{inst_id}.xlsx"), warnings=found)
    assert found == []
    inst = load_instrument(inst_id)
    for item in inst.items:  # groups per section give Kobo paths like skills/prac_03
        assert f'nodeset="/data/{item.section}/{item.id}"' in result.xform
    assert f'version="{inst.version}"' in result.xform


@pytest.mark.parametrize("inst_id", INSTRUMENTS)
def test_xlsform_sheets_follow_the_instrument(built, inst_id):
    inst = load_instrument(inst_id)
    sheets = pd.read_excel(built / f"{inst_id}.xlsx", engine="calamine", sheet_name=None, dtype=str,
                           keep_default_na=False)
    assert set(sheets) == {"survey", "choices", "settings"}
    survey = sheets["survey"]
    assert {"label::English (en)", "label::Dansk (da)", "required", "relevant", "constraint"} <= set(survey.columns)
    begins = survey.loc[survey["type"] == "begin_group", "name"].tolist()
    assert begins == [s.id for s in inst.sections]
    questions = survey[~survey["type"].isin(["begin_group", "end_group", "calculate"])].set_index("name")
    assert questions.index.tolist() == inst.item_ids
    for item in inst.items:
        row = questions.loc[item.id]
        assert row["relevant"] == (item.rule.xlsform() if item.rule else "")
        assert row["required"] == ("yes" if item.required else "")
        assert row["label::Dansk (da)"] == item.text["da"]
    choices = sheets["choices"]
    for name in {it.response_set for it in inst.items if it.response_set}:
        names = set(choices.loc[choices["list_name"] == name, "name"])
        assert {"66", "88", "99"} <= names
        assert {str(c) for c in inst.response_sets[name].valid_codes} <= names
    assert sheets["settings"]["version"].tolist() == [inst.version]
    calc = survey.set_index("name").loc["instrument_version", "calculation"]
    assert calc == f"'{inst.version}'"


def test_xlsform_constraints():
    survey = forms.xlsform_sheets(load_instrument("dis-full"))["survey"].set_index("name")
    assert survey.loc["age", "constraint"] == ". >= 15 and . <= 110"
    assert survey.loc["devices", "constraint"] == (
        "not((selected(., '5') or selected(., '66') or selected(., '88') or selected(., '99')) "
        "and count-selected(.) > 1)")
    assert survey.loc["devices", "constraint_message::English (en)"].startswith("'None of these', ")
    assert survey.loc["mobile_data", "relevant"] == "selected(${devices}, '1')"
    assert survey.loc["net_freq", "relevant"] == "${net_use_3m} = 1"


def test_paper_form_numbers_questions_and_routes_in_words():
    inst = load_instrument("dis-full")
    numbers = forms.question_numbers(inst)
    page = forms.paper_html(inst, "en")
    assert list(numbers.values()) == list(range(1, len(inst.items) + 1))
    for n in numbers.values():  # each question printed with its number, in order
        assert f'<div class="q" id="q{n}">\n<div class="qtext"><span class="num">{n}.</span>' in page
    starts = [page.index(f'id="q{n}"') for n in numbers.values()]
    assert starts == sorted(starts)
    assert page.count('class="box"') == sum(
        len(inst.response_sets[it.response_set].codes) + 3 for it in inst.items if it.response_set)
    # the non-user skips the usage question that follows; the exempt skip the Digital Post questions
    assert f"If “No”, go to question {numbers['eid']}." in page
    assert f"If “Yes”, go to question {numbers['prac_01']}." in page
    assert f"Answer only if question {numbers['help_any']} is “Yes”." in page
    assert "@media print" in page and "dis-full 1.0.0" in page
    da = forms.paper_html(inst, "da")
    assert f"Hvis “Nej”, gå til spørgsmål {numbers['eid']}." in da
    assert 'lang="da"' in da and inst.item("prac_01").text["da"] in da


def test_routing_agrees_with_the_skip_rules():
    inst = load_instrument("dis-full")
    numbers = forms.question_numbers(inst)
    order = inst.item_ids
    for gate, route in forms._routes(inst, numbers).items():
        for code, target in route.items():
            frame = pd.DataFrame({gate: [float(code)]})
            skipped = order[order.index(gate) + 1: numbers[order[target - 1]] - 1] if target else []
            for iid in skipped:
                if inst.item(iid).rule is not None and inst.item(iid).rule.variables() == {gate}:
                    assert not inst.relevant(frame, iid).item(), (gate, code, iid)


@pytest.mark.parametrize("inst_id", INSTRUMENTS)
def test_codebook_lists_every_item(built, inst_id):
    inst = load_instrument(inst_id)
    cb = pd.read_csv(built / f"{inst_id}.codebook.csv", dtype={"instrument_version": str})
    assert cb["variable"].tolist() == inst.item_ids
    assert (cb["instrument"] == inst.id).all() and (cb["instrument_version"] == inst.version).all()
    for lang in inst.languages:
        md = (built / f"{inst_id}.codebook.{lang}.md").read_text(encoding="utf-8")
        for iid in inst.item_ids:
            assert f"| {iid} |" in md
        assert f"`{inst.version}`" in md


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


# --------------------------------------------------------------------------- CLI
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


def test_committed_built_forms_are_up_to_date(built):
    committed = Path(__file__).resolve().parents[1] / "questionnaires" / "built"
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


# --------------------------------------------------------------------------- arguments
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


def test_write_xlsform_old_keyword_and_keyword_only_language(tmp_path):
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        forms.write_xlsform(inst="dis-screener", path=tmp_path / "a.xlsx")
    with pytest.raises(TypeError):
        forms.write_xlsform("dis-screener", tmp_path / "b.xlsx", "da")
    sheets = forms.xlsform_sheets("dis-screener", default_language="da")
    assert sheets["settings"]["default_language"].item() == "Dansk (da)"
    with pytest.raises(OptionError, match="got 'fr'"):
        forms.xlsform_sheets("dis-screener", default_language="fr")


def test_build_takes_instrument_objects_and_ids(tmp_path):
    paths = forms.build([load_instrument("dis-screener"), "dis-full"], "codebook", ["da"], tmp_path)
    assert [p.name for p in paths] == ["dis-screener.codebook.csv", "dis-screener.codebook.da.md",
                                       "dis-full.codebook.csv", "dis-full.codebook.da.md"]
    with pytest.raises(OptionError, match="form format must be one of"):
        forms.build("dis-full", [], None, tmp_path / "none")
