"""``ditk demo``: the whole report on the bundled synthetic sample, in one command.

Examples
--------
>>> from typer.testing import CliRunner
>>> from toolkit.cli import app
>>> "--lang" in CliRunner().invoke(app, ["demo", "--help"]).stdout
True
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import typer

from toolkit.cli import _output

__all__ = ["demo_command"]

#: the screener triage's table, beside the report
TRIAGE_FILE = "screener_triage.csv"


@_output.user_errors
def demo_command(
    out: str = typer.Option("demo-report", "--out", "-o", help="Folder for the report and its tables."),
    lang: str = typer.Option("en", "--lang", help="Report language: en or da."),
) -> None:
    """Run ``ditk report`` on the bundled sample, population and district map, and triage the bundled screener.

    The sample (toolkit/data/sample_survey.csv) is synthetic: a fictional
    municipality. The files written go to stdout, the report first.

    Parameters
    ----------
    out : str
        The output folder.
    lang : str
        en or da.

    Examples
    --------
    >>> from typer.testing import CliRunner
    >>> from toolkit.cli import app
    >>> CliRunner().invoke(app, ["demo", "--lang", "fr"]).exit_code
    2
    """
    from toolkit import datasets
    from toolkit.cli.report import _settings, make_report

    settings = _settings(None, lang=lang, min_cell=None, outcomes=None, groups=None)
    paths = make_report(Path(str(datasets.path("sample_survey.csv"))), "dis-full",
                        population=datasets.load("population.csv"), out=out, config=settings, geojson=_geojson())
    triage = _screener_triage(Path(out), settings.min_cell)
    _output.print_paths([*paths.values(), *([triage] if triage else [])])


def _geojson() -> Path | None:
    """The bundled district boundaries, when the package has them."""
    from importlib import resources

    ref = resources.files("toolkit") / "data" / "districts.geojson"
    return Path(str(ref)) if ref.is_file() else None


def _screener_triage(folder: Path, min_cell: int) -> Path | None:
    """Triage the bundled screener sample and write how many respondents fall in each category."""
    try:
        from toolkit.risk.triage import triage
    except ImportError:
        return None
    from toolkit import datasets, score
    from toolkit.cleaning import clean
    from toolkit.errors import ToolkitError
    from toolkit.instrument import load_instrument
    from toolkit.io import read_responses
    from toolkit.report import write_triage_table

    instrument = load_instrument("dis-screener")
    data = read_responses(datasets.path("sample_screener.csv"), instrument)
    cleaned = clean(data, instrument, pseudonym_key=secrets.token_hex(32))
    try:
        scores: Any = score(cleaned.data, instrument)
    except ToolkitError as exc:
        _output.print_note(f"screener triage skipped: scoring dis-screener failed ({exc})")
        return None
    return write_triage_table(triage(cleaned.data, scores, instrument), folder, min_cell=min_cell, name=TRIAGE_FILE)
