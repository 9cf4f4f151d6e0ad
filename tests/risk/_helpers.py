"""Shared by the risk-model test files: the bundled sample, its fitted model, and a small toy sample."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

import toolkit
from toolkit import survey
from toolkit.instrument.derived import age_band
from toolkit.risk.model import ExclusionRiskModel


@functools.cache
def bundled() -> tuple:
    """The instrument and the cleaned, scored bundled sample with needs_help and age_band."""
    inst = toolkit.load_instrument("dis-full")
    raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), inst)
    cleaned = toolkit.clean(raw, "dis-full", pseudonym_key="x")
    data = pd.concat([cleaned.data, toolkit.score(cleaned.data, inst)], axis=1)
    data["needs_help"] = inst.evaluate(inst.outcomes["needs_help"].parsed, data)
    data["age_band"] = age_band(data["age"])
    return inst, data


@functools.cache
def fitted() -> tuple:
    """The default model fitted on the bundled sample with its stratified design, and the design."""
    inst, data = bundled()
    design = survey.Design(data, weights="design_weight", strata="stratum")
    return ExclusionRiskModel(instrument=inst).fit(data, design=design), design


def toy(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """A small sample: x (a, b, c) raises the risk at c; code is a numeric 1/2 column."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"x": rng.choice(["a", "b", "c"], n), "code": rng.choice([1, 2], n)})
    data["y"] = (rng.random(n) < np.where(data["x"] == "c", 0.6, 0.2)).astype(int)
    return data
