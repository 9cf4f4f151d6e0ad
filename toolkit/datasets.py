"""The bundled synthetic data in ``toolkit/data``, loaded with importlib.resources.

Every file is synthetic: a fictional municipality made by :mod:`toolkit.simulate`
(the recipe and the regeneration command are in :mod:`toolkit.simulate.bundle`).
Files are found through the installed package, never relative to the working directory.

Examples
--------
>>> from toolkit import datasets
>>> datasets.load("population.csv")["count"].sum()
np.int64(60000)
>>> sorted(datasets.load("truth.json")["prevalence"])[:3]
['excluded_any', 'exempt', 'low_bureaucratic']
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import pandas as pd

from toolkit.errors import InputFileError

#: file name -> what it holds
FILES: dict[str, str] = {
    "sample_survey.csv": "2,000 respondents to dis-full (plus duplicate submissions), messy like a real export",
    "sample_survey_artefacts.csv": "every corrupted cell of sample_survey.csv (row, column, kind, clean, messy)",
    "population.csv": "residents aged 18+ by district, age band, gender, education and home language",
    "truth.json": "the population truth behind sample_survey.csv (prevalence of every outcome by district)",
    "sample_screener.csv": "500 respondents to dis-screener",
    "truth_screener.json": "the population truth behind sample_screener.csv",
    "sample_kobo.csv": "200 respondents to dis-full as a KoboToolbox export",
    "districts.geojson": "the eight districts' boundaries (GeoJSON; properties district, name)",
}

__all__ = ["FILES", "path", "load"]


def path(name: str) -> Traversable:
    """The bundled file ``name`` (a Traversable; a Path in a normal install).

    Examples
    --------
    >>> path("sample_screener.csv").name
    'sample_screener.csv'
    """
    ref = resources.files("toolkit") / "data" / name
    if name not in FILES or not ref.is_file():
        raise InputFileError(f"no bundled data file {name!r}; available: {', '.join(sorted(FILES))}")
    return ref


def load(name: str) -> Any:
    """Load a bundled file: CSV -> DataFrame (as stored, not cleaned), JSON and GeoJSON -> dict.

    Examples
    --------
    >>> len(load("sample_screener.csv")) >= 500
    True
    """
    with path(name).open("rb") as fh:
        if name.endswith((".json", ".geojson")):
            return json.load(fh)
        return pd.read_csv(fh)
