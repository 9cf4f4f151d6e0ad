"""Write the malformed-input corpus into a folder: ``python tests/corpus/make_corpus.py DIR``.

Nothing here is committed as a binary: every file is generated from the bundled
synthetic samples (``toolkit/data``) at test time. :data:`MAKERS` maps a file
name to the function that writes it; :func:`make` writes them all (or some).
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from toolkit import datasets

SCREENER = Path(datasets.path("sample_screener.csv"))
KOBO = Path(datasets.path("sample_kobo.csv"))
DISTRICTS = Path(datasets.path("districts.geojson"))


def _lines(n: int = 50) -> list[str]:
    return SCREENER.read_text(encoding="utf-8").splitlines(keepends=True)[:n]


def _frame(n: int = 30) -> pd.DataFrame:
    return pd.read_csv(SCREENER, dtype=str, keep_default_na=False).head(n)


# --------------------------------------------------------------------------- text files

def empty(path: Path) -> None:
    path.write_bytes(b"")


def header_only(path: Path) -> None:
    path.write_text(_lines(1)[0], encoding="utf-8")


def truncated(path: Path) -> None:
    lines = _lines(21)
    path.write_text("".join(lines[:20]) + lines[20][:15], encoding="utf-8")


def utf8_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + "".join(_lines()).encode("utf-8"))


def mixed_line_endings(path: Path) -> None:
    path.write_bytes("".join(line.rstrip("\n") + ("\r\n" if k % 2 else "\n")
                             for k, line in enumerate(_lines())).encode("utf-8"))


def cp1252(path: Path) -> None:
    text = "".join(_lines()).replace("passer slet ikke på mig", "Ærø Østerbro Århus æøå")
    path.write_bytes(text.encode("cp1252"))


def wrong_delimiter(path: Path) -> None:
    path.write_text("".join(_lines()).replace(",", "|"), encoding="utf-8")


def duplicate_columns(path: Path) -> None:
    lines = _lines()
    path.write_text(lines[0].rstrip("\n") + ",net_use_3m\n" + "".join(x.rstrip("\n") + ",1\n" for x in lines[1:]),
                    encoding="utf-8")


def title_row(path: Path) -> None:
    path.write_text("Borgerundersøgelse 2026 - eksport fra Kobo,,,\n\n" + "".join(_lines()), encoding="utf-8")


def decimal_comma(path: Path) -> None:
    frame = _frame()
    frame["design_weight"] = frame["design_weight"].str.replace(".", ",", regex=False)
    frame["prac_02"] = frame["prac_02"].str.replace(r"^(\d)$", r"\1,0", regex=True)
    frame.to_csv(path, sep=";", index=False)


def thousands_separator(path: Path) -> None:
    frame = _frame()
    frame["duration_sec"] = ["1.234", "1,234", "12.345,5", "1 234", "2.000"] + list(frame["duration_sec"][5:])
    frame.to_csv(path, sep=";", index=False)


def binary_csv(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 400)


def zip_named_csv(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/workbook.xml", "<workbook/>")


def million_columns(path: Path) -> None:
    n = 1_000_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(f"c{k}" for k in range(n)) + "\n")
        fh.write(",".join("1" for _ in range(n)) + "\n")


def cell_10mb(path: Path) -> None:
    lines = _lines(3)
    path.write_text(lines[0] + lines[1] + lines[2].rstrip("\n").rsplit(",", 1)[0] + ',"' + "x" * 10_000_000 + '"\n',
                    encoding="utf-8")


def kobo_other_version(path: Path) -> None:
    """A later form version: one question renamed, one added."""
    frame = pd.read_csv(KOBO, dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"use/net_use_3m": "use/net_use_12m"})
    frame.insert(5, "access/smartwatch", "1")
    frame.to_csv(path, index=False)


def kobo_new_choice(path: Path) -> None:
    """A later form version that only adds a question and a choice (code 6 on a 1-5 scale)."""
    frame = pd.read_csv(KOBO, dtype=str, keep_default_na=False)
    frame.insert(5, "access/smartwatch", "1")
    frame.loc[:9, "skills/prac_01"] = "6"
    frame.to_csv(path, index=False)


# --------------------------------------------------------------------------- workbooks, SPSS

def xlsx_formulas(path: Path) -> None:
    """Formulas, a merged range, a likert answer Excel turned into a date, a duration as a serial number."""
    import openpyxl

    frame = _frame()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    sheet["J2"] = "=1+2"
    sheet["K3"] = '=HYPERLINK("http://example.org","x")'
    sheet.merge_cells("L4:M5")
    sheet["N6"] = datetime(2026, 3, 1)
    sheet["F7"] = 45678
    book.save(path)


def xlsx_zip_bomb(path: Path) -> None:
    """640 MB of zeros in one worksheet part, about 0.6 MB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 24)
            for _ in range(40):
                fh.write(block)


