"""toolkit.survey._calibration: the calibration sweeps as one operator per plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit import survey
from toolkit.survey._calibration import _sweep
from toolkit.survey.linearization import Influence, residualize


def test_calibration_sweeps_as_one_operator_are_the_sweeps_themselves():
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"a": rng.choice(list("xyz"), n), "b": rng.choice(list("uv"), n), "w": rng.uniform(1, 3, n)})
    d = survey.Design(df, weights="w").rake({"a": {"x": 300.0, "y": 400.0, "z": 300.0}, "b": {"u": 600.0, "v": 400.0}})
    x = Influence(rng.normal(size=(n, 3)), 3)
    got = residualize(x, d.plan).a
    comps = d.plan.components
    want = _sweep(d.plan, [x.cell_sums(c.cells, c.n_cells, c.v) for c in comps])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
    nan = Influence(np.where(np.arange(n)[:, None] == 3, np.nan, x.values), 3)
    assert np.isnan(np.concatenate(residualize(nan, d.plan).a)).all()
