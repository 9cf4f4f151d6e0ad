"""District maps: a choropleth of prevalence or projected counts, with the width of the interval beside it.

Boundaries come from GeoJSON (a FeatureCollection of Polygon or MultiPolygon
features with properties ``district``, the instrument's code, and ``name``),
read with :mod:`json` and drawn as matplotlib patches; no geopandas. The
bundled ``districts.geojson`` holds the sample municipality's eight districts.
Every feature is checked against the instrument's district answers, and
every district of the data must have a boundary: a mismatch is an error
naming the district. Suppressed districts are grey and cross-hatched with the
word; unreliable estimates (``reliable == False``) are hatched.

Examples
--------
>>> from importlib import resources
>>> shapes = read_districts(resources.files("toolkit") / "data" / "districts.geojson", instrument="dis-full")
>>> sorted(shapes)[:3], len(shapes)
([1, 2, 3], 8)
"""

from __future__ import annotations

import json
import os
from importlib.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import InputFileError, OptionError, ResponseError
from toolkit.plots import _draw
from toolkit.plots._text import check_lang, number, outcome_label, ui, wrap
from toolkit.plots.style import GREY, HATCH, styled

__all__ = ["read_districts", "district_map"]

SEQUENTIAL, WIDTH = "mako_r", "rocket_r"
#: a district GeoJSON larger than this is refused (the bundled one is ~5 kB)
MAX_GEOJSON_BYTES = 50 * 2**20


def _load(geojson) -> dict:
    if isinstance(geojson, dict):
        return geojson
    if not isinstance(geojson, str | os.PathLike | Traversable):
        raise OptionError(f"geojson must be a path or a parsed GeoJSON dict; got {type(geojson).__name__}")
    source = Path(geojson) if isinstance(geojson, str | os.PathLike) else geojson
    if isinstance(source, Path) and source.is_file() and source.stat().st_size > MAX_GEOJSON_BYTES:
        raise InputFileError(f"cannot read district boundaries from {geojson}: {source.stat().st_size / 2**20:,.0f} "
                             f"MB is more than the {MAX_GEOJSON_BYTES // 2**20} MB a district map needs; "
                             "simplify the polygons (e.g. mapshaper -simplify 10%)")
    try:
        return json.loads(source.read_text(encoding="utf-8"))
    except RecursionError:
        raise InputFileError(f"cannot read district boundaries from {geojson}: nested too deeply to be "
                             "GeoJSON") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputFileError(f"cannot read district boundaries from {geojson}: {err}") from err


