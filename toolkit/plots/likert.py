"""Likert answers as diverging stacked bars, one panel per domain, missing answers in their own panel.

The shares come from :func:`toolkit.plots.data.likert_shares` (design-based,
small cells suppressed); this module only draws them. Answers below the
middle of the scale go left of zero, those above go right, the middle answer
straddles zero. Don't know, refused and don't understand sit in a separate
panel on the right, so a high share of missing answers is seen rather than
hidden in the denominator.

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> shares = pd.DataFrame({"item": "prac_01", "answer": ["1", "3", "5", "dont_know"],
...                        "kind": ["answer"] * 3 + ["missing"], "estimate": [0.2, 0.3, 0.4, 0.1]})
>>> fig = likert(shares, instrument="dis-full")
>>> fig.axes[1].get_title()
'Missing answers'
>>> plt.close(fig)
"""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, domain_label, ui, wrap
from toolkit.plots.data import ANSWER_MISSING
from toolkit.plots.style import DIVERGING, GREY, colors, styled

__all__ = ["likert"]


def _panels(instrument, items: list[str], lang: str) -> dict[str, list[str]]:
    """Panel title -> items: by domain where the item has one, else by questionnaire section."""
    sections = {s.id: s.label.get(lang, s.id) for s in instrument.sections}
    panels: dict[str, list[str]] = {}
    for item_id in items:
        item = instrument.item(item_id)
        title = domain_label(instrument, item.domain, lang) if item.domain else sections.get(item.section, item.section)
        panels.setdefault(title, []).append(item_id)
    return panels


def _item_label(instrument, item_id: str, lang: str) -> str:
    item = instrument.item(item_id)
    text = item.text.get(lang, item_id) + (f" {ui('reverse', lang)}" if item.reverse else "")
    return wrap(text, 52)


