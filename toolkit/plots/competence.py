"""Competence levels by group, and self-report against knowledge (the confidence gap).

The tables come from :func:`toolkit.plots.data.level_shares` and
:func:`toolkit.plots.data.confidence_table` (design-based shares and means);
this module only draws them.

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> t = pd.DataFrame({"scale": "practical_sr", "by": "age_band", "group": ["18-29", "75+"], "level": "low",
...                   "estimate": [0.02, 0.78], "ci_low": [0.01, 0.71], "ci_high": [0.05, 0.83]})
>>> fig = competence_levels(t, instrument="dis-full")
>>> fig.axes[0].get_title()
'Practical-technical: self-report'
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.instrument.vocabulary import LEVELS
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, code_label, domain_label, scale_label, ui
from toolkit.plots.exclusion import _order
from toolkit.plots.style import GREY, HATCH, colors, styled

__all__ = ["competence_levels", "confidence_gap"]

CONFIDENCE = ("underconfident", "aligned", "overconfident")


def _confidence_colors() -> dict[str, tuple | str]:
    house = colors(4)
    return {"underconfident": house[3], "aligned": GREY, "overconfident": house[0]}


def _level_colors() -> dict[str, tuple]:
    """Ordered: vermilion, light blue, dark blue."""
    house = colors(10)
    return {"low": house[3], "basic": house[9], "above_basic": house[0]}


@styled
def competence_levels(data: pd.DataFrame, *, instrument, lang: str = "en", marks: dict | None = None) -> Figure:
    """Share at each competence level by group, one panel per scale, with confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.level_shares` for one ``by``: scale, by,
        group, level, estimate, ci_low, ci_high, and optionally suppressed.
    instrument : Instrument, str or path
    lang : {"en", "da"}
    marks : dict, optional
        ``min_cell`` and ``conf_level`` for the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Self-report scales in the first row, knowledge scales in the second,
        domains across.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"scale": "bureaucratic_kn", "by": "education", "group": ["1", "6"], "level": "low",
    ...                   "estimate": [0.4, 0.1], "ci_low": [0.3, 0.05], "ci_high": [0.5, 0.2]})
    >>> fig = competence_levels(t, instrument="dis-full", lang="da")
    >>> fig.axes[0].get_yticklabels()[0].get_text()
    'Grundskole'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["scale", "by", "group", "level", "estimate", "ci_low", "ci_high"],
                error=OptionError)
    by = data["by"].iloc[0]
    scales = [s for s in instrument.scales if s in set(data["scale"])]
    kinds = [k for k in ("self_report", "knowledge") if any(instrument.scales[s].kind == k for s in scales)]
    domains = [d for d in instrument.domains if any(instrument.scales[s].domain == d for s in scales)]
    order = _order(data["group"])
    fig, axes = plt.subplots(len(kinds), len(domains), figsize=(3.1 * len(domains) + 2.2, 0.5 * len(order) * len(kinds)
                             + 2.2), sharex=True, sharey=True, squeeze=False)
    palette = _level_colors()
    for sc in scales:
        spec = instrument.scales[sc]
        ax = axes[kinds.index(spec.kind), domains.index(spec.domain)]
        for k, level in enumerate(LEVELS):
            cells = data[(data["scale"] == sc) & (data["level"].astype(str) == level)]
            cells = cells.set_index(cells["group"].astype(str)).reindex(order).reset_index(drop=True)
            _draw.estimates(ax, cells, np.arange(len(order)) + (k - 1) * 0.25, color=palette[level], lang=lang,
                            size=5)
        ax.set_title(scale_label(instrument, sc, lang), fontsize=9)
    axes[0, 0].set_yticks(np.arange(len(order)), [code_label(instrument, by, g, lang) for g in order])
    axes[0, 0].set_ylim(len(order) - 0.5, -0.5)
    for ax in axes[-1]:
        _draw.percent_axis(ax.xaxis)
        ax.set_xlabel(ui("share_short", lang))
        ax.set_xlim(0, 1)
    for ax in axes[:, 0]:
        ax.set_ylabel(ui(by, lang))
    handles = [Patch(color=palette[lv], label=ui(lv, lang)) for lv in LEVELS]
    handles += _draw.mark_handles(lang, **(marks or {}))[2:]
    fig.legend(handles=handles, title=ui("level", lang), loc="lower center", ncol=len(handles),
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(ui("competence_title", lang, by=ui(by, lang).lower()))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _stacked(ax, shares: pd.DataFrame, y: int, lang: str) -> None:
    """One domain's shares under, aligned and over, stacked; a suppressed share is a hatched grey gap."""
    palette = _confidence_colors()
    left = 0.0
    cells = shares.set_index("statistic")
    for klass in CONFIDENCE:
        if klass not in cells.index:
            continue
        row = cells.loc[klass]
        hidden = bool(row.get("suppressed", False)) or pd.isna(row["estimate"])
        value = 0.0 if hidden else float(row["estimate"])
        ax.barh(y, value, left=left, color=palette[klass], height=0.6, edgecolor="white")
        if value >= 0.06:
            ax.text(left + value / 2, y, f"{100 * value:.0f} %", ha="center", va="center", fontsize=8,
                    color="white" if klass != "aligned" else "black")
        if hidden:
            ax.annotate(ui("suppressed_short", lang), (left, y), xytext=(3, 8), textcoords="offset points",
                        fontsize=7, color=GREY)
            ax.barh(y, 0.02, left=left, color="none", hatch=HATCH, edgecolor=GREY, height=0.6)
        left += value


@styled
def confidence_gap(data: pd.DataFrame, *, instrument, lang: str = "en") -> Figure:
    """Self-report against knowledge per domain: the mean gap with its CI, and who is over- or underconfident.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.confidence_table`: domain, statistic
        ("mean_gap", "underconfident", "aligned", "overconfident"), estimate,
        ci_low, ci_high, and optionally suppressed.
    instrument : Instrument, str or path
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> stats = ["mean_gap", "underconfident", "aligned", "overconfident"]
    >>> t = pd.DataFrame({"domain": "practical", "statistic": stats,
    ...                   "estimate": [0.0, 0.13, 0.75, 0.12], "ci_low": [-0.04, 0.12, 0.72, 0.11],
    ...                   "ci_high": [0.04, 0.15, 0.76, 0.14]})
    >>> fig = confidence_gap(t, instrument="dis-full")
    >>> fig.axes[0].get_xlabel()
    'Mean confidence gap (SD)'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["domain", "statistic", "estimate", "ci_low", "ci_high"], error=OptionError)
    domains = [d for d in instrument.domains if d in set(data["domain"])]
    fig, (gap_ax, share_ax) = plt.subplots(1, 2, figsize=(11, 0.6 * len(domains) + 2.2), sharey=True,
                                           gridspec_kw={"width_ratios": [1, 1.6]})
    means = data[data["statistic"] == "mean_gap"].set_index("domain").reindex(domains).reset_index()
    _draw.estimates(gap_ax, means, np.arange(len(domains)), color=colors(1)[0], lang=lang)
    gap_ax.axvline(0, color="black", lw=0.8)
    gap_ax.set_xlabel(ui("mean_gap", lang))
    gap_ax.set_yticks(np.arange(len(domains)), [domain_label(instrument, d, lang) for d in domains])
    gap_ax.set_ylim(len(domains) - 0.5, -0.5)
    gap_ax.annotate(ui("gap_note", lang), (1, 1), xycoords="axes fraction", ha="right", va="bottom", fontsize=8,
                    color=GREY)
    for y, domain in enumerate(domains):
        _stacked(share_ax, data[(data["domain"] == domain) & (data["statistic"] != "mean_gap")], y, lang)
    _draw.percent_axis(share_ax.xaxis)
    share_ax.set_xlim(0, 1)
    share_ax.set_xlabel(ui("share", lang))
    share_ax.legend(handles=[Patch(color=c, label=ui(k, lang)) for k, c in _confidence_colors().items()],
                    loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3)
    fig.suptitle(ui("gap_title", lang))
    fig.tight_layout()
    return fig
