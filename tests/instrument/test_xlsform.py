"""XLSForm import: sheets, languages, types, groups, repeats, skip rules, overlays, errors that name the row."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import DataQualityWarning, InstrumentError
from toolkit.forms import write_xlsform
from toolkit.instrument import load_instrument
from toolkit.instrument.xlsform import UNTRANSLATED, import_report

YES_NO = [{"list_name": "yn", "name": "yes", "label": "Yes"}, {"list_name": "yn", "name": "no", "label": "No"}]


def write_form(path: Path, survey: list[dict], choices: list[dict] = (), settings: dict | None = None) -> Path:
    """An XLSForm workbook from rows (the way a user writes one in Excel)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(survey).to_excel(writer, sheet_name="survey", index=False)
        if choices:
            pd.DataFrame(list(choices)).to_excel(writer, sheet_name="choices", index=False)
        if settings:
            pd.DataFrame([settings]).to_excel(writer, sheet_name="settings", index=False)
    return path


def overlay_of(instrument_id: str, form: Path) -> Path:
    """An overlay giving back what an XLSForm cannot hold: domains, scales, outcomes, index, keys."""
    doc = yaml.safe_load((Path(__file__).resolve().parents[2] / "questionnaires" / f"{instrument_id}.yaml")
                         .read_text(encoding="utf-8"))
    items = {}
    for section in doc["sections"]:
        for it in section["items"]:
            keep = {k: it[k] for k in ("domain", "reverse", "correct", "check") if k in it}
            if it["type"] == "knowledge":
                keep["type"] = "knowledge"
            if keep:
                items[it["id"]] = keep
    overlay = {"form": form.name, **{k: doc[k] for k in ("id", "title", "description", "domains", "scales",
                                                            "outcomes", "index") if k in doc}, "items": items}
    path = form.with_suffix(".overlay.yaml")
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rendered(instrument):
    return {it.id: it.rule.xlsform() if it.rule is not None else None for it in instrument.items}


@pytest.mark.parametrize("instrument_id", ["dis-full", "dis-screener"])
def test_round_trip_gives_back_items_codes_labels_and_skip_rules(tmp_path, instrument_id):
    original = load_instrument(instrument_id)
    form = write_xlsform(instrument_id, tmp_path / f"{instrument_id}.xlsx")
    bare = load_instrument(form)  # no overlay: knowledge items come back as single choice
    assert bare.item_ids == original.item_ids
    assert [s.item_ids for s in bare.sections] == [s.item_ids for s in original.sections]
    assert bare.response_sets == original.response_sets and bare.missing == original.missing
    assert rendered(bare) == rendered(original)
    for a, b in zip(original.items, bare.items, strict=True):
        assert (a.text, a.hint, a.response_set, a.required, a.min, a.max, a.exclusive, a.relevant) == \
               (b.text, b.hint, b.response_set, b.required, b.min, b.max, b.exclusive, b.relevant), a.id
        assert b.type == ("single" if a.type == "knowledge" else a.type)
    full = load_instrument(overlay_of(instrument_id, form))  # the overlay restores scales and keys
    assert full.items == original.items and full.scales == original.scales
    assert full.outcomes.keys() == original.outcomes.keys() and full.title == original.title


def test_languages_from_label_columns_and_settings(tmp_path):
    form = write_form(tmp_path / "f.xlsx", [
        {"type": "select_one yn", "name": "q1", "label::English (en)": "Well?", "label::Français (fr)": "Bien ?",
         "hint::English (en)": "Tick one"},
    ], [{"list_name": "yn", "name": 1, "label::English (en)": "Yes", "label::Français (fr)": "Oui"},
        {"list_name": "yn", "name": 2, "label::English (en)": "No", "label::Français (fr)": "Non"}],
        {"form_id": "My_Form", "form_title": "My form", "version": "2026-1"})
    inst = load_instrument(form)
    assert inst.id == "my-form" and inst.version == "2026-1" and inst.languages == ("en", "fr")
    assert inst.item("q1").text == {"en": "Well?", "fr": "Bien ?"}
    assert inst.item("q1").hint == {"en": "Tick one", "fr": "Tick one"}  # the missing translation falls back
    assert inst.response_sets["yn"].label(1, lang="fr") == "Oui"
    report = import_report(form)
    assert "no hint in fr" in " ".join(report["detail"])


