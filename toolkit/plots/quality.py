"""Data quality: reliability with item analysis, and a heatmap of missing answers by item and kind.

Inputs are toolkit tables: ``Results.reliability`` (one row per scale),
:func:`toolkit.scales.item_statistics` (one row per item) and
:func:`toolkit.plots.data.missingness` (item x kind shares from the cleaned
data's ``<item>_missing`` columns).

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> t = pd.DataFrame({"item": ["prac_01", "prac_02"], "section": "skills", "kind": "dont_know", "share": [0.02, 0.0]})
>>> fig = missingness_heatmap(t, instrument="dis-full")
>>> fig.axes[0].get_title()
'Missing answers by item'
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, scale_label, ui
from toolkit.plots.style import GREY, colors, styled

__all__ = ["reliability_items", "missingness_heatmap"]


@styled
def reliability_items(data: pd.DataFrame, items: pd.DataFrame, *, instrument, lang: str = "en",
                      conf_level: float = 0.95) -> Figure:
    """Reliability per scale (alpha or KR-20 with CI, omega total) and item-rest correlations per item.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Results.reliability``: scale, alpha, ci_low, ci_high, optionally omega_total.
    items : pandas.DataFrame
        :func:`toolkit.scales.item_statistics`: scale, item, r_drop.
    instrument : Instrument, str or path
    lang : {"en", "da"}
    conf_level : float, default 0.95
        The level of the intervals in ``data``, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> rel = pd.DataFrame({"scale": ["practical_sr"], "alpha": [0.88], "ci_low": [0.87], "ci_high": [0.89],
    ...                     "omega_total": [0.88]})
    >>> items = pd.DataFrame({"scale": "practical_sr", "item": ["prac_01", "prac_02"], "r_drop": [0.6, 0.7]})
    >>> fig = reliability_items(rel, items, instrument="dis-full")
    >>> fig.axes[1].get_xlabel()
    'Item-rest correlation'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["scale", "alpha", "ci_low", "ci_high"], error=OptionError)
    check_frame(items, "items", columns=["scale", "item", "r_drop"], error=OptionError)
    scales = list(data["scale"])
    fig, (rel_ax, item_ax) = plt.subplots(1, 2, figsize=(12, max(4.5, 0.2 * len(items) + 1.5)),
                                          gridspec_kw={"width_ratios": [1, 1.3]})
    y = np.arange(len(scales))
    _draw.estimates(rel_ax, data.rename(columns={"alpha": "estimate"}).reset_index(drop=True), y,
                    color=colors(1)[0], lang=lang, label="alpha / KR-20")
    if "omega_total" in data:
        rel_ax.plot(data["omega_total"], y, "D", mfc="white", color=colors(2)[1], label=ui("omega", lang))
    rel_ax.set_yticks(y, [scale_label(instrument, s, lang) for s in scales])
    rel_ax.set_ylim(len(scales) - 0.5, -0.5)
    rel_ax.set_xlabel(ui("reliability", lang, conf=f"{100 * conf_level:g}"))
    rel_ax.axvline(0.7, color=GREY, ls="--", lw=0.8)
    rel_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    order = [s for s in scales if s in set(items["scale"])]
    rows = pd.concat([items[items["scale"] == s] for s in order], ignore_index=True) if order else items
    palette = dict(zip(order, colors(len(order)), strict=True))
    item_y = np.arange(len(rows))
    item_ax.scatter(rows["r_drop"], item_y, c=[palette.get(s, GREY) for s in rows["scale"]], s=22, zorder=3)
    item_ax.set_yticks(item_y, rows["item"], fontsize=7)
    item_ax.set_ylim(len(rows) - 0.5, -0.5)
    item_ax.axvline(0.3, color=GREY, ls="--", lw=0.8)
    item_ax.set_xlabel(ui("r_drop", lang))
    for s in order:
        first = int(np.flatnonzero(rows["scale"].to_numpy() == s)[0])
        item_ax.annotate(scale_label(instrument, s, lang), (1, first), xycoords=("axes fraction", "data"),
                         xytext=(4, 0), textcoords="offset points", fontsize=7, color=palette[s], va="top")
    fig.suptitle(ui("quality_title", lang))
    fig.tight_layout()
    return fig


@styled
def missingness_heatmap(data: pd.DataFrame, *, instrument, lang: str = "en") -> Figure:
    """Heatmap of the share of missing answers by item (grouped by section) and kind.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.missingness`: item, section, kind, share.
    instrument : Instrument, str or path
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure
        Items across (in questionnaire order, sections marked above), kinds down.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"item": "age", "section": "background", "kind": ["dont_know", "refused"],
    ...                   "share": [0.0, 0.01]})
    >>> fig = missingness_heatmap(t, instrument="dis-full", lang="da")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Ved ikke', 'Vil ikke svare']
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["item", "section", "kind", "share"], error=OptionError)
    items = list(pd.unique(data["item"]))
    kinds = list(pd.unique(data["kind"]))
    grid = data.pivot_table(index="kind", columns="item", values="share", aggfunc="first").reindex(
        index=kinds, columns=items)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.13 * len(items) + 2.5), 0.5 * len(kinds) + 2.6))
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="mako_r", vmin=0, interpolation="nearest")
    ax.grid(False)
    ax.set_xticks(range(len(items)), items, rotation=90, fontsize=6)
    ax.set_yticks(range(len(kinds)), [ui(k, lang) for k in kinds])
    fig.colorbar(image, ax=ax, format=lambda v, _pos: f"{100 * v:.0f} %", label=ui("missing_share", lang), pad=0.01)
    sections = data.drop_duplicates("item").set_index("item").reindex(items)["section"].to_numpy()
    labels = {s.id: s.label.get(lang, s.id) for s in instrument.sections}
    starts = [0, *[i for i in range(1, len(items)) if sections[i] != sections[i - 1]]]
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(items)
        if start:
            ax.axvline(start - 0.5, color="white", lw=2)
        ax.annotate(labels.get(sections[start], sections[start]), ((start + end - 1) / 2, -0.6),
                    xycoords="data", ha="left", va="bottom", fontsize=7, rotation=30, annotation_clip=False)
    ax.set_title(ui("missing_title", lang), pad=48)
    fig.tight_layout()
    return fig