def _diverging(ax, cells: pd.DataFrame, y: float, codes: list[int], palette, lang: str) -> None:
    """One item's bar: answers left and right of zero, the middle answer across it."""
    share = cells.set_index("answer")["estimate"]
    values = [float(share.get(str(c), 0.0)) if pd.notna(share.get(str(c), 0.0)) else 0.0 for c in codes]
    mid = (len(codes) - 1) / 2
    left = -sum(v for c, v in enumerate(values) if c < mid) - (values[int(mid)] / 2 if mid.is_integer() else 0)
    for value, color in zip(values, palette, strict=True):
        ax.barh(y, value, left=left, color=color, height=0.7, edgecolor="white", linewidth=0.5)
        if value >= 0.07:
            ax.text(left + value / 2, y, f"{100 * value:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if color_is_dark(color) else "black")
        left += value
    if cells.get("suppressed", pd.Series(False)).fillna(False).astype(bool).any():
        ax.annotate(ui("suppressed_short", lang), (left, y), xytext=(4, 0), textcoords="offset points",
                    fontsize=7, color=GREY, va="center")


def color_is_dark(color) -> bool:
    """Whether white text reads better than black on ``color`` (relative luminance below 0.4)."""
    r, g, b = color[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4


def _missing_bar(ax, cells: pd.DataFrame, y: float, palette) -> None:
    """One item's missing answers, stacked by kind; a suppressed kind is a grey cross after the bar."""
    share = cells.set_index("answer")["estimate"]
    left = 0.0
    for kind, color in zip(ANSWER_MISSING, palette, strict=True):
        value = float(share.get(kind, 0.0)) if pd.notna(share.get(kind, 0.0)) else 0.0
        ax.barh(y, value, left=left, color=color, height=0.7, edgecolor="white", linewidth=0.5)
        left += value
    if cells.get("suppressed", pd.Series(False)).fillna(False).astype(bool).any():
        ax.plot(left, y, marker="X", color=GREY, ms=6, ls="none")


def _legend(fig, instrument, items, lang, palette, missing_palette, min_cell) -> None:
    rs = instrument.response_set_of(items[0])
    handles = [Patch(color=c, label=code.label.get(lang, str(code.code))) for code, c in zip(rs.codes, palette,
                                                                                              strict=True)]
    used = set(instrument.missing_codes_of(items[0]).values())  # the kinds this response set can hold
    handles += [Patch(color=c, label=ui(k, lang)) for k, c in zip(ANSWER_MISSING, missing_palette, strict=True)
                if k in used]
    handles += _draw.mark_handles(lang, min_cell=min_cell)[2:]
    fig.legend(handles=handles, loc="lower center", ncol=5, bbox_to_anchor=(0.5, 0.0))


@styled
def likert(data: pd.DataFrame, *, instrument, lang: str = "en", title: str | None = None,
           min_cell: int | None = None) -> Figure:
    """Diverging stacked bars of Likert answers per domain, missing answers in a panel of their own.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.likert_shares`: item, answer (code as text
        or missing kind), kind ("answer"/"missing"), estimate, and optionally
        suppressed. The items must share one response set.
    instrument : Instrument, str or path
        Item wording, answer labels, domains.
    lang : {"en", "da"}
    title : str, optional
        Default "Answers by domain (weighted shares)".
    min_cell : int, optional
        The run's small-cell threshold, for the legend (default 5).

    Returns
    -------
    matplotlib.figure.Figure
        Per domain two panels: answers (shares in %, left of zero the low
        answers) and missing answers.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> shares = pd.DataFrame({"item": "motiv_01", "answer": ["1", "5"], "kind": "answer", "estimate": [0.4, 0.6]})
    >>> fig = likert(shares, instrument="dis-full", lang="da")
    >>> fig.axes[0].get_title(loc="left")
    'Motivation og tillid'
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    check_frame(data, "data", columns=["item", "answer", "kind", "estimate"], error=OptionError)
    items = list(pd.unique(data["item"]))
    sets = {instrument.item(i).response_set for i in items}
    if len(sets) != 1:
        raise OptionError(f"likert() draws items of one response set; got {', '.join(sorted(map(str, sets)))}")
    codes = [c.code for c in instrument.response_set_of(items[0]).codes]
    palette, missing_palette = _palette(len(codes))
    panels = _panels(instrument, items, lang)
    heights = [len(v) + 1.2 for v in panels.values()]
    fig, axes = plt.subplots(len(panels), 2, figsize=(13, 0.42 * sum(heights) + 1.6), squeeze=False,
                             gridspec_kw={"width_ratios": [4, 1], "height_ratios": heights}, sharex="col")
    for (panel, panel_items), (ax, miss) in zip(panels.items(), axes, strict=True):
        for y, item in enumerate(panel_items):
            cells = data[data["item"] == item]
            _diverging(ax, cells[cells["kind"] == "answer"], y, codes, palette, lang)
            _missing_bar(miss, cells[cells["kind"] == "missing"], y, missing_palette)
        ax.set_yticks(range(len(panel_items)), [_item_label(instrument, i, lang) for i in panel_items], fontsize=8)
        ax.set_ylim(len(panel_items) - 0.5, -0.5)
        miss.set_yticks([])
        ax.set_title(panel, loc="left")
        ax.axvline(0, color="black", lw=0.8)
        miss.set_title(ui("missing", lang), fontsize=9)
    for ax, miss in axes[-1:]:
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{abs(100 * v):.0f} %")
        _draw.percent_axis(miss.xaxis)
        ax.set_xlabel(ui("share", lang))
    _legend(fig, instrument, items, lang, palette, missing_palette, min_cell)
    fig.suptitle(title or ui("likert_title", lang))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _palette(n: int) -> tuple[list, list]:
    """Diverging colours for the answers; grey, pink and olive of the house palette for the missing kinds."""
    house = colors(10)
    return sns.color_palette(DIVERGING, n), [house[7], house[6], house[8], house[9], house[5]][:len(ANSWER_MISSING)]
