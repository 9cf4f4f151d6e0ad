import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tests.plots.conftest import texts
from toolkit.errors import OptionError
from toolkit.plots import data
from toolkit.plots.weighting import design_effect, love_plot, weight_distribution


@pytest.fixture(scope="module")
def before(results):
    return data.design_before(results)


def test_balance_table_against_the_population(results, before):
    table = data.balance_table(before, results.design)
    assert set(table["variable"]) == set(results.meta["config"].margins)
    assert np.allclose(table.groupby("variable")["population"].sum(), 1)
    assert table["smd_after"].abs().max() < 0.01 < table["smd_before"].abs().max()
    with pytest.raises(OptionError, match="raked"):
        data.balance_table(before, before)


def test_love_plot_before_and_after(results, before, instrument):
    fig = love_plot(data.balance_table(before, results.design), instrument=instrument, lang="da")
    assert {"designvægte", "rakede vægte", "Uddannelse: Grundskole"} <= set(texts(fig))


def test_weight_distribution_uses_both_designs(results, before):
    table = data.weights_table(before, after=results.design)
    assert table["weighting"].value_counts().to_dict() == {"design": results.design.n, "raked": results.design.n}
    fig = weight_distribution(table)
    assert fig.axes[0].get_xlabel() == "Weight relative to the mean"


def test_design_effect_overall_matches_weight_summary(results, before, instrument):
    table = data.design_effects(before, after=results.design, by=["district", "age_band"])
    overall = table[table["by"] == "overall"].set_index("weighting")["kish_neff"]
    summary = results.weighting.set_index("weighting")["kish_neff"]
    assert np.allclose(overall.sort_index(), summary.sort_index())
    fig = design_effect(table, instrument=instrument)
    assert {"All residents", "District: Nordby", "Age band: 75+"} <= set(texts(fig))


def test_design_effect_draws_a_suppressed_cell_as_an_empty_bar(instrument):
    table = pd.DataFrame({"weighting": "design", "by": ["overall", "district"], "group": ["all", "1"],
                          "n": pd.array([2000, pd.NA], dtype="Int64"),
                          "kish_neff": pd.array([1950.0, pd.NA], dtype="Float64"),
                          "deff_weighting": pd.array([1.02, pd.NA], dtype="Float64"), "suppressed": [False, True]})
    fig = design_effect(table, instrument=instrument)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths[0] == pytest.approx(1.02) and np.isnan(widths[1])
    assert len(fig.axes[0].texts) == 1  # the suppressed cell is marked, once
    plt.close(fig)
