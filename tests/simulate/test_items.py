"""Item models: GRM and 2PL answers follow their parameters, reverse keys and skips hold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

import toolkit
from toolkit.simulate import design, items, people

INST = toolkit.load_instrument("dis-full")


def test_item_models_behave(large_clean):
    df = large_clean.responses
    # reverse-keyed items run against the other items of their domain
    assert df["prac_05"].corr(df["prac_01"]) < -0.2 and df["prac_01"].corr(df["prac_02"]) > 0.3
    # knowledge: more correct with higher self-report in the same domain
    right = df["bure_k3"] == INST.item("bure_k3").correct
    sr = df[[f"bure_0{i}" for i in (1, 2, 3, 4)]].mean(axis=1)
    assert sr[right].mean() > sr[~right].mean()
    # Digital Post: people offline read it only through someone else, and miss important mail more often
    offline = df["net_use_3m"] == 2
    assert not df.loc[offline, "dp_read"].isin([1, 2, 3]).any() and df.loc[offline, "dp_read"].isin([4, 5]).any()
    asked = df["dp_exempt"] == 2
    missed = df["missed_mail"] > 1
    assert missed[asked & offline].mean() > 1.5 * missed[asked & ~offline].mean()
    # paper respondents are older
    paper_age = df.loc[df["mode"] == design.PAPER, "age"].mean()
    assert paper_age > df.loc[df["mode"] == design.WEB, "age"].mean() + 10


def _folk(n: int, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    return people.draw_people({"age_band": np.full(n, 1), "edu3": np.ones(n, dtype=int), "lang_w": np.zeros(n),
                               "gender": np.ones(n), "education": np.full(n, 2), "home_lang": np.ones(n),
                               "district": np.ones(n)}, rng or np.random.default_rng(0))


def test_2pl_knowledge_items_follow_their_model():
    """Knowledge items through the generator: P(correct) = expit(a (theta - b))."""
    rng = np.random.default_rng(0)
    n = 100_000
    folk = _folk(n, rng)
    folk["theta"] = np.full((n, 4), 0.2)
    params = items.item_parameters(INST)
    data = items.generate(INST, folk, params, rng)
    for item_id in ("prac_k3", "bure_k2"):
        p = params[item_id]
        assert p["kind"] == "2pl"
        right = (data[item_id] == INST.item(item_id).correct).mean()
        assert right == pytest.approx(expit(p["a"] * (0.2 - p["b"])), abs=0.006), item_id


def test_item_parameters_do_not_depend_on_the_instrument_or_the_seed():
    full, screener = items.item_parameters(INST), items.item_parameters(toolkit.load_instrument("dis-screener"))
    for item_id, p in screener.items():
        assert full[item_id] == p, item_id


def test_dif_shift_hits_only_the_named_group():
    folk = {"theta": np.zeros((4, 4)), "age_band": np.array([0, 4, 4, 2]), "gender": np.array([1.0, 2.0, 1.0, 2.0])}
    assert items.dif_shift(None, "navi_k2", folk).tolist() == [0.0] * 4
    assert items.dif_shift({"navi_k2": {"group": "gender", "level": 2, "shift": 0.5}}, "navi_k2", folk).tolist() == [
        0.0, 0.5, 0.0, 0.5]
    assert items.dif_shift({"x": {"group": "gender", "level": 2, "shift": 0.5}}, "navi_k2", folk).tolist() == [0.0] * 4


def test_score_reverses_reverse_keyed_items_and_needs_min_valid():
    scale = INST.scales["practical_sr"]
    row = {i: 5.0 for i in INST.item_ids}
    scores = items.score(INST, {k: np.array([v]) for k, v in row.items()})
    n_rev = sum(INST.item(i).reverse for i in scale.items)
    assert scores["practical_sr"].iloc[0] == pytest.approx((5 * (len(scale.items) - n_rev) + n_rev) / len(scale.items))
    blank = {i: np.array([np.nan]) for i in INST.item_ids}
    assert np.isnan(items.score(INST, blank)["practical_sr"].iloc[0])


def test_apply_skips_blanks_what_the_routing_skips():
    cols = {i: np.ones(3) for i in INST.item_ids} | {"net_use_3m": np.array([1.0, 2.0, 88.0])}
    out = items.apply_skips(INST, cols)
    assert out["net_freq"][0] == 1.0 and np.isnan(out["net_freq"][1:]).all()


@pytest.mark.parametrize("call", [
    lambda: items.item_parameters(inst=INST),
    lambda: items.score(inst=INST, data={i: np.ones(1) for i in INST.item_ids}),
    lambda: items.apply_skips(inst=INST, cols={i: np.ones(1) for i in INST.item_ids}),
    lambda: items.generate(inst=INST, people=_folk(5), params=items.item_parameters(INST),
                           rng=np.random.default_rng(0)),
])
def test_old_inst_keyword_still_works_with_a_warning(call):
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        call()


def test_generate_takes_dif_by_keyword_only():
    with pytest.raises(TypeError):
        items.generate(INST, {}, {}, np.random.default_rng(0), None)
