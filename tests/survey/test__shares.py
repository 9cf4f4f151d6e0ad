"""toolkit.survey._shares: rows compressed to atoms give the row-by-row shares, SEs and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import survey
from toolkit.survey import _shares


def frame(n: int = 3000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 4, n)
    y = (rng.random(n) < 0.3 + 0.1 * s).astype(float)
    y[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({
        "s": s, "psu": s * 10 + rng.integers(0, 6, n), "w": (1.5 + s).astype(float),  # one weight per stratum
        "g": rng.choice(["a", "b", "c"], n), "r": rng.choice(["x", "y"], n, p=[0.6, 0.4]),
        "c": rng.choice(["lo", "mid", "hi"], n), "y": y,
    })


def designs():
    df = frame()
    plain = survey.Design(df, weights="w", strata="s")
    raked = plain.rake({"g": {"a": 9000.0, "b": 11000.0, "c": 10000.0}, "r": {"x": 17000.0, "y": 13000.0}})
    clustered = survey.Design(df, weights="w", strata="s", psu="psu")
    return {"plain": plain, "raked": raked, "clustered": clustered,
            "post": plain.poststratify("g", {"a": 0.3, "b": 0.4, "c": 0.3})}


@pytest.mark.parametrize("name", ["plain", "raked", "clustered", "post"])
@pytest.mark.parametrize("ci_method", ["logit", "likelihood", "beta"])
@pytest.mark.parametrize("na_rm", [True, False])
def test_atoms_give_the_row_by_row_numbers(monkeypatch, name, ci_method, na_rm):
    d = designs()[name]
    assert _shares.design_atoms(d) is not None
    got = {(var, by): d.proportion(var, by=by, na_rm=na_rm, ci_method=ci_method, min_cell=0)
           for var in ("y", "c") for by in (None, "g")}
    monkeypatch.setattr(_shares, "ATOM_SHARE", 0.0)
    row = designs()[name]
    assert _shares.design_atoms(row) is None
    for (var, by), table in got.items():
        want = row.proportion(var, by=by, na_rm=na_rm, ci_method=ci_method, min_cell=0)
        pd.testing.assert_frame_equal(table, want, rtol=1e-11, atol=1e-14)


def test_many_atoms_among_many_more_rows_are_still_found(monkeypatch):
    # 20,000 weights among 200,000 rows: a few thousand draws look all but distinct, yet the atoms are
    # a tenth of the rows (at 10M rows of a pooled survey this was 80x the time of 1M)
    monkeypatch.setattr(_shares, "PROBE_ROWS", 1 << 12)
    rng = np.random.default_rng(1)
    w = rng.permutation(np.repeat(1 + np.arange(20_000) / 7.0, 10))
    assert _shares.design_atoms(survey.Design(pd.DataFrame({"w": w}), weights="w")).n == 20_000


def test_all_but_distinct_weights_skip_the_full_pass(monkeypatch):
    monkeypatch.setattr(_shares, "PROBE_ROWS", 1 << 12)
    d = survey.Design(pd.DataFrame({"w": np.random.default_rng(2).random(200_000) + 1}), weights="w")
    monkeypatch.setattr(pd, "factorize", lambda *a, **k: pytest.fail("factorized all the weights"))
    assert _shares.design_atoms(d) is None
