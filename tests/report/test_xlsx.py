"""tables.xlsx: a sheet per table, numbers as numbers, suppressed cells empty, formulas neutralised."""

from __future__ import annotations

import openpyxl
import pytest

from tests.report.conftest import FORMULA
from toolkit.report import write_report


@pytest.fixture(scope="module")
def workbook(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    paths = write_report(hostile, out, instrument="dis-full", figures={})
    return openpyxl.load_workbook(paths["tables"])


def column(sheet, name: str) -> list:
    header = [c.value for c in sheet[1]]
    return [row[header.index(name)] for row in sheet.iter_rows(min_row=2)]


def test_one_sheet_per_table(workbook):
    assert workbook.sheetnames == ["estimates", "projection", "reliability", "weighting", "cleaning", "flags",
                                   "model", "triage", "about"]


def test_numbers_stay_numbers(workbook, hostile):
    sheet = workbook["estimates"]
    published = [c for c, s in zip(column(sheet, "estimate"), column(sheet, "suppressed"), strict=True)
                 if s.value is False]
    assert published and all(c.data_type == "n" and isinstance(c.value, float) for c in published)
    assert all(c.data_type == "n" for c in column(workbook["projection"], "count"))
    assert all(isinstance(c.value, int) for c in column(workbook["flags"], "count"))


def test_suppressed_cells_stay_suppressed(workbook, hostile):
    sheet = workbook["estimates"]
    rows = [i for i, c in enumerate(column(sheet, "suppressed")) if c.value is True]
    assert len(rows) == int(hostile.estimates["suppressed"].sum()) > 0
    for name in ("estimate", "ci_low", "ci_high", "n"):
        values = column(sheet, name)
        assert all(values[i].value is None for i in rows)


def test_formula_looking_text_is_neutralised(workbook):
    labels = [c for c in column(workbook["estimates"], "group_label") if FORMULA in str(c.value)]
    assert labels and all(c.value == "'" + FORMULA and c.data_type == "s" for c in labels)
    assert not any(c.data_type == "f" for sheet in workbook for row in sheet.iter_rows() for c in row)


def test_the_about_sheet_holds_the_versions_and_the_hash(workbook, hostile):
    about = {r[0].value: r[1].value for r in workbook["about"].iter_rows(min_row=2)}
    assert about["input_sha256"] == hostile.meta["input_sha256"]
    assert about["toolkit_version"] == hostile.meta["toolkit_version"]
    assert about["min_cell"] == 5


def test_without_a_population_the_projection_sheet_says_why(unraked, tmp_path):
    book = openpyxl.load_workbook(write_report(unraked, tmp_path, instrument="dis-full", figures={})["tables"])
    assert "no population table" in book["projection"]["A2"].value
