from tests.plots.conftest import texts
from toolkit.plots import data
from toolkit.plots.quality import missingness_heatmap, reliability_items
from toolkit.scales import item_statistics


def test_reliability_and_item_analysis(results, instrument):
    items = item_statistics(results.cleaned.data, instrument)
    fig = reliability_items(results.reliability, items, instrument=instrument, lang="da")
    rel, item_ax = fig.axes[:2]
    assert len(rel.get_yticklabels()) == len(results.reliability)
    assert len(item_ax.get_yticklabels()) == len(items)
    assert item_ax.get_xlabel() == "Korrelation mellem item og resten af skalaen"


def test_missingness_by_item_and_kind(results, instrument):
    table = data.missingness(results.cleaned.data, instrument)
    assert set(table["kind"]) == {"dont_know", "refused", "dont_understand"}
    assert table["share"].between(0, 1).all() and table["share"].max() > 0
    fig = missingness_heatmap(table, instrument=instrument)
    assert "Your digital skills" in texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Don't know", "Refused", "Don't understand"]
