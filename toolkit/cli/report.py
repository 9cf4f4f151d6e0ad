"""``ditk report``: run the whole analysis on a survey export and write the report.

Examples
--------
>>> from typer.testing import CliRunner
>>> from toolkit.cli import app
>>> "--population" in CliRunner().invoke(app, ["report", "--help"]).stdout
True
"""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from toolkit.cli import _output
from toolkit.cli.clean import DURATION_HELP, ID_COLUMN_HELP, KEEP_IDS_HELP, MISSING_HELP, clean_options

__all__ = ["report_command", "make_report"]

STREAM_HELP = ("A Parquet export of more rows streams through the clean, score and reliability stages this many "
               "rows at a time (default: the config's chunk_rows, 1000000).")
ENGINE_HELP = ("Where the estimates by outcome and group run: memory, or duckdb over the streamed analysis file "
               "(needs the scale extra; default: the config's engine, memory).")

#: the pipeline's stages, then the report's own
STAGES = ("read", "clean", "score", "reliability", "weight", "estimate", "model", "project", "triage", "figures",
          "write")


@_output.user_errors
def report_command(
    input: str = typer.Argument(..., help="Responses: CSV/TSV, XLSX, SPSS .sav, Stata .dta, Parquet, Kobo/ODK CSV."),
    instrument: str = typer.Option("dis-full", "--instrument", "-i", help="Bundled id or a YAML path."),
    population: str | None = typer.Option(None, "--population", "-p",
                                          help="Population table (CSV with the raking margins and count). "
                                               "Without it raking and projection are skipped."),
    out: str = typer.Option(..., "--out", "-o", help="Folder for report.html, tables.xlsx and the cleaned data."),
    lang: str | None = typer.Option(None, "--lang", help="Report language: en or da (default: the config's, en)."),
    config: str | None = typer.Option(None, "--config", help="Settings file (TOML), e.g. report.toml."),
    min_cell: int | None = typer.Option(None, "--min-cell", help="Suppress cells with fewer respondents (default 5)."),
    outcome: list[str] | None = typer.Option(None, "--outcome", help="Outcome to report (repeat; default all)."),
    group: list[str] | None = typer.Option(None, "--group", help="Reporting group, e.g. district (repeat)."),
    geojson: str | None = typer.Option(None, "--geojson", help="District boundaries (GeoJSON) for the map."),
    missing: str | None = typer.Option(None, "--missing", help=MISSING_HELP),
    id_column: str | None = typer.Option(None, "--id-column", help=ID_COLUMN_HELP),
    keep_ids: bool = typer.Option(False, "--keep-ids", help=KEEP_IDS_HELP),
    duration_from: str | None = typer.Option(None, "--duration-from", help=DURATION_HELP),
    chunk_rows: int | None = typer.Option(None, "--chunk-rows", help=STREAM_HELP),
    engine: str | None = typer.Option(None, "--engine", help=ENGINE_HELP),
) -> None:
    """Run the analysis on a survey export and write report.html, tables.xlsx and the cleaned data.

    Reads, cleans, scores, weights (raked to the population table when one is
    given), estimates by group, fits the risk model, projects to districts,
    draws the figures and writes the report. Progress goes to stderr; the
    files written go to stdout, the report first. Respondent ids are
    pseudonymised with the key in DITK_PSEUDONYM_KEY, or a random key when it
    is unset (then pseudonyms are not stable across runs).

    Parameters
    ----------
    input : str
        The response export.
    instrument, population, out, lang, config, min_cell, outcome, group, geojson
        As the options say.
    missing, id_column, keep_ids, duration_from
        The file's conventions, as for ``ditk clean``.
    chunk_rows, engine
        Streaming and the estimates' engine (``Config.chunk_rows``, ``Config.engine``).

    Examples
    --------
    >>> from typer.testing import CliRunner
    >>> from toolkit.cli import app
    >>> result = CliRunner().invoke(app, ["report", "no-such-file.csv", "--out", "out"])
    >>> result.exit_code
    2
    """
    settings = _settings(config, lang=lang, min_cell=min_cell, outcomes=outcome, groups=group,
                         chunk_rows=chunk_rows, engine=engine)
    cleaning = clean_options(missing=missing, id_column=id_column, keep_ids=keep_ids, duration_from=duration_from)
    boundaries = _boundaries(geojson, instrument)
    paths = make_report(input, instrument, population=_population(population), out=out, config=settings,
                        geojson=boundaries, require=tuple(group or ()), cleaning=cleaning)
    _output.print_paths(paths.values())


def _existing(path: str | None, what: str) -> Path | None:
    from toolkit.errors import InputFileError

    if path is None:
        return None
    if not Path(path).is_file():
        raise InputFileError(f"cannot read the {what} {path}: no such file")
    return Path(path)


def _boundaries(path: str | None, instrument: str) -> Path | None:
    """The GeoJSON file, checked before the long run (a broken map fails in seconds, not at the end)."""
    found = _existing(path, "GeoJSON file")
    if found is not None:
        try:
            from toolkit.plots.maps import read_districts
        except ImportError:  # no figures without the plotting extras: nothing to check the map for
            return found
        read_districts(found, instrument=instrument)
    return found


def _population(path: str | None) -> Any:
    """The population table, or None; a file that cannot be read is a user error."""
    import pandas as pd

    from toolkit.errors import InputFileError

    found = _existing(path, "population table")
    if found is None:
        return None
    try:
        return pd.read_csv(found)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read the population table {path}: {exc}") from None


