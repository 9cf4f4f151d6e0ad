"""Helpers shared by the cleaning tests: raw exports built from an instrument, and a keyed clean()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit

KEY = "test-key"
INST = toolkit.load_instrument("dis-full")


def instrument_fixture():
    """The ``inst`` fixture (the full instrument) for a test module: ``inst = instrument_fixture()``."""
    return pytest.fixture(scope="module", name="inst")(lambda: INST)


def frame(inst, n: int, **columns) -> pd.DataFrame:
    """A raw export: every item column blank (object), respondent ids, then the given columns."""
    df = pd.DataFrame(np.nan, index=range(n), columns=["respondent_id", *inst.item_ids, "duration_sec"],
                      dtype=object)
    df["respondent_id"] = [f"r{i:04d}" for i in range(n)]
    df["duration_sec"] = 600.0
    for col, values in columns.items():
        df[col] = pd.Series(values, dtype=object)
    return df


def run(raw, inst, **kw):
    return toolkit.clean(raw, inst, pseudonym_key=KEY, **kw)


def all_text(res) -> str:
    return res.data.to_csv() + res.log.to_csv() + res.flags.to_csv() + res.summary().to_csv()


def logged(res, column):
    return res.log[res.log["column"] == column].set_index("row")
