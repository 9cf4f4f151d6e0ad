"""Figures embedded in the page as base64 PNG, so the report needs no other file.

Drawing a figure and packing its PNG costs a fixed third of a second or so,
whatever the survey's size; :func:`pictures` draws a report's figures in a few
forked processes where the platform forks (Linux), each figure whole in one
process, so the bytes are those of drawing them one after the other.
"""

from __future__ import annotations

import base64
import io
import multiprocessing
import os
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
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


#: most processes :func:`pictures` draws in
WORKERS = 4
_MAKERS: Mapping[str, Callable[[], Any]] = {}  # what the forked processes draw (inherited, never pickled)


def picture(figure: Any) -> Picture:
    """The figure as a :class:`Picture`."""
    return Picture(_own_title(figure), embed(figure))


def _drawn(key: str) -> Picture:
    """Make, draw and close one figure of :data:`_MAKERS`."""
    import matplotlib.pyplot as plt

    figure = _MAKERS[key]()
    try:
        return picture(figure)
    finally:
        plt.close(figure)


def _drawn_apart(key: str) -> tuple[Picture, list]:
    """:func:`_drawn` in a forked process, with the warnings it gave, for the parent to give again."""
    with warnings.catch_warnings(record=True) as caught:  # the filters are the parent's, inherited
        drawn = _drawn(key)
    return drawn, [(w.message, w.category, w.filename, w.lineno) for w in caught]


def _workers(n: int) -> int:
    """Processes to draw ``n`` figures in: the CPUs others leave idle (this run counts one), at least one.

    One where the platform cannot fork.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    busy = max(0.0, os.getloadavg()[0] - 1) if hasattr(os, "getloadavg") else 0.0
    return max(1, min(WORKERS, n, int(cpus - busy)))


def pictures(makers: Mapping[str, Callable[[], Any]], *, workers: int | None = None) -> dict[str, Picture]:
    """Make and draw every figure (``key -> function making it``); each figure is closed once drawn.

    With more than one worker the figures are drawn in forked processes, which inherit
    the makers and the data behind them; a figure's bytes do not depend on where it is drawn.

    Parameters
    ----------
    makers : mapping of str to callable
        Functions returning a matplotlib Figure (:func:`toolkit.plots.figure_makers`).
    workers : int, optional
        Processes to draw in; default one per CPU up to :data:`WORKERS`, one where
        the platform cannot fork.

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
    >>> drawn = pictures({"weights": make}, workers=1)
    >>> drawn["weights"].title, drawn["weights"].src.startswith("data:image/png;base64,")
    ('Weights', True)
    """
    global _MAKERS
    keys = list(makers)
    workers = _workers(len(keys)) if workers is None else min(workers, len(keys))
    _MAKERS = makers
    try:
        if workers <= 1:
            return {key: _drawn(key) for key in keys}
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = dict(zip(keys, pool.map(_drawn_apart, keys), strict=True))
        for _, caught in done.values():
            for message, category, filename, lineno in caught:
                warnings.warn_explicit(message, category, filename, lineno)
        return {key: drawn for key, (drawn, _) in done.items()}
    finally:
        _MAKERS = {}


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
