"""The bundled synthetic sample in ``toolkit/data`` and how it is made.

Regenerate every file byte for byte with::

    python -m toolkit.simulate.bundle toolkit/data

Load a file with :func:`bundled` (importlib.resources, never a path
relative to the working directory).
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import pandas as pd

from toolkit.errors import InputFileError

# file -> (instrument, n, seed, what to write)
BUNDLE = {
    "sample_survey.csv": ("dis-full", 2000, 1, "responses"),
    "sample_survey_artefacts.csv": ("dis-full", 2000, 1, "artefacts"),
    "population.csv": ("dis-full", 2000, 1, "population"),
    "truth.json": ("dis-full", 2000, 1, "truth"),
    "sample_screener.csv": ("dis-screener", 500, 2, "responses"),
    "truth_screener.json": ("dis-screener", 500, 2, "truth"),
    "sample_kobo.csv": ("dis-full", 200, 3, "kobo"),
}


def write_bundle(directory) -> list[Path]:
    """Write every bundled file into ``directory``; return the paths."""
    from toolkit.simulate import survey

    directory = Path(directory)
    sims: dict[tuple, object] = {}
    written = []
    for name, (inst, n, seed, what) in BUNDLE.items():
        key = (inst, n, seed)
        if key not in sims:
            sims[key] = survey(inst, n=n, seed=seed)
        sim, path = sims[key], directory / name
        if what == "responses":
            sim.write(path, "csv")
        elif what == "kobo":
            sim.write(path, "kobo")
        elif what == "artefacts":
            sim.write_artefacts(path)
        elif what == "population":
            sim.write_population(path)
        else:
            sim.write_truth(path)
        written.append(path)
    return written


def bundled_path(name: str):
    """The bundled file ``name`` (a Traversable; a Path in a normal install)."""
    ref = resources.files("toolkit") / "data" / name
    if not ref.is_file():
        known = ", ".join(sorted(BUNDLE))
        raise InputFileError(f"no bundled data file {name!r}; available: {known}")
    return ref


def bundled(name: str):
    """Load a bundled file: CSV -> DataFrame (as read, no cleaning), JSON -> dict.

    Examples
    --------
    >>> from toolkit.simulate import bundled
    >>> bundled("population.csv")["count"].sum()
    np.int64(60000)
    >>> sorted(bundled("truth.json")["prevalence"])[:3]
    ['exempt', 'low_bureaucratic', 'low_cognitive']
    """
    ref = bundled_path(name)
    with ref.open("rb") as fh:
        if name.endswith(".json"):
            return json.load(fh)
        return pd.read_csv(fh)


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    for p in write_bundle(sys.argv[1] if len(sys.argv) > 1 else "toolkit/data"):
        print(p)
