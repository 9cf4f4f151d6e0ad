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


def test_pictures_are_the_figures_drawn_one_at_a_time():
    from matplotlib import pyplot as plt

    makers = {"a": lambda: plt.figure(), "b": lambda: figure("B")}
    drawn = _figures.pictures(makers)
    assert list(drawn) == ["a", "b"] and drawn["b"].title == "B" and drawn["a"].title is None
    assert drawn["b"].src == _figures.embed(figure("B"))
    assert not plt.get_fignums()  # each closed once drawn
    maps, others = _figures.embedded(drawn)  # drawn pictures embed as they are
    assert [o["src"] for o in others] == [p.src for p in drawn.values()]
