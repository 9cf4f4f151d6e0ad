"""write_report: Results -> report.html, tables.xlsx and the cleaned data, log and flags.

The page is rendered whole in memory (figures included) before anything is
written, and each file is written under a temporary name and renamed, so a
failure leaves the previous outputs or none.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from toolkit._validation import as_instrument, check_option
from toolkit.config import Config
from toolkit.report import _files, _figures, _tables, _xlsx
from toolkit.report import _format as fmt
from toolkit.report._strings import LANGUAGES
from toolkit.report._words import Words
from toolkit.report.triage import triage_distribution

__all__ = ["write_report", "render_html"]

_SECTIONS = (("summary", "summary_h"), ("method", "methods_h"), ("weighting", "weighting_h"),
             ("quality", "quality_h"), ("estimates", "estimates_h"), ("projection", "projection_h"),
             ("map", "map_h"), ("figures", "figures_h"), ("model", "model_h"), ("triage", "triage_h"),
             ("about", "about_h"))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("toolkit.report", "templates"), autoescape=True)


def _model_table(model: Any) -> pd.DataFrame | None:
    """The model's coefficient table: the GLM's ``table``, else the model's ``table_``."""
    table = getattr(getattr(model, "glm_", None), "table", None)
    if table is None:
        table = getattr(model, "table_", None)
    return table if isinstance(table, pd.DataFrame) else None


def _card(model: Any, lang: str) -> Markup | None:
    """The model's own card (``card_html``), its page body only, so it sits inside the report."""
    card_html = getattr(model, "card_html", None)
    if not callable(card_html):
        return None
    html = card_html(lang=lang) if "lang" in inspect.signature(card_html).parameters else card_html()
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S | re.I)
    return Markup(body.group(1) if body else html)  # the toolkit's own escaped HTML


def _model_section(model: Any, words: Words) -> dict:
    if model is None:
        return {}
    card = _card(model, words.lang)
    if card is not None:
        return {"card": card}
    table = _model_table(model)
    outcome = words.outcome(getattr(model, "outcome", ""))
    return {"rows": _tables.model_rows(table, words) if table is not None else [],
            "text": words.ui("model_table", outcome=outcome, conf=words.conf)}


def _listed(words: Words, names) -> str:
    """Column names as words inside a sentence: "age band, gender, education"."""
    return ", ".join(words.name(n)[:1].lower() + words.name(n)[1:] for n in names)


def _method_texts(results, words: Words, config: Config) -> dict[str, str]:
    design, meta = results.design, results.meta
    weights = getattr(design, "weights_col", config.weights)
    strata = getattr(design, "strata_col", config.strata) or words.ui("none")
    psu = ", ".join(getattr(design, "psu_cols", None) or ([config.psu] if config.psu else [])) or words.ui("none")
    design_text = (words.ui("design", weights=weights, strata=strata, psu=psu) if weights else
                   words.ui("design_equal", strata=strata, psu=psu))
    raking = (words.ui("raking", margins=_listed(words, meta.get("margins", config.margins)),
                       imputed=sum((meta.get("imputed") or {}).values()))
              if meta.get("raked") else words.ui("no_population"))
    model = results.model
    model_text = words.ui("model_method", outcome=words.outcome(model.outcome),
                          predictors=_listed(words, getattr(model, "predictors", ()))) \
        if model is not None and hasattr(model, "outcome") else ""
    read = meta.get("rows_read", results.cleaned.counts("rows")["input"])
    quality = words.ui("quality", rows_read=fmt.count(read, words.lang),
                       rows_analysed=fmt.count(meta.get("rows_analysed", len(results.outcomes)), words.lang),
                       duplicates=fmt.count(meta.get("duplicates_left_out", 0), words.lang))
    return {"design_text": design_text, "raking_text": raking, "model_text": model_text, "quality_text": quality}


def _notices(results, words: Words, config: Config) -> list[str]:
    notes = []
    if not results.meta.get("raked", False) or results.projection is None or results.projection.empty:
        notes.append(words.ui("no_population"))
    if results.meta.get("pseudonyms_stable") is False:
        notes.append(words.ui("unstable", env=config.pseudonym_key_env))
    return notes


def _context(results, words: Words, config: Config, figures: Mapping[str, Any], geojson_name: str | None,
             triage: pd.DataFrame | None) -> dict:
    meta = results.meta
    maps, others = _figures.embedded(figures)
    changes, flags = _tables.cleaning_rows(results.cleaned.totals, words)
    title = words.instrument.title.get(words.lang, words.instrument.id) if isinstance(
        words.instrument.title, Mapping) else str(words.instrument.title)
    triage_rows = _tables.triage_rows(triage, words)
    shown = {"figures": bool(others), "triage": bool(triage_rows)}
    return {
        "w": words, "meta": {"instrument": meta.get("instrument", words.instrument.id),
                             "instrument_version": meta.get("instrument_version", words.instrument.version),
                             "toolkit_version": meta.get("toolkit_version"), "input_sha256": meta.get("input_sha256")},
        "title": title, "n": fmt.count(meta.get("rows_analysed", len(results.outcomes)), words.lang),
        "raked": bool(meta.get("raked")),
        "sections": [s for s in _SECTIONS if shown.get(s[0], True)], "notices": _notices(results, words, config),
        "sentences": _tables.summary_sentences(results.estimates, words),
        "reliability": _tables.reliability_rows(results.reliability, words),
        "weighting": _tables.weighting_table(results.weighting, words), "changes": changes, "flags": flags,
        "estimates": _tables.estimate_tables(results.estimates, words),
        "projection": _tables.projection_tables(results.projection, words),
        "maps": maps, "figures": others, "geojson_name": Path(geojson_name).name if geojson_name else None,
        "model": _model_section(results.model, words), "triage": triage_rows,
        **_method_texts(results, words, config),
    }


