"""How much the Digital Inclusion Index's group results depend on its methodological choices.

A Monte Carlo over the choices the index declares (uncertainty analysis as in
the EU JRC's COINr, ``get_sensitivity``): each draw takes

* component weights from a Dirichlet around the declared weights (concentration
  ``weight_concentration``: ``alpha = concentration * declared weight``);
* each inner band boundary moved uniformly within +/- ``threshold_jitter``
  points (kept in order; which band holds a boundary stays as declared);
* the knowledge-versus-self-report share uniformly from the declared range;

all from the ``sensitivity`` part of the instrument's ``index:`` block. Each
draw recomputes every respondent's index (vectorised) and the design-weighted
band shares overall and by group, each group's mean index, share excluded
(the declared ``excluded`` bands), its rank on both (1 = most excluded), the
band of its mean index and its modal band. Estimates are weighted point
estimates (design weights); sampling error is what :func:`band_shares` reports.

Examples
--------
>>> import toolkit
>>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
>>> design = toolkit.survey.Design(data, weights="design_weight", strata="stratum")
>>> sens = index_sensitivity(data, toolkit.score(data, "dis-full"), "dis-full", design=design, n_draws=20)
>>> sens.summary().columns.tolist()[:3]
['district', 'n', 'mean_index']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError, ResponseError
from toolkit.risk.index import (
    assign_bands,
    component_scores,
    cut_points,
    design_rows,
    index_spec,
    mix,
)


@dataclass(frozen=True)
class IndexSensitivity:
    """Intervals of the index's group results over the methodological draws (results contract).

    Attributes
    ----------
    shares : pd.DataFrame
        One row per group ("overall" first) and band: ``n``, ``declared`` (the
        share under the declared choices), ``low``, ``median``, ``high`` (the
        central ``interval`` of the draws).
    ranks : pd.DataFrame
        One row per group: its rank (1 = most excluded) by mean index and by
        share excluded, declared and the draws' ``low``/``high``.
    stability : pd.DataFrame
        One row per group: ``band`` of its mean index and ``modal_band`` under
        the declared choices, and the probability over the draws that each
        changes (``p_band_change``, ``p_modal_change``).
    draws : pd.DataFrame
        The choices of each draw: component weights, ``knowledge_share`` and
        the band boundaries.

    Examples
    --------
    >>> IndexSensitivity.__dataclass_fields__.keys() >= {"shares", "ranks", "stability", "draws"}
    True
    """

    shares: pd.DataFrame
    ranks: pd.DataFrame
    stability: pd.DataFrame
    draws: pd.DataFrame
    by: str

    def summary(self) -> pd.DataFrame:
        """One row per group: mean index, share excluded with its interval, rank range, P(band change).

        Examples
        --------
        >>> import toolkit
        >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
        >>> scores = toolkit.score(data, "dis-full")
        >>> sens = index_sensitivity(data, scores, "dis-full", design=toolkit.survey.Design(data), n_draws=10)
        >>> len(sens.summary()) == data["district"].nunique()
        True
        """
        r, s = self.ranks, self.stability
        return pd.DataFrame({
            self.by: r[self.by], "n": r["n"], "mean_index": r["mean_index"],
            "share_excluded": r["share_excluded"], "share_excluded_low": r["share_excluded_low"],
            "share_excluded_high": r["share_excluded_high"], "rank_excluded": r["rank_excluded"],
            "rank_excluded_low": r["rank_excluded_low"], "rank_excluded_high": r["rank_excluded_high"],
            "band": s["band"], "p_band_change": s["p_band_change"]})


def _draw_choices(spec, n_draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The declared choices as draw 0, then ``n_draws`` random ones."""
    sens = spec.sensitivity
    w0 = np.array(list(spec.weights.values()))
    cuts0, _ = cut_points(spec)
    comp = [c for c in spec.components.values() if c.kind == "competence"]
    share0 = comp[0].knowledge_share if comp else 0.0
    lo, hi = sens["knowledge_share"]
    k = sens["threshold_jitter"]
    cuts = np.sort(np.clip(cuts0 + rng.uniform(-k, k, size=(n_draws, len(cuts0))), 0, 100), axis=1)
    return {"weights": np.vstack([w0, rng.dirichlet(sens["weight_concentration"] * w0, size=n_draws)]),
            "knowledge_share": np.concatenate([[share0], rng.uniform(lo, hi, size=n_draws)]),
            "cuts": np.vstack([cuts0, cuts])}


