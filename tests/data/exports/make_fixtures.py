"""Writes responses.xls, the legacy Excel fixture of tests/test_io.py (needs xlwt, which only this script uses).

Run from the repository root: ``python tests/data/exports/make_fixtures.py``. The file is made by the project
(synthetic answers to the dis-screener items), so it carries the project's licence.
"""

from pathlib import Path

ITEMS = ("net_use_3m", "dp_exempt", "help_any", "prac_02", "cogn_01", "navi_01", "bure_02", "prac_k1", "prac_k4",
         "cogn_k1", "cogn_k4", "navi_k1", "navi_k2", "bure_k1", "bure_k4")
ROWS = [
    ("respondent_id", *(f"skills/{i}" for i in ITEMS), "weight"),
    ("r1", "Ja", 2, 1, 3, 4, 88, 2, 1, 1, 2, 2, 1, 1, 1, 2, 1.25),
    ("r2", "Nej", 2, 2, 1, 2, 3, 5, 1, 2, 1, 1, 2, 99, 1, 1, 0.8),
]



def main() -> None:
    import xlwt  # here, so that collecting the tests does not need it

    book = xlwt.Workbook()
    sheet = book.add_sheet("responses")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(Path(__file__).with_name("responses.xls")))


if __name__ == "__main__":
    main()
