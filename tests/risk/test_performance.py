"""Design-weighted AUC and calibration: brute-force checks of the linearised variances.

* The AUC is checked against the pairwise definition; its linearised SE on an
  equal-weight simple random sample against DeLong's variance, and on a small
  clustered sample against a delete-one-PSU jackknife.
* Hypothesis: the AUC does not change with the row order or a monotone
  transform of the scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from toolkit import survey
from toolkit.errors import ModelError
from toolkit.survey.linearization import Influence
from toolkit.risk.performance import (
    _calibrations, _design_ses, _discriminations, auc_influence, calibration, calibration_table, category_key,
    cv_folds, discrimination,
)


def _pairwise_auc(y, s, w) -> float:
    """The definition: weighted share of (case, non-case) pairs ranked right, ties half."""
    y, s, w = (np.asarray(v, float) for v in (y, s, w))
    pos, neg = y == 1, y == 0
    diff = s[pos][:, None] - s[neg][None, :]
    h = (diff > 0) + 0.5 * (diff == 0)
    ww = w[pos][:, None] * w[neg][None, :]
    return float((ww * h).sum() / ww.sum())


def _delong_var(y, s) -> float:
    """DeLong et al. (1988): S10/m + S01/n from the placement values."""
    pos, neg = s[y == 1], s[y == 0]
    h = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = h.mean(axis=1), h.mean(axis=0)
    return float(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


def _sample(n=400, seed=0, clusters=None):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x": rng.normal(size=n)})
    if clusters:  # clusters share part of the predictor, so their respondents rank alike
        frame["psu"] = np.repeat(np.arange(clusters), n // clusters)
        frame["x"] += rng.normal(size=clusters)[frame["psu"]]
    frame["y"] = (rng.random(n) < expit(-0.5 + frame["x"])).astype(float)
    frame["p"] = expit(-0.5 + frame["x"])
    frame["w"] = rng.uniform(0.5, 3, n)
    return frame


def test_weighted_auc_is_the_pairwise_definition_with_ties():
    frame = _sample(200, seed=3)
    s = np.round(frame["p"].to_numpy(), 1)  # many ties
    auc, z = auc_influence(frame["y"], s, weights=frame["w"])
    assert auc == pytest.approx(_pairwise_auc(frame["y"].to_numpy(), s, frame["w"].to_numpy()), abs=1e-12)
    assert np.dot(frame["w"], z) == pytest.approx(0, abs=1e-12)  # influence values total zero


def test_influence_is_the_derivative_of_the_auc_in_each_weight():
    frame = _sample(60, seed=4)
    y, s, w = frame["y"].to_numpy(), frame["p"].to_numpy(), frame["w"].to_numpy()
    _, z = auc_influence(y, s, weights=w)
    for i in (0, 7, 33):
        bump = w.copy()
        bump[i] += 1e-6
        numeric = (_pairwise_auc(y, s, bump) - _pairwise_auc(y, s, w)) / 1e-6
        assert z[i] == pytest.approx(numeric, rel=1e-4, abs=1e-9)


def test_srs_design_se_matches_delong_on_equal_weights():
    frame = _sample(500, seed=1)
    design = survey.Design(frame, min_cell=0)
    row = discrimination(design, "y", "p").iloc[0]
    delong = np.sqrt(_delong_var(frame["y"].to_numpy(), frame["p"].to_numpy()))
    assert row["estimate"] == pytest.approx(_pairwise_auc(frame["y"], frame["p"], np.ones(500)), abs=1e-12)
    assert row["se"] == pytest.approx(delong, rel=0.01)


def test_clustered_design_se_matches_a_delete_one_psu_jackknife():
    frame = _sample(600, seed=2, clusters=40)
    design = survey.Design(frame, weights="w", psu="psu", min_cell=0)
    se = discrimination(design, "y", "p")["se"].iloc[0]
    y, s, w, g = (frame[c].to_numpy() for c in ("y", "p", "w", "psu"))
    reps = np.array([auc_influence(y[g != k], s[g != k], weights=w[g != k])[0] for k in range(40)])
    jackknife = np.sqrt(39 / 40 * ((reps - reps.mean()) ** 2).sum())
    assert se == pytest.approx(jackknife, rel=0.1)
    srs = discrimination(survey.Design(frame, weights="w", min_cell=0), "y", "p")["se"].iloc[0]
    assert se > srs  # the cluster effect makes the design SE larger than ignoring the clusters


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-50, 50), st.floats(0.1, 5)), min_size=4, max_size=40),
       st.randoms(use_true_random=False))
def test_auc_is_invariant_to_row_order_and_monotone_transforms(rows, rnd):
    y, s, w = (np.array(c, float) for c in zip(*rows, strict=True))
    s = s / 10  # distinct scores stay distinct under the transform
    auc = auc_influence(y, s, weights=w)[0]
    order = list(range(len(y)))
    rnd.shuffle(order)
    shuffled = auc_influence(y[order], s[order], weights=w[order])[0]
    transformed = auc_influence(y, np.exp(s / 2) * 3 + 1, weights=w)[0]
    if np.isnan(auc):
        assert np.isnan(shuffled) and np.isnan(transformed)
    else:
        assert shuffled == pytest.approx(auc, abs=1e-12)
        assert transformed == pytest.approx(auc, abs=1e-12)


def test_auc_needs_a_binary_outcome_and_both_classes():
    with pytest.raises(ModelError, match="0, 1 or missing"):
        auc_influence([0, 2, 1], [0.1, 0.2, 0.3])
    auc, z = auc_influence([1, 1, np.nan], [0.1, 0.2, 0.3])
    assert np.isnan(auc) and not z.any()


def test_group_auc_is_a_domain_estimate_and_small_groups_are_suppressed():
    frame = _sample(300, seed=5)
    frame["g"] = np.where(np.arange(300) < 4, "tiny", np.where(np.arange(300) % 2, "a", "b"))
    table = discrimination(survey.Design(frame, weights="w"), "y", "p", by="g", min_cell=5)
    tiny = table.set_index("level").loc["tiny"]
    assert tiny["suppressed"] and pd.isna(tiny["n"]) and np.isnan(tiny["estimate"])
    # the next-smallest group goes too, or its count would give the tiny one away
    assert table["suppressed"].sum() == 2
    a = frame["g"] == "a"
    auc = auc_influence(frame["y"][a], frame["p"][a], weights=frame["w"][a])[0]
    shown = discrimination(survey.Design(frame, weights="w"), "y", "p", by="g", min_cell=0)
    assert shown.set_index("level").loc["a", "estimate"] == pytest.approx(auc)


def test_calibration_figures_by_hand():
    frame = _sample(300, seed=6)
    table = calibration(survey.Design(frame, weights="w", min_cell=0), "y", "p").iloc[0]
    w, y, p = frame["w"], frame["y"], frame["p"]
    assert table["observed"] == pytest.approx(np.average(y, weights=w))
    assert table["expected"] == pytest.approx(np.average(p, weights=w))
    assert table["citl"] == pytest.approx(np.average(y - p, weights=w))
    assert table["brier"] == pytest.approx(np.average((y - p) ** 2, weights=w))
    assert table["slope_ci_low"] < 1 < table["slope_ci_high"]  # the outcome follows p
    too_extreme = calibration(survey.Design(frame.assign(p=expit(3 * (-0.5 + frame["x"]))), min_cell=0), "y", "p")
    assert too_extreme["slope"].iloc[0] < 0.5


def test_calibration_table_bins_partition_the_sample_and_keep_ties_together():
    frame = _sample(400, seed=7)
    frame["p"] = np.round(frame["p"], 2)
    table = calibration_table(survey.Design(frame, weights="w", min_cell=0), "y", "p")
    assert table["n"].sum() == 400 and len(table) <= 10
    assert (table["risk_low"].to_numpy()[1:] > table["risk_high"].to_numpy()[:-1]).all()
    assert (np.diff(table["predicted"]) > 0).all()


def test_cv_folds_keep_psus_whole_and_spread_strata():
    frame = pd.DataFrame({"s": np.repeat(["a", "b"], 40), "c": np.repeat(np.arange(20), 4)})
    folds = cv_folds(survey.Design(frame, strata="s", psu="c"), k=4, random_state=3)
    assert (pd.Series(folds).groupby(frame["c"]).nunique() == 1).all()
    assert (pd.crosstab(frame["s"], folds) > 0).all().all()
    with pytest.raises(ModelError, match="2 or more"):
        cv_folds(survey.Design(frame), k=1)
    with pytest.raises(ModelError, match="at least 30 PSUs"):
        cv_folds(survey.Design(frame, psu="c"), k=30)


def test_category_key_joins_codes_written_differently():
    assert category_key(2) == category_key(2.0) == category_key("2") == "2"
    assert category_key(2.5) == "2.5" and category_key(True) == "True"


def _grouped_sample(n=900, seed=5) -> pd.DataFrame:
    """Few distinct risks (a model on categories), groups, strata with one lonely PSU, a missing outcome."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n), "k": rng.choice([1, 2], n),
                          "s": rng.choice([0, 1, 2], n), "w": rng.uniform(0.5, 3, n)})
    frame["psu"] = frame["s"] * 100 + rng.integers(0, 12, n)
    frame.loc[frame["s"] == 2, "psu"] = 999  # stratum 2 has a single PSU
    frame["p"] = expit(-1 + 0.8 * (frame["g"] == "c") + 0.4 * frame["k"])
    frame["y"] = (rng.random(n) < frame["p"]).astype(float)
    frame.loc[[3, 40], "y"] = np.nan
    return frame