def _settings(path: str | None, *, lang: str | None, min_cell: int | None, outcomes: list[str] | None,
              groups: list[str] | None, chunk_rows: int | None = None, engine: str | None = None) -> Any:
    """The run's Config: the TOML file's (or the defaults), with the command-line options on top."""
    from toolkit._validation import check_option
    from toolkit.config import ENGINES, Config

    config = Config.from_toml(_existing(path, "config file")) if path else Config()
    overrides: dict[str, Any] = {}
    if lang is not None:
        overrides["lang"] = check_option(lang, "--lang", ("en", "da"))
    if min_cell is not None:
        overrides["min_cell"] = min_cell
    if outcomes:
        overrides["outcomes"] = tuple(outcomes)
    if groups:
        overrides["groups"] = tuple(groups)
    if chunk_rows is not None:
        overrides["chunk_rows"] = chunk_rows
    if engine is not None:
        overrides["engine"] = check_option(engine, "--engine", ENGINES)
    config = dataclasses.replace(config, **overrides)
    check_option(config.lang, "lang", ("en", "da"))
    return config


def _figures(results: Any, instrument: Any, lang: str, geojson: Path | None) -> dict:
    """The figures of ``toolkit.plots`` when it is installed, drawn one at a time (each closed once drawn), or none."""
    try:
        from toolkit.plots import figure_makers
    except ImportError:
        return {}
    from toolkit.report import pictures

    drawn = pictures(figure_makers(results, instrument=instrument, lang=lang, geojson=geojson))
    results.design.drop_caches()  # the codes the figures' estimates cached: nothing after them estimates
    return drawn


def _check_groups(results: Any, groups: tuple[str, ...]) -> None:
    from toolkit.errors import OptionError

    # a group is fine if it was estimated, or is a column of the data (an instrument without outcomes has no
    # estimates to find it in)
    known = set(results.estimates["by"]) | set(results.cleaned.column_names)
    missing = [g for g in groups if g not in known]
    if missing:
        raise OptionError(f"group(s) {', '.join(missing)} are not columns of the data (or have no answers)")


def make_report(source: Any, instrument: Any, *, population: Any, out: str | Path, config: Any,
                geojson: Path | None = None, require: tuple[str, ...] = (),
                cleaning: dict[str, Any] | None = None, progress: Any = None,
                show: bool = True) -> dict[str, Path]:
    """Run the pipeline with a progress bar, draw the figures and write the report; the paths written.

    Parameters
    ----------
    source : path
        The response export.
    instrument : str or Instrument
        The questionnaire.
    population : pd.DataFrame or None
        The population table (None skips raking and projection).
    out : str or Path
        The output folder.
    config : Config
        The settings (language, groups, outcomes, small-cell threshold).
    geojson : Path, optional
        District boundaries for the map.
    require : tuple of str
        Groups the user asked for: one the data cannot report is an OptionError.
    cleaning : dict, optional
        More keywords for :func:`toolkit.clean` (the file's conventions; see ``ditk clean``).
    progress : callable, optional
        Also called as ``progress(stage)`` when each of :data:`STAGES` starts, then
        ``progress("done")``: the timing hook of ``benchmarks/pipeline.py``.
    show : bool
        Show the progress bar on stderr.

    Returns
    -------
    dict of str to Path
        As :func:`toolkit.report.write_report`, the report first.

    Examples
    --------
    >>> import tempfile, toolkit
    >>> from toolkit.config import Config
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = make_report(toolkit.datasets.path("sample_survey.csv"), "dis-full", population=None, out=tmp,
    ...                         config=Config(groups=("gender",)))
    ...     paths["report"].name
    'report.html'
    """
    import matplotlib

    matplotlib.use("Agg")
    from toolkit._memory import release_memory
    from toolkit._validation import as_instrument
    from toolkit.pipeline import run
    from toolkit.report import write_report

    used = as_instrument(instrument)
    hook = progress or (lambda _stage: None)
    with _output.progress(show=show) as report:
        def stage(name: str) -> None:
            hook(name)
            report(name, STAGES.index(name) / len(STAGES) if name in STAGES else None)

        with _spool(source, out, config) as spool:
            results = run(source, used, population, config=config, progress=stage, cleaning=cleaning, spool=spool)
            _check_groups(results, require)
            stage("figures")
            figures = _figures(results, used, config.lang, geojson)
            release_memory()  # the figures' data tables are let go before the files are written
            stage("write")
            try:
                return write_report(results, out, instrument=used, figures=figures, lang=config.lang, config=config,
                                    geojson_name=geojson.name if geojson else None)
            finally:
                _close(figures)
                hook("done")


@contextmanager
def _spool(source: Any, out: str | Path, config: Any):
    """A Parquet export of more than ``config.chunk_rows`` rows streams through a hidden folder inside ``out``
    (``pipeline.run(spool=)``): its cleaned data, log and flags are moved into ``out``, the rest removed.
    Otherwise None: the run holds the data in memory."""
    from toolkit.cleaning.chunked import parquet_rows
    from toolkit.report._files import output_folder

    rows = parquet_rows(source) if isinstance(source, str | Path) and Path(source).suffix == ".parquet" else None
    if rows is None or (rows <= config.chunk_rows and config.engine == "memory"):
        yield None
        return
    with tempfile.TemporaryDirectory(dir=output_folder(out), prefix=".ditk-stream-") as folder:
        yield Path(folder)


def _close(figures: dict) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for figure in figures.values():
        if isinstance(figure, Figure):  # a drawn Picture holds no figure
            plt.close(figure)