def _rings(geometry: dict, where: str) -> list[np.ndarray]:
    """The exterior rings of a Polygon or MultiPolygon (holes are not drawn: districts have none)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    polygons = {"Polygon": lambda c: [c], "MultiPolygon": lambda c: c}.get(kind)
    if polygons is None:
        raise InputFileError(f"malformed GeoJSON: {where} has geometry {kind!r}; expected Polygon or MultiPolygon")
    try:
        rings = [np.asarray(p[0], dtype=float) for p in polygons(geometry["coordinates"])]
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise InputFileError(f"malformed GeoJSON: {where} has unreadable coordinates ({err})") from err
    if any(r.ndim != 2 or r.shape[1] < 2 or len(r) < 4 for r in rings):
        raise InputFileError(f"malformed GeoJSON: {where} needs rings of at least 4 [lon, lat] positions")
    return [r[:, :2] for r in rings]


def read_districts(geojson, *, instrument, district: str = "district") -> dict[int, tuple[str, list[np.ndarray]]]:
    """District boundaries from GeoJSON, checked against the instrument's district answers.

    Parameters
    ----------
    geojson : path, Traversable or dict
        A FeatureCollection; each feature has properties ``district`` (the
        answer code) and ``name`` (its label in any of the instrument's languages).
    instrument : Instrument, str or path
    district : str, default "district"
        The district item of the instrument.

    Returns
    -------
    dict
        code -> (name, list of exterior rings as (k, 2) arrays of lon, lat).

    Raises
    ------
    InputFileError
        The file cannot be read or is not a FeatureCollection of polygons.
    ResponseError
        A feature's code is not one of the instrument's districts, or its name
        does not match the code.

    Examples
    --------
    >>> shape = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...          "properties": {"district": 9, "name": "Atlantis"},
    ...          "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    >>> read_districts(shape, instrument="dis-full")
    Traceback (most recent call last):
    ...
    toolkit.errors.ResponseError: district 9 (Atlantis) in the GeoJSON is not a district of dis-full; ...
    """
    instrument = as_instrument(instrument)
    collection = _load(geojson)
    source = "the GeoJSON" if isinstance(geojson, dict) else str(geojson)
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features or collection.get("type") != "FeatureCollection":
        raise InputFileError(f"malformed GeoJSON {source}: expected a FeatureCollection with at least one feature")
    rs = instrument.response_set_of(district) if district in instrument.item_ids else None
    if rs is None:
        raise OptionError(f"{instrument.id} has no item {district!r} with district answers")
    names = {c.code: {v.casefold() for v in c.label.values()} for c in rs.codes}
    known = "; ".join(f"{c.code}={c.label.get(instrument.languages[0])}" for c in rs.codes)
    shapes = {}
    for k, feature in enumerate(features):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code, name = props.get("district"), props.get("name")
        where = f"feature {k} ({name or 'no name'})"
        if isinstance(code, bool) or not isinstance(code, int | float) or not float(code).is_integer():
            raise InputFileError(f"malformed GeoJSON: {where} needs an integer property 'district'; got {code!r}")
        code = int(code)
        if code not in names:
            raise ResponseError(f"district {code} ({name}) in {source} is not a district of {instrument.id}; "
                                f"its districts are {known}")
        if name is not None and str(name).casefold() not in names[code]:
            raise ResponseError(f"district {code} is named {name!r} in {source} but "
                                f"{rs.codes[[c.code for c in rs.codes].index(code)].label.get('en')!r} in "
                                f"{instrument.id}")
        shapes[code] = (str(name or code), _rings(feature.get("geometry"), where))
    return shapes


def _values(data: pd.DataFrame, outcome: str | None) -> tuple[pd.DataFrame, str]:
    """(one row per district: value, low, high, reliable, suppressed; the kind) from estimates or projection."""
    if "method" in data:
        check_frame(data, "data", columns=["district", "outcome", "count", "count_ci_low", "count_ci_high"],
                    error=OptionError)
        outcome = outcome or data["outcome"].iloc[0]
        rows = data[(data["outcome"] == outcome)]
        rows = rows[rows["preferred"].astype(bool)] if "preferred" in rows else rows[rows["method"] == "direct"]
        rows = rows.rename(columns={"count": "value", "count_ci_low": "low", "count_ci_high": "high"})
        return rows.assign(code=rows["district"]), "count"
    check_frame(data, "data", columns=["outcome", "by", "group", "estimate", "ci_low", "ci_high"], error=OptionError)
    outcome = outcome or data["outcome"].iloc[0]
    rows = data[(data["by"] == "district") & (data["outcome"] == outcome)]
    rows = rows.rename(columns={"estimate": "value", "ci_low": "low", "ci_high": "high"})
    return rows.assign(code=rows["group"]), "share"


def _panel(ax, shapes, cells: pd.DataFrame, column: str, cmap: str, lang: str, fmt) -> None:
    values = cells[column].astype(float)
    norm = Normalize(values.min(), values.max())
    patches, faces = [], []
    for code, (name, rings) in shapes.items():
        row = cells.loc[code] if code in cells.index else None
        hidden = row is None or bool(row.get("suppressed", False)) or pd.isna(row[column])
        shaky = not hidden and not bool(row.get("reliable", True))
        color = GREY if hidden else plt.get_cmap(cmap)(norm(row[column]))
        for ring in rings:
            patch = Polygon(ring, closed=True, facecolor=color, edgecolor="white", linewidth=1.2,
                            hatch=HATCH if hidden else ("//" if shaky else None))
            ax.add_patch(patch)
            patches.append(patch)
            faces.append(color)
        biggest = max(rings, key=len)
        anchor = (biggest.min(axis=0) + biggest.max(axis=0)) / 2  # the label sits mid-box
        text = ui("suppressed_short", lang) if hidden else fmt(row[column])
        ax.text(*anchor, f"{name}\n{text}", ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    scale = PatchCollection([], cmap=cmap, norm=norm)
    ax.figure.colorbar(scale, ax=ax, shrink=0.7, format=lambda v, _pos: fmt(v))
    ax.autoscale_view()
    lats = np.concatenate([r[:, 1] for _, rings in shapes.values() for r in rings])
    lat = (lats.min() + lats.max()) / 2
    ax.set_aspect(1 / np.cos(np.radians(lat)))
    ax.set_axis_off()


@styled
def district_map(data: pd.DataFrame, *, geojson, instrument, lang: str = "en", outcome: str | None = None,
                 district: str = "district", marks: dict | None = None) -> Figure:
    """Choropleth of a district estimate (left) and the width of its confidence interval (right).

    Parameters
    ----------
    data : pandas.DataFrame
        ``Results.estimates`` (the ``by == "district"`` rows are drawn: shares)
        or ``Results.projection`` (the preferred method's counts).
    geojson : path, Traversable or dict
        District boundaries, see :func:`read_districts`.
    instrument : Instrument, str or path
    lang : {"en", "da"}
    outcome : str, optional
        Default the first outcome in ``data``.
    district : str, default "district"
    marks : dict, optional
        ``conf_level`` and ``cv_threshold`` of the run, for the titles and legend.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ResponseError
        A district of the data has no boundary.

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> from importlib import resources
    >>> est = pd.DataFrame({"outcome": "offline", "by": "district", "group": [str(c) for c in range(1, 9)],
    ...                     "estimate": 0.05, "ci_low": 0.03, "ci_high": 0.08})
    >>> fig = district_map(est, geojson=resources.files("toolkit") / "data" / "districts.geojson",
    ...                    instrument="dis-full")
    >>> len(fig.axes[0].patches)
    8
    >>> plt.close(fig)
    """
    instrument, lang = as_instrument(instrument), check_lang(lang)
    shapes = read_districts(geojson, instrument=instrument, district=district)
    rows, kind = _values(data, outcome)
    codes = pd.to_numeric(rows["code"], errors="coerce")
    missing = sorted(set(rows.loc[codes.isna() | ~codes.isin(list(shapes)), "code"].astype(str)))
    if missing:
        raise ResponseError(f"district(s) {', '.join(missing)} of the data have no boundary in the GeoJSON; "
                            f"it has {', '.join(f'{c}={n}' for c, (n, _) in sorted(shapes.items()))}")
    cells = rows.assign(width=rows["high"] - rows["low"]).set_index(codes.astype(int).to_numpy())
    fmt = (lambda v: f"{100 * v:.0f} %") if kind == "share" else (lambda v: number(v, lang))
    fig, axes = plt.subplots(1, 2, figsize=(12, 6))
    _panel(axes[0], shapes, cells, "value", SEQUENTIAL, lang, fmt)
    _panel(axes[1], shapes, cells, "width", WIDTH, lang, fmt)
    name = outcome or rows["outcome"].iloc[0]
    axes[0].set_title(wrap(f"{ui('map_value' if kind == 'share' else 'count', lang)}: "
                           f"{outcome_label(instrument, name, lang)}", 50))
    marks = {**_draw.MARKS, **(marks or {})}
    axes[1].set_title(ui("map_width", lang, conf=f"{100 * marks['conf_level']:g}"))
    shaky = ui("unreliable", lang, cv=f"{marks['cv_threshold']:g}")
    fig.legend(handles=[Patch(facecolor=GREY, hatch=HATCH, label=ui("suppressed_short", lang)),
                        Patch(facecolor="white", edgecolor=GREY, hatch="//", label=shaky)],
               loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
