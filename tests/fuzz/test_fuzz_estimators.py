"""Property-based fuzzing of score and the Design estimators on random valid data.

Complete inputs give no NaN, and the results do not depend on the order of the rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.errors import DataQualityWarning
from toolkit.survey import Design

INSTRUMENT = toolkit.load_instrument("dis-screener")
quiet = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _answers(draw, n: int) -> pd.DataFrame:
    columns = {}
    for item in INSTRUMENT.items:
        codes = [c.code for c in INSTRUMENT.response_set_of(item.id).codes]
        columns[item.id] = draw(st.lists(st.sampled_from(codes), min_size=n, max_size=n))
    return pd.DataFrame(columns, dtype=float)


@st.composite
def answers(draw):
    n = draw(st.integers(2, 40))
    data = _answers(draw, n)
    order = draw(st.permutations(list(range(n))))
    return data, np.array(order)


@quiet
@given(answers())
def test_score_complete_and_order_free(case) -> None:
    data, order = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # all alike: the gap is undefined, and says so
        scores = toolkit.score(data, INSTRUMENT)
        shuffled = toolkit.score(data.iloc[order], INSTRUMENT)
    numeric = scores.select_dtypes("number")
    alike = [c for c in numeric if c.endswith("_gap") and (scores[c.replace("_gap", "_sr")].nunique() < 2
                                                            or scores[c.replace("_gap", "_kn")].nunique() < 2)]
    incomplete = numeric.drop(columns=alike).isna().any()
    assert not incomplete.any(), incomplete[incomplete].index.tolist()
    pd.testing.assert_frame_equal(shuffled.loc[scores.index], scores, check_exact=False)


@st.composite
def survey(draw):
    n = draw(st.integers(12, 60))
    y = draw(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=n, max_size=n))
    w = draw(st.lists(st.floats(0.1, 100, allow_nan=False), min_size=n, max_size=n))
    g = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    strata = draw(st.lists(st.sampled_from([1, 2]), min_size=n, max_size=n))
    frame = pd.DataFrame({"y": y, "w": w, "g": g, "s": strata})
    if frame.groupby("s").size().min() < 2 or frame["g"].value_counts().min() < 5:
        frame["s"], frame["g"] = 1, ["a", "b"] * (n // 2) + ["a"] * (n % 2)
    order = draw(st.permutations(list(range(n))))
    return frame, np.array(order)


def _estimates(frame: pd.DataFrame) -> list[pd.DataFrame]:
    design = Design(frame, weights="w", strata="s", min_cell=0)
    return [design.mean("y"), design.total("y"), design.mean("y", by="g"), design.proportion("g"),
            design.ratio("y", "w")]


@pytest.mark.filterwarnings("ignore::toolkit.errors.DataQualityWarning")  # design effects of tiny weights
@quiet
@given(survey())
def test_design_complete_and_order_free(case) -> None:
    frame, order = case
    first = _estimates(frame)
    again = _estimates(frame.iloc[order].reset_index(drop=True))
    for a, b in zip(first, again, strict=True):
        numbers = a.select_dtypes("number").drop(columns=[c for c in ("df",) if c in a], errors="ignore")
        assert not numbers[[c for c in numbers if c in ("estimate", "se")]].isna().any().any(), a
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False,
                                      rtol=1e-7, atol=1e-9)
