"""Fixtures shared by the scales tests: the dis-full instrument and random answers to it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit

INST = toolkit.load_instrument("dis-full")


def _fake_responses(n: int, seed: int = 0) -> pd.DataFrame:
    """Random raw-coded answers to every scale item of dis-full (missing codes included)."""
    rng = np.random.default_rng(seed)
    cols = {}
    for sc in INST.scales.values():
        for item_id in sc.items:
            codes = sorted(INST.response_set_of(item_id).valid_codes)
            x = rng.choice(codes, n).astype(float)
            r = rng.random(n)
            x[r < 0.05] = np.nan
            x[(r >= 0.05) & (r < 0.08)] = 88
            x[(r >= 0.08) & (r < 0.09)] = 99
            cols[item_id] = x
    df = pd.DataFrame(cols)
    df["design_weight"] = rng.uniform(0.5, 2.0, n)
    return df


@pytest.fixture(scope="session")
def inst():
    """The bundled dis-full instrument."""
    return INST


@pytest.fixture(scope="session")
def fake_responses():
    """``fake_responses(n, seed=0)``: random raw-coded answers to every scale item of dis-full."""
    return _fake_responses
