"""Seaborn figures from tidy results: draw only, compute nothing.

Every figure function takes a tidy table (a frame of
:class:`~toolkit.pipeline.Results`, or a table from :mod:`toolkit.plots.data`)
and returns a matplotlib :class:`~matplotlib.figure.Figure` in the one house
style (:mod:`toolkit.plots.style`), with labels in English or Danish from the
instrument (``instrument=``, ``lang=``). The only numbers made in this
package are made in :mod:`toolkit.plots.data` ("tables for figures"), through
the survey Design's public estimators and the small-cell policy.
:func:`all_figures` builds every figure a run supports; it is what the report
draws.

Families: :mod:`~toolkit.plots.exclusion` (outcomes by group, projection),
:mod:`~toolkit.plots.maps` (district choropleths from GeoJSON),
:mod:`~toolkit.plots.likert`, :mod:`~toolkit.plots.competence`,
:mod:`~toolkit.plots.model` (forest, calibration),
:mod:`~toolkit.plots.weighting` (love plot, weights, design effect),
:mod:`~toolkit.plots.quality` (reliability, missingness),
:mod:`~toolkit.plots.triage`.

Examples
--------
>>> from toolkit import plots
>>> "exclusion_by_district" in plots.FIGURE_KEYS
True
"""

from toolkit.plots import data, style
from toolkit.plots.collection import FIGURE_KEYS, all_figures, figure_makers
from toolkit.plots.competence import competence_levels, confidence_gap
from toolkit.plots.exclusion import exclusion_by_group, projection
from toolkit.plots.likert import likert
from toolkit.plots.maps import district_map, read_districts
from toolkit.plots.model import calibration, forest
from toolkit.plots.quality import missingness_heatmap, reliability_items
from toolkit.plots.style import house_style
from toolkit.plots.triage import triage_distribution
from toolkit.plots.weighting import design_effect, love_plot, weight_distribution

__all__ = [
    "all_figures", "figure_makers", "FIGURE_KEYS", "exclusion_by_group", "projection", "district_map",
    "read_districts", "likert",
    "competence_levels", "confidence_gap", "forest", "calibration", "love_plot", "weight_distribution",
    "design_effect", "reliability_items", "missingness_heatmap", "triage_distribution", "house_style", "data",
    "style",
]
