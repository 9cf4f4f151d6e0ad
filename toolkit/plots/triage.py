"""The distribution of triage categories (weighted or unweighted shares from the data helpers).

Examples
--------
>>> import pandas as pd, matplotlib.pyplot as plt
>>> t = pd.DataFrame({"category": ["independent", "assisted_digital"], "estimate": [0.7, 0.3]})
>>> fig = triage_distribution(t)
>>> fig.axes[0].get_yticklabels()[0].get_text()
'Assisted digital'
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from toolkit._validation import check_frame
from toolkit.errors import OptionError
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, ui
from toolkit.plots.style import colors, styled

__all__ = ["triage_distribution", "CATEGORIES"]

#: The support categories, from the most to the least support (``toolkit.risk.triage``).
CATEGORIES = ("offline_alternative", "assisted_digital", "skills_training", "occasional_advice", "independent")


@styled
def triage_distribution(data: pd.DataFrame, *, lang: str = "en", marks: dict | None = None) -> Figure:
    """Share of respondents in each triage category, most support first, with CIs when weighted.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`toolkit.plots.data.triage_shares`: category, estimate, and
        optionally ci_low, ci_high, suppressed.
    lang : {"en", "da"}
    marks : dict, optional
        ``min_cell`` and ``conf_level`` for the legend.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"category": ["independent"], "estimate": [1.0]})
    >>> fig = triage_distribution(t, lang="da")
    >>> fig.axes[0].get_title()
    'Foreslået støtte'
    >>> plt.close(fig)
    """
    lang = check_lang(lang)
    check_frame(data, "data", columns=["category", "estimate"], error=OptionError)
    known = [c for c in CATEGORIES if c in set(data["category"].astype(str))]
    order = known + sorted(set(data["category"].astype(str)) - set(known))
    rows = data.assign(category=data["category"].astype(str)).set_index("category").reindex(order).reset_index()
    if "ci_low" not in rows:
        rows = rows.assign(ci_low=rows["estimate"], ci_high=rows["estimate"])
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(order) + 1.8))
    shown = rows["estimate"].fillna(0).to_numpy() * ~rows.get("suppressed", pd.Series(False, index=rows.index)) \
        .fillna(False).astype(bool).to_numpy()
    ax.barh(y, shown, color=colors(len(order)), height=0.6, alpha=0.85)
    _draw.estimates(ax, rows, y, color="black", lang=lang, size=3)
    ax.set_yticks(y, [ui(c, lang) for c in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    _draw.percent_axis(ax.xaxis)
    ax.set_xlim(0, 1)
    ax.set_xlabel(ui("share", lang))
    ax.set_title(ui("triage_title", lang))
    fig.tight_layout()
    return fig
