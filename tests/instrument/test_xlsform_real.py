"""Public XLSForms the project did not write (pyxform, KoboToolbox, ODK): each imports or is refused clearly,
and each imported instrument builds back into an XLSForm that pyxform converts without warnings.

Sources and licences: tests/data/xlsforms/LICENCE-NOTES.md.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from toolkit.errors import DataQualityWarning, InstrumentError, ToolkitWarning
from toolkit.forms import write_xlsform
from toolkit.instrument import load_instrument
from toolkit.instrument.xlsform import import_report

FORMS = Path(__file__).resolve().parents[1] / "data" / "xlsforms"
REFUSED = {"pyxform_tutorial.xls": "survey row 2 (name 'member')",
           "childrens_survey.xls": "survey row 4 (name 'children')"}
IMPORTED = sorted(p.name for p in FORMS.glob("*.xls*") if p.name not in REFUSED)


def quietly(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load_instrument(path)


def test_the_collection_is_varied():
    assert len(IMPORTED) + len(REFUSED) >= 12
    assert {p.suffix for p in FORMS.glob("*.xls*")} == {".xls", ".xlsx"}


@pytest.mark.parametrize("name", IMPORTED)
def test_each_form_imports_and_builds_back_without_pyxform_warnings(tmp_path, name):
    inst = quietly(FORMS / name)
    assert inst.items and all(it.text[lang] for it in inst.items for lang in inst.languages)
    with warnings.catch_warnings():  # forms print their instructions in English for fr, zh, tet (expected)
        warnings.filterwarnings("ignore", "the forms of .* print their own instructions", ToolkitWarning)
        rebuilt = write_xlsform(inst, tmp_path / f"{inst.id}.xlsx")
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = convert(xlsform=str(rebuilt), warnings=found)
    assert found == []
    for item in inst.items:
        assert f'nodeset="/data/{item.section}/{item.id}"' in result.xform
    again = quietly(rebuilt)  # and the rebuilt form imports to the same items
    assert again.item_ids == inst.item_ids and again.response_sets == inst.response_sets


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_forms_with_repeats_are_refused_naming_the_row(name):
    with pytest.raises(InstrumentError) as err:
        load_instrument(FORMS / name)
    assert REFUSED[name] in str(err.value) and "repeats are not supported" in str(err.value)


def test_two_languages_without_codes():
    inst = quietly(FORMS / "good_eats_multilang.xls")
    assert inst.languages == ("en", "fr")
    report = import_report(FORMS / "good_eats_multilang.xls")
    assert "language 'French' is imported as 'fr'" in set(report["detail"])
    assert any(rs.endswith("_or_other") for rs in inst.response_sets)


def test_a_large_kobo_form_keeps_its_skip_logic():
    with pytest.warns(DataQualityWarning, match="2 skip rule"):
        inst = load_instrument(FORMS / "xlsx_output.xls")
    assert len(inst.items) > 250
    assert sum(it.rule is not None for it in inst.items) > 200
    report = import_report(FORMS / "xlsx_output.xls")
    untranslated = report[report["action"] == "untranslated"]
    assert "'other' is not a choice of school_recognition" in " ".join(untranslated["detail"])


def test_a_real_mistake_in_a_form_is_reported():
    # the ODK example's skip rule names 'lycee', but the choice is 'lycée'
    report = import_report(FORMS / "recensement_etablissements_scolaires_24.xlsx")
    row = report[report["action"] == "untranslated"].iloc[0]
    assert (row["name"], row["column"]) == ("options_proposees", "relevant")
    assert "'lycee' is not a choice of niveaux_enseignes" in row["detail"]


def test_metadata_and_media_rows_are_skipped_with_reasons():
    report = import_report(FORMS / "kobo_tutorial.xls").set_index("name")
    for name in ("start_time", "end_time", "today", "imei", "phonenumber", "photo", "location"):
        assert report.loc[name, "action"] == "skipped" and report.loc[name, "detail"], name


def test_a_kobo_form_cleans_its_export_once_choice_names_are_recoded():
    import pandas as pd

    import toolkit
    from toolkit.instrument.xlsform import choice_codes

    form = FORMS / "kobo_tutorial.xls"
    inst = quietly(form)
    codes = choice_codes(form).groupby("response_set")
    export = pd.DataFrame({"respondent_id": ["a", "b", "c"], "name": ["Ann", "Bo", "Cy"], "age": [34, 51, 19],
                           "gender": ["female", "male", "female"], "pizza_fan": ["yes", "no", "yes"],
                           "pizza_type": ["nyc", None, "chitown"],
                           "favorite_toppings": ["cheese mushrooms", None, "anchovies"],
                           "net_worth": [1000.5, None, 20.0], "a_text": [None, None, "x"]})
    for item in inst.items:
        if item.response_set:
            names = codes.get_group(item.response_set).set_index("choice")["code"].astype(str)
            export[item.id] = export[item.id].map(
                lambda v, names=names: None if pd.isna(v) else " ".join(names[c] for c in v.split()))
    cleaned = toolkit.clean(export, inst, pseudonym_key="test-key")
    data = cleaned.data
    assert data["pizza_fan"].tolist() == [1, 2, 1] and data["favorite_toppings"].tolist()[0] == "1 5"
    assert data["pizza_type"].isna().tolist() == [False, True, False]  # not asked of the one who is no fan
