"""The triage distribution: group level, through the small-cell policy."""

from __future__ import annotations

import pandas as pd

from toolkit.report import triage_distribution, write_triage_table


def test_small_categories_are_suppressed_with_a_second_one_to_protect_them():
    triage = pd.DataFrame({"category": ["independent"] * 30 + ["assisted_digital"] * 8 + ["skills_training"] * 2})
    table = triage_distribution(triage)
    assert table["suppressed"].tolist() == [False, True, True]
    assert table.loc[0, "n"] == 30 and table.loc[0, "share"] == 30 / 40


def test_no_triage_no_table():
    assert triage_distribution(None) is None
    assert triage_distribution(pd.DataFrame({"x": [1]})) is None


def test_the_table_file_name_cannot_leave_the_folder(tmp_path):
    triage = pd.DataFrame({"category": ["independent"] * 9})
    path = write_triage_table(triage, tmp_path / "out", name="../../escape.csv")
    assert path == tmp_path / "out" / "escape.csv" and path.is_file()