def test_plain_label_becomes_the_default_language(tmp_path):
    plain = write_form(tmp_path / "plain.xlsx", [{"type": "text", "name": "who", "label": "Who?"}])
    assert load_instrument(plain).languages == ("en",)
    dansk = write_form(tmp_path / "dansk.xlsx", [{"type": "text", "name": "who", "label": "Hvem?"}],
                       settings={"default_language": "Dansk (da)"})
    assert load_instrument(dansk).item("who").text == {"da": "Hvem?"}


def test_types_items_and_skipped_rows(tmp_path):
    form = write_form(tmp_path / "types.xlsx", [
        {"type": "start", "name": "start"},
        {"type": "deviceid", "name": "deviceid"},
        {"type": "note", "name": "intro", "label": "Welcome"},
        {"type": "select_one yn", "name": "q_one", "label": "One?", "required": "yes"},
        {"type": "select_multiple yn", "name": "q_many", "label": "Many?"},
        {"type": "integer", "name": "age", "label": "Age?", "constraint": ". >= 15 and . <= 110"},
        {"type": "decimal", "name": "hours", "label": "Hours?"},
        {"type": "text", "name": "comment", "label": "Comment?"},
        {"type": "calculate", "name": "double", "calculation": "${age} * 2"},
        {"type": "geopoint", "name": "where", "label": "Where?"},
    ], YES_NO)
    inst = load_instrument(form)
    assert [(it.id, it.type) for it in inst.items] == [
        ("q_one", "single"), ("q_many", "multiple"), ("age", "numeric"), ("hours", "numeric"), ("comment", "text")]
    assert inst.item("q_one").required and not inst.item("q_many").required
    assert (inst.item("age").min, inst.item("age").max) == (15, 110)
    assert inst.response_sets["yn"].valid_codes == {1, 2}  # text choice names, coded in sheet order
    report = import_report(form).set_index("name")
    for name in ("start", "deviceid", "intro", "double", "where"):
        assert report.loc[name, "action"] == "skipped", name
    assert "metadata" in report.loc["start", "detail"] and "note" in report.loc["intro", "detail"]
    assert "yes=1, no=2" in report.loc["yes", "detail"]


def test_groups_become_sections(tmp_path):
    form = write_form(tmp_path / "groups.xlsx", [
        {"type": "text", "name": "first", "label": "First?"},
        {"type": "begin group", "name": "household", "label": "Your household"},
        {"type": "integer", "name": "size", "label": "How many?"},
        {"type": "begin group", "name": "inner", "label": "Inner"},
        {"type": "integer", "name": "kids", "label": "Children?"},
        {"type": "end group"},
        {"type": "end group"},
        {"type": "text", "name": "last", "label": "Last?"},
    ], settings={"form_title": "Survey"})
    inst = load_instrument(form)
    assert [(s.id, s.item_ids) for s in inst.sections] == [
        ("questions", ("first",)), ("household", ("size", "kids")), ("questions_2", ("last",))]
    assert inst.section("household").label == {"en": "Your household"}


def test_a_repeat_is_refused_naming_sheet_row_and_why(tmp_path):
    form = write_form(tmp_path / "repeat.xlsx", [
        {"type": "integer", "name": "n", "label": "How many?"},
        {"type": "begin repeat", "name": "member", "label": "Member"},
        {"type": "text", "name": "member_name", "label": "Name?"},
        {"type": "end repeat"},
    ])
    with pytest.raises(InstrumentError) as err:
        load_instrument(form)
    message = str(err.value)
    assert "survey row 3 (name 'member')" in message and "repeats are not supported" in message
    assert "one row per respondent" in message
    assert err.value.problems["item"].tolist() == ["survey row 3 (name 'member')"]


