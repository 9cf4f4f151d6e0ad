"""risk.inclusion_index and band_shares: the declared Digital Inclusion Index and its bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import survey
from toolkit.errors import DesignError, OptionError, ResponseError
from toolkit.risk.index import assign_bands, band_shares, component_weights, inclusion_index, mix

INST = toolkit.load_instrument("dis-full")


@pytest.fixture(scope="module")
def sample():
    cleaned = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), INST, pseudonym_key="x")
    return cleaned.data, toolkit.score(cleaned.data, INST)


@pytest.fixture(scope="module")
def index(sample):
    return inclusion_index(*sample, INST)


def test_frames_and_ranges(sample, index):
    data, _ = sample
    assert index.scores.columns.tolist() == ["index", "band"] and index.scores.index.equals(data.index)
    assert index.components.columns.tolist() == ["access", "ability", "attitudes"]
    x = index.scores["index"].dropna()
    assert x.between(0, 100).all() and len(x) > 0.95 * len(data)
    assert index.components.stack().between(0, 100).all()
    assert "respondent_id" not in index.scores  # no identifiers next to person-level scores


def test_total_is_the_weighted_mean_of_the_components(index):
    expected = index.components.to_numpy() @ index.weights["weight"].to_numpy()
    np.testing.assert_allclose(index.scores["index"], expected)


def test_bands_follow_the_declared_boundaries_exactly():
    spec = INST.index
    cuts = np.array([b.upper for b in spec.bands[:-1]])
    lower = np.array([b.upper_closed for b in spec.bands[:-1]])
    x = np.array([0, 45, 45.001, 60.999, 61, 79.999, 80, 100, np.nan])
    assert assign_bands(x, cuts, lower).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, -1]
    for b in spec.bands:
        inside = b.contains(pd.Series(x))
        assert (assign_bands(x, cuts, lower)[inside.to_numpy()] == [s.id for s in spec.bands].index(b.id)).all()


def test_access_scores_follow_the_points(index, sample):
    data, _ = sample
    comp = index.components["access"]
    nothing = (data["devices"].astype(str).str.strip() == "5") & (data["home_conn"] == 3)
    assert nothing.any() and (comp[nothing] == 0).all()  # no device, no connection, no mobile data


def test_knowledge_share_mixes_the_two_scores():
    kn, sr = np.array([[100.0, np.nan, np.nan]]), np.array([[0.0, 50.0, np.nan]])
    assert mix(kn, sr, 0.6, 2).tolist() == [55.0]  # (60 + 50) / 2; the third domain is missing
    assert np.isnan(mix(kn, sr, 0.6, 3)).all()


def test_weights_can_be_replaced_and_are_checked(sample, index):
    heavy = inclusion_index(*sample, INST, weights={"access": 0, "ability": 1, "attitudes": 0})
    np.testing.assert_allclose(heavy.scores["index"], index.components["ability"])
    with pytest.raises(OptionError, match="each component"):
        component_weights(INST.index, {"access": 1})


def test_an_instrument_without_an_index_is_a_clear_error(sample):
    with pytest.raises(OptionError, match="'dis-screener' declares no index"):
        inclusion_index(*sample, "dis-screener")


def test_missing_columns_are_named(sample):
    data, scores = sample
    with pytest.raises(ResponseError, match="afford"):
        inclusion_index(data.drop(columns="afford"), scores, INST)
    with pytest.raises(ResponseError, match="practical_kn"):
        inclusion_index(data, scores.drop(columns="practical_kn"), INST)


def test_summary_counts_every_banded_respondent(index):
    table = index.summary()
    assert table["band"].tolist() == list(INST.index.excluded) + ["included", "highly_included"]
    assert int(table["n"].sum()) == int(index.scores["band"].notna().sum())


def test_band_shares_are_design_proportions(sample, index):
    data, _ = sample
    design = survey.Design(data, weights="design_weight", strata="stratum")
    table = band_shares(index, design)
    overall = table[table["district"] == "overall"]
    assert overall["level"].tolist() == [b.id for b in INST.index.bands]
    band = index.scores["band"].astype(object)
    direct = design.update(band=band.to_numpy()).proportion("band", na_rm=True).set_index("level")["estimate"]
    np.testing.assert_allclose(overall.set_index("level")["estimate"], direct.loc[overall["level"]])
    assert {"ci_low", "ci_high", "suppressed"} <= set(table.columns)
    assert set(table["district"]) - {"overall"} == set(data["district"].dropna())


def test_band_shares_match_rows_by_index(sample, index):
    data, _ = sample
    sub = data.iloc[::2]
    design = survey.Design(sub, weights="design_weight", strata="stratum")
    table = band_shares(index, design, by=None)
    expected = design.update(band=index.scores["band"].astype(object).loc[sub.index].to_numpy())
    np.testing.assert_allclose(table["estimate"].sum(), 1.0)
    assert table["n"].iloc[0] == expected.proportion("band", na_rm=True)["n"].iloc[0]
    with pytest.raises(DesignError, match="rows of the index"):
        band_shares(index, survey.Design(data.set_axis(range(10_000, 10_000 + len(data)))))
