"""The bundled synthetic sample in ``toolkit/data`` and how it is made.

Regenerate every file byte for byte with::

    python -m toolkit.simulate.bundle toolkit/data

Load a file with :func:`toolkit.datasets.load`. ``BUNDLE`` lists the same files as
``toolkit.datasets.FILES`` (a test checks it).
"""

from __future__ import annotations

import sys
from pathlib import Path

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
    """Write every bundled file into ``directory``; return the paths.

    Parameters
    ----------
    directory : str or path-like
        An existing folder (``toolkit/data`` regenerates the bundle).

    Returns
    -------
    list of Path
        One per entry of ``BUNDLE``, in its order.

    Examples
    --------
    >>> BUNDLE["truth.json"]  # instrument, respondents, seed, what is written
    ('dis-full', 2000, 1, 'truth')
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     [p.name for p in write_bundle(tmp)] == list(BUNDLE)  # about 5 s; tests/simulate/test_bundle.py runs it
    True
    """
    from toolkit.simulate import survey

    directory = Path(directory)
    sims: dict[tuple, object] = {}
    written = []
    for name, (instrument, n, seed, what) in BUNDLE.items():
        key = (instrument, n, seed)
        if key not in sims:
            sims[key] = survey(instrument, n=n, seed=seed)
        sim, path = sims[key], directory / name
        if what == "responses":
            sim.write(path, format="csv")
        elif what == "kobo":
            sim.write(path, format="kobo")
        elif what == "artefacts":
            sim.write_artefacts(path)
        elif what == "population":
            sim.write_population(path)
        else:
            sim.write_truth(path)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    for p in write_bundle(sys.argv[1] if len(sys.argv) > 1 else "toolkit/data"):
        print(p)
