"""The pipeline's result: :class:`Results`, every table a run produced (the results contract in DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

ESTIMATE_COLUMNS = ("outcome", "by", "group", "group_label", "estimate", "se", "ci_low", "ci_high", "cv", "n",
                    "reliable", "suppressed", "note")

__all__ = ["Results", "ESTIMATE_COLUMNS"]


@dataclass(frozen=True)
class Results:
    """Everything a run produced, as tidy tables (the results contract in DESIGN.md).

    Attributes
    ----------
    cleaned : Cleaned or CleanedFiles
        The cleaning result: data, log, flags, totals. A streamed run
        (``run(spool=)``) gives a :class:`~toolkit.cleaning.to_files.CleanedFiles`:
        the files it wrote, the flags and totals; ``select(columns)`` reads columns back.
    scores : pd.DataFrame or None
        Scale scores, levels and confidence gaps, one row per cleaned respondent
        (a streamed run: None, they are in the folder's ``scores.parquet``).
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
        and item of the Digital Inclusion Index (with ``<item>_missing``), and the scale scores, levels, shares correct
        and confidence gaps. Other items are in ``cleaned.data``, the scores'
        counts and reasons in ``scores``.
    triage : pd.DataFrame or None
        One support category per respondent (category, domain, reasons), when the
        triage rules cover the instrument. Person-level: for the person being helped.
    meta : dict
        Instrument id and version, toolkit version, input SHA-256, row counts,
        pseudonym stability, imputed cells, whether the estimates are raked.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.pipeline import Config, run
    >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=()))
    >>> res.summary().columns.tolist()
    ['outcome', 'estimate', 'ci_low', 'ci_high', 'n', 'reliable']
    >>> res.meta["instrument"], res.meta["raked"]
    ('dis-full', False)
    """

    cleaned: Any
    scores: pd.DataFrame | None
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
        >>> from toolkit.pipeline import Config, run
        >>> res = run(toolkit.datasets.path("sample_survey.csv"), "dis-full", config=Config(groups=()))
        >>> res.summary()["outcome"].tolist()[:3]
        ['offline', 'exempt', 'needs_help']
        """
        overall = self.estimates[self.estimates["by"] == "overall"]
        return overall[["outcome", "estimate", "ci_low", "ci_high", "n", "reliable"]].reset_index(drop=True)