def test_relevant_expressions_translate_into_rules(tmp_path):
    form = write_form(tmp_path / "rules.xlsx", [
        {"type": "select_one yn", "name": "online", "label": "Online?"},
        {"type": "select_multiple dev", "name": "devices", "label": "Devices?", "relevant": "${online} = 'yes'"},
        {"type": "integer", "name": "age", "label": "Age?"},
        {"type": "text", "name": "phone", "label": "Which phone?",
         "relevant": "selected(${devices}, 'phone') and (${age} >= 65 or ${age} < 18)"},
        {"type": "text", "name": "why", "label": "Why not?", "relevant": "${online} != 'yes'"},
        {"type": "begin group", "name": "older", "label": "Older", "relevant": "${age} >= 65"},
        {"type": "select_one yn", "name": "help", "label": "Help?", "relevant": "${online}='no' or ${online}='yes'"},
        {"type": "end group"},
    ], [*YES_NO, {"list_name": "dev", "name": "pc", "label": "PC"},
        {"list_name": "dev", "name": "phone", "label": "Phone"}])
    inst = load_instrument(form)
    assert inst.item("devices").relevant == "online == 1"
    assert inst.item("phone").relevant == "selected(devices, 2) and (age >= 65 or age < 18)"
    assert inst.item("why").relevant == "not (online == 1)"  # a form's != is true when unanswered
    assert inst.item("help").relevant == "(age >= 65) and (online in [2, 1])"
    data = pd.DataFrame({"online": [1, 2, None], "age": [70, 70, 30]})
    assert inst.relevant(data, "why").tolist() == [False, True, True]


def test_untranslatable_expressions_are_kept_and_reported(tmp_path):
    form = write_form(tmp_path / "odd.xlsx", [
        {"type": "text", "name": "name", "label": "Name?"},
        {"type": "integer", "name": "age", "label": "Age?", "required": "yes",
         "relevant": "string-length(${name}) > 0"},
        {"type": "integer", "name": "kids", "label": "Children?", "relevant": "${age} > ${name}"},
        {"type": "integer", "name": "ok", "label": "Fine?", "relevant": "${age} > 17"},
    ])
    with pytest.warns(DataQualityWarning) as caught:
        inst = load_instrument(form)
    message = str(caught[0].message)
    assert "2 skip rule(s)" in message
    assert "survey row 3 (name 'age'): 'string-length(${name}) > 0'" in message and "(name 'kids')" in message
    age = inst.item("age")
    assert age.rule is None and age.relevant == UNTRANSLATED + "string-length(${name}) > 0"
    assert not age.required  # a blank may be a skip
    assert inst.item("ok").relevant == "age > 17"
    report = import_report(form)
    assert report.loc[report["action"] == "untranslated", "name"].tolist() == ["age", "kids"]
    assert inst.codebook().set_index("variable").loc["age", "relevant"].startswith(UNTRANSLATED)


def test_validation_problems_name_sheet_row_and_column(tmp_path):
    form = write_form(tmp_path / "bad.xlsx", [
        {"type": "integer", "name": "q1", "label": "One?"},
        {"type": "integer", "name": "Q1", "label": "Again?"},
        {"type": "select_one yn", "name": "q2", "label": "Two?"},
    ], [{"list_name": "yn", "name": 1, "label": "Yes"}, {"list_name": "yn", "name": 1, "label": "Also yes"},
        {"list_name": "yn", "name": "x", "label": "Odd"}])
    with pytest.raises(InstrumentError) as err:
        load_instrument(form)
    rows = err.value.problems
    assert f"{form}: survey row 3 (name 'Q1'): column 'name': duplicate item id 'q1'" in str(err.value)
    assert set(rows["file"]) == {str(form)}


def test_unknown_list_and_type_are_refused(tmp_path):
    form = write_form(tmp_path / "f.xlsx", [{"type": "select_one nolist", "name": "q", "label": "Q?"},
                                            {"type": "selfie", "name": "s", "label": "S?"}], YES_NO)
    with pytest.raises(InstrumentError) as err:
        load_instrument(form)
    text = str(err.value)
    assert "survey row 2 (name 'q'): column 'type': choice list 'nolist' is not in the choices sheet" in text
    assert "survey row 3 (name 's'): column 'type': unknown XLSForm type 'selfie'" in text


