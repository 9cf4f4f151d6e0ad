"""Figures embedded in the page as base64 PNG, so the report needs no other file.

:func:`pictures` makes, draws and closes a report's figures one at a time, so
only one figure is open while the report is drawn.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: resolution of embedded figures (dots per inch), lowered for wide ones
DPI = 110
#: widest embedded image (pixels): the page is about 1,100 pixels wide
MAX_WIDTH = 1400
#: zlib level of the PNGs: 1 packs figures of flat colour nearly as well as the default 6, several times faster
COMPRESS_LEVEL = 1


def _own_title(figure: Any) -> str | None:
    """The figure's own title: its suptitle, else its first axes' title."""
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return suptitle.get_text()
    for ax in getattr(figure, "axes", []):
        if ax.get_title():
            return ax.get_title()
    return None


def embed(figure: Any) -> str:
    """A ``data:image/png;base64,...`` URI of the figure."""
    buffer = io.BytesIO()
    width = figure.get_size_inches()[0] if hasattr(figure, "get_size_inches") else 0
    dpi = min(DPI, MAX_WIDTH / width) if width > 0 else DPI
    # a tight box keeps legends placed outside the axes (it costs a second draw)
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white",
                   pil_kwargs={"compress_level": COMPRESS_LEVEL})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class Picture:
    """A drawn figure: its own title (None if it shows none) and its PNG as a data URI (:func:`embed`).

    :func:`~toolkit.report.write_report` embeds a Picture as it is and draws a Figure first.

    Examples
    --------
    >>> Picture(title="Weights", src="data:image/png;base64,").title
    'Weights'
    """

    title: str | None
    src: str


def picture(figure: Any) -> Picture:
    """The figure as a :class:`Picture`."""
    return Picture(_own_title(figure), embed(figure))


def pictures(makers: Mapping[str, Callable[[], Any]]) -> dict[str, Picture]:
    """Make and draw every figure (``key -> function making it``), closing each once it is drawn.

    Parameters
    ----------
    makers : mapping of str to callable
        Functions returning a matplotlib Figure (:func:`toolkit.plots.figure_makers`).

    Returns
    -------
    dict of str to Picture
        In the order of ``makers``; what :func:`~toolkit.report.write_report` takes as ``figures``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def make():
    ...     fig, ax = plt.subplots()
    ...     ax.set_title("Weights")
    ...     return fig
    >>> drawn = pictures({"weights": make})
    >>> drawn["weights"].title, drawn["weights"].src.startswith("data:image/png;base64,")
    ('Weights', True)
    """
    import matplotlib.pyplot as plt

    drawn = {}
    for key, make in makers.items():
        figure = make()
        try:
            drawn[key] = picture(figure)
        finally:
            plt.close(figure)
    return drawn


def embedded(figures: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """Every figure (or :class:`Picture`) as ``{key, title, caption, src}``: the maps (a key with "map") apart.

    ``caption`` is the title when the image does not show one already (then the key in words), else empty.
    """
    maps, others = [], []
    for key, figure in figures.items():
        drawn = figure if isinstance(figure, Picture) else picture(figure)
        own = drawn.title
        title = own or str(key).replace("_", " ").capitalize()
        entry = {"key": str(key), "title": title, "caption": "" if own else title, "src": drawn.src}
        (maps if "map" in str(key).lower() else others).append(entry)
    return maps, others
