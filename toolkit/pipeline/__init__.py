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
* **Big Parquet exports stream** when ``spool=`` names a folder (``ditk report``
  does so above ``config.chunk_rows`` rows): see :mod:`toolkit.pipeline.streamed`
  for which stages stream and which need the analysis frame; the results are
  the in-memory run's.
* **Projection** to districts (:func:`toolkit.risk.project`) needs a
  population table; without one it is empty, and the results say so.

Examples
--------
>>> import toolkit
>>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full",
...           population=toolkit.datasets.load("population.csv"))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings

import pandas as pd

from toolkit._memory import large_blocks_to_os
from toolkit._validation import as_instrument
from toolkit.config import Config
from toolkit.errors import DataQualityWarning, OptionError
from toolkit.pipeline._results import ESTIMATE_COLUMNS, Results
from toolkit.pipeline._stages import (_analysis_frame, _estimates, _model, _outcome_names, _project, _pseudonym_key,
                                      _read_and_clean, _sha256, _stage_hook, _triage, _weight)
from toolkit.scales import reliability, score

__all__ = ["run", "Results", "ESTIMATE_COLUMNS"]


def run(source, instrument, population: pd.DataFrame | None = None, *, config: Config | None = None,
        progress=None, cleaning: dict | None = None, spool=None) -> Results:
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
    spool : str or Path, optional
        Stream a Parquet input through this folder instead of holding it
        (:mod:`toolkit.pipeline.streamed`): the cleaned data, log, flags and
        scores are written there a chunk of ``config.chunk_rows`` rows at a
        time, and only the analysis columns stay in memory. The results are
        those of the in-memory run, except that ``cleaned`` is a
        :class:`~toolkit.cleaning.to_files.CleanedFiles` naming the files and
        ``scores`` is None (they are in ``scores.parquet`` there).

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
    step = _stage_hook(progress)
    key, stable = _pseudonym_key(config)
    names = _outcome_names(instrument, config)
    if config.engine != "memory" and spool is None:
        raise OptionError(f"engine={config.engine!r} estimates over the files of a streamed run: pass spool=FOLDER "
                          "(a Parquet input), or use engine='memory'")
    if spool is not None:
        from toolkit.pipeline.streamed import clean_and_score

        cleaned, scores, data, rel, triaged = clean_and_score(source, instrument, key, config, step, cleaning or {},
                                                              spool)
    else:
        with large_blocks_to_os():  # freed column temporaries of big surveys go back to the OS (toolkit._memory)
            cleaned = _read_and_clean(source, instrument, key, config, step, cleaning or {})
        step("score")
        scores = score(cleaned.data, instrument)
        data = _analysis_frame(cleaned.data, cleaned.flags, scores, instrument, config)
        step("reliability")
        rel = reliability(cleaned.data, instrument)
    rows = cleaned.counts("rows")
    rows_read, rows_cleaned = cleaned.read.get("n_rows", rows["input"]), rows["output"]
    step("weight")
    data, unraked, design, weighting, imputed, margins = _weight(data, population, config)
    step("estimate")
    if config.engine == "duckdb":
        from toolkit.pipeline.streamed import engine_design

        estimates = _estimates(engine_design(data, unraked, names, population, margins, config, spool), data, names,
                               instrument, config)
    else:
        estimates = _estimates(design, data, names, instrument, config)
    design.drop_caches()  # estimates cache group codes and atoms per row: gigabytes at 10M, made again on demand
    step("model")
    model = _model(design, instrument, config) if config.model_outcome in data else None
    if model is None and config.model_outcome not in data:
        warnings.warn(f"no risk model: instrument {instrument.id!r} declares no outcome {config.model_outcome!r} "
                      f"(declared: {', '.join(instrument.outcomes) or 'none'}; set model_outcome in the config)",
                      DataQualityWarning, stacklevel=2)
    step("project")
    projection = _project(model, population, design, config) if margins else pd.DataFrame()
    design.drop_caches()
    from toolkit import __version__

    meta = {"instrument": instrument.id, "instrument_version": instrument.version, "toolkit_version": __version__,
            "input_sha256": _sha256(source), "rows_read": rows_read, "rows_analysed": len(data),
            "duplicates_left_out": int(rows_cleaned - len(data)), "pseudonyms_stable": stable,
            "imputed": imputed, "raked": bool(margins), "margins": margins, "config": config}
    step("triage")
    return Results(cleaned=cleaned, scores=scores, reliability=rel, outcomes=data[names], estimates=estimates,
                   projection=projection, model=model, weighting=weighting, design=design,
                   triage=triaged if spool is not None else _triage(cleaned.data, scores, instrument, config),
                   meta=meta)