def test_not_a_workbook_is_a_clear_error(tmp_path):
    fake = tmp_path / "form.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InstrumentError, match="cannot read .*form.xlsx as an XLSForm workbook"):
        load_instrument(fake)
    nosurvey = tmp_path / "nosurvey.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(nosurvey, sheet_name="Sheet1", index=False)
    with pytest.raises(InstrumentError, match="needs a sheet named 'survey'"):
        load_instrument(nosurvey)


def test_overlay_adds_keys_scales_and_missing_codes(tmp_path):
    write_form(tmp_path / "quiz.xlsx", [
        {"type": "select_one ans", "name": "k1", "label": "2 + 2?"},
        {"type": "select_one ans", "name": "k2", "label": "3 + 3?"},
        {"type": "select_one agree", "name": "conf", "label": "I am good at sums"},
    ], [{"list_name": "ans", "name": "four", "label": "4"}, {"list_name": "ans", "name": "six", "label": "6"},
        {"list_name": "ans", "name": "dk", "label": "Don't know"},
        *({"list_name": "agree", "name": i, "label": str(i)} for i in range(1, 6))])
    overlay = tmp_path / "quiz.yaml"
    overlay.write_text(yaml.safe_dump({
        "form": "quiz.xlsx", "id": "quiz", "version": "1",
        "missing_codes": {"dk": "dont_know"},
        "domains": {"sums": {"label": "Sums"}},
        "items": {"k1": {"type": "knowledge", "domain": "sums", "correct": "four"},
                  "k2": {"type": "knowledge", "domain": "sums", "correct": "six"},
                  "conf": {"type": "likert", "domain": "sums"}},
        "scales": {"sums_kn": {"domain": "sums", "kind": "knowledge", "items": ["k1", "k2"], "min_valid": 1,
                               "levels": {"basic": 1, "above_basic": 2}}},
    }), encoding="utf-8")
    inst = load_instrument(overlay)
    assert inst.id == "quiz" and inst.item("k1").type == "knowledge"
    assert inst.item("k1").correct == 1 and inst.item("k2").correct == 2
    assert inst.response_sets["ans"].missing_codes == {88: "dont_know"}
    assert inst.scales["sums_kn"].items == ("k1", "k2") and inst.item("conf").type == "likert"


