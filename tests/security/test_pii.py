"""Planted personal data never reaches a file ``ditk report`` or ``ditk clean`` writes.

CPR numbers, e-mail addresses and phone numbers are planted in ids, in answers,
in an extra free-text column and in a column name. Every file written is then
scanned: text files as text, XLSX part by part, Parquet as its values and its
bytes, and every PNG the report embeds (metadata included). A hostile column
name also must not make a file appear outside the output folder.
"""

from __future__ import annotations

import base64
import csv
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit import datasets
from toolkit.cli import app
from toolkit.outputs import FORMULA_START

#: what is planted, and the forms it could take once read (digits only, no spaces)
PLANTED = {
    "cpr": ["311285-1237", "3112851237", "010190-1234", "0101901234"],
    "email": ["jens.hansen@example.dk", "mette@example.org", "ole@example.net"],
    "phone": ["+45 20 12 34 56", "20123456", "2012 3456", "+4531415926", "31415926"],
}
NEEDLES = [n for values in PLANTED.values() for n in values]


def _hostile(path: Path) -> Path:
    data = pd.read_csv(datasets.path("sample_screener.csv"), dtype=str, keep_default_na=False)
    data.loc[0, "respondent_id"] = "311285-1237"
    data.loc[1, "respondent_id"] = "jens.hansen@example.dk"
    data.loc[2, "respondent_id"] = "+4531415926"
    data.loc[3, "cogn_01"] = "ring mig på +45 20 12 34 56"
    data.loc[4, "prac_02"] = "mail: mette@example.org"
    data.loc[5, "navi_01"] = "cpr 0101901234"
    data["noter"] = ""
    data.loc[6, "noter"] = "Min CPR er 311285-1237, tlf 2012 3456, =HYPERLINK(\"http://x\")"
    data.loc[7, "noter"] = "<script>alert('ole@example.net')</script>"
    data.loc[8, "noter"] = '=HYPERLINK("http://evil.example","klik")'
    data.loc[9, "noter"] = "@SUM(1+1)"
    data["kontakt ole@example.net"] = "x"
    data["../../escaped"] = "1"
    target = path / "hostile.csv"
    data.to_csv(target, index=False)
    return target


def _texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every readable layer of one written file."""
    raw = path.read_bytes()
    out = [(path.name, raw.decode("utf-8", errors="replace"))]
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            out += [(f"{path.name}:{n}", book.read(n).decode("utf-8", errors="replace")) for n in book.namelist()]
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        out += [(f"{path.name}:values", frame.to_csv(index=False)), (f"{path.name}:columns", " ".join(frame.columns))]
    if path.suffix == ".html":
        for k, png in enumerate(re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", out[0][1])):
            out.append((f"{path.name}:png{k}", base64.b64decode(png).decode("latin-1")))
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("pii")
    source = _hostile(root)
    out = root / "out"
    out.mkdir()
    runner = CliRunner(env={"DITK_PSEUDONYM_KEY": "test-key"})
    clean = runner.invoke(app, ["clean", str(source), "-i", "dis-screener", "--out", str(out / "clean.csv"),
                                "--log", str(out / "log.xlsx"), "--flags", str(out / "flags.parquet")])
    assert clean.exit_code == 0, clean.output
    report = runner.invoke(app, ["report", str(source), "-i", "dis-screener", "--out", str(out / "report")])
    assert report.exit_code == 0, report.output
    return root, sorted(p for p in out.rglob("*") if p.is_file())


def test_no_planted_pii_in_any_output(written) -> None:
    _, files = written
    assert len(files) >= 8
    leaks = [(where, needle) for path in files for where, text in _texts(path) for needle in NEEDLES
             if needle in text or needle.replace(" ", "") in re.sub(r"[\s-]", "", text)]
    assert not leaks


def test_outputs_stay_in_their_folder(written) -> None:
    root, files = written
    out = root / "out"
    assert all(out in p.parents for p in files)
    assert sorted(p.name for p in root.iterdir()) == ["hostile.csv", "out"]
    assert not any(".partial" in p.name for p in files)


def test_hostile_text_is_inert(written) -> None:
    _, files = written
    by_name = {p.name: p for p in files}
    with by_name["clean.csv"].open(encoding="utf-8", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"klik\")" in cells and "'@SUM(1+1)" in cells
    assert all(_is_number(c) for c in cells if c.startswith(FORMULA_START))
    html = by_name["report.html"].read_text(encoding="utf-8")
    assert "<script>alert" not in html


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
