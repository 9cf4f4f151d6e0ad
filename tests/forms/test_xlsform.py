"""XLSForm: converts with pyxform, follows the instrument, constraints and their messages."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from pyxform.xls2xform import convert

from toolkit import forms, load_instrument
from toolkit.errors import OptionError

INSTRUMENTS = ["dis-full", "dis-screener"]


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


def test_write_xlsform_old_keyword_and_keyword_only_language(tmp_path):
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        forms.write_xlsform(inst="dis-screener", path=tmp_path / "a.xlsx")
    with pytest.raises(TypeError):
        forms.write_xlsform("dis-screener", tmp_path / "b.xlsx", "da")
    sheets = forms.xlsform_sheets("dis-screener", default_language="da")
    assert sheets["settings"]["default_language"].item() == "Dansk (da)"
    with pytest.raises(OptionError, match="got 'fr'"):
        forms.xlsform_sheets("dis-screener", default_language="fr")


def test_constraints_without_missing_codes_and_with_an_open_bound():
    from toolkit.instrument import parse_instrument

    inst = parse_instrument("""
id: mini
version: "1"
languages: [en]
title: {en: Mini}
missing_codes: []
response_sets:
  devices: [{code: 1, en: Phone}, {code: 2, en: Computer}]
sections:
  - id: s
    label: {en: S}
    items:
      - {id: devices, type: multiple, response_set: devices, text: {en: Devices}}
      - {id: age, type: numeric, min: 15, text: {en: Age}}
""", file="mini.yaml")
    survey = forms.xlsform_sheets(inst)["survey"].set_index("name")
    assert survey.loc["devices", "constraint"] == ""  # nothing stands alone
    assert survey.loc["age", "constraint"] == ". >= 15"
    assert survey.loc["age", "constraint_message::English (en)"] == "Enter a number of at least 15."
    assert "Write a number." in forms.paper_html(inst)
    assert set(forms.xlsform_sheets(inst)["choices"]["name"]) == {"1", "2"}
