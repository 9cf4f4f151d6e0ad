"""Exclusion outcomes by group, and the projected number of residents per district.

Both figures draw tables of :class:`~toolkit.pipeline.Results` as they are:
``Results.estimates`` (one row per outcome and group, with ``suppressed`` and
``reliable``) and ``Results.projection`` (district x outcome x method).
Suppressed cells are marked with a grey cross and the word, never left out;
estimates whose coefficient of variation is above the run's threshold are
drawn open.

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> est = pd.DataFrame({"outcome": "offline", "by": "district", "group": ["1", "2"],
...                     "estimate": [0.05, None], "ci_low": [0.03, None], "ci_high": [0.08, None],
...                     "reliable": [True, False], "suppressed": [False, True]})
>>> fig = exclusion_by_group(est, instrument="dis-full", by="district")
>>> [t.get_text() for t in fig.axes[0].texts]
['suppressed']
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, code_label, number, outcome_label, ui, wrap
from toolkit.plots.style import GREY, colors, styled

__all__ = ["exclusion_by_group", "projection"]

METHODS = ("direct", "model", "fay_herriot")


def _order(groups: pd.Series) -> list[str]:
    """Groups in code order (1, 2, ..., 10), text groups alphabetically."""
    values = pd.unique(groups.astype(str))
    codes = pd.to_numeric(pd.Series(values), errors="coerce")
    return [values[i] for i in np.lexsort((values, codes.fillna(np.inf).to_numpy()))]


@styled
def exclusion_by_group(data: pd.DataFrame, *, instrument, lang: str = "en", by: str = "district", outcomes=None,
                       marks: dict | None = None) -> Figure:
    """Prevalence of every outcome by group, with confidence intervals and the overall share.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Results.estimates``: outcome, by, group, estimate, ci_low, ci_high,
        and optionally reliable and suppressed.
    instrument : Instrument, str or path
        Labels of outcomes and groups.
    lang : {"en", "da"}
    by : str
        The grouping whose rows are drawn (``district``, ``age_band``, ...).
    outcomes : list of str, optional
        Default every outcome in ``data``, in order.
    marks : dict, optional
        ``min_cell``, ``cv_threshold``, ``conf_level`` for the legend (the run's config).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome, groups on the vertical axis.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> est = pd.DataFrame({"outcome": "offline", "by": "age_band", "group": ["18-29", "75+"],
    ...                     "estimate": [0.01, 0.3], "ci_low": [0.0, 0.2], "ci_high": [0.02, 0.4]})
    >>> fig = exclusion_by_group(est, instrument="dis-full", by="age_band", lang="da")
    >>> fig.axes[0].get_ylabel()
    'Aldersgruppe'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["outcome", "by", "group", "estimate", "ci_low", "ci_high"], error=OptionError)
    rows = data[data["by"] == by]
    if rows.empty:
        raise OptionError(f"data has no rows with by == {by!r}; it has {', '.join(map(str, data['by'].unique()))}")
    outcomes = list(pd.unique(rows["outcome"])) if outcomes is None else list(outcomes)
    order = _order(rows["group"])
    overall = data[data["by"] == "overall"].set_index("outcome")["estimate"]
    ncols = min(4, len(outcomes))
    nrows = int(np.ceil((len(outcomes) + 1) / ncols)) if len(outcomes) > 1 else 1
    height = max(2.2, 0.34 * len(order) + 1.2)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols + 1.5, height * nrows), sharey=True, squeeze=False)
    for ax, outcome, color in zip(axes.flat, outcomes, colors(len(outcomes)), strict=False):
        cells = rows[rows["outcome"] == outcome].set_index(rows.loc[rows["outcome"] == outcome, "group"].astype(str))
        cells = cells.reindex(order)
        _draw.estimates(ax, cells.reset_index(drop=True), np.arange(len(order)), color=color, lang=lang)
        if outcome in overall.index and pd.notna(overall[outcome]):
            ax.axvline(overall[outcome], color=GREY, ls="--", lw=1, zorder=1)
        ax.set_title(wrap(outcome_label(instrument, outcome, lang), 30), fontsize=10)
        ax.set_xlim(left=0)
        _draw.percent_axis(ax.xaxis)
        ax.set_xlabel(ui("share_short", lang))
    axes[0, 0].set_yticks(np.arange(len(order)), [code_label(instrument, by, g, lang) for g in order])
    axes[0, 0].set_ylim(len(order) - 0.5, -0.5)
    for ax in axes[:, 0]:
        ax.set_ylabel(ui(by, lang))
    spare = _draw.hide_unused(axes, len(outcomes))
    handles = _draw.mark_handles(lang, **(marks or {}))
    handles.append(Line2D([], [], color=GREY, ls="--", label=ui("overall", lang)))
    (spare[0] if spare else fig).legend(handles=handles, loc="center" if spare else "lower center",
                                         **({} if spare else {"ncol": 4, "bbox_to_anchor": (0.5, -0.02)}))
    fig.suptitle(ui("exclusion_title", lang, by=ui(by, lang).lower()))
    fig.tight_layout()
    return fig


