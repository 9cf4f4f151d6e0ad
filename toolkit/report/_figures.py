"""Figures embedded in the page as base64 PNG, so the report needs no other file."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

#: resolution of embedded figures (dots per inch)
DPI = 110


def _title(figure: Any, key: str) -> str:
    """The figure's own title (suptitle, else its first axes' title), else its key in words."""
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return suptitle.get_text()
    for ax in getattr(figure, "axes", []):
        if ax.get_title():
            return ax.get_title()
    return key.replace("_", " ").capitalize()


def embed(figure: Any) -> str:
    """A ``data:image/png;base64,...`` URI of the figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def embedded(figures: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """Every figure as ``{key, title, src}``: the maps (a key with "map") apart from the others."""
    maps, others = [], []
    for key, figure in figures.items():
        entry = {"key": str(key), "title": _title(figure, str(key)), "src": embed(figure)}
        (maps if "map" in str(key).lower() else others).append(entry)
    return maps, others
