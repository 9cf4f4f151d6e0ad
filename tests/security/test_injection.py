"""Formula injection: text bound for CSV, XLSX and HTML cannot run; numbers are never touched."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from toolkit.io import write_table
from toolkit.outputs import FORMULA_START, neutralise_cell
from toolkit.privacy import protect_formulas
from toolkit.report.write import _environment

HOSTILE = ["=1+1", "+45 1234", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")', "ok", "a=b"]


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_cell(text: str) -> None:
    out = neutralise_cell(text)
    assert out == ("'" + text if text.startswith(FORMULA_START) else text)


@pytest.mark.parametrize("value", [-1, -2.5, 0, None, float("nan")])
def test_numbers_untouched(value) -> None:
    assert neutralise_cell(value) is value


def test_frames_object_string_and_categorical() -> None:
    data = pd.DataFrame({"obj": pd.Series(HOSTILE, dtype=object), "str": pd.Series(HOSTILE, dtype="string"),
                         "cat": pd.Categorical(HOSTILE), "num": range(-4, len(HOSTILE) - 4), "=col": 1})
    out = protect_formulas(data)
    for column in ("obj", "str", "cat"):
        assert [str(v) for v in out[column]] == [neutralise_cell(t) for t in HOSTILE]
    assert out["num"].tolist() == data["num"].tolist()
    assert list(out.columns)[-1] == "'=col"
    assert data["obj"].tolist() == HOSTILE  # the input is not modified


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_written_tables_are_inert(tmp_path, suffix) -> None:
    data = pd.DataFrame({"text": HOSTILE, "number": [-1.5] * len(HOSTILE)})
    path = write_table(data, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        texts, numbers = [r[0] for r in rows], [float(r[1]) for r in rows]
    else:
        sheet = openpyxl.load_workbook(path).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        texts, numbers = [r[0] for r in rows], [r[1] for r in rows]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no cell is a formula
    # XML stores a bare carriage return as a line feed; the guard in front is what matters
    assert [t.replace("\r", "\n") for t in texts] == [neutralise_cell(t).replace("\r", "\n") for t in HOSTILE]
    assert numbers == [-1.5] * len(HOSTILE)


def test_report_template_autoescapes() -> None:
    env = _environment()
    assert env.autoescape is True
    assert env.from_string("{{ v }}").render(v="<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
