"""The one house style of every toolkit figure.

Seaborn's ``whitegrid`` with a light grid, the colour-blind-safe
``colorblind`` palette, one set of font sizes and a fixed resolution. Every
figure function is wrapped in :func:`styled`, so it draws inside
:func:`house_style` and the rest of a user's matplotlib settings stay as they
were. Marks that carry meaning beyond colour use shape or hatching too (a
suppressed cell is a grey cross and a hatched patch, an unreliable estimate an
open marker), so the figures also read in greyscale.

Examples
--------
>>> import matplotlib as mpl
>>> with house_style():
...     mpl.rcParams["axes.grid"], mpl.rcParams["grid.color"]
(True, '#e3e3e3')
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import matplotlib as mpl
import seaborn as sns

#: Seaborn's colour-blind-safe palette (Wong-like): every series colour comes from it.
PALETTE = "colorblind"
#: Grey for suppressed cells and reference lines.
GREY = "#9a9a9a"
#: Hatch of suppressed map districts and wide intervals.
HATCH = "xx"
#: Diverging colours for answer scales, low to high (colour-blind safe: orange to blue).
DIVERGING = "RdBu"

_RC = {
    "figure.dpi": 100,
    "figure.max_open_warning": 0,  # all_figures hands a report its whole set at once; the caller closes them
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.family": "DejaVu Sans",
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    # titles sit at the top of their axes (no figure has tick labels above an axes): a fixed place spares
    # matplotlib measuring every sibling axis' tick labels to move them, on each layout and each draw
    "axes.titley": 1.0,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.7,
    "axes.edgecolor": "#bdbdbd",
    "hatch.color": "#6e6e6e",
    "hatch.linewidth": 0.6,
}


def colors(n: int) -> list:
    """``n`` colours of the house palette.

    Examples
    --------
    >>> len(colors(3))
    3
    """
    return sns.color_palette(PALETTE, n)


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Draw inside the house style: seaborn whitegrid, the colorblind palette, fixed font sizes.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with house_style():
    ...     mpl.rcParams["axes.titlesize"]
    11.0
    """
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook"), mpl.rc_context(_RC):
        with sns.color_palette(PALETTE):
            yield


def styled(func: Callable) -> Callable:
    """Decorator: the figure function runs inside :func:`house_style`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> @styled
    ... def empty():
    ...     return plt.figure()
    >>> fig = empty(); plt.close(fig)
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with house_style():
            return func(*args, **kwargs)

    return wrapper
