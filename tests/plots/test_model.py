import numpy as np
import pandas as pd

from tests.plots.conftest import texts
from toolkit.plots.model import calibration, forest


def test_forest_from_the_glm_table_on_a_log_scale(results, instrument):
    table = results.model.glm_.table
    fig = forest(table, instrument=instrument)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(table) - 1  # no intercept
    assert "Education: Master's degree or PhD" in labels
    da = forest(table, instrument=instrument, lang="da")
    assert da.axes[0].get_xlabel().startswith("Oddsratio")


def test_forest_accepts_coefficients_and_shows_references(instrument):
    table = pd.DataFrame({"variable": "age_band", "level": ["30-44", "75+"], "reference": "18-29",
                          "coef": [0.0, np.log(9)], "ci_low": [-0.5, 1.7], "ci_high": [0.5, 2.7]})
    labels = [t.get_text() for t in forest(table, instrument=instrument).axes[0].get_yticklabels()]
    assert labels == ["Age band: 18-29 (reference)", "Age band: 30-44", "Age band: 75+"]


def test_calibration_overall_and_by_group(instrument):
    bins = pd.DataFrame({"predictions": ["in_sample"] * 3 + ["cross_validated"] * 3, "bin": [1, 2, 3] * 2,
                         "predicted": [0.1, 0.3, 0.6] * 2, "observed": [0.12, 0.28, 0.61, 0.1, 0.33, 0.55],
                         "ci_low": 0.05, "ci_high": 0.7, "suppressed": [False] * 5 + [True]})
    groups = pd.DataFrame({"variable": "education", "level": ["1.0", "6.0"], "expected": [0.4, 0.15],
                           "observed": [0.42, 0.13]})
    fig = calibration(bins, by_group=groups, instrument=instrument, lang="da")
    assert len(fig.axes) == 2
    assert "Uddannelse: Grundskole" in texts(fig)
    assert {"i stikprøven", "krydsvalideret", "skjult"} <= set(texts(fig))
    assert len(calibration(bins, instrument=instrument).axes) == 1
