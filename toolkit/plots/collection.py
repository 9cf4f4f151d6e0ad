"""Every figure the results support, in one call (what the report draws).

Examples
--------
>>> sorted(FIGURE_KEYS)[:3]
['calibration', 'competence_by_age_band', 'competence_by_education']
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import as_instrument
from toolkit.plots import competence, data, exclusion, likert, maps, model, quality, triage, weighting
from toolkit.plots._text import check_lang, ui
from toolkit.scales import item_statistics

__all__ = ["all_figures", "figure_makers", "FIGURE_KEYS"]

#: Every key :func:`all_figures` may return (``exclusion_by_<group>`` for each group in the estimates).
FIGURE_KEYS = ("exclusion_by_district", "exclusion_by_age_band", "exclusion_by_gender", "exclusion_by_education",
               "exclusion_by_home_lang", "projection", "map", "map_projection", "likert_skills", "likert_attitudes",
               "competence_by_age_band", "competence_by_education", "confidence_gap", "forest", "calibration",
               "love_plot", "weights", "design_effect", "reliability", "missingness", "triage")


def _marks(results) -> dict:
    config = results.meta.get("config")
    if config is None:
        return {}
    return {"min_cell": config.min_cell, "cv_threshold": config.cv_threshold, "conf_level": config.conf_level}


def _exclusion(results, instrument, lang, marks, geojson) -> dict[str, Callable[[], Figure]]:
    est, proj = results.estimates, results.projection
    out = {f"exclusion_by_{by}": (lambda by=by: exclusion.exclusion_by_group(
        est, instrument=instrument, lang=lang, by=by, marks=marks)) for by in est["by"].unique() if by != "overall"}
    outcome = getattr(results.model, "outcome", None) if results.model is not None else None
    if proj is not None and len(proj):
        out["projection"] = lambda: exclusion.projection(proj, instrument=instrument, lang=lang, marks=marks)
    if geojson is not None and (est["by"] == "district").any():
        chosen = outcome if outcome in set(est["outcome"]) else None
        out["map"] = lambda: maps.district_map(est, geojson=geojson, instrument=instrument, lang=lang,
                                               outcome=chosen, marks=marks)
        if proj is not None and len(proj):
            out["map_projection"] = lambda: maps.district_map(proj, geojson=geojson, instrument=instrument,
                                                              lang=lang, marks=marks)
    return out


def _answers(results, instrument, lang, marks) -> dict[str, Callable[[], Figure]]:
    design, out = results.design, {}
    options = {"conf_level": marks.get("conf_level", 0.95)}
    for key, scaled in (("likert_skills", True), ("likert_attitudes", False)):
        items = [i for i in data.likert_items(instrument, scaled=scaled) if i in design.data]
        if items:
            title = None if scaled else ui("likert_other_title", lang)
            out[key] = (lambda items=items, title=title: likert.likert(
                data.likert_shares(design, instrument, items, **options), instrument=instrument, lang=lang,
                title=title, min_cell=marks.get("min_cell")))
    for by in ("age_band", "education"):
        if by in design.data and any(f"{s}_level" in design.data for s in instrument.scales):
            out[f"competence_by_{by}"] = (lambda by=by: competence.competence_levels(
                data.level_shares(design, instrument, by=by, **options), instrument=instrument, lang=lang,
                marks=marks))
    if any(f"{d}_gap" in design.data for d in instrument.domains):
        out["confidence_gap"] = lambda: competence.confidence_gap(
            data.confidence_table(design, instrument, **options), instrument=instrument, lang=lang)
    return out


def _model(results, instrument, lang, marks) -> dict[str, Callable[[], Figure]]:
    fitted, out = results.model, {}
    if fitted is None:
        return out
    table = getattr(fitted, "table_", None)
    table = fitted.glm_.table if table is None and hasattr(fitted, "glm_") else table
    if table is not None:
        out["forest"] = lambda: model.forest(table, instrument=instrument, lang=lang,
                                             conf_level=marks.get("conf_level", 0.95))
    bins = getattr(fitted, "calibration_table_", None)
    if bins is not None and len(bins):
        out["calibration"] = lambda: model.calibration(bins, by_group=getattr(fitted, "calibration_by_group_", None),
                                                       instrument=instrument, lang=lang)
    return out


def _weights(results, instrument, lang) -> dict[str, Callable[[], Figure]]:
    after = results.design
    raked = after.rake_result is not None
    before = data.design_before(results)
    groups = list(results.meta["config"].groups) if results.meta.get("config") else []
    out = {"weights": lambda: weighting.weight_distribution(
        data.weights_table(before, after=after if raked else None), lang=lang),
        "design_effect": lambda: weighting.design_effect(
            data.design_effects(before, after=after if raked else None, by=groups), instrument=instrument, lang=lang)}
    if raked:
        out["love_plot"] = lambda: weighting.love_plot(data.balance_table(before, after), instrument=instrument,
                                                       lang=lang)
    return out


def _quality(results, instrument, lang, marks) -> dict[str, Callable[[], Figure]]:
    cleaned = results.cleaned  # its columns are read as needed: a streamed run's are in a file
    missing = [c for c in cleaned.column_names if str(c).endswith("_missing")]
    out = {"missingness": lambda: quality.missingness_heatmap(data.missingness(cleaned.select(missing), instrument),
                                                              instrument=instrument, lang=lang)}
    analysable = [s for s, spec in instrument.scales.items() if len(spec.items) >= 2]  # item-rest needs two
    if results.reliability is not None and len(results.reliability) and analysable:
        out["reliability"] = lambda: quality.reliability_items(
            results.reliability, _item_statistics(cleaned, instrument, analysable), instrument=instrument,
            lang=lang, conf_level=marks.get("conf_level", 0.95))
    if results.triage is not None and len(results.triage) and "category" in results.triage:
        design = results.design if len(results.triage) == results.design.n else None
        out["triage"] = lambda: triage.triage_distribution(data.triage_shares(results.triage, design=design),
                                                           lang=lang, marks=marks)
    return out


def _item_statistics(cleaned, instrument, scales: list[str]) -> pd.DataFrame:
    """:func:`toolkit.scales.item_statistics`, one scale's items (and kinds of missing answer) read at a time."""
    present = set(cleaned.column_names)
    return pd.concat([item_statistics(cleaned.select([c for i in instrument.scales[s].items
                                                      for c in (i, f"{i}_missing") if c in present]),
                                      instrument, scales=[s]) for s in scales], ignore_index=True)