def test_overlay_problems_name_the_overlay(tmp_path):
    write_form(tmp_path / "f.xlsx", [{"type": "select_one yn", "name": "q", "label": "Q?"}], YES_NO)
    overlay = tmp_path / "o.yaml"
    overlay.write_text("form: f.xlsx\nitems:\n  q: {type: knowledge, correct: maybe}\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_instrument(overlay)
    assert f"{overlay}: items.q: correct:" in str(err.value)
    overlay.write_text("form: f.xlsx\nitems:\n  nothing: {type: likert}\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="'nothing' name no imported question"):
        load_instrument(overlay)
    overlay.write_text("form: missing.xlsx\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="the form 'missing.xlsx' is not a file"):
        load_instrument(overlay)


def test_cli_builds_forms_from_an_xlsform(tmp_path):
    form = write_xlsform("dis-screener", tmp_path / "screener.xlsx")
    runner = CliRunner()
    result = runner.invoke(app, ["questionnaire", "build", str(form), "--format", "codebook", "--lang", "en",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "dis-screener.codebook.csv").is_file()
    for bad in (tmp_path / "bad.xls", tmp_path / "repeat.xlsx"):
        if bad.suffix == ".xls":
            bad.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
        else:
            write_form(bad, [{"type": "begin_repeat", "name": "r", "label": "R"}, {"type": "end_repeat"}])
        result = runner.invoke(app, ["questionnaire", "build", str(bad), "--out", str(tmp_path / "out2")])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert result.stderr.startswith("Error: ")


def test_loading_twice_warns_twice(tmp_path):
    form = write_form(tmp_path / "w.xlsx", [
        {"type": "text", "name": "a", "label": "A?"},
        {"type": "text", "name": "b", "label": "B?", "relevant": "${a} != ''"}])
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            load_instrument(form)
        assert any(issubclass(w.category, DataQualityWarning) for w in caught)


def test_a_rule_on_a_missing_answer_is_kept_as_documentation(tmp_path):
    write_form(tmp_path / "dk.xlsx", [
        {"type": "select_one yn", "name": "q", "label": "Q?"},
        {"type": "text", "name": "why", "label": "Why not sure?", "relevant": "${q} = 88"},
    ], [{"list_name": "yn", "name": 1, "label": "Yes"}, {"list_name": "yn", "name": 88, "label": "Don't know"}])
    overlay = tmp_path / "dk.yaml"
    overlay.write_text("form: dk.xlsx\nmissing_codes: {88: dont_know}\n", encoding="utf-8")
    with pytest.warns(DataQualityWarning, match=r"survey row 3 \(name 'why'\)"):
        inst = load_instrument(overlay)
    assert inst.response_set_of("q").missing_codes == {88: "dont_know"} and inst.item("why").rule is None
    detail = import_report(overlay).set_index("name").loc["why", "detail"]
    assert "'88' is a missing answer of q" in detail


def test_choice_codes_recode_an_export_of_names(tmp_path):
    from toolkit.instrument.xlsform import choice_codes

    form = write_form(tmp_path / "c.xlsx", [{"type": "select_one yn", "name": "q", "label": "Q?"},
                                            {"type": "select_one yn or_other", "name": "r", "label": "R?"}], YES_NO)
    codes = choice_codes(form)
    assert codes.to_dict("list") == {"response_set": ["yn", "yn", "yn_or_other", "yn_or_other", "yn_or_other"],
                                     "list_name": ["yn"] * 5, "choice": ["yes", "no", "yes", "no", "other"],
                                     "code": [1, 2, 1, 2, 3]}
    inst = load_instrument(form)
    assert inst.response_sets["yn_or_other"].label(3) == "Other"


def test_the_overlay_example_of_schema_md_loads(tmp_path):
    import re

    import toolkit

    text = (Path(toolkit.__file__).parent / "questionnaires" / "SCHEMA.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- xlsform-overlay-example -->\s*```yaml\n(.*?)```", text, re.DOTALL)
    assert found, "SCHEMA.md lost its overlay example"
    write_form(tmp_path / "survey.xlsx", [
        {"type": "select_one ans", "name": "k1", "label": "2 + 2?"},
        {"type": "select_one agree", "name": "conf", "label": "Sums are hard for me"},
        {"type": "select_one yn", "name": "q3", "label": "Any children?"},
        {"type": "text", "name": "q9", "label": "Their names?", "relevant": "string-length(${q3}) > 0"},
    ], [{"list_name": "ans", "name": "four", "label": "4"}, {"list_name": "ans", "name": "six", "label": "6"},
        {"list_name": "ans", "name": 88, "label": "Don't know"},
        *({"list_name": "agree", "name": i, "label": str(i)} for i in (1, 2, 3, 4, 5, 99)),
        {"list_name": "yn", "name": 1, "label": "Yes"}, {"list_name": "yn", "name": 2, "label": "No"}])
    overlay = tmp_path / "survey.overlay.yaml"
    overlay.write_text(found.group(1), encoding="utf-8")
    inst = load_instrument(overlay)  # the overlay's rule replaces the untranslatable one: no warning
    assert inst.id == "my-survey" and inst.item("k1").correct == 1 and inst.item("conf").reverse
    assert inst.item("q9").relevant == "q3 == 1"
    assert inst.response_set_of("k1").missing_codes == {88: "dont_know"}
    assert inst.response_set_of("conf").missing_codes == {99: "refused"}
    assert inst.response_set_of("q3").missing_codes == {}
    report = import_report(overlay).set_index("name")
    assert report.loc["q9", "action"].tolist() == ["untranslated", "overlay"]
