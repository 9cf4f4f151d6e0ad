import pytest
from matplotlib.figure import Figure

from tests.plots.conftest import GEOJSON
from toolkit.errors import InputFileError
from toolkit.plots import FIGURE_KEYS, all_figures


def test_every_supported_figure_with_stable_keys(results, instrument):
    figures = all_figures(results, instrument=instrument, lang="da", geojson=GEOJSON)
    assert list(figures) == [k for k in FIGURE_KEYS if k in figures]
    assert {"exclusion_by_district", "projection", "map", "map_projection", "likert_skills", "forest",
            "love_plot", "weights", "design_effect", "reliability", "missingness"} <= set(figures)
    assert {"calibration", "triage"} <= set(figures)  # the pipeline's model has calibration tables and triage
    assert all(isinstance(f, Figure) for f in figures.values())


def test_a_bad_boundary_file_fails_before_anything_is_drawn(results, instrument, tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(InputFileError):
        all_figures(results, instrument=instrument, geojson=bad)


def test_without_population_there_is_no_projection_map_or_love_plot(instrument):
    import toolkit
    from toolkit import pipeline
    from toolkit.config import Config

    res = pipeline.run(toolkit.datasets.path("sample_kobo.csv"), instrument, config=Config(groups=("district",)))
    figures = all_figures(res, instrument=instrument, geojson=GEOJSON)
    assert "exclusion_by_district" in figures and "map" in figures
    assert not {"projection", "map_projection", "love_plot"} & set(figures)
    assert {"weights", "design_effect", "missingness"} <= set(figures)