def figure_makers(results, *, instrument, lang: str = "en", geojson=None) -> dict[str, Callable[[], Figure]]:
    """What :func:`all_figures` draws, undrawn: each key with a function that makes its figure.

    The tables are made when a function is called, so the figures can be drawn
    one at a time or in other processes. Arguments as for :func:`all_figures`.

    Returns
    -------
    dict of str to callable
        Keys from :data:`FIGURE_KEYS`, in that order; each function returns a
        matplotlib Figure, which the caller closes.

    Examples
    --------
    >>> import toolkit
    >>> res = toolkit.pipeline.run(toolkit.datasets.path("sample_survey.csv"), "dis-full")  # doctest: +SKIP
    >>> makers = figure_makers(res, instrument="dis-full")  # doctest: +SKIP
    >>> makers["missingness"]().axes[0].get_title() != ""  # doctest: +SKIP
    True
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    marks = _marks(results)
    makers = {**_exclusion(results, instrument, lang, marks, geojson), **_answers(results, instrument, lang, marks),
              **_model(results, instrument, lang, marks), **_weights(results, instrument, lang),
              **_quality(results, instrument, lang, marks)}
    if geojson is not None:
        maps.read_districts(geojson, instrument=instrument)  # a broken file fails before anything is drawn
    return {key: makers[key] for key in FIGURE_KEYS if key in makers}


def all_figures(results, *, instrument, lang: str = "en", geojson=None) -> dict[str, Figure]:
    """Every figure the results support, keyed by a stable name; figures whose inputs are absent are left out.

    Parameters
    ----------
    results : toolkit.pipeline.Results
        A run's results.
    instrument : Instrument, str or path
        The questionnaire (labels in ``lang``).
    lang : {"en", "da"}
    geojson : path, Traversable or dict, optional
        District boundaries; the maps are drawn only with them
        (``importlib.resources.files("toolkit") / "data" / "districts.geojson"`` for the sample).

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        Keys from :data:`FIGURE_KEYS`, in that order: ``exclusion_by_<group>``
        per group of the estimates, ``projection`` and ``map_projection``
        (with a population), ``map`` (with ``geojson``), ``likert_skills``,
        ``likert_attitudes``, ``competence_by_age_band``,
        ``competence_by_education``, ``confidence_gap``, ``forest``,
        ``calibration`` (with the model's calibration tables), ``love_plot``
        (raked), ``weights``, ``design_effect``, ``reliability``,
        ``missingness``, ``triage`` (with triage results). The caller closes them.

    Examples
    --------
    >>> import toolkit
    >>> res = toolkit.pipeline.run(toolkit.datasets.path("sample_survey.csv"), "dis-full")  # doctest: +SKIP
    >>> figures = all_figures(res, instrument="dis-full", lang="da")  # doctest: +SKIP
    >>> "exclusion_by_district" in figures  # doctest: +SKIP
    True
    """
    makers = figure_makers(results, instrument=instrument, lang=lang, geojson=geojson)
    return {key: make() for key, make in makers.items()}
