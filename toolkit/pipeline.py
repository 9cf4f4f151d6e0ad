"""The main job as one call: read, clean, score, weight, estimate, model and project.

:func:`run` is what ``ditk report`` runs. It reads the input (and nothing
else: no file is written, nothing is drawn) and returns a frozen
:class:`Results` with tidy tables that the report, the figures and the
notebooks use.

Choices made here, in one place:

* **Pseudonyms.** The key comes from the environment variable
  ``config.pseudonym_key_env`` (``DITK_PSEUDONYM_KEY``). Without it a random key
  is drawn for the run and never stored, so pseudonyms are not stable across
  runs; ``Results.pseudonyms_stable`` says which.
* **Who is analysed.** Every cleaned row except duplicate submissions (flag
  ``duplicate_id``): those would count a resident twice. They stay in the
  cleaned data and flags; ``Results.analysed`` counts both.
* **Districts.** Where the district answer is missing, the sampling stratum
  stands in when ``config.strata`` names one (the sample is stratified by
  district).
* **Raking needs every margin.** A respondent without a raking variable gets
  one by hot-deck imputation: a donor drawn at random (seeded) among the
  respondents of the same district. ``Results.imputed`` counts the cells.
* **Estimates** are design-based shares (``Design.proportion``, logit
  intervals as R's ``svyciprop``) of every outcome, overall and by every group,
  raked when a population table is given. Every table goes through the one
  small-cell policy; a figure whose coefficient of variation exceeds
  ``config.cv_threshold`` is marked ``reliable = False``.
* **Projection** to districts (:func:`toolkit.risk.project`) needs a
  population table; without one it is empty, and the results say so.

Examples
--------
>>> import toolkit
>>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full",
...           population=toolkit.datasets.load("population.csv"))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._memory import large_blocks_to_os, release_memory
from toolkit._rows import row_patterns
from toolkit._validation import as_instrument, check_frame
from toolkit.cleaning import Cleaned, clean
from toolkit.cleaning.chunked import clean_parquet, parquet_rows
from toolkit.config import Config
from toolkit.errors import BoundaryWarning, DataQualityWarning, ModelError, OptionError, ToolkitError
from toolkit.instrument.derived import age_band
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.io import read_responses
from toolkit.risk.model import DEFAULT_GROUPS, ExclusionRiskModel
from toolkit.risk.performance import category_key
from toolkit.risk.project import project
from toolkit.risk.triage import triage
from toolkit.scales import reliability, score
from toolkit.survey import Design

ESTIMATE_COLUMNS = ("outcome", "by", "group", "group_label", "estimate", "se", "ci_low", "ci_high", "cv", "n",
                    "reliable", "suppressed", "note")

__all__ = ["run", "Results", "ESTIMATE_COLUMNS"]


@dataclass(frozen=True)
class Results:
    """Everything a run produced, as tidy tables (the results contract in DESIGN.md).

    Attributes
    ----------
    cleaned : Cleaned
        The cleaning result: data, log, flags, totals.
    scores : pd.DataFrame
        Scale scores, levels and confidence gaps, one row per cleaned respondent.
    reliability : pd.DataFrame
        One row per scale (alpha, omega, n).
    outcomes : pd.DataFrame
        The instrument's outcomes per analysed respondent (1, 0 or NaN).
    estimates : pd.DataFrame
        outcome, by, group, group_label, estimate, se, ci_low, ci_high, cv, n,
        reliable, suppressed, note; ``by`` is "overall" or a group column.
    projection : pd.DataFrame
        district, outcome, method, share, count, ci_low, ci_high, ... (empty
        without a population table).
    model : ExclusionRiskModel or None
        The fitted risk model of ``config.model_outcome`` on the demographics, with
        its validation and model card; None when the outcome is not in the data.
    weighting : pd.DataFrame
        Weight diagnostics before and after raking (``Design.weight_summary``).
    design : Design
        The raked design of the analysed respondents, for more estimates. Its data
        hold the columns the analysis uses: the design's, the groups, margins and
        predictors, the outcomes and the items they are made of, every Likert item
        (with ``<item>_missing``) and every score column. Other items are in
        ``cleaned.data``.
    triage : pd.DataFrame or None
        One support category per respondent (category, domain, reasons), when the
        triage rules cover the instrument. Person-level: for the person being helped.
    meta : dict
        Instrument id and version, toolkit version, input SHA-256, row counts,
        pseudonym stability, imputed cells, whether the estimates are raked.

    Examples
    --------
    >>> import toolkit
    >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=()))
    >>> res.summary().columns.tolist()
    ['outcome', 'estimate', 'ci_low', 'ci_high', 'n', 'reliable']
    >>> res.meta["instrument"], res.meta["raked"]
    ('dis-full', False)
    """

    cleaned: Cleaned
    scores: pd.DataFrame
    reliability: pd.DataFrame
    outcomes: pd.DataFrame
    estimates: pd.DataFrame
    projection: pd.DataFrame
    model: Any
    weighting: pd.DataFrame
    design: Any = field(repr=False)
    triage: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """The overall estimate of every outcome (one row per outcome).

        Examples
        --------
        >>> import toolkit
        >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=()))
        >>> res.summary()["outcome"].tolist()[:3]
        ['offline', 'exempt', 'needs_help']
        """
        overall = self.estimates[self.estimates["by"] == "overall"]
        return overall[["outcome", "estimate", "ci_low", "ci_high", "n", "reliable"]].reset_index(drop=True)


def _sha256(source: Any) -> str | None:
    if isinstance(source, str | os.PathLike) and Path(source).is_file():
        digest = hashlib.sha256()
        with open(source, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    return None


def _pseudonym_key(config: Config) -> tuple[str, bool]:
    key = os.environ.get(config.pseudonym_key_env)
    return (key, True) if key else (secrets.token_hex(32), False)


def _to_number(values: pd.Series) -> pd.Series:
    """``pd.to_numeric(values, errors="coerce")``, converted once per distinct value (labels repeat a few)."""
    codes, first = row_patterns(values.to_frame())
    numbers = pd.to_numeric(values.iloc[first], errors="coerce")
    return numbers.iloc[codes].set_axis(values.index)


def _analysis_columns(columns, instrument, config: Config) -> list[str]:
    """The cleaned columns the analysis uses (the design's, groups, margins, predictors, outcome inputs, Likert items).

    Only these are copied into the analysis frame: the other items, text and
    metadata stay in ``Results.cleaned.data`` (at 10M rows the copy of every
    column was 11 GB).
    """
    wanted = {config.weights, config.strata, config.psu, config.district, "age", *config.margins, *config.groups,
              *config.predictors, *DEFAULT_GROUPS}
    wanted |= {name for outcome in instrument.outcomes.values() for name in outcome.parsed.variables()}
    wanted |= {item.id for item in instrument.items if item.type == "likert"}
    wanted |= {f"{name}_missing" for name in list(wanted) if isinstance(name, str)}
    return [c for c in columns if c in wanted]


def _analysis_frame(cleaned: Cleaned, scores: pd.DataFrame, instrument, config: Config) -> pd.DataFrame:
    keep = ~cleaned.flags["duplicate_id"].to_numpy() if "duplicate_id" in cleaned.flags else slice(None)
    columns = _analysis_columns(cleaned.data.columns, instrument, config)
    data = pd.concat([cleaned.data[columns], scores], axis=1).loc[keep].reset_index(drop=True)
    if "age" in data and "age_band" not in data:
        data["age_band"] = age_band(data["age"]).astype(object)
    if config.strata and config.district in data and config.strata in data:
        stratum = _to_number(data[config.strata])
        data[config.district] = _to_number(data[config.district]).fillna(stratum)
    elif config.strata and config.strata in data and config.district not in data:
        data[config.district] = _to_number(data[config.strata])
    outcomes = evaluate_outcomes(data, data, instrument)  # missing where the answers cannot decide
    for name, values in outcomes.items():
        data[name] = values.astype(float).to_numpy()
    return data


def _impute(data: pd.DataFrame, columns, by: str, seed: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Hot-deck: a missing value takes the value of a random respondent of the same district."""
    rng = np.random.default_rng(seed)
    out, counts = data.copy(deep=False), {}  # only the imputed columns are new (copy-on-write)
    groups = out[by] if by in out else pd.Series(0, index=out.index)
    for col in columns:
        if col not in out or col == by:
            continue
        missing = out[col].isna().to_numpy()
        counts[col] = int(missing.sum())
        if not missing.any():
            continue
        column = out[col].copy()
        for g in pd.unique(groups[missing]):
            members = (groups == g).to_numpy()
            donors = column[members & ~missing].to_numpy()
            pool = donors if donors.size else column[~missing].to_numpy()
            targets = np.flatnonzero(members & missing)
            column.iloc[targets] = rng.choice(pool, size=targets.size)
        out[col] = column
    return out, counts


def _usable_margins(data: pd.DataFrame, config: Config) -> list[str]:
    """The raking margins the survey holds; those it lacks (a screener asks no age) are named in a warning."""
    usable = [m for m in config.margins if m in data]
    missing = [m for m in config.margins if m not in data]
    if missing:
        warnings.warn(f"raking without the margin(s) {', '.join(missing)}: the survey data have no such column"
                      + ("" if usable else "; nothing is left to rake on, so the design weights are used"),
                      DataQualityWarning, stacklevel=3)
    return usable


def _margins(population: pd.DataFrame, margins: list[str]) -> dict:
    check_frame(population, "population", columns=[*margins, "count"], error=OptionError)
    return {v: population.groupby(v)["count"].sum().to_dict() for v in margins}


def _labels(instrument, by: str, values: pd.Series, lang: str) -> pd.Series:
    rs = instrument.response_set_of(by) if by in instrument.item_ids else None
    if rs is None:
        return values.astype(str)
    codes = {c.code: c.label.get(lang, c.label.get(instrument.languages[0])) for c in rs.codes}
    return values.map(lambda v: codes.get(int(v), str(v)) if pd.notna(v) and float(v).is_integer() else str(v))


def _estimates(design: Design, outcomes, instrument, config: Config) -> pd.DataFrame:
    if not outcomes:  # outcomes are optional in an instrument
        warnings.warn(f"no outcome estimates: instrument {instrument.id!r} declares no outcomes", DataQualityWarning,
                      stacklevel=3)
        return pd.DataFrame(columns=list(ESTIMATE_COLUMNS))
    parts = []
    for name in outcomes:
        for by in ("overall", *config.groups):
            if by != "overall" and by not in design.data:
                continue
            if by != "overall" and not design.data[by].notna().any():
                if name == outcomes[0]:
                    warnings.warn(f"no estimates by {by!r}: the column holds no answer", DataQualityWarning,
                                  stacklevel=3)
                continue
            t = design.proportion(name, by=None if by == "overall" else by, na_rm=True,
                                  conf_level=config.conf_level, min_cell=config.min_cell)
            level = pd.to_numeric(t["level"], errors="coerce")
            t = t[level == 1].copy()
            group = pd.Series("all", index=t.index) if by == "overall" else t[by]
            t = t.assign(outcome=name, by=by, group=group.map(category_key),
                         group_label="all" if by == "overall" else _labels(instrument, by, group, config.lang))
            parts.append(t)
    est = pd.concat(parts, ignore_index=True)
    est["cv"] = est["se"] / est["estimate"]
    est["reliable"] = ~(est["cv"] > config.cv_threshold) & ~est["suppressed"]
    return est[list(ESTIMATE_COLUMNS)]


def _model(design: Design, instrument, config: Config) -> ExclusionRiskModel | None:
    """The risk model; with fewer folds when a rare category leaves a fold without it; None if it cannot fit."""
    predictors = [p for p in config.predictors if p in design.data]
    empty = [p for p in predictors if not design.data[p].notna().any()]
    if empty:
        warnings.warn(f"the risk model leaves out {', '.join(map(repr, empty))}: no respondent answered it",
                      DataQualityWarning, stacklevel=3)
        predictors = [p for p in predictors if p not in empty]
    if not predictors:
        warnings.warn(f"the risk model of {config.model_outcome!r} was not fitted: the data hold none of its "
                      f"predictors ({', '.join(config.predictors)})", DataQualityWarning, stacklevel=3)
        return None
    for folds in (5, 2):
        model = ExclusionRiskModel(outcome=config.model_outcome, predictors=predictors, instrument=instrument,
                                   conf_level=config.conf_level, min_cell=config.min_cell, cv_folds=folds)
        try:
            return model.fit(design.data, design=design)
        except ModelError as exc:
            problem = str(exc)
            if "cross-validation" not in problem:
                break
    warnings.warn(f"the risk model of {config.model_outcome!r} was not fitted, so nothing is projected: {problem}",
                  DataQualityWarning, stacklevel=3)
    return None


def _read_and_clean(source, instrument, key: str, config: Config, step, cleaning: dict) -> Cleaned:
    """Read and clean; a Parquet file of more than ``config.chunk_rows`` rows a chunk at a time (same result)."""
    rows = parquet_rows(source) if isinstance(source, str | os.PathLike) else None
    if rows is not None and rows > config.chunk_rows:
        step("read")  # reading and cleaning alternate chunk by chunk: their time is the clean stage's
        step("clean")
        return clean_parquet(source, instrument, chunk_rows=config.chunk_rows, pseudonym_key=key, **cleaning)
    step("read")
    raw = read_responses(source, instrument)
    step("clean")
    return clean(raw, instrument, pseudonym_key=key, **cleaning)  # the raw text is let go on return


def _triage(cleaned: Cleaned, scores: pd.DataFrame, instrument, config: Config) -> pd.DataFrame | None:
    """The triage categories, when the bundled rules (or the instrument) define triage for this instrument."""
    try:
        return triage(cleaned.data, scores, instrument, lang=config.lang)
    except ToolkitError as exc:
        if "no triage rules" in str(exc):
            return None
        raise


def _stages(progress):
    """The stage hook: the free memory of the stage that ended goes back to the OS, then ``progress(stage)``."""
    def step(stage: str) -> None:
        release_memory()  # the allocators keep freed temporaries: 2 of 3.8 GB after cleaning 1M rows
        if progress is not None:
            progress(stage)
    return step


def run(source, instrument, population: pd.DataFrame | None = None, *, config: Config | None = None,
        progress=None, cleaning: dict | None = None) -> Results:
    """Read, clean, score, weight, estimate, model and project: what ``ditk report`` runs.

    Parameters
    ----------
    source : path or DataFrame
        Responses in any format :func:`toolkit.read_responses` reads.
    instrument : Instrument, str or path
        The questionnaire.
    population : pd.DataFrame, optional
        Population cells with the raking margins and ``count`` (``population.csv``).
        Without it estimates use the design weights and nothing is projected.
    config : Config, optional
        The settings (:class:`toolkit.config.Config`); default ``Config()``.
    progress : callable, optional
        Called as ``progress(stage)`` when a stage starts: read, clean, score,
        reliability, weight, estimate, model, project, triage (the timing hook
        ``benchmarks/pipeline.py`` uses).
    cleaning : dict, optional
        More keywords for :func:`toolkit.clean`: the file's conventions (``missing``,
        ``id_column``, ``keep_ids``, ``duration_from``).

    Returns
    -------
    Results

    Examples
    --------
    >>> import toolkit
    >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=("age_band",)))
    >>> sorted(res.estimates["by"].unique())
    ['age_band', 'overall']
    >>> res.meta["raked"], res.projection.empty
    (False, True)
    """
    instrument = as_instrument(instrument)
    config = config or Config()
    step = _stages(progress)
    key, stable = _pseudonym_key(config)
    with large_blocks_to_os():  # freed column temporaries of big surveys go back to the OS (toolkit._memory)
        cleaned = _read_and_clean(source, instrument, key, config, step, cleaning or {})
    rows_read = cleaned.read.get("n_rows", len(cleaned.data))
    step("score")
    scores = score(cleaned.data, instrument)
    data = _analysis_frame(cleaned, scores, instrument, config)
    step("reliability")
    rel = reliability(cleaned.data, instrument)
    names = list(config.outcomes or instrument.outcomes)
    unknown = sorted(set(names) - set(instrument.outcomes))
    if unknown:
        raise OptionError(f"outcome(s) {', '.join(unknown)} are not declared by {instrument.id}; "
                          f"declared: {', '.join(instrument.outcomes)}")
    step("weight")
    imputed: dict[str, int] = {}
    margins = _usable_margins(data, config) if population is not None else []
    if margins:
        data, imputed = _impute(data, margins, config.district, config.seed)
    weights = config.weights if config.weights in data else None
    design = Design(data, weights=weights, strata=config.strata if config.strata in data else None,
                    psu=config.psu)
    before = design.weight_summary().assign(weighting="design")
    if margins:
        design = design.rake(_margins(population, margins), max_iter=50)
        weighting = pd.concat([before, design.weight_summary().assign(weighting="raked")], ignore_index=True)
    else:
        weighting = before
    step("estimate")
    estimates = _estimates(design, names, instrument, config)
    step("model")
    model = _model(design, instrument, config) if config.model_outcome in data else None
    if model is None and config.model_outcome not in data:
        warnings.warn(f"no risk model: instrument {instrument.id!r} declares no outcome {config.model_outcome!r} "
                      f"(declared: {', '.join(instrument.outcomes) or 'none'}; set model_outcome in the config)",
                      DataQualityWarning, stacklevel=2)
    step("project")
    projection = pd.DataFrame()
    if margins and model is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BoundaryWarning)
            projection = project(model, population, by=config.district, design=design, small_n=config.small_n,
                                 conf_level=config.conf_level, min_cell=config.min_cell)
    from toolkit import __version__

    meta = {"instrument": instrument.id, "instrument_version": instrument.version, "toolkit_version": __version__,
            "input_sha256": _sha256(source), "rows_read": rows_read, "rows_analysed": len(data),
            "duplicates_left_out": int(len(cleaned.data) - len(data)), "pseudonyms_stable": stable,
            "imputed": imputed, "raked": bool(margins), "margins": margins, "config": config}
    step("triage")
    return Results(cleaned=cleaned, scores=scores, reliability=rel, outcomes=data[names], estimates=estimates,
                   projection=projection, model=model, weighting=weighting, design=design,
                   triage=_triage(cleaned, scores, instrument, config), meta=meta)
