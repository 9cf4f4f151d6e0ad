"""The stages :func:`toolkit.pipeline.run` is made of, shared by its in-memory and streamed routes."""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._memory import release_memory
from toolkit._rows import row_patterns
from toolkit._validation import check_frame
from toolkit.cleaning import Cleaned, clean
from toolkit.cleaning.chunked import clean_parquet, parquet_rows
from toolkit.config import Config
from toolkit.errors import BoundaryWarning, DataQualityWarning, ModelError, OptionError, ToolkitError
from toolkit.instrument.derived import age_band
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.io import read_responses
from toolkit.risk.index import index_columns
from toolkit.risk.model import DEFAULT_GROUPS, ExclusionRiskModel
from toolkit.risk.performance import category_key
from toolkit.risk.project import project
from toolkit.risk.triage import triage
from toolkit.survey import Design

from toolkit.pipeline._results import ESTIMATE_COLUMNS


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
    """The cleaned columns the analysis uses: the design's, groups, margins, predictors, outcome inputs, Likert
    items and the Digital Inclusion Index's items.

    Only these are copied into the analysis frame: the other items, text and
    metadata stay in ``Results.cleaned.data`` (at 10M rows the copy of every
    column was 11 GB).
    """
    wanted = {config.weights, config.strata, config.psu, config.district, "age", *config.margins, *config.groups,
              *config.predictors, *DEFAULT_GROUPS}
    wanted |= {name for outcome in instrument.outcomes.values() for name in outcome.parsed.variables()}
    wanted |= {item.id for item in instrument.items if item.type == "likert"} | set(index_columns(instrument))
    wanted |= {f"{name}_missing" for name in list(wanted) if isinstance(name, str)}
    return [c for c in columns if c in wanted]


def _compact_items(data: pd.DataFrame, instrument, config: Config) -> pd.DataFrame:
    """The Likert and index items as float32 where that holds every value exactly (answer codes do).

    Only the figures (answer shares) and the Digital Inclusion Index read them, and both convert to
    float64: at 10M rows the ~40 items take 1.6 GB less. Design, margin, group and predictor columns
    keep float64, so the levels in every table stay as they were.
    """
    kept = {config.weights, config.strata, config.psu, config.district, "age", *config.margins, *config.groups,
            *config.predictors, *DEFAULT_GROUPS}
    items = ({item.id for item in instrument.items if item.type == "likert"} | set(index_columns(instrument))) - kept
    compact = {}
    for name in items & set(data.columns):
        values = data[name]
        if values.dtype == np.float64:
            narrow = values.to_numpy().astype(np.float32)
            if np.array_equal(narrow, values.to_numpy(), equal_nan=True):
                compact[name] = narrow
    return data.assign(**compact) if compact else data


def _score_columns(columns, instrument) -> list[str]:
    """The score columns the analysis uses: scores, levels, shares correct, gaps; not the counts and reasons
    (``Results.scores`` has them), unless an outcome's rule names them."""
    ruled = {name for outcome in instrument.outcomes.values() for name in outcome.parsed.variables()}
    return [c for c in columns if c in ruled or not str(c).endswith(("_n_valid", "_n_correct", "_reason"))]


def _analysis_frame(cleaned: pd.DataFrame, flags: pd.DataFrame, scores: pd.DataFrame, instrument,
                    config: Config) -> pd.DataFrame:
    """The analysed rows (no duplicate submission) with what the analysis uses; row by row, so a chunk at a time."""
    keep = ~flags["duplicate_id"].to_numpy() if "duplicate_id" in flags else slice(None)
    columns = _analysis_columns(cleaned.columns, instrument, config)
    data = pd.concat([_compact_items(cleaned[columns], instrument, config),
                      scores[_score_columns(scores.columns, instrument)]], axis=1).loc[keep].reset_index(drop=True)
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


def _estimates(design, data: pd.DataFrame, outcomes, instrument, config: Config) -> pd.DataFrame:
    """The outcomes' shares overall and by group, from ``design`` (in memory, or an engine's over the same rows)."""
    if not outcomes:  # outcomes are optional in an instrument
        warnings.warn(f"no outcome estimates: instrument {instrument.id!r} declares no outcomes", DataQualityWarning,
                      stacklevel=3)
        return pd.DataFrame(columns=list(ESTIMATE_COLUMNS))
    parts = []
    for name in outcomes:
        for by in ("overall", *config.groups):
            if by != "overall" and by not in data:
                continue
            if by != "overall" and not data[by].notna().any():
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


def _triage(data: pd.DataFrame, scores: pd.DataFrame, instrument, config: Config) -> pd.DataFrame | None:
    """The triage categories, when the bundled rules (or the instrument) define triage for this instrument."""
    try:
        return triage(data, scores, instrument, lang=config.lang)
    except ToolkitError as exc:
        if "no triage rules" in str(exc):
            return None
        raise


def _outcome_names(instrument, config: Config) -> list[str]:
    names = list(config.outcomes or instrument.outcomes)
    unknown = sorted(set(names) - set(instrument.outcomes))
    if unknown:
        raise OptionError(f"outcome(s) {', '.join(unknown)} are not declared by {instrument.id}; "
                          f"declared: {', '.join(instrument.outcomes)}")
    return names


def _weight(data: pd.DataFrame, population, config: Config):
    """(data with imputed margins, design, raked design, weighting table, imputed counts, margins used)."""
    imputed: dict[str, int] = {}
    margins = _usable_margins(data, config) if population is not None else []
    if margins:
        data, imputed = _impute(data, margins, config.district, config.seed)
    weights = config.weights if config.weights in data else None
    design = Design(data, weights=weights, strata=config.strata if config.strata in data else None,
                    psu=config.psu)
    before = design.weight_summary().assign(weighting="design")
    if not margins:
        return data, design, design, before, imputed, margins
    raked = design.rake(_margins(population, margins), max_iter=50)
    weighting = pd.concat([before, raked.weight_summary().assign(weighting="raked")], ignore_index=True)
    return data, design, raked, weighting, imputed, margins


def _project(model, population, design, config: Config) -> pd.DataFrame:
    """The projection to districts (empty without a model); boundary notes of the district fits are silenced."""
    if model is None:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        return project(model, population, by=config.district, design=design, small_n=config.small_n,
                       conf_level=config.conf_level, min_cell=config.min_cell)


def _stage_hook(progress):
    """The stage hook: the free memory of the stage that ended goes back to the OS, then ``progress(stage)``."""
    def step(stage: str) -> None:
        release_memory()  # the allocators keep freed temporaries: 2 of 3.8 GB after cleaning 1M rows
        if progress is not None:
            progress(stage)
    return step