@pytest.mark.parametrize("lonely", ["adjust", "average"])
def test_design_ses_in_one_pass_equal_design_total_one_column_at_a_time(lonely):
    data = _grouped_sample()
    design = survey.Design(data, weights="w", strata="s", psu="psu", lonely_psu=lonely)
    rng = np.random.default_rng(0)
    masks = [(data["g"] == lev).to_numpy() for lev in "abc"] + [np.ones(len(data), bool)]
    influences = [np.where(m, rng.normal(size=len(data)), 0.0) for m in masks for _ in range(2)]
    expected = design.update(**{f"z{i}": z for i, z in enumerate(influences)}).total(
        [f"z{i}" for i in range(len(influences))], min_cell=0)["se"].to_numpy()
    np.testing.assert_allclose(_design_ses(design, influences), expected, rtol=1e-12)
    # the same columns held sparsely: the groups of g share one domain-coded array per kind, O(n) in all
    col = np.select(masks[:3], [0, 1, 2], -1)
    blocks = [Influence(sum(influences[2 * j + kind] for j in range(3)), 3, col) for kind in (0, 1)]
    sparse = _design_ses(design, [*blocks, influences[6], influences[7]])
    np.testing.assert_allclose(sparse, expected[[0, 2, 4, 1, 3, 5, 6, 7]], rtol=1e-12)


