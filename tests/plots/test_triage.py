import numpy as np
import pandas as pd

from tests.plots.conftest import texts
from toolkit.plots import data
from toolkit.plots.triage import CATEGORIES, triage_distribution


def test_weighted_triage_shares_in_support_order(results):
    rng = np.random.default_rng(0)
    tr = pd.DataFrame({"category": rng.choice(CATEGORIES, size=results.design.n)})
    shares = data.triage_shares(tr, design=results.design)
    assert shares["estimate"].sum() == __import__("pytest").approx(1)
    fig = triage_distribution(shares, lang="da")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "Alternativ uden internet"


def test_small_unweighted_categories_are_suppressed_and_marked():
    tr = pd.DataFrame({"category": ["independent"] * 20 + ["offline_alternative"] * 2 + ["skills_training"] * 9})
    shares = data.triage_shares(tr)
    assert shares.set_index("category").loc["offline_alternative", "suppressed"]
    assert "suppressed" in texts(triage_distribution(shares))