def xlsx_truncated(path: Path) -> None:
    xlsx_formulas(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def sav_labels_disagree(path: Path) -> None:
    import pyreadstat

    frame = _frame().replace({"": None})
    for column in ("help_any", "net_use_3m", "dp_exempt"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame[["respondent_id", "district", "net_use_3m", "dp_exempt", "help_any", *frame.columns[9:]]]
    for column in frame.columns[5:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    labels = {"help_any": {1.0: "No", 2.0: "Yes", 7.0: "Maybe"}, "net_use_3m": {1.0: "Yes", 2.0: "No"}}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)


def sav_truncated(path: Path) -> None:
    sav_labels_disagree(path)
    data = path.read_bytes()
    path.write_bytes(data[:200])


# --------------------------------------------------------------------------- instrument YAML, config, GeoJSON

def yaml_billion_laughs(path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 9):
        prev, name = chr(96 + k), chr(97 + k)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    path.write_text("id: laughs\nversion: '1'\n" + "\n".join(lines) + "\ntitle: *i\n", encoding="utf-8")


def yaml_python_tag(path: Path) -> None:
    path.write_text("id: !!python/object/apply:os.system ['echo owned > owned.txt']\nversion: '1'\n",
                    encoding="utf-8")


def toml_unknown_key(path: Path) -> None:
    path.write_text('lang = "da"\nmin_cel = 10\n', encoding="utf-8")


def toml_wrong_type(path: Path) -> None:
    path.write_text('min_cell = "ten"\n', encoding="utf-8")


def toml_invalid(path: Path) -> None:
    path.write_text('groups = ["district"\n', encoding="utf-8")


def _districts() -> dict:
    return json.loads(DISTRICTS.read_text(encoding="utf-8"))


def geojson_malformed(path: Path) -> None:
    text = DISTRICTS.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def geojson_not_features(path: Path) -> None:
    path.write_text(json.dumps({"type": "Topology", "objects": {}}), encoding="utf-8")


def geojson_unknown_district(path: Path) -> None:
    shape = _districts()
    shape["features"][0]["properties"].update(district=99, name="Atlantis")
    path.write_text(json.dumps(shape), encoding="utf-8")


def geojson_enormous(path: Path) -> None:
    """A valid FeatureCollection of 60 MB: one district drawn with five million points."""
    shape = _districts()
    shape["features"][0]["geometry"] = {"type": "Polygon", "coordinates": "RING"}
    ring = "[[" + "[10.0, 55.0], " * 5_000_000 + "[10.0, 55.0]]]"
    path.write_text(json.dumps(shape).replace('"RING"', ring), encoding="utf-8")


def geojson_deep(path: Path) -> None:
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 200_000 + "]" * 200_000 + "}",
                    encoding="utf-8")


# --------------------------------------------------------------------------- XLSForm (toolkit.instrument.xlsform)

def _xlsform(path: Path, survey: list[list], choices: list[list]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    sheet = book.create_sheet("choices")
    for row in choices:
        sheet.append(row)
    sheet = book.create_sheet("settings")
    sheet.append(["form_id", "version", "default_language"])
    sheet.append(["hostile_form", "1", "English (en)"])
    book.save(path)


def xlsform_formulas(path: Path) -> None:
    """Cells holding spreadsheet formulas and an external link instead of text."""
    _xlsform(path, [["type", "name", "label::English (en)", "label::Dansk (da)"],
                    ["select_one yn", "q1", "=HYPERLINK(\"http://evil.example\",\"Click\")", "Ja?"],
                    ["integer", "q2", "='[other.xlsx]Sheet1'!A1", "=1+1"]],
             [["list_name", "name", "label::English (en)", "label::Dansk (da)"],
              ["yn", "1", "Yes", "Ja"], ["yn", "2", "No", "Nej"]])
    with zipfile.ZipFile(path, "a") as book:  # the part Excel writes for a link to another workbook
        book.writestr("xl/externalLinks/externalLink1.xml",
                      '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships"/></externalLink>')


def xlsform_many_choices(path: Path) -> None:
    """100,000 choices in one list."""
    _xlsform(path, [["type", "name", "label::English (en)", "label::Dansk (da)"],
                    ["select_one big", "q1", "Pick one", "Vælg en"]],
             [["list_name", "name", "label::English (en)", "label::Dansk (da)"],
              *(["big", str(k), f"Choice {k}", f"Valg {k}"] for k in range(1, 100_001))])


def xlsform_zip_bomb(path: Path) -> None:
    """The XLSX zip bomb, as a questionnaire."""
    bomb = path.with_name("zip_bomb.xlsx")
    if not bomb.exists():
        xlsx_zip_bomb(bomb)
    path.write_bytes(bomb.read_bytes())


#: file name -> writer; the suffix is what the toolkit sees
MAKERS: dict[str, Callable[[Path], None]] = {
    "empty.csv": empty, "header_only.csv": header_only, "truncated.csv": truncated, "utf8_bom.csv": utf8_bom,
    "mixed_line_endings.csv": mixed_line_endings, "cp1252.csv": cp1252, "wrong_delimiter.csv": wrong_delimiter,
    "duplicate_columns.csv": duplicate_columns, "title_row.csv": title_row, "decimal_comma.csv": decimal_comma,
    "thousands_separator.csv": thousands_separator, "binary.csv": binary_csv, "zip_named.csv": zip_named_csv,
    "million_columns.csv": million_columns, "cell_10mb.csv": cell_10mb, "kobo_other_version.csv": kobo_other_version,
    "kobo_new_choice.csv": kobo_new_choice, "formulas.xlsx": xlsx_formulas, "zip_bomb.xlsx": xlsx_zip_bomb,
    "truncated.xlsx": xlsx_truncated, "labels_disagree.sav": sav_labels_disagree, "truncated.sav": sav_truncated,
    "billion_laughs.yaml": yaml_billion_laughs, "python_tag.yaml": yaml_python_tag,
    "unknown_key.toml": toml_unknown_key, "wrong_type.toml": toml_wrong_type, "invalid.toml": toml_invalid,
    "malformed.geojson": geojson_malformed, "not_features.geojson": geojson_not_features,
    "unknown_district.geojson": geojson_unknown_district, "enormous.geojson": geojson_enormous,
    "deep.geojson": geojson_deep, "form_formulas.xlsx": xlsform_formulas,
    "form_many_choices.xlsx": xlsform_many_choices,
    "form_zip_bomb.xlsx": xlsform_zip_bomb,
}


def make(folder: str | Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the corpus (or the files ``names``) into ``folder``; file name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in names or MAKERS:
        target = folder / name
        if not target.exists():
            MAKERS[name](target)
        written[name] = target
    return written


if __name__ == "__main__":
    for written in make(sys.argv[1] if len(sys.argv) > 1 else "corpus").values():
        print(written)
