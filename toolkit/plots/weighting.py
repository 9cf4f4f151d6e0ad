"""Weighting diagnostics as Meta's ``balance`` shows them: a love plot, the weights, the design effect.

The tables come from :mod:`toolkit.plots.data` (:func:`~toolkit.plots.data.balance_table`,
:func:`~toolkit.plots.data.weights_table`, :func:`~toolkit.plots.data.design_effects`);
this module only draws them.

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> t = pd.DataFrame({"variable": "age_band", "level": ["18-29", "75+"], "smd_before": [-0.2, -0.15],
...                   "smd_after": [0.0, 0.01]})
>>> fig = love_plot(t, instrument="dis-full")
>>> fig.axes[0].get_xlabel()
'Standardised mean difference from the population'
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.plots._text import check_lang, code_label, ui
from toolkit.plots.style import GREY, colors, styled

__all__ = ["love_plot", "weight_distribution", "design_effect"]


@styled
def love_plot(data: pd.DataFrame, *, instrument, lang: str = "en", limit: float = 0.1) -> Figure:
    """Standardised mean differences of every auxiliary level before (open) and after (filled) raking.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.balance_table`: variable, level, smd_before, smd_after.
    instrument : Instrument, str or path
    lang : {"en", "da"}
    limit : float, default 0.1
        Where the dashed lines go (the usual rule of thumb for balance).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"variable": "gender", "level": ["1"], "smd_before": [0.1], "smd_after": [0.0]})
    >>> fig = love_plot(t, instrument="dis-full", lang="da")
    >>> fig.axes[0].get_yticklabels()[0].get_text()
    'Køn: Kvinde'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["variable", "level", "smd_before", "smd_after"], error=OptionError)
    labels = [f"{ui(v, lang)}: {code_label(instrument, v, lv, lang)}"
              for v, lv in zip(data["variable"], data["level"], strict=True)]
    y = np.arange(len(data))
    before, after = colors(2)
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(data) + 1.6))
    ax.hlines(y, data["smd_before"], data["smd_after"], color=GREY, lw=0.8)
    ax.plot(data["smd_before"], y, "o", mfc="white", color=before, label=ui("design", lang))
    ax.plot(data["smd_after"], y, "o", color=after, label=ui("raked", lang))
    for x in (-limit, limit):
        ax.axvline(x, color=GREY, ls="--", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel(ui("smd", lang))
    fig.suptitle(ui("love_title", lang))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig


@styled
def weight_distribution(data: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Histogram of the weights relative to their mean, before and after raking.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.weights_table`: weighting ("design"/"raked"), relative_weight.
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"weighting": ["design"] * 3 + ["raked"] * 3, "relative_weight": [1.0, 1, 1, 0.5, 1, 1.5]})
    >>> fig = weight_distribution(t)
    >>> fig.axes[0].get_ylabel()
    'Respondents'
    >>> plt.close(fig)
    """
    lang = check_lang(lang)
    check_frame(data, "data", columns=["weighting", "relative_weight"], error=OptionError)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    kinds = list(pd.unique(data["weighting"]))
    named = data.assign(weighting=data["weighting"].map({k: ui(k, lang) for k in kinds}))  # worded once per kind
    sns.histplot(named, x="relative_weight", hue="weighting", hue_order=[ui(k, lang) for k in kinds], bins=40,
                 element="step", common_bins=True, palette=colors(len(kinds)), ax=ax)
    ax.axvline(1, color=GREY, ls="--", lw=0.8)
    ax.set_xlabel(ui("weight", lang))
    ax.set_ylabel(ui("respondents", lang))
    ax.get_legend().set_title(None)
    ax.set_title(ui("weights_title", lang))
    fig.tight_layout()
    return fig


@styled
def design_effect(data: pd.DataFrame, *, instrument, lang: str = "en") -> Figure:
    """Kish design effect of weighting (left) and effective sample size against n (right), per domain.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.design_effects`: weighting, by, group, n,
        kish_neff, deff_weighting, and optionally suppressed.
    instrument : Instrument, str or path
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"weighting": ["design", "raked"], "by": "overall", "group": "all", "n": 2000,
    ...                   "kish_neff": [1950.0, 1760], "deff_weighting": [1.02, 1.14]})
    >>> fig = design_effect(t, instrument="dis-full")
    >>> fig.axes[0].get_xlabel()
    'Kish design effect of weighting'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["weighting", "by", "group", "n", "kish_neff", "deff_weighting"],
                error=OptionError)
    cells = data[["by", "group"]].drop_duplicates()
    labels = [ui("overall", lang) if b == "overall" else f"{ui(b, lang)}: {code_label(instrument, b, g, lang)}"
              for b, g in zip(cells["by"], cells["group"], strict=True)]
    kinds = list(pd.unique(data["weighting"]))
    y = np.arange(len(cells))
    fig, (deff_ax, neff_ax) = plt.subplots(1, 2, figsize=(12, 0.28 * len(cells) * len(kinds) + 2), sharey=True)
    height = 0.8 / len(kinds)
    index = pd.MultiIndex.from_frame(cells)
    for k, (kind, color) in enumerate(zip(kinds, colors(len(kinds)), strict=True)):
        rows = data[data["weighting"] == kind].set_index(["by", "group"]).reindex(index)
        # a suppressed cell holds <NA>, which matplotlib cannot draw: an empty bar (NaN) instead
        rows = rows[["n", "kish_neff", "deff_weighting"]].apply(pd.to_numeric).astype(float)
        offset = y - 0.4 + height * (k + 0.5)
        deff_ax.barh(offset, rows["deff_weighting"], height=height, color=color, label=ui(kind, lang))
        neff_ax.barh(offset, rows["n"], height=height, color="none", edgecolor=GREY, lw=0.8)
        neff_ax.barh(offset, rows["kish_neff"], height=height, color=color)
        hidden = rows["deff_weighting"].isna().to_numpy()
        for pos in offset[hidden]:
            deff_ax.annotate(ui("suppressed_short", lang), (1, pos), fontsize=7, color=GREY, va="center")
    deff_ax.axvline(1, color="black", lw=0.8)
    deff_ax.set_xlim(left=min(1.0, float(np.nanmin(data["deff_weighting"])) if data["deff_weighting"].notna().any()
                     else 1.0) * 0.95)
    deff_ax.set_yticks(y, labels)
    deff_ax.set_ylim(len(cells) - 0.5, -0.5)
    deff_ax.set_xlabel(ui("deff", lang))
    neff_ax.set_xlabel(f"{ui('neff', lang)} (n: {ui('respondents', lang).lower()})")
    neff_ax.set_xscale("log")
    deff_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2)
    fig.suptitle(ui("deff_title", lang))
    fig.tight_layout()
    return fig