def _words(results, instrument, lang: str, config: Config | None) -> tuple[Words, Config]:
    check_option(lang, "lang", LANGUAGES)
    config = config or results.meta.get("config") or Config()
    return Words(lang=lang, instrument=as_instrument(instrument), conf_level=config.conf_level,
                 min_cell=config.min_cell, cv_threshold=config.cv_threshold, source_lang=config.lang), config


def render_html(results, *, instrument, figures: Mapping[str, Any], lang: str = "en", config: Config | None = None,
                geojson_name: str | None = None) -> str:
    """The report page as one self-contained HTML string (nothing is written).

    Parameters
    ----------
    results, instrument, figures, lang, config, geojson_name
        As for :func:`write_report`.

    Returns
    -------
    str

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.pipeline import run
    >>> from toolkit.config import Config
    >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=("gender",)))
    >>> page = render_html(res, instrument="dis-full", figures={}, lang="da")
    >>> page.startswith("<!DOCTYPE html>"), "Sammenfatning" in page
    (True, True)
    """
    words, config = _words(results, instrument, lang, config)
    triage = triage_distribution(results.triage, min_cell=words.min_cell)
    context = _context(results, words, config, figures, geojson_name, triage)
    return _environment().get_template("report.html.j2").render(**context)


def write_report(results, out_dir: str | os.PathLike, *, instrument, figures: Mapping[str, Any], lang: str = "en",
                 config: Config | None = None, geojson_name: str | None = None) -> dict[str, Path]:
    """Write report.html, tables.xlsx, cleaned.parquet, cleaning_log.csv and flags.csv into ``out_dir``.

    The report opens with a one-page summary of the key figures and their
    confidence intervals in plain words, then the method, weighting
    diagnostics, data quality, the tables by group, the projection to
    districts, the map and figures, the risk model, and the versions and
    SHA-256 of the input. It is self-contained (figures as base64 PNG, CSS
    inline, no network) and holds group-level tables only. Unreliable figures
    (CV above ``config.cv_threshold``) carry a dagger; suppressed cells say so.

    Parameters
    ----------
    results : toolkit.pipeline.Results
        What :func:`toolkit.pipeline.run` returned. Nothing is computed here.
    out_dir : str or Path
        The folder to write into; made if missing. File names are fixed.
    instrument : Instrument, str or path
        The questionnaire, for labels.
    figures : mapping of str to matplotlib Figure
        Figures to embed (``toolkit.plots.all_figures``), or figures drawn
        already (:func:`toolkit.report.pictures`); a key containing "map" goes
        to the map section.
    lang : {"en", "da"}
        The report's language.
    config : Config, optional
        The settings of the run; default ``results.meta["config"]``.
    geojson_name : str, optional
        The district GeoJSON's file name, named under the map.

    Returns
    -------
    dict of str to Path
        ``report``, ``tables``, ``cleaned``, ``log``, ``flags``.

    Examples
    --------
    >>> import tempfile, toolkit
    >>> from toolkit.pipeline import run
    >>> from toolkit.config import Config
    >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=("gender",)))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_report(res, tmp, instrument="dis-full", figures={})
    ...     sorted(p.name for p in paths.values())
    ['cleaned.parquet', 'cleaning_log.csv', 'flags.csv', 'report.html', 'tables.xlsx']
    """
    words, config = _words(results, instrument, lang, config)
    folder = _files.output_folder(out_dir)
    page = render_html(results, instrument=words.instrument, figures=figures, lang=lang, config=config,
                       geojson_name=geojson_name)
    triage = triage_distribution(results.triage, min_cell=words.min_cell)
    sheets = _xlsx.sheets(results, words, model_table=_model_table(results.model), triage=triage)
    paths = {key: folder / name for key, name in _files.FILES.items()}
    _files.write_text(page, paths["report"])
    _files.write_with(lambda partial: _xlsx.write_workbook(sheets, partial), paths["tables"])
    written = getattr(results.cleaned, "paths", None)  # a streamed run wrote them already (pipeline.streamed)
    for key, table in (("cleaned", "data"), ("log", "log"), ("flags", "flags")):
        if written is not None:
            _files.move_into(written[table], paths[key])
        else:
            _files.write_frame(getattr(results.cleaned, table), paths[key])
    return paths