@pytest.mark.parametrize("lonely", ["adjust", "average"])
def test_group_tables_hold_levels_without_a_scored_respondent(lonely):
    data = _grouped_sample()
    data["h"] = np.where(data["y"].isna(), "none scored", data["g"])  # a level of missing outcomes only
    data["unasked"] = np.nan  # a group column without a value has no rows
    design = survey.Design(data, weights="w", strata="s", psu="psu", lonely_psu=lonely)
    disc = discrimination(design, "y", "p", by=["h", "unasked", "k"], min_cell=0).set_index(["variable", "level"])
    cal = calibration(design, "y", "p", by=["h", "unasked", "k"], min_cell=0).set_index(["variable", "level"])
    assert "unasked" not in disc.index.get_level_values(0) and len(disc) == len(cal) == 6
    assert disc.loc[("h", "none scored"), "n"] == 0 and np.isnan(disc.loc[("h", "none scored"), "se"])
    assert np.isnan(cal.loc[("h", "none scored"), "slope"])
    for variable, level in [("h", "b"), ("k", 2)]:  # the other levels are those of their own domain
        alone = data.assign(y=np.where(data[variable] == level, data["y"], np.nan))
        sub = survey.Design(alone, weights="w", strata="s", psu="psu", lonely_psu=lonely)
        one = discrimination(sub, "y", "p", min_cell=0).iloc[0]
        assert disc.loc[(variable, level), "estimate"] == pytest.approx(one["estimate"], rel=1e-13)
        one = calibration(sub, "y", "p", min_cell=0).iloc[0]
        for figure in ("citl_ci_low", "brier_se", "slope", "slope_ci_low"):
            assert cal.loc[(variable, level), figure] == pytest.approx(one[figure], rel=1e-10), figure


