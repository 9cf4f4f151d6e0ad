"""Drawing pieces the figure families share: estimates with intervals, their marks, the legend."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from toolkit.plots._text import ui
from toolkit.plots.style import GREY

#: Defaults for the legend texts when a figure is not told the run's settings.
MARKS = {"min_cell": 5, "cv_threshold": 0.3, "conf_level": 0.95}


def _flag(frame: pd.DataFrame, column: str, default: bool) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), default)
    return frame[column].fillna(default).astype(bool).to_numpy()


def estimates(ax, frame: pd.DataFrame, positions, *, color, lang: str, value: str = "estimate",
              low: str = "ci_low", high: str = "ci_high", horizontal: bool = True, marker: str = "o",
              size: float = 6, suppressed_at: float = 0.0, label: str | None = None) -> None:
    """Points with interval bars; unreliable points open, suppressed cells a grey cross and the word.

    ``frame`` holds one row per point (``value``, ``low``, ``high`` and
    optionally ``suppressed`` and ``reliable``); ``positions`` the category
    axis coordinate of each row.
    """
    positions = np.asarray(positions, dtype=float)
    hidden = _flag(frame, "suppressed", False) | frame[value].isna().to_numpy()
    shaky = ~_flag(frame, "reliable", True) & ~hidden
    v = frame[value].to_numpy(dtype=float)
    err = np.vstack([v - frame[low].to_numpy(dtype=float), frame[high].to_numpy(dtype=float) - v])
    err = np.clip(err, 0.0, None)  # a share of 0 or 1 sits on its interval's edge, give or take rounding
    for mask, face in ((~hidden & ~shaky, color), (shaky, "white")):
        if not mask.any():
            continue
        xy = (v[mask], positions[mask]) if horizontal else (positions[mask], v[mask])
        bars = {"xerr" if horizontal else "yerr": np.nan_to_num(err[:, mask])}
        ax.errorbar(*xy, **bars, fmt=marker, color=color, mfc=face, mec=color, ms=size, elinewidth=1.4,
                    capsize=2, label=label if face == color else None, zorder=3)
    for pos in positions[hidden]:
        xy = (suppressed_at, pos) if horizontal else (pos, suppressed_at)
        ax.plot(*xy, marker="X", color=GREY, ms=size + 1, ls="none", zorder=3)
        ax.annotate(ui("suppressed_short", lang), xy, xytext=(6, 0) if horizontal else (0, 6),
                    textcoords="offset points", fontsize=7, color=GREY, va="center",
                    ha="left" if horizontal else "center", rotation=0 if horizontal else 90)


def mark_handles(lang: str, *, color="black", min_cell: int | None = None, cv_threshold: float | None = None,
                 conf_level: float | None = None) -> list[Line2D]:
    """Legend entries for the three marks: estimate with CI, unreliable, suppressed."""
    min_cell = MARKS["min_cell"] if min_cell is None else min_cell
    cv = MARKS["cv_threshold"] if cv_threshold is None else cv_threshold
    conf = MARKS["conf_level"] if conf_level is None else conf_level
    return [Line2D([], [], marker="o", color=color, ls="-", label=ui("reliable", lang, conf=f"{100 * conf:g}")),
            Line2D([], [], marker="o", color=color, mfc="white", ls="-", label=ui("unreliable", lang, cv=f"{cv:g}")),
            Line2D([], [], marker="X", color=GREY, ls="none", label=ui("suppressed", lang, min_cell=min_cell))]


def percent_axis(axis) -> None:
    """Shares on this axis read as percentages."""
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def hide_unused(axes, used: int) -> list:
    """Switch off the panels after the first ``used``; return those switched off."""
    flat = list(np.ravel(axes))
    for ax in flat[used:]:
        ax.set_axis_off()
    return flat[used:]
