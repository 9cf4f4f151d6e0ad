import numpy as np
import pytest

from tests.plots.conftest import texts
from toolkit.errors import OptionError
from toolkit.plots.exclusion import exclusion_by_group, projection


def test_district_figure_has_one_panel_per_outcome_and_translated_labels(results, instrument):
    outcomes = results.estimates["outcome"].unique()
    for lang, label, district in (("en", "District", "Strandvig"), ("da", "Bydel", "Strandvig")):
        fig = exclusion_by_group(results.estimates, instrument=instrument, lang=lang)
        titled = [ax for ax in fig.axes if ax.get_title()]
        assert len(titled) == len(outcomes)
        assert fig.axes[0].get_ylabel() == label
        assert district in texts(fig)
    assert instrument.outcomes["needs_help"].label["da"].split()[0] in " ".join(texts(fig))


def test_suppressed_cells_are_marked_not_omitted(results, instrument):
    fig = exclusion_by_group(results.estimates, instrument=instrument, by="age_band")
    suppressed = results.estimates.query("by == 'age_band' and suppressed")
    assert len(suppressed) > 0
    assert texts(fig).count("suppressed") == len(suppressed)
    assert "skjult" in texts(exclusion_by_group(results.estimates, instrument=instrument, by="age_band", lang="da"))


def test_unreliable_estimates_are_drawn_open(results, instrument):
    fig = exclusion_by_group(results.estimates, instrument=instrument, by="district")
    faces = [line.get_markerfacecolor() for ax in fig.axes for line in ax.get_lines()]
    assert "white" in faces
    assert any("unreliable" in t for t in texts(fig))


def test_figures_take_precomputed_frames(instrument):
    import pandas as pd

    est = pd.DataFrame({"outcome": "offline", "by": "district", "group": ["1", "2", "3"],
                        "estimate": [0.1, np.nan, 0.2], "ci_low": [0.05, np.nan, 0.1], "ci_high": [0.2, np.nan, 0.3],
                        "suppressed": [False, True, False], "reliable": [True, False, False]})
    fig = exclusion_by_group(est, instrument=instrument)
    assert texts(fig).count("suppressed") == 1
    with pytest.raises(OptionError, match="by == 'education'"):
        exclusion_by_group(est, instrument=instrument, by="education")


def test_projection_shows_every_method_with_intervals(results, instrument):
    fig = projection(results.projection, instrument=instrument, lang="da")
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Direkte (survey)", "Model", "Fay-Herriot", "foretrukket"} <= set(legend)
    assert ax.get_ylabel() == "Fremskrevet antal borgere"
    assert len(ax.containers) == 3  # one errorbar container per method


def test_projection_marks_suppressed_districts(results, instrument):
    proj = results.projection.copy()
    hide = (proj["district"].astype(str) == "8") & (proj["method"] == "direct")
    proj.loc[hide, ["count", "count_ci_low", "count_ci_high"]] = np.nan
    proj.loc[hide, "suppressed"] = True
    assert "suppressed" in texts(projection(proj, instrument=instrument))
