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


def _warned_figure():
    import warnings

    from toolkit.errors import DataQualityWarning

    warnings.warn("a cell is thin", DataQualityWarning, stacklevel=1)
    return figure("Thin")


def test_figures_drawn_in_other_processes_are_the_same_pictures():
    import multiprocessing

    import pytest

    from toolkit.errors import DataQualityWarning

    makers = {"a": lambda: figure("A"), "b": _warned_figure, "c": lambda: figure(None)}
    with pytest.warns(DataQualityWarning, match="thin"):
        alone = _figures.pictures(makers, workers=1)
    if "fork" in multiprocessing.get_all_start_methods():
        with pytest.warns(DataQualityWarning, match="thin"):  # the warnings come back from the workers
            apart = _figures.pictures(makers, workers=2)
        assert apart == alone
    assert list(alone) == ["a", "b", "c"] and alone["a"].title == "A"
    maps, others = _figures.embedded(alone)  # drawn pictures embed as they are
    assert [o["src"] for o in others] == [p.src for p in alone.values()]


def test_one_worker_where_others_keep_the_cpus_busy(monkeypatch):
    import os

    monkeypatch.setattr(os, "getloadavg", lambda: (40.0, 40.0, 40.0))
    assert _figures._workers(10) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert _figures._workers(1) == 1