def _group_stats(total, bands, weights, g, n_groups, n_bands, excluded) -> dict[str, np.ndarray]:
    """Weighted band shares (overall and by group), mean index, share excluded and band counts."""
    ok = bands >= 0
    w = np.where(ok, weights, 0.0)
    b = np.where(ok, bands, 0)
    overall = np.bincount(b, w, minlength=n_bands) / w.sum()
    by = np.bincount(g * n_bands + b, w, minlength=n_groups * n_bands).reshape(n_groups, n_bands)
    wsum = by.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a group without an index this draw: NaN, not a warning
        shares = by / wsum[:, None]
        mean = np.bincount(g, w * np.where(ok, total, 0.0), minlength=n_groups) / wsum
    return {"overall": overall, "shares": shares, "mean": mean, "excluded": shares[:, :excluded].sum(axis=1)}


def _ranks(values: np.ndarray, *, descending: bool) -> np.ndarray:
    """Rank 1 = the lowest value (or the highest, ``descending``), along the last axis."""
    order = np.argsort(-values if descending else values, axis=-1, kind="stable")
    return np.argsort(order, axis=-1, kind="stable") + 1


def _run(parts, comps, spec, choices, weights, g, n_groups) -> dict[str, np.ndarray]:
    """Every draw's group statistics, stacked (draw 0 = the declared choices)."""
    cids = list(spec.components)
    lower = cut_points(spec)[1]
    n_bands, excluded = len(spec.bands), len(spec.excluded)
    out = []
    for d in range(len(choices["knowledge_share"])):
        C = comps.copy()
        for cid, (kn, sr) in parts.items():
            C[:, cids.index(cid)] = mix(kn, sr, choices["knowledge_share"][d], spec.components[cid].min_valid)
        total = C @ choices["weights"][d]
        bands = assign_bands(total, choices["cuts"][d], lower)
        stats = _group_stats(total, bands, weights, g, n_groups, n_bands, excluded)
        stats["band"] = assign_bands(stats["mean"], choices["cuts"][d], lower)
        stats["modal"] = stats["shares"].argmax(axis=1)
        out.append(stats)
    return {k: np.stack([s[k] for s in out]) for k in out[0]}


