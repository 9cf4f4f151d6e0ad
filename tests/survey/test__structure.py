"""toolkit.survey._structure: how a Design builds its stages (the R parity is in test_design)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.errors import DesignError
from toolkit.survey._structure import first_bad


def test_two_stage_design_has_one_stage_per_fpc():
    df = pd.DataFrame({"psu": [1, 1, 2, 2], "ssu": [1, 2, 3, 4], "N1": 10, "N2": 5, "y": [1.0, 2, 3, 4]})
    d = survey.Design(df, psu=["psu", "ssu"], fpc=["N1", "N2"])
    assert len(d.stages) == 2 and d.stages[0].n_units == 2 and d.stages[1].n_units == 4
    np.testing.assert_allclose(d.weights, 1 / ((2 / 10) * (2 / 5)))


def test_missing_strata_are_named():
    df = pd.DataFrame({"s": ["a", None, "b"], "y": [1.0, 2, 3]})
    with pytest.raises(DesignError, match="strata column 's' has 1 missing value"):
        survey.Design(df, strata="s")


def test_first_bad_lists_row_labels():
    assert first_bad(pd.Series(range(8)), np.ones(8, bool)) == "0, 1, 2, 3, 4 ..."