@styled
def projection(data: pd.DataFrame, *, instrument, lang: str = "en", outcome: str | None = None,
               marks: dict | None = None) -> Figure:
    """Projected number of residents per district: direct, model and Fay-Herriot side by side.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Results.projection``: district, outcome, method, count,
        count_ci_low, count_ci_high, and optionally preferred and suppressed.
    instrument : Instrument, str or path
    lang : {"en", "da"}
    outcome : str, optional
        Default the first outcome in ``data``.
    marks : dict, optional
        As in :func:`exclusion_by_group`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> proj = pd.DataFrame({"district": [1, 1], "outcome": "needs_help", "method": ["direct", "model"],
    ...                      "count": [1900.0, 2000], "count_ci_low": [1400.0, 1800], "count_ci_high": [2400.0, 2200],
    ...                      "preferred": [True, False]})
    >>> fig = projection(proj, instrument="dis-full")
    >>> fig.axes[0].get_ylabel()
    'Projected number of residents'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["district", "outcome", "method", "count", "count_ci_low", "count_ci_high"],
                error=OptionError)
    outcome = data["outcome"].iloc[0] if outcome is None else outcome
    rows = data[data["outcome"] == outcome]
    if rows.empty:
        raise OptionError(f"data has no projection for outcome {outcome!r}")
    order = _order(rows["district"].map(lambda v: f"{v:g}" if isinstance(v, int | float) else str(v)))
    methods = [m for m in METHODS if m in set(rows["method"])]
    fig, ax = plt.subplots(figsize=(max(7.0, 1.15 * len(order) + 2), 4.8))
    width = 0.8 / len(methods)
    for k, (method, color) in enumerate(zip(methods, colors(len(methods)), strict=True)):
        cells = rows[rows["method"] == method]
        cells = cells.set_index(cells["district"].map(lambda v: f"{v:g}" if isinstance(v, int | float) else str(v)))
        cells = cells.reindex(order).reset_index(drop=True)
        x = np.arange(len(order)) - 0.4 + width * (k + 0.5)
        _draw.estimates(ax, cells, x, color=color, lang=lang, value="count", low="count_ci_low",
                        high="count_ci_high", horizontal=False, label=ui(method, lang))
        if "preferred" in cells:
            best = cells["preferred"].fillna(False).astype(bool).to_numpy() & cells["count"].notna().to_numpy()
            ax.plot(x[best], cells.loc[best, "count"], marker="o", ms=12, mfc="none", mec="black", ls="none")
    ax.set_xticks(np.arange(len(order)), [code_label(instrument, "district", d, lang) for d in order],
                  rotation=30, ha="right")
    ax.set_xlabel(ui("district", lang))
    ax.set_ylabel(ui("projection_y", lang))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(lambda v, _pos: number(v, lang))
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], marker="o", ms=12, mfc="none", mec="black", ls="none", label=ui("preferred", lang)),
                *_draw.mark_handles(lang, **(marks or {}))[2:]]
    ax.legend(handles=handles, title=ui("method", lang), loc="upper left", bbox_to_anchor=(1.01, 1))
    label = outcome_label(instrument, outcome, lang)
    ax.set_title(wrap(label, 70))
    fig.tight_layout()
    return fig
