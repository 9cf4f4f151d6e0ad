"""The bundled sample: regenerates byte for byte, lists the files toolkit.datasets knows, agrees with itself."""

from __future__ import annotations

from importlib import resources

import pytest

import toolkit
from toolkit.errors import InputFileError
from toolkit.simulate.bundle import BUNDLE, write_bundle

INST = toolkit.load_instrument("dis-full")


def test_truth_file_and_population_agree():
    pop, truth = toolkit.datasets.load("population.csv"), toolkit.datasets.load("truth.json")
    assert list(pop.columns) == ["district", "age_band", "gender", "education", "home_lang", "count"]
    assert int(pop["count"].sum()) == truth["population_size"]
    assert (truth["instrument"], truth["instrument_version"]) == (INST.id, INST.version)
    by_d = pop.groupby("district")["count"].sum()
    assert {str(k): int(v) for k, v in by_d.items()} == truth["design"]["population"]
    assert set(truth["prevalence"]) == set(INST.outcomes)
    assert set(truth["prevalence"]["exempt"]) == {"overall", *map(str, range(1, 9))}
    assert truth["item_parameters"]["prac_k1"]["kind"] == "2pl"
    assert truth["item_parameters"]["prac_05"]["kind"] == "grm"
    shares = pop.groupby(["district", "age_band"])["count"].sum() / by_d
    assert shares[(2, "75+")] > 2 * shares[(1, "75+")]  # the older district
    assert shares[(1, "18-29")] > 1.5 * shares[(5, "18-29")]  # the student district
    lang = pop[pop["home_lang"] > 1].groupby("district")["count"].sum() / by_d
    assert lang.idxmax() == 3


def test_bundled_files_regenerate_byte_for_byte(tmp_path):
    write_bundle(tmp_path)
    data = resources.files("toolkit") / "data"
    for name in BUNDLE:
        assert (tmp_path / name).read_bytes() == (data / name).read_bytes(), name
    assert (data / "README.md").is_file()


def test_bundled_loader():
    df = toolkit.datasets.load("sample_survey.csv")
    assert 2000 <= len(df) <= 2100 and "respondent_id" in df
    assert len(toolkit.datasets.load("sample_screener.csv")) >= 500
    assert "skills/prac_03" in toolkit.datasets.load("sample_kobo.csv")
    with pytest.raises(InputFileError, match="no bundled data file"):
        toolkit.datasets.load("nope.csv")


def test_bundle_lists_exactly_the_simulated_datasets_files():
    # the district map is drawn by toolkit/data/make_districts_geojson.py, not simulated
    simulated = [name for name in toolkit.datasets.FILES if name != "districts.geojson"]
    assert list(BUNDLE) == simulated
    assert toolkit.datasets.load("districts.geojson")["type"] == "FeatureCollection"
