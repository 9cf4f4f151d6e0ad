"""Safe writes: temporary file, then rename; nothing half-written."""

from __future__ import annotations

import pytest

from toolkit.errors import OutputError
from toolkit.report import _files


def test_a_failed_write_leaves_the_previous_file_and_no_partial(tmp_path):
    target = tmp_path / "report.html"
    _files.write_text("old", target)

    def broken(path):
        path.write_text("half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        _files.write_with(broken, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_the_output_folder_is_made_and_a_file_is_refused(tmp_path):
    assert _files.output_folder(tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="it is a file"):
        _files.output_folder(tmp_path / "file")


def test_tables_go_through_write_table_which_guards_formulas(tmp_path):
    import pandas as pd

    path = _files.write_frame(pd.DataFrame({"a": ["=1+1"]}), tmp_path / "t.csv")
    assert path.read_text().splitlines() == ["a", "'=1+1"]
