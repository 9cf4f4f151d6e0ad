import pytest

from tests.plots.conftest import texts
from toolkit.plots import data
from toolkit.plots.competence import competence_levels, confidence_gap


@pytest.mark.parametrize("by", ["age_band", "education"])
def test_levels_by_group_one_panel_per_scale(results, instrument, by):
    table = data.level_shares(results.design, instrument, by=by)
    fig = competence_levels(table, instrument=instrument, lang="da")
    assert len(fig.axes) == len(instrument.scales)
    assert "Praktisk-teknisk: selvvurderet" in texts(fig)
    assert fig.axes[0].get_ylabel() == {"age_band": "Aldersgruppe", "education": "Uddannelse"}[by]
    if table["suppressed"].any():
        assert "skjult" in texts(fig)


def test_confidence_gap_draws_mean_and_shares(results, instrument):
    table = data.confidence_table(results.design, instrument)
    assert set(table["statistic"]) == {"mean_gap", "underconfident", "aligned", "overconfident"}
    fig = confidence_gap(table, instrument=instrument)
    assert fig.axes[0].get_xlabel() == "Mean confidence gap (SD)"
    assert {"Underconfident", "Overconfident"} <= set(texts(fig))
    assert "Selvvurdering over for viden" in texts(confidence_gap(table, instrument=instrument, lang="da"))
