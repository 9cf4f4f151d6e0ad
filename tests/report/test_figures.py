"""Figures embedded as base64 PNG."""

from __future__ import annotations

import base64

from matplotlib.figure import Figure

from tests.report.conftest import figure
from toolkit.report import _figures


def test_a_figure_becomes_a_png_data_uri():
    src = _figures.embed(figure())
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_maps_are_kept_apart_and_titles_come_from_the_figure():
    untitled = Figure()
    untitled.subplots()
    maps, others = _figures.embedded({"district_map": figure("Districts"), "by_age": untitled})
    assert [(m["title"], m["caption"]) for m in maps] == [("Districts", "")]  # the image shows its title
    assert [(o["title"], o["caption"]) for o in others] == [("By age", "By age")]
