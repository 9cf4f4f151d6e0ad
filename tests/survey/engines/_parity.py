"""Shared pieces of the engine parity tests: a survey, its partitionings and the comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from toolkit import survey

RTOL = 1e-10


def survey_data(seed: int, n: int = 600) -> pd.DataFrame:
    """Strata with PSUs, skewed weights, domains, margins, missing values and a binary outcome."""
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 24, n)
    x = rng.normal(3, 1, n)
    data = pd.DataFrame({
        "s": psu % 4, "p": psu, "w": np.round(rng.lognormal(1, 0.5, n), 3),
        "y": rng.normal(10, 3, n), "x": x, "g": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        "c": rng.choice(["lo", "mid", "hi"], n), "r": rng.choice(["n", "s"], n),
        "b": (rng.random(n) < 1 / (1 + np.exp(-(x - 3)))).astype(float),
    })
    data.loc[rng.random(n) < 0.05, "y"] = np.nan
    return data


MARGINS = {"g": {"a": 0.45, "b": 0.35, "c": 0.2}, "r": {"n": 0.6, "s": 0.4}}


def split(n: int, cuts: list[int]) -> list[slice]:
    """Row slices cut at the (sorted, de-duplicated) positions ``cuts``."""
    edges = [0, *sorted({c for c in cuts if 0 < c < n}), n]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def write_parquet(data: pd.DataFrame, folder: Path, cuts: list[int], row_group: int) -> Path:
    """The rows as one Parquet file per slice, with row groups of ``row_group`` rows."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    for i, sl in enumerate(split(len(data), cuts)):
        data.iloc[sl].to_parquet(folder / f"part-{i:03d}.parquet", row_group_size=row_group, index=False)
    return folder


def dask_frame(data: pd.DataFrame, cuts: list[int]):
    """A dask dataframe with one partition per slice (uneven on purpose)."""
    import dask.dataframe as dd

    return dd.concat([dd.from_pandas(data.iloc[sl], npartitions=1) for sl in split(len(data), cuts)])


def assert_same(ref, got) -> None:
    """Same frame (columns, dtypes, order, labels) and numbers to RTOL; or the same GLM fit."""
    if isinstance(ref, survey.SurveyGLM):
        assert ref.terms == got.terms
        np.testing.assert_allclose(got.coef_, ref.coef_, rtol=RTOL, atol=1e-13)
        np.testing.assert_allclose(got.vcov_, ref.vcov_, rtol=RTOL, atol=1e-15)
        assert got.df_resid_ == ref.df_resid_ and got.converged_ == ref.converged_
        np.testing.assert_allclose(got.dispersion_, ref.dispersion_, rtol=1e-9)
        assert_same(ref.table, got.table)
        return
    assert list(got.columns) == list(ref.columns)
    assert dict(got.dtypes) == dict(ref.dtypes)
    for col in ref.columns:
        a, b = ref[col], got[col]
        if pd.api.types.is_float_dtype(a.dtype):
            tol = 1e-8 if col == "deff" else RTOL  # a cell's spread: sum w y^2 - (sum w y)^2 / sum w
            np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=tol, atol=1e-12, err_msg=col)
        else:
            assert a.astype(object).equals(b.astype(object)), col
