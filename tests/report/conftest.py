"""Shared by the report tests: one pipeline run per session, a hostile copy of it, and written reports."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from matplotlib.figure import Figure

import toolkit
from toolkit.config import Config
from toolkit.pipeline import run

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="session")
def results():
    """The bundled sample, raked to the bundled population (about 10 s, once)."""
    population = toolkit.datasets.load("population.csv")
    return run(toolkit.datasets.path("sample_survey.csv"), "dis-full", population=population)


@pytest.fixture(scope="session")
def unraked():
    """The bundled sample without a population table, one group only."""
    return run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=("gender",)))


def figure(title: str = "Share by district (95% CI)") -> Figure:
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.bar(["a", "b"], [0.2, 0.3], yerr=[0.02, 0.03])
    ax.set_title(title)
    return fig


@pytest.fixture
def figures():
    return {"prevalence": figure(), "district_map": figure("Districts")}


@pytest.fixture(scope="session")
def hostile(results):
    """The results with a group whose label is a script and one that looks like a formula."""
    est = results.estimates
    extra = est[est["by"] == "gender"].copy()
    extra["by"] = "custom"
    extra["group_label"] = [HOSTILE if g == "1" else FORMULA for g in extra["group"]]
    return dataclasses.replace(results, estimates=pd.concat([est, extra], ignore_index=True))
