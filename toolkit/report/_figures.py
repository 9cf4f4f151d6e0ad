"""Figures embedded in the page as base64 PNG, so the report needs no other file."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
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


def embedded(figures: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """Every figure as ``{key, title, caption, src}``: the maps (a key with "map") apart from the others.

    ``caption`` is the title when the image does not show one already (then the key in words), else empty.
    """
    maps, others = [], []
    for key, figure in figures.items():
        own = _own_title(figure)
        title = own or str(key).replace("_", " ").capitalize()
        entry = {"key": str(key), "title": title, "caption": "" if own else title, "src": embed(figure)}
        (maps if "map" in str(key).lower() else others).append(entry)
    return maps, others
