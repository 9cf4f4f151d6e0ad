"""How well the district estimates recover the simulator's truth, over many simulated surveys.

:func:`district_estimates` runs the analysis a municipality would run on one
simulated survey: read the messy export, clean it, evaluate the outcome, rake
the design weights to the population margins, and estimate each district's
prevalence four ways: unweighted, raked direct, model projection
(:func:`toolkit.risk.project`) and Fay–Herriot. :func:`validate` repeats this
over seeds and compares every estimate with ``truth["prevalence"]``: coverage of
the 95% intervals, bias and MSE per method, and for the smallest districts how
much Fay–Herriot lowers the MSE against the raked direct estimate.

The script ``benchmarks/validate_risk.py`` prints these figures; the tests run
a few seeds with loose bounds.

Respondents without age, education or home language (about 5 %) are left out,
because raking needs every margin variable; that mirrors the notebooks.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd

from toolkit.errors import BoundaryWarning

PREDICTORS = ("age_band", "gender", "education", "home_lang")
MARGINS = ("age_band", "gender", "education", "home_lang")
METHODS = ("unweighted", "direct", "model", "fay_herriot")

__all__ = ["district_estimates", "validate", "summarise", "PREDICTORS", "METHODS"]


def _analysis_frame(sim, outcome: str) -> pd.DataFrame:
    from toolkit.cleaning import clean
    from toolkit.instrument.derived import age_band
    from toolkit.io import read_responses

    raw = read_responses(sim.responses, sim.instrument)
    cleaned = clean(raw, sim.instrument, pseudonym_key="validation")
    data = cleaned.data.loc[~cleaned.flags["duplicate_id"].to_numpy()]
    rule = sim.instrument.outcomes[outcome].parsed
    inputs = data[sorted(rule.variables())]
    y = sim.instrument.evaluate(rule, data).astype(float).where(inputs.notna().all(axis=1))
    return (data.assign(**{outcome: y}, age_band=age_band(data["age"]).astype(object),
                        district=data["stratum"].astype(int), equal_weight=1.0)
            .dropna(subset=list(MARGINS)).astype({c: int for c in ("gender", "education", "home_lang")})
            .reset_index(drop=True))


def district_estimates(sim, outcome: str = "needs_help") -> pd.DataFrame:
    """Every district's prevalence of ``outcome`` by four methods, with the truth beside it.

    Parameters
    ----------
    sim : Simulation
        A simulated survey (:func:`toolkit.simulate.survey`), messy or clean.
    outcome : str
        An outcome the instrument declares.

    Returns
    -------
    pd.DataFrame
        district, method, share, ci_low, ci_high, n, truth, seed.

    Examples
    --------
    >>> import toolkit
    >>> sim = toolkit.simulate.survey("dis-full", n=1500, seed=3)
    >>> est = district_estimates(sim)
    >>> sorted(est["method"].unique())
    ['direct', 'fay_herriot', 'model', 'unweighted']
    """
    from toolkit import survey
    from toolkit.risk.project import project

    data = _analysis_frame(sim, outcome)
    population = sim.population
    margins = {v: population.groupby(v)["count"].sum().to_dict() for v in MARGINS}
    margins["district"] = population.groupby("district")["count"].sum().to_dict()
    raked = survey.Design(data, weights="design_weight", strata="stratum").rake(margins, max_iter=50)
    fit = raked.glm(f"{outcome} ~ " + " + ".join(f"C({p})" for p in PREDICTORS), family="binomial")
    model = SimpleNamespace(outcome=outcome, predictors=list(PREDICTORS), categorical_=list(PREDICTORS), glm_=fit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        projected = project(model, population, design=raked, min_cell=0)
    unweighted = survey.Design(data, weights="equal_weight").proportion(outcome, by="district", na_rm=True,
                                                                      min_cell=0)
    unweighted = unweighted[unweighted["level"] == 1].assign(method="unweighted", share=lambda t: t["estimate"],
                                                             district=lambda t: t["district"].astype(int))
    table = pd.concat([unweighted[["district", "method", "share", "ci_low", "ci_high", "n"]],
                       projected[["district", "method", "share", "ci_low", "ci_high", "n"]]
                       .astype({"district": int})], ignore_index=True)
    truth = sim.truth["prevalence"][outcome]
    return table.assign(truth=table["district"].map(lambda d: truth[str(d)]), seed=sim.seed)


def validate(seeds, *, n: int = 2000, outcome: str = "needs_help", instrument: str = "dis-full",
             progress=None) -> pd.DataFrame:
    """:func:`district_estimates` over many simulated surveys, one row per seed, district and method.

    Examples
    --------
    >>> est = validate([1], n=1500)
    >>> est["seed"].unique().tolist()
    [1]
    """
    from toolkit.simulate import survey as simulate_survey

    parts = []
    for k, seed in enumerate(seeds):
        parts.append(district_estimates(simulate_survey(instrument, n=n, seed=int(seed)), outcome))
        if progress is not None:
            progress(k + 1)
    return pd.concat(parts, ignore_index=True)


def summarise(estimates: pd.DataFrame, *, smallest: int = 2) -> pd.DataFrame:
    """Coverage, bias, MSE per method; and, for the ``smallest`` districts, MSE against the direct estimate.

    Examples
    --------
    >>> est = pd.DataFrame({"district": [1, 1], "method": ["direct", "model"], "share": [0.2, 0.3],
    ...                     "ci_low": [0.1, 0.25], "ci_high": [0.3, 0.35], "n": [100, 100], "truth": 0.22})
    >>> summarise(est, smallest=1)[["method", "coverage", "bias"]].round(2).to_dict("records")
    [{'method': 'direct', 'coverage': 1.0, 'bias': -0.02}, {'method': 'model', 'coverage': 0.0, 'bias': 0.08}]
    """
    truth = estimates["truth"]
    e = estimates.assign(error=estimates["share"] - truth,
                         covered=(estimates["ci_low"] <= truth) & (truth <= estimates["ci_high"]))
    sizes = e[e["method"] == e["method"].iloc[0]].groupby("district")["n"].mean().sort_values()
    small = set(sizes.index[:smallest])
    rows = []
    for method, g in e.groupby("method", sort=False):
        s = g[g["district"].isin(small)]
        rows.append({"method": method, "coverage": g["covered"].mean(), "bias": g["error"].mean(),
                     "mean_abs_bias_by_district": g.groupby("district")["error"].mean().abs().mean(),
                     "rmse": np.sqrt(np.mean(g["error"] ** 2)), "rmse_smallest": np.sqrt(np.mean(s["error"] ** 2)),
                     "estimates": len(g)})
    out = pd.DataFrame(rows)
    direct = out.set_index("method").get("rmse_smallest", pd.Series(dtype=float)).get("direct", np.nan)
    return out.assign(mse_smallest_vs_direct=(out["rmse_smallest"] / direct) ** 2)
