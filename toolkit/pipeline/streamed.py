"""The pipeline's streamed route: a Parquet export cleaned and scored a chunk at a time through a folder.

``run(source, ..., spool=folder)`` (:func:`toolkit.pipeline.run`) takes this
route. No stage holds the whole cleaned file:

* **clean** writes each chunk's cleaned data and log to ``cleaned.parquet`` and
  ``cleaning_log.csv`` in the folder as it goes, then ``flags.csv``
  (:func:`toolkit.cleaning.to_files.clean_parquet_to`);
* **score** reads ``cleaned.parquet`` back a chunk at a time: scores (to
  ``scores.parquet``), outcomes, triage and the analysis columns of the
  chunk's analysed rows (``pipeline._stages._analysis_columns``); only the
  latter two are kept;
* **reliability** reads one scale's items at a time.

The analysis (raking, estimates, the risk model, projection) then runs on the
analysis columns in memory, as in the in-memory route. Every step is row by row
or reads whole columns, so the results equal the in-memory run's: the same
estimates, model, projection, reliability, outcomes and triage
(``tests/pipeline/test_streamed.py``).

Choices made here, in one place:

* Only a Parquet file streams (its row groups come typed; see
  :mod:`toolkit.cleaning.chunked`); another input is refused with the
  conversion to make.
* The folder's files are the run's outputs; ``ditk report`` moves them into
  its output folder. Nothing else is written there.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from toolkit.cleaning.chunked import joined, parquet_rows, warn_once
from toolkit.cleaning.to_files import CleanedFiles, clean_parquet_to
from toolkit.config import Config
from toolkit.errors import OptionError
from toolkit.io import ParquetParts
from toolkit.outputs import atomic_write
from toolkit.pipeline._stages import _analysis_frame, _triage
from toolkit.scales import confidence_gap, reliability, score
from toolkit.scales.scoring import gap_scales

__all__ = ["clean_and_score", "engine_design", "SPOOL_FILES"]

#: what the streamed route writes into its folder (``analysis`` with ``engine="duckdb"`` only)
SPOOL_FILES = {"cleaned": "cleaned.parquet", "log": "cleaning_log.csv", "flags": "flags.csv",
               "scores": "scores.parquet", "analysis": "analysis.parquet"}


def _checked_folder(source, spool) -> Path:
    if not isinstance(source, str | Path) or parquet_rows(source) is None:
        got = source if isinstance(source, str | Path) else type(source).__name__
        raise OptionError(f"spool= streams a Parquet file; got {got}: convert the export first (pandas: read it, "
                          "then to_parquet) or run without spool=")
    folder = Path(spool)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _chunks(path: Path, rows: int):
    """(first row, frame) per batch of ``rows`` rows of a Parquet file, indexed by file position."""
    import pyarrow.parquet as pq

    start = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
        yield start, batch.to_pandas().set_axis(pd.RangeIndex(start, start + batch.num_rows))
        start += batch.num_rows


def _whole_file_gaps(files: CleanedFiles, instrument, config: Config, partial: Path) -> pd.DataFrame:
    """Pass 1: every chunk's scores to ``partial``; the confidence gaps standardised over the whole file.

    A gap is a difference of z-scores over all respondents (:func:`toolkit.scales.confidence_gap`),
    so a chunk's own gaps are not the file's; they are put right in pass 2.
    """
    domains = gap_scales(instrument)
    kept, seen = [], set()
    with ParquetParts(partial) as out:
        for _, data in _chunks(files.paths["data"], config.chunk_rows):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scores = score(data, instrument)
            warn_once(caught, seen, skip="confidence gap")
            out.write(scores)
            kept.append(scores[[c for pair in domains.values() for c in pair]])
    whole = pd.concat(kept, ignore_index=True)
    gaps = {}
    for domain, (self_report, knowledge) in domains.items():
        gap = confidence_gap(whole[self_report], whole[knowledge], name=f"{domain}_gap")
        gaps[f"{domain}_gap"], gaps[f"{domain}_confidence"] = gap[f"{domain}_gap"], gap[f"{domain}_gap_flag"]
    return pd.DataFrame(gaps, index=whole.index)


def _score_chunks(files: CleanedFiles, instrument, config: Config, folder: Path):
    """Scores to ``scores.parquet`` (two passes, for the gaps); the analysis frame and triage table."""
    partial = folder / ".scores-chunks.parquet"
    try:
        gaps = _whole_file_gaps(files, instrument, config, partial)
        analysed, triaged = [], []
        with atomic_write(folder / SPOOL_FILES["scores"]) as target, ParquetParts(target) as out:
            import pyarrow.parquet as pq

            chunk_scores = pq.ParquetFile(partial).iter_batches(batch_size=config.chunk_rows)
            for (start, data), batch in zip(_chunks(files.paths["data"], config.chunk_rows), chunk_scores,
                                            strict=True):
                scores = batch.to_pandas().set_axis(data.index)
                for name in gaps.columns:
                    scores[name] = gaps[name].iloc[start:start + len(data)].set_axis(scores.index)
                out.write(scores)
                analysed.append(_analysis_frame(data, files.flags.iloc[start:start + len(data)], scores, instrument,
                                                config))
                triaged.append(_triage(data, scores, instrument, config))
                del data, scores
    finally:
        partial.unlink(missing_ok=True)
    triage = None if any(t is None for t in triaged) else joined(triaged, "data", [], [])
    return joined(analysed, "flags", [], []), triage  # column by column: the frame once, not twice


def _reliability(path: Path, instrument) -> pd.DataFrame:
    """:func:`toolkit.scales.reliability`, one scale's items read at a time."""
    import pyarrow.parquet as pq

    present = set(pq.ParquetFile(path).schema_arrow.names)
    rows = []
    for name, scale in instrument.scales.items():  # the items and their kinds of missing answer
        columns = [c for i in scale.items for c in (i, f"{i}_missing") if c in present]
        frame = pd.read_parquet(path, columns=columns) if columns else pd.DataFrame(index=range(0))
        rows.append(reliability(frame, instrument, scales=[name]))
    return pd.concat(rows, ignore_index=True)


