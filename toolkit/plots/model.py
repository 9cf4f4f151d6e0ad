"""The risk model: a forest plot of odds ratios and calibration plots, drawn from the model's tables.

:func:`forest` takes a coefficient table: ``SurveyGLM.table`` (term, coef,
ci_low, ci_high, odds_ratio, odds_ratio_ci_low, odds_ratio_ci_high) or
``ExclusionRiskModel.table_`` (the same with variable, level, reference).
:func:`calibration` takes the model's calibration tables (see its docstring
for the columns). Nothing is estimated here; odds ratios missing from a
table are the exponent of its coefficients and their interval ends.

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> table = pd.DataFrame({"term": ["Intercept", "C(age_band)[T.75+]"], "coef": [-1.1, 2.2],
...                       "ci_low": [-1.5, 1.7], "ci_high": [-0.7, 2.7]})
>>> fig = forest(table, instrument="dis-full")
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['Age band: 75+']
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
from toolkit.plots._text import check_lang, code_label, term_parts, ui
from toolkit.plots.style import GREY, colors, styled

__all__ = ["forest", "calibration"]


def _odds(table: pd.DataFrame) -> pd.DataFrame:
    """variable, level, estimate, ci_low, ci_high (odds ratios), reference, per non-intercept row."""
    if "odds_ratio" in table:
        check_frame(table, "data", columns=["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"],
                    error=OptionError)
        out = pd.DataFrame({"estimate": table["odds_ratio"], "ci_low": table["odds_ratio_ci_low"],
                            "ci_high": table["odds_ratio_ci_high"]})
    else:
        check_frame(table, "data", columns=["coef", "ci_low", "ci_high"], error=OptionError)
        out = pd.DataFrame({c: np.exp(table[k]) for c, k in
                            (("estimate", "coef"), ("ci_low", "ci_low"), ("ci_high", "ci_high"))})
    if {"variable", "level"} <= set(table.columns):
        out["variable"], out["level"] = table["variable"], table["level"]
    else:
        check_frame(table, "data", columns=["term"], error=OptionError)
        parts = table["term"].map(term_parts)
        out["variable"] = parts.map(lambda p: p[0] if p else None)
        out["level"] = parts.map(lambda p: p[1] if p else None)
    for extra in ("reference", "suppressed"):
        if extra in table:
            out[extra] = table[extra]
    return out[out["variable"].notna()]


@styled
def forest(data: pd.DataFrame, *, instrument, lang: str = "en", conf_level: float = 0.95,
           title: str | None = None) -> Figure:
    """Forest plot of odds ratios with confidence intervals, grouped by predictor, on a log scale.

    Parameters
    ----------
    data : pandas.DataFrame
        A coefficient table with ``odds_ratio``, ``odds_ratio_ci_low``,
        ``odds_ratio_ci_high`` (or ``coef``, ``ci_low``, ``ci_high``), and
        ``variable``/``level`` or patsy ``term`` names (``C(education)[T.2.0]``).
        A ``reference`` column adds each predictor's reference level at 1.
    instrument : Instrument, str or path
        Labels of the predictors' levels.
    lang : {"en", "da"}
    conf_level : float, default 0.95
        The level of the table's intervals, for the axis label.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"variable": ["education"], "level": ["5.0"], "reference": ["1.0"],
    ...                       "odds_ratio": [0.22], "odds_ratio_ci_low": [0.14], "odds_ratio_ci_high": [0.34]})
    >>> fig = forest(table, instrument="dis-full", lang="da")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][0]
    'Uddannelse: Grundskole (reference)'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    rows = _odds(data)
    variables = list(pd.unique(rows["variable"]))
    labels, ticks, y = [], [], 0.0
    fig, ax = plt.subplots(figsize=(8, 0.36 * (len(rows) + 2 * len(variables)) + 1.5))
    for variable, color in zip(variables, colors(len(variables)), strict=True):
        cells = rows[rows["variable"] == variable]
        name = ui(variable, lang)
        if "reference" in cells and pd.notna(cells["reference"].iloc[0]):
            ax.plot(1, y, marker="D", color=color, mfc="white", ls="none")
            labels.append(f"{name}: {code_label(instrument, variable, cells['reference'].iloc[0], lang)} "
                          f"({ui('reference', lang)})")
            ticks.append(y)
            y += 1
        positions = np.arange(y, y + len(cells))
        _draw.estimates(ax, cells.reset_index(drop=True), positions, color=color, lang=lang, suppressed_at=1.0)
        labels += [f"{name}: {code_label(instrument, variable, lv, lang)}" for lv in cells["level"]]
        ticks += list(positions)
        y += len(cells) + 0.6
    ax.set_yticks(ticks, labels)
    ax.axvline(1, color=GREY, lw=1, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
    ax.invert_yaxis()
    ax.set_xlabel(ui("odds_ratio", lang, conf=f"{100 * conf_level:g}"))
    ax.set_title(title or ui("forest_title", lang))
    fig.tight_layout()
    return fig


def _group_names(data: pd.DataFrame, instrument, lang: str) -> pd.Series:
    if "group" in data:
        return data["group"].astype(str)
    check_frame(data, "by_group", columns=["variable", "level"], error=OptionError)
    return pd.Series([f"{ui(v, lang)}: {code_label(instrument, v, lv, lang)}"
                      for v, lv in zip(data["variable"], data["level"], strict=True)], index=data.index)


def _bins(ax, data: pd.DataFrame, lang: str) -> None:
    kinds = list(pd.unique(data["predictions"])) if "predictions" in data else [None]
    for kind, color in zip(kinds, colors(len(kinds)), strict=True):
        cells = data if kind is None else data[data["predictions"] == kind]
        frame = cells.rename(columns={"observed": "estimate"}).reset_index(drop=True)
        if "ci_low" not in frame:
            frame = frame.assign(ci_low=frame["estimate"], ci_high=frame["estimate"])
        ax.plot(frame["predicted"], frame["estimate"], color=color, lw=1, alpha=0.6)
        _draw.estimates(ax, frame, frame["predicted"], color=color, lang=lang, horizontal=False,
                        label=ui(kind, lang) if kind else None)
    top = float(np.nanmax([data["predicted"].max(), data["observed"].max(), 0.05])) * 1.1
    ax.plot([0, top], [0, top], color=GREY, ls="--", lw=1)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    for axis in (ax.xaxis, ax.yaxis):
        _draw.percent_axis(axis)
    ax.set_xlabel(ui("predicted", lang))
    ax.set_ylabel(ui("observed", lang))
    ax.set_title(ui("overall_bins", lang), fontsize=10)
    if kinds != [None]:
        ax.legend(loc="upper left")


def _groups(ax, data: pd.DataFrame, instrument, lang: str) -> None:
    if "predictions" in data:
        data = data[data["predictions"] == data["predictions"].iloc[-1]]
    predicted = "predicted" if "predicted" in data else "expected"
    names = _group_names(data, instrument, lang)
    y = np.arange(len(data))
    house = colors(2)
    ax.plot(data[predicted], y, marker="o", mfc="white", color=house[1], ls="none", label=ui("predicted", lang))
    frame = data.rename(columns={"observed": "estimate"}).reset_index(drop=True)
    low, high = ("observed_ci_low", "observed_ci_high") if "observed_ci_low" in frame else ("ci_low", "ci_high")
    if low not in frame:
        frame = frame.assign(**{low: frame["estimate"], high: frame["estimate"]})
    _draw.estimates(ax, frame, y, color=house[0], lang=lang, low=low, high=high, label=ui("observed", lang))
    ax.set_yticks(y, names)
    ax.set_ylim(len(data) - 0.5, -0.5)
    _draw.percent_axis(ax.xaxis)
    ax.set_xlabel(ui("share_short", lang))
    ax.set_title(ui("by_group", lang), fontsize=10)
    ax.legend(handles=[Line2D([], [], marker="o", mfc="white", color=house[1], ls="none", label=ui("predicted", lang)),
                       Line2D([], [], marker="o", color=house[0], label=ui("observed", lang))], loc="upper center",
              bbox_to_anchor=(0.5, -0.12), ncol=2)


@styled
def calibration(data: pd.DataFrame, *, by_group: pd.DataFrame | None = None, instrument, lang: str = "en") -> Figure:
    """Calibration: observed against predicted risk by bin, and (optionally) per group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per bin of predicted risk (``ExclusionRiskModel.calibration_table_``):
        ``predicted`` (mean predicted risk), ``observed`` (weighted observed
        share), optionally ``ci_low``/``ci_high`` of the observed share,
        ``bin``, ``n``, ``suppressed``, and ``predictions`` (e.g. "in_sample",
        "cross_validated": one line each).
    by_group : pandas.DataFrame, optional
        One row per group (``ExclusionRiskModel.calibration_by_group_``):
        a ``group`` column, or ``variable`` and ``level``; ``predicted`` or
        ``expected``; ``observed``; optionally ``observed_ci_low``/``observed_ci_high``
        (or ``ci_low``/``ci_high``), ``suppressed`` and ``predictions`` (the
        last kind is drawn).
    instrument : Instrument, str or path
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure
        One panel, or two with ``by_group``.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> bins = pd.DataFrame({"bin": [1, 2], "predicted": [0.1, 0.4], "observed": [0.12, 0.38],
    ...                      "ci_low": [0.08, 0.3], "ci_high": [0.16, 0.46]})
    >>> groups = pd.DataFrame({"variable": "age_band", "level": ["18-29", "75+"],
    ...                        "expected": [0.15, 0.5], "observed": [0.14, 0.55]})
    >>> fig = calibration(bins, by_group=groups, instrument="dis-full")
    >>> fig.axes[0].get_xlabel(), len(fig.axes)
    ('Predicted risk', 2)
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["predicted", "observed"], error=OptionError)
    panels = 1 if by_group is None or len(by_group) == 0 else 2
    rows = 0 if panels == 1 else len(by_group) // max(1, by_group.get("predictions", pd.Series([0])).nunique())
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels + 1, max(4.8, 0.3 * rows + 1.5)), squeeze=False)
    _bins(axes[0, 0], data, lang)
    if panels == 2:
        _groups(axes[0, 1], by_group, instrument, lang)
    fig.suptitle(ui("calibration_title", lang))
    fig.tight_layout()
    return fig
