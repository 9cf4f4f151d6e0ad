"""Output paths stay inside the chosen folder, whatever names the data hold."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import OutputError
from toolkit.outputs import confine_path
from toolkit.report import write_triage_table

HOSTILE = ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini", "C:\\Windows\\x", "a/../../b", "Ærø\x00.csv",
           "~/.bashrc", "district\n7", "   ..   "]


@pytest.mark.parametrize("name", HOSTILE)
def test_confine_path_stays_inside(tmp_path, name: str) -> None:
    try:
        path = confine_path(tmp_path, name, suffix=".csv")
    except OutputError as exc:
        assert "nothing usable" in str(exc)
        return
    assert path.parent == tmp_path
    assert path.resolve().is_relative_to(tmp_path.resolve())
    assert "/" not in path.name and "\\" not in path.name and "\x00" not in path.name


def test_triage_table_name_cannot_escape(tmp_path) -> None:
    triage = pd.DataFrame({"category": ["red", "green"] * 5})
    out = tmp_path / "out"
    try:
        written = write_triage_table(triage, out, name="../../escaped.csv")
    except Exception as exc:  # a refusal is fine, a file elsewhere is not
        assert isinstance(exc, OutputError | KeyError | ValueError)
    else:
        assert written.parent == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
