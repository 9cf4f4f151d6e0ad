"""toolkit.scales.omega against psych::omega (tests/results/psych_edge_fixtures.R, psych 2.2.9 + GPArotation).

With n_factors >= 2 the Schmid-Leiman solution follows psych's own minres fit (L-BFGS-B with R's
optim settings), stats::varimax and GPArotation's GPFoblq with their stopping rules, so the numbers
agree with psych to about 1e-12 (TOL below), not only to psych's stopping tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import scales
from toolkit.errors import ScaleError

RESULTS = Path(__file__).resolve().parents[1] / "results"
EDGE = json.loads((RESULTS / "psych_edge_fixtures.json").read_text())["cases"]
BFI12 = pd.read_csv(RESULTS / "psych_edge_bfi12.csv")
TOL = 1e-10


@pytest.mark.parametrize("k", [2, 3, 4])
def test_schmid_leiman_omega_matches_psych(k):
    want = EDGE[f"omega_bfi12_{k}"]
    got = scales.omega(BFI12, n_factors=k)
    for stat in ("omega_h", "omega_total", "alpha", "g6"):
        assert getattr(got, stat) == pytest.approx(want[stat], rel=TOL), stat
    np.testing.assert_allclose(got.groups["total"], want["omega_group_total"], rtol=TOL)
    np.testing.assert_allclose(got.groups["general"], want["omega_group_general"], rtol=TOL)
    np.testing.assert_allclose(got.groups["group"], want["omega_group_group"], rtol=TOL)
    lo = got.loadings
    np.testing.assert_allclose(lo["g"], want["g_loadings"], rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(lo[[f"F{j + 1}" for j in range(k)]].to_numpy(), np.asarray(want["group_loadings"]),
                               rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(lo["h2"], want["h2"], rtol=TOL)
    np.testing.assert_allclose(lo["u2"], want["u2"], rtol=TOL)
    # psych marks the items it flipped with a "-" (key -1)
    assert lo["reversed"].tolist() == [kk < 0 for kk in want["key"]]


def test_three_factor_omega_h_differs_from_the_one_factor_figure():
    """The old one-factor "omega_h" (0.74 here) was not psych's omega_h (0.47 with three factors)."""
    one, three = scales.omega(BFI12), scales.omega(BFI12, n_factors=3)
    assert np.isnan(one.omega_h) and "not meaningful" in one.note
    assert three.omega_h == pytest.approx(EDGE["omega_bfi12_3"]["omega_h"], rel=TOL)
    assert three.summary()["n_factors"].iloc[0] == 3 and three["omega_h"] == three.omega_h


def test_result_is_read_only_and_old_attrs_warn():
    got = scales.omega(BFI12, n_factors=3)
    with pytest.raises(AttributeError):
        got.omega_h = 1.0
    with pytest.warns(FutureWarning, match="attrs"):
        assert got.attrs["loadings"].index.tolist() == BFI12.columns.tolist()


def test_n_factors_is_checked():
    with pytest.raises(ScaleError, match="positive integer"):
        scales.omega(BFI12, n_factors=0)
    with pytest.raises(ScaleError, match="at least 14 items"):
        scales.omega(BFI12, n_factors=7)