def _quantiles(x: np.ndarray, interval: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tail = (1 - interval) / 2
    return tuple(np.quantile(x, [tail, 0.5, 1 - tail], axis=0))


def _share_table(runs, spec, by, labels, n, n_all, interval) -> pd.DataFrame:
    groups = ["overall", *labels]
    values = np.concatenate([runs["overall"][:, None, :], runs["shares"]], axis=1)  # draws x groups x bands
    low, median, high = _quantiles(values[1:], interval)
    n_bands = len(spec.bands)
    return pd.DataFrame({by: np.repeat(np.array(groups, dtype=object), n_bands),
                         "band": [b.id for b in spec.bands] * len(groups),
                         "n": np.repeat([n_all, *n], n_bands),
                         "declared": values[0].ravel(), "low": low.ravel(), "median": median.ravel(),
                         "high": high.ravel()})


def _rank_table(runs, by, labels, n, interval) -> pd.DataFrame:
    out = pd.DataFrame({by: labels, "n": n, "mean_index": runs["mean"][0],
                        "share_excluded": runs["excluded"][0]})
    low, _, high = _quantiles(runs["excluded"][1:], interval)
    out["share_excluded_low"], out["share_excluded_high"] = low, high
    for name, ranks in (("rank_mean", _ranks(runs["mean"], descending=False)),
                        ("rank_excluded", _ranks(runs["excluded"], descending=True))):
        low, _, high = _quantiles(ranks[1:], interval)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = ranks[0], low, high
    return out


def _stability_table(runs, spec, by, labels, n) -> pd.DataFrame:
    ids = np.array([b.id for b in spec.bands], dtype=object)
    band, modal = runs["band"], runs["modal"]
    return pd.DataFrame({by: labels, "n": n, "band": ids[band[0]],
                         "p_band_change": (band[1:] != band[0]).mean(axis=0),
                         "modal_band": ids[modal[0]], "p_modal_change": (modal[1:] != modal[0]).mean(axis=0)})


def _draw_table(spec, choices) -> pd.DataFrame:
    table = pd.DataFrame(choices["weights"], columns=[f"weight_{c}" for c in spec.components])
    table["knowledge_share"] = choices["knowledge_share"]
    for j, b in enumerate(spec.bands[:-1]):
        table[f"upper_{b.id}"] = choices["cuts"][:, j]
    table.insert(0, "draw", np.arange(len(table)))  # 0: the declared choices
    return table


def index_sensitivity(data: pd.DataFrame, scores: pd.DataFrame, instrument, *, design, by: str = "district",
                      n_draws: int = 200, seed: int = 0, interval: float = 0.9,
                      min_cell: int | None = None) -> IndexSensitivity:
    """Monte Carlo intervals for the index's band shares, group ranks and bands (COINr-style).

    See the module docstring for what is drawn. Draw 0 is the declared choice
    (the ``declared`` columns); the intervals are over the ``n_draws`` random
    draws. One pass of numpy per draw, none per respondent.

    Parameters
    ----------
    data, scores, instrument
        As for :func:`toolkit.risk.index.inclusion_index`.
    design : toolkit.survey.Design
        The design over (a subset of) the rows of ``data``, matched by row
        index; its weights weight every share and mean.
    by : str, default "district"
        Group column of the design's data.
    n_draws : int, default 200
        Random draws of the choices.
    seed : int, default 0
        Seed of the draws (reproducible).
    interval : float, default 0.9
        Central share of the draws in each interval (0.9: the 5th to 95th percentile).
    min_cell : int, optional
        Small-cell threshold (default the design's): a group of fewer
        respondents with an index has its figures blanked.

    Returns
    -------
    IndexSensitivity

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> design = toolkit.survey.Design(data, weights="design_weight", strata="stratum")
    >>> sens = index_sensitivity(data, toolkit.score(data, "dis-full"), "dis-full", design=design,
    ...                          n_draws=20, seed=1)
    >>> bool(((sens.shares["low"] <= sens.shares["median"]) & (sens.shares["median"] <= sens.shares["high"])).all())
    True
    """
    instrument = as_instrument(instrument)
    spec = index_spec(instrument)
    if not isinstance(n_draws, int) or isinstance(n_draws, bool) or n_draws < 1:
        raise OptionError(f"n_draws must be a positive integer, got {n_draws!r}")
    if not 0 < interval < 1:
        raise OptionError(f"interval must be a number between 0 and 1 (e.g. 0.9), got {interval!r}")
    check_frame(design.data, "the design's data", columns=[by], error=OptionError)
    check_frame(scores, "scores", error=ResponseError)
    comps, parts = component_scores(check_frame(data, "data", error=ResponseError),
                                    scores.set_axis(data.index), instrument, spec)
    pos = design_rows(data.index, design)
    codes, labels = pd.factorize(design.data[by], sort=True)
    g = np.where(codes < 0, len(labels), codes)  # rows without a group count overall only
    choices = _draw_choices(spec, n_draws, np.random.default_rng(seed))
    runs = _run({c: (kn[pos], sr[pos]) for c, (kn, sr) in parts.items()}, comps.to_numpy()[pos], spec,
                choices, design.weights, g, len(labels) + 1)
    runs = {k: v if k == "overall" else v[:, :len(labels)] for k, v in runs.items()}
    has = ~np.isnan(comps.to_numpy()[pos]).any(axis=1)
    n = np.bincount(g[has], minlength=len(labels) + 1)[:len(labels)]
    labels = list(labels)
    tables = (_share_table(runs, spec, by, labels, n, int(has.sum()), interval),
              _rank_table(runs, by, labels, n, interval), _stability_table(runs, spec, by, labels, n))
    return _published(*tables, _draw_table(spec, choices), by, design.min_cell if min_cell is None else min_cell)


def _published(shares, ranks, stability, draws, by, min_cell) -> IndexSensitivity:
    """Apply the small-cell policy to every group table (a small group shows no figures)."""
    from toolkit.disclosure import suppress

    def policy(table):
        cols = [c for c in table.columns if c not in (by, "n", "band")]
        return suppress(table, min_cell=min_cell, columns=cols)

    return IndexSensitivity(policy(shares), policy(ranks), policy(stability), draws, by)


__all__ = ["IndexSensitivity", "index_sensitivity"]
