import json

import numpy as np
import pytest
from matplotlib.path import Path

from tests.plots.conftest import GEOJSON, texts
from toolkit.errors import InputFileError, ResponseError
from toolkit.plots.maps import district_map, read_districts


def test_bundled_districts_tile_the_municipality_without_overlaps(instrument):
    shapes = read_districts(GEOJSON, instrument=instrument)
    names = {c.code: c.label["en"] for c in instrument.response_set_of("district").codes}
    assert {code: name for code, (name, _) in shapes.items()} == names
    paths = [Path(rings[0]) for _, rings in shapes.values()]
    xs, ys = np.meshgrid(np.linspace(9.9, 10.2, 120), np.linspace(56.05, 56.19, 120))
    inside = np.array([p.contains_points(np.c_[xs.ravel(), ys.ravel()]) for p in paths])
    assert inside.sum(axis=0).max() == 1


def test_generator_rewrites_the_bundled_file_byte_for_byte(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", GEOJSON.parent / "make_districts_geojson.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(tmp_path / "d.geojson"))
    assert (tmp_path / "d.geojson").read_bytes() == GEOJSON.read_bytes()


def test_map_draws_every_district_and_marks_suppressed_and_unreliable(results, instrument):
    est = results.estimates.copy()
    hide = (est["by"] == "district") & (est["outcome"] == "offline") & (est["group"] == "8")
    est.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    est.loc[hide, "suppressed"] = True
    fig = district_map(est, geojson=GEOJSON, instrument=instrument, outcome="offline")
    value, width = fig.axes[0], fig.axes[1]
    assert len(value.patches) == len(width.patches) == 8
    hatches = [p.get_hatch() for p in value.patches]
    assert hatches.count("xx") == 1 and "//" in hatches
    assert any(t.startswith("Lyngdal\nsuppressed") for t in texts(fig))


def test_map_of_projected_counts_in_danish(results, instrument):
    fig = district_map(results.projection, geojson=GEOJSON, instrument=instrument, lang="da")
    assert fig.axes[1].get_title().startswith("Bredde af 95")
    assert any("Nordby" in t for t in texts(fig))


def _collection(code=1, name="Nordby", geometry=None):
    geometry = geometry or {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"district": code, "name": name}, "geometry": geometry}]}


def test_unknown_or_misnamed_districts_are_errors_naming_them(instrument):
    with pytest.raises(ResponseError, match=r"district 9 \(Atlantis\)"):
        read_districts(_collection(9, "Atlantis"), instrument=instrument)
    with pytest.raises(ResponseError, match="district 1 is named 'Sydby'"):
        read_districts(_collection(1, "Sydby"), instrument=instrument)


def test_malformed_or_unreadable_geojson_is_an_input_file_error(tmp_path, instrument):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot read district boundaries"):
        read_districts(bad, instrument=instrument)
    with pytest.raises(InputFileError, match="cannot read"):
        read_districts(tmp_path / "missing.geojson", instrument=instrument)
    with pytest.raises(InputFileError, match="FeatureCollection"):
        read_districts({"type": "Feature"}, instrument=instrument)
    with pytest.raises(InputFileError, match="Point"):
        read_districts(_collection(geometry={"type": "Point", "coordinates": [0, 0]}), instrument=instrument)


def test_a_data_district_without_boundary_is_an_error(results, instrument):
    one = json.loads(GEOJSON.read_text(encoding="utf-8"))
    one["features"] = one["features"][:7]
    with pytest.raises(ResponseError, match="district.s. 8 of the data have no boundary"):
        district_map(results.estimates, geojson=one, instrument=instrument)