def clean_and_score(source, instrument, key: str, config: Config, step, cleaning: dict, spool):
    """The streamed route's first stages: (cleaned files, None, analysis frame, reliability, triage)."""
    folder = _checked_folder(source, spool)
    step("read")  # reading and cleaning alternate chunk by chunk: their time is the clean stage's
    step("clean")
    files = clean_parquet_to(source, instrument, out=folder / SPOOL_FILES["cleaned"], log=folder / SPOOL_FILES["log"],
                             flags=folder / SPOOL_FILES["flags"], chunk_rows=config.chunk_rows, pseudonym_key=key,
                             **cleaning)
    step("score")
    data, triage = _score_chunks(files, instrument, config, folder)
    step("reliability")
    rel = _reliability(files.paths["data"], instrument)
    return files, None, data, rel, triage


def engine_design(data: pd.DataFrame, design, names: list[str], population, margins: list[str], config: Config,
                  spool):
    """The analysed rows' estimate columns in ``analysis.parquet`` as a DuckDB design, raked as ``design`` was.

    ``data`` and ``design`` are the in-memory analysis frame and its design before raking; the columns
    the estimates read (the design's, the margins, groups and outcomes ``names``) are written in row
    groups of ``config.chunk_rows``.
    """
    from toolkit.pipeline._stages import _margins
    from toolkit.survey import Design

    wanted = [design.weights_col, design.strata_col, *design.psu_cols, *margins, *config.groups, *names]
    columns = [c for c in dict.fromkeys(wanted) if c is not None and c in data]
    path = Path(spool) / SPOOL_FILES["analysis"]
    with atomic_write(path) as partial:
        data[columns].to_parquet(partial, index=False, row_group_size=config.chunk_rows)
    engine = Design(path, weights=design.weights_col, strata=design.strata_col, psu=design.psu_cols or None,
                    engine="duckdb", min_cell=config.min_cell)
    return engine.rake(_margins(population, margins), max_iter=50) if margins else engine
