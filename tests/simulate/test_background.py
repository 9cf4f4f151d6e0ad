"""Background and access items: each documented rule holds in the answers it draws."""

from __future__ import annotations

import numpy as np
import pytest

import toolkit
from toolkit.instrument.derived import AGE_LIMITS
from toolkit.simulate import background, people

N = 20_000


@pytest.fixture(scope="module")
def folk():
    return people.draw_people({"age_band": np.repeat(np.arange(5), N // 5), "edu3": np.ones(N, dtype=int),
                               "lang_w": np.zeros(N)}, np.random.default_rng(0))


def _draw(item_id, folk, codes=()):
    return background.custom(item_id, folk, np.asarray(codes, dtype=float), np.random.default_rng(1))


def test_every_custom_item_of_the_bundled_instruments_has_a_rule(folk):
    inst = toolkit.load_instrument("dis-full")
    for item_id, spec in background.ITEM_MODELS.items():
        if spec["kind"] == "custom":
            rs = inst.response_set_of(item_id)
            codes = [c.code for c in rs.codes] if rs else []
            assert len(_draw(item_id, folk, codes)) == N, item_id
    with pytest.raises(KeyError):
        _draw("shoe_size", folk)


def test_ages_lie_within_their_band(folk):
    age = _draw("age", folk)
    lo = np.array([a for a, _ in AGE_LIMITS])[folk["age_band"]]
    hi = np.array([b for _, b in AGE_LIMITS])[folk["age_band"]]
    assert ((age >= lo) & (age <= hi)).all() and (age == np.floor(age)).all()


def test_help_who_names_at_least_one_helper_and_follows_the_table(folk):
    who = _draw("help_who", folk, range(1, 7))
    assert all(isinstance(x, str) and x for x in who)
    old = folk["age_band"] == 4
    family = np.array(["2" in x.split() for x in who])
    assert family[old].mean() > family[folk["age_band"] == 1].mean() + 0.2  # HELPERS: 0.60 vs 0.20


def test_helpers_table_has_one_row_per_age_band():
    assert background.HELPERS.shape == (5, 6)
    assert background.HELPERS[4].tolist() == [0.25, 0.60, 0.10, 0.20, 0.15, 0.08]  # 75+
    truth = toolkit.datasets.load("truth.json")["models"]["background_tables"]
    assert truth["help_who"] == background.HELPERS.tolist()


def test_devices_none_only_without_any_device(folk):
    devices = _draw("devices", folk, range(1, 6))
    none = np.array([x == "5" for x in devices])
    has_any = folk["has_smartphone"] | folk["has_tablet"] | folk["has_computer"] | folk["has_tv"]
    assert (none == ~has_any).all()


def test_offline_people_never_read_digital_post_themselves(folk):
    read = _draw("dp_read", folk)
    assert np.isin(read[~folk["online"]], [4.0, 5.0]).all()


def test_categorical_tables_are_distributions():
    for table in (background.EMPLOYMENT, background.HOUSEHOLD):
        np.testing.assert_allclose(table.sum(axis=1), 1.0)