@pytest.mark.parametrize("lonely", ["adjust", "average"])
def test_calibration_slope_equals_svyglm_on_each_domain(lonely):
    data = _grouped_sample()
    design = survey.Design(data, weights="w", strata="s", psu="psu", lonely_psu=lonely)
    table = calibration(design, "y", "p", by=["g"], min_cell=0)
    lp = np.log(data["p"] / (1 - data["p"]))
    for _, row in table.iterrows():
        keep = data["y"].notna() if row["variable"] == "all" else data["y"].notna() & (data["g"] == row["level"])
        sub = design.update(yy=np.where(keep, data["y"], np.nan), lp=np.where(keep, lp, np.nan))
        ref = sub.glm("yy ~ lp", family="binomial").table.iloc[1]
        np.testing.assert_allclose([row["slope"], row["slope_ci_low"], row["slope_ci_high"]],
                                   [ref["coef"], ref["ci_low"], ref["ci_high"]], rtol=1e-10)


def test_group_aucs_equal_auc_influence_on_each_group():
    data = _grouped_sample()
    design = survey.Design(data, weights="w", strata="s", psu="psu", lonely_psu="adjust")
    table = discrimination(design, "y", "p", by=["g", "k"], min_cell=0)
    for _, row in table.iterrows():
        member = (data[row["variable"]] == row["level"]).to_numpy()
        auc, _ = auc_influence(np.where(member, data["y"], np.nan), data["p"], weights=data["w"])
        assert row["estimate"] == pytest.approx(auc, rel=1e-13)
        assert row["estimate"] == pytest.approx(
            _pairwise_auc(data["y"][member & data["y"].notna()], data["p"][member & data["y"].notna()],
                          data["w"][member & data["y"].notna()]), rel=1e-12)


@pytest.mark.parametrize("lonely", ["adjust", "average"])
def test_several_scores_share_passes_with_the_numbers_of_one_score_at_a_time(lonely):
    data = _grouped_sample()
    data["q"] = expit(-0.8 + 0.5 * (data["g"] == "b") + 0.3 * data["k"])  # another risk of the same rows
    data["r"] = np.where(np.arange(len(data)) % 9 == 0, np.nan, data["q"])  # fewer rows scored: one at a time
    design = survey.Design(data, weights="w", strata="s", psu="psu", lonely_psu=lonely)
    for by in (None, ["g", "k"]):
        for scores in (["p", "q"], ["p", "r"]):
            for joint, one in ((_discriminations, discrimination), (_calibrations, calibration)):
                tables = joint(design, "y", scores, by=by, min_cell=0)
                for score, table in zip(scores, tables, strict=True):
                    pd.testing.assert_frame_equal(table, one(design, "y", score, by=by, min_cell=0), rtol=1e-12)
