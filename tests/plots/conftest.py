"""One pipeline run on the bundled sample for every figure test; figures drawn with Agg and closed."""

from __future__ import annotations

from importlib import resources

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import toolkit  # noqa: E402
from toolkit import pipeline  # noqa: E402

GEOJSON = resources.files("toolkit") / "data" / "districts.geojson"


@pytest.fixture(scope="session")
def results():
    return pipeline.run(toolkit.datasets.path("sample_survey.csv"), "dis-full",
                        population=toolkit.datasets.load("population.csv"))


@pytest.fixture(scope="session")
def instrument():
    return toolkit.load_instrument("dis-full")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(fig) -> list[str]:
    """Every text on a figure: titles, labels, ticks, annotations, legends."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
