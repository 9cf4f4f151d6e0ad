import numpy as np
import pandas as pd
import pytest

from toolkit.errors import OptionError
from toolkit.plots import data
from toolkit.survey import Design


def test_likert_shares_are_the_designs_proportions(results, instrument):
    shares = data.likert_shares(results.design, instrument, ["prac_01"])
    assert shares["estimate"].sum() == pytest.approx(1, abs=1e-9) or shares["suppressed"].any()
    answered = results.design.proportion("prac_01", na_rm=True)
    # conditional on answering, the weighted shares are those of Design.proportion
    answers = shares[shares["kind"] == "answer"].set_index("answer")["estimate"]
    rescaled = answers / answers.sum()
    expected = answered.assign(level=answered["level"].map(lambda v: f"{float(v):g}")).set_index("level")["estimate"]
    assert np.allclose(rescaled.sort_index(), expected.sort_index())


def test_level_shares_and_not_asked_left_out():
    frame = pd.DataFrame({"practical_sr_level": ["low"] * 5 + ["basic"] * 5, "age_band": "18-29",
                          "prac_01": [1.0] * 6 + [np.nan] * 4,
                          "prac_01_missing": [None] * 6 + ["not_asked"] * 2 + ["refused"] * 2})
    d = Design(frame, min_cell=0)
    shares = data.likert_shares(d, "dis-full", ["prac_01"])
    assert shares.set_index("answer")["estimate"].to_dict() == {"1": 0.75, "refused": 0.25}
    levels = data.level_shares(d, "dis-full", by="age_band")
    assert levels["estimate"].tolist() == [0.5, 0.5]


def test_triage_shares_need_aligned_rows():
    d = Design(pd.DataFrame({"x": range(10)}))
    with pytest.raises(OptionError, match="same respondents"):
        data.triage_shares(pd.DataFrame({"category": ["independent"] * 3}), design=d)


def test_only_the_tables_for_figures_estimate_anything():
    import re
    from pathlib import Path

    import toolkit.plots

    estimator = re.compile(r"\.(proportion|mean|total|ratio|quantile|glm|rake|poststratify)\(|\bDesign\(")
    package = Path(toolkit.plots.__file__).parent
    drawing = {p.name: estimator.findall(p.read_text(encoding="utf-8")) for p in package.glob("*.py")
               if p.name != "data.py"}
    assert not {name: calls for name, calls in drawing.items() if calls}
    assert estimator.search((package / "data.py").read_text(encoding="utf-8"))


_KEYED = [
    pd.Series([1.0, -0.0, 0.0, np.nan, 2.5, 1.0], name="g"),
    pd.Series(["a", None, "18-29", "a", np.nan], dtype=object),
    pd.Series([1, True, 1.0, "x", None], dtype=object),  # equal but not the same: keyed value by value
    pd.Series(pd.Categorical(["b", None, "a", "b"])),
    pd.Series(pd.Categorical([1.0, 2.0, None])),
    pd.Series(["x", None, "2"], dtype="str"),
    pd.Series([3, 1, 3], index=[5, 6, 7]),
    pd.Series([], dtype=float),
    pd.Series([1.0, 1.00000001, np.nan, 1.0]),  # two values, one text
]


@pytest.mark.parametrize("values", _KEYED)
def test_keys_made_once_per_value_are_the_keys_of_each_value(values):
    each = data._keys_each(values)
    once = data._keys(values)
    pd.testing.assert_series_equal(once, each)
    assert [type(v) for v in once] == [type(v) for v in each]


@pytest.mark.parametrize("values", _KEYED)
def test_key_groups_group_as_the_keys_do(values):
    w = pd.Series(np.arange(1.0, len(values) + 1))
    expected = w.groupby(data._keys_each(values).to_numpy(), sort=True).sum()
    found = w.groupby(data._key_groups(values), sort=True, observed=True).sum()
    assert found.index.astype(str).tolist() == expected.index.astype(str).tolist()
    assert found.tolist() == expected.tolist()


def test_answers_are_numbered_in_the_order_of_their_texts():
    frame = pd.DataFrame({"q": [10.0, 2, np.nan, np.nan, np.nan, 2, 1.5],
                          "q_missing": pd.Categorical([None, None, "refused", "not_asked", None, None, None])})
    numbers, texts = data._answers(frame, "q")
    assert texts == ["1.5", "10", "2", "refused"]  # sorted as text, as the estimators order text levels
    assert [texts[int(v)] if v == v else None for v in numbers] == ["10", "2", "refused", None, None, "2", "1.5"]
    assert numbers.dtype == np.float32


def test_likert_shares_in_batches_are_the_shares_of_one_batch(results, instrument, monkeypatch):
    items = data.likert_items(instrument)[:5]
    whole = data.likert_shares(results.design, instrument, items)
    monkeypatch.setattr(data, "BATCH_BYTES", data.ANSWER_BYTES * results.design.n * 2)  # two items at a time
    monkeypatch.setattr(data, "MIN_BATCH", 1)
    assert [len(b) for b in data._batches(items, results.design.n)] == [2, 2, 1]
    pd.testing.assert_frame_equal(data.likert_shares(results.design, instrument, items), whole)


def test_design_effects_skip_missing_and_empty_groups():
    frame = pd.DataFrame({"w": [1.0, 2, 2, 4, 1, 1], "g": pd.Categorical(["a", "a", None, "c", "c", "c"],
                                                                         categories=["a", "b", "c"])})
    d = Design(frame, weights="w", min_cell=0)
    t = data.design_effects(d, by="g").set_index(["by", "group"])
    assert t.index.tolist() == [("overall", "all"), ("g", "a"), ("g", "c")]
    assert t.loc[("g", "c"), "n"] == 3
    assert t.loc[("g", "a"), "kish_neff"] == pytest.approx(9 / 5)
    assert t.loc[("overall", "all"), "deff_weighting"] == pytest.approx(6 / (11 ** 2 / 27))
