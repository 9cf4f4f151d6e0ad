"""Does the screener triage people as the full questionnaire would?

The screener's items are a subset of the full questionnaire's, with the same
ids, codes and wording, so the screener's triage can be applied to people who
answered the full survey and compared with their full triage. Agreement is
the weighted share of identical categories; sensitivity and specificity are
for "needs support" (``offline_alternative``, ``assisted_digital`` or
``skills_training``) against the rest, with the full triage as the
reference. All are design-based (R's ``svyciprop`` logit intervals through
:meth:`toolkit.survey.Design.proportion`), and every table passes the
small-cell policy of :mod:`toolkit.disclosure`.

Examples
--------
>>> SUPPORT
('offline_alternative', 'assisted_digital', 'skills_training')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, check_conf_level, check_frame
from toolkit.disclosure import suppress
from toolkit.errors import ResponseError
from toolkit.risk.triage.evaluate import triage
from toolkit.risk.triage.rules import CATEGORIES
from toolkit.scales import score
from toolkit.survey import Design

#: Categories that count as "needs support" for sensitivity and specificity.
SUPPORT = CATEGORIES[:3]

_MEASURES = (  # measure, indicator, domain column and value (None: everyone), level counted
    ("agreement", "_agree", None, None, True),
    ("sensitivity", "_screen_support", "_full_support", True, True),
    ("specificity", "_screen_support", "_full_support", False, False),
)


@dataclass(frozen=True)
class ScreenerValidation:
    """Screener against full triage: ``measures`` (one row per measure) and the weighted ``confusion`` table.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["agreement"], "estimate": [0.8], "se": [0.02], "ci_low": [0.76],
    ...                   "ci_high": [0.84], "n": [100], "suppressed": [False], "note": [""]})
    >>> ScreenerValidation(t, pd.DataFrame()).summary()["estimate"].tolist()
    [0.8]
    """

    measures: pd.DataFrame
    confusion: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Agreement, sensitivity and specificity with their CIs and respondents.

        Examples
        --------
        >>> ScreenerValidation(pd.DataFrame({"measure": [], "estimate": [], "ci_low": [], "ci_high": [],
        ...                                  "n": []}), pd.DataFrame()).summary().columns.tolist()
        ['measure', 'estimate', 'ci_low', 'ci_high', 'n']
        """
        return self.measures[["measure", "estimate", "ci_low", "ci_high", "n"]].copy()


def _measures(design: Design, conf_level: float, min_cell) -> pd.DataFrame:
    rows = []
    for measure, indicator, by, value, level in _MEASURES:
        table = design.proportion(indicator, by=by, conf_level=conf_level, min_cell=min_cell)
        keep = table["level"].astype(str) == str(level)
        if by is not None:
            keep &= table[by].astype(str) == str(value)
        row = table[keep].drop(columns=[c for c in ("variable", "level", by) if c in table.columns])
        rows.append(row.assign(measure=measure))
    out = pd.concat(rows, ignore_index=True)
    return out[["measure"] + [c for c in out.columns if c != "measure"]]


def _confusion(full: pd.Series, screener: pd.Series, weights: np.ndarray, min_cell) -> pd.DataFrame:
    cells = pd.DataFrame({"full": full.to_numpy(), "screener": screener.to_numpy(), "w": weights})
    table = (cells.groupby(["full", "screener"], observed=True)["w"].agg(["size", "sum"])
             .reset_index().rename(columns={"size": "n", "sum": "count"}))
    table["share"] = table["count"] / weights.sum()
    return suppress(table, n="n", min_cell=min_cell, columns=["count", "share"], sets=())


def validate_screener(data_full: pd.DataFrame, scores_full: pd.DataFrame, full_instrument, screener_instrument, *,
                      design: Design | None = None, rules=None, conf_level: float = 0.95,
                      min_cell: int | None = None) -> ScreenerValidation:
    """Apply the screener's triage to full-survey respondents and compare it with their full triage.

    Parameters
    ----------
    data_full : pd.DataFrame
        Cleaned answers to the full questionnaire (with ``design_weight`` and
        ``stratum`` unless ``design`` is given).
    scores_full : pd.DataFrame
        ``toolkit.score(data_full, full_instrument)``. The screener's scores are
        built here from the same answers, ``toolkit.score(data_full, screener_instrument)``.
    full_instrument, screener_instrument : Instrument, str or path
        E.g. ``"dis-full"`` and ``"dis-screener"``.
    design : toolkit.survey.Design, optional
        A design on the rows of ``data_full``; default
        ``Design(data_full, weights="design_weight", strata="stratum")``.
    rules : path or dict, optional
        Triage rules covering both instruments; default the bundled file.
    conf_level : float
        Confidence level of the intervals.
    min_cell : int, optional
        Small-cell threshold (default that of :mod:`toolkit.disclosure`).

    Returns
    -------
    ScreenerValidation
        ``measures``: agreement, sensitivity, specificity (estimate, se,
        ci_low, ci_high, n, suppressed, note); ``confusion``: full x screener
        category with respondents ``n``, weighted ``count`` and ``share``.

    Examples
    --------
    >>> import toolkit
    >>> raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), "dis-full")
    >>> data = toolkit.clean(raw, "dis-full", pseudonym_key="doc").data
    >>> result = validate_screener(data, toolkit.score(data, "dis-full"), "dis-full",
    ...                            "dis-screener")
    >>> result.summary()["measure"].tolist()
    ['agreement', 'sensitivity', 'specificity']
    """
    full, screener = as_instrument(full_instrument), as_instrument(screener_instrument)
    check_frame(data_full, "data_full", columns=screener.item_ids, error=ResponseError)
    conf_level = check_conf_level(conf_level)
    by_full = triage(data_full, scores_full, full, rules=rules)["category"]
    by_screener = triage(data_full, score(data_full, screener), screener, rules=rules)["category"]
    indicators = {
        "_agree": (by_full.astype(str) == by_screener.astype(str)).to_numpy(),
        "_full_support": by_full.isin(SUPPORT).to_numpy(),
        "_screen_support": by_screener.isin(SUPPORT).to_numpy(),
    }
    if design is None:
        check_frame(data_full, "data_full", columns=["design_weight", "stratum"], error=ResponseError)
        design = Design(data_full.assign(**indicators), weights="design_weight", strata="stratum")
    else:
        design = design.update(**indicators)
    return ScreenerValidation(_measures(design, conf_level, min_cell),
                              _confusion(by_full, by_screener, np.asarray(design.weights), min_cell))
