"""Detection rates: artefacts count as caught when the log or the flags name the right rule."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from toolkit.simulate.detection import CELL_RULES, ROW_FLAGS, detection


def _artefacts():
    return pd.DataFrame({"row": [0, 1, 2, 3, 1], "column": ["q1", "q2", "q1", "", ""],
                         "kind": ["dont_know", "label", "label", "duplicate", "speeder"]})


def _cleaned(log_rows, flags):
    log = pd.DataFrame(log_rows, columns=["row", "column", "rule"])
    return SimpleNamespace(log=log, flags=pd.DataFrame(flags))


def test_rates_count_the_expected_rule_on_the_very_cell():
    cleaned = _cleaned([(0, "q1", "missing_code"), (1, "q2", "label_to_code"), (2, "q2", "label_to_code")],
                       {"speeder": [False, True, True, False], "straightlining": [False] * 4,
                        "duplicate_id": [False, False, False, True]})
    table = detection(cleaned, _artefacts()).set_index("kind")
    assert list(table.index) == [*CELL_RULES, *ROW_FLAGS]
    assert table.loc["dont_know", ["n", "caught", "rate"]].tolist() == [1, 1, 1.0]
    assert table.loc["label", ["n", "caught", "rate"]].tolist() == [2, 1, 0.5]  # row 2 was fixed in another column
    assert table.loc["speeder", ["n", "caught", "false_alarms"]].tolist() == [1, 1, 1]
    assert table.loc["duplicate", "rate"] == 1.0
    assert np.isnan(table.loc["pii", "rate"]) and table.loc["pii", "n"] == 0


def test_a_log_entry_with_the_wrong_rule_does_not_count():
    cleaned = _cleaned([(0, "q1", "out_of_range")], {"speeder": [False] * 4, "straightlining": [False] * 4,
                                                     "duplicate_id": [False] * 4})
    assert detection(cleaned, _artefacts()).set_index("kind").loc["dont_know", "caught"] == 0
