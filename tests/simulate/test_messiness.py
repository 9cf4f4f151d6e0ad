"""Messiness: every artefact at its rate, recorded exactly, looking like real export mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.simulate import design, messiness
from toolkit.simulate.messiness import RATES

INST = toolkit.load_instrument("dis-full")


def _within(count: int, eligible: int, rate: float, kind: str) -> None:
    se = np.sqrt(eligible * rate * (1 - rate))
    assert abs(count - eligible * rate) <= 4 * se + 2, (kind, count, eligible * rate)


def test_every_artefact_appears_at_its_rate(messy):
    art, clean = messy.artefacts, messy.clean_responses
    n = len(clean)
    counts = art.groupby("kind").size()
    assert set(counts.index) == set(RATES)
    rows = art.groupby("kind")["row"].nunique()
    web = int((clean["mode"] == design.WEB).sum())
    speeders = art[(art["kind"] == "speeder") & (art["column"] == "duration_sec")]
    _within(len(speeders), web, RATES["speeder"], "speeder")
    _within(int(art.loc[art["kind"] == "duplicate"].shape[0]), n, RATES["duplicate"], "duplicate")
    _within(int(rows["straightliner"]), n - len(speeders), RATES["straightliner"], "straightliner")
    _within(int(rows["skip_violation"]), n, RATES["skip_violation"], "skip_violation")
    _within(int(rows["pii"]), n, RATES["pii"], "pii")
    # per-cell kinds: eligible = answered cells not already corrupted by a row-level artefact
    dups = art.loc[art["kind"] == "duplicate", "row"]
    first = art[~art["row"].isin(dups)]
    coded = [i.id for i in INST.items if i.type in ("likert", "knowledge", "single")]
    likert = [i.id for i in INST.items if i.type == "likert"]
    row_level = first[first["kind"].isin(["speeder", "straightliner", "skip_violation"])]
    answered = int(clean[coded].notna().sum().sum()) - int(row_level["column"].isin(coded).sum())
    answered_likert = int(clean[likert].notna().sum().sum()) - int(row_level["column"].isin(likert).sum())
    for kind in ("dont_know", "refused", "out_of_range", "label"):
        _within(int((first["kind"] == kind).sum()), answered, RATES[kind], kind)
    _within(int((first["kind"] == "dont_understand").sum()), answered_likert, RATES["dont_understand"],
            "dont_understand")
    _within(int((first["kind"] == "decimal_comma").sum()), n, RATES["decimal_comma"], "decimal_comma")


def _fmt(v) -> str:
    if pd.isna(v):
        return ""
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def test_messy_is_clean_plus_recorded_corruptions(messy):
    m, c, art = messy.responses, messy.clean_responses, messy.artefacts
    assert len(m) == len(c) + int((art["kind"] == "duplicate").sum())
    cells = art[art["column"] != ""]
    # every recorded cell holds the recorded values
    for col, grp in cells.groupby("column"):
        got = m[col].iloc[grp["row"].to_numpy()]
        expect = grp["messy"].to_numpy()
        assert [_fmt(v) for v in got] == list(expect), col
    # every other cell equals the clean simulation (matched by respondent_id)
    aligned = c.set_index("respondent_id").loc[m["respondent_id"]].reset_index()
    mask = pd.DataFrame(False, index=m.index, columns=m.columns)
    for col, grp in cells.groupby("column"):
        mask.loc[grp["row"].to_numpy(), col] = True
    for col in m.columns:
        a = m[col].where(~mask[col])
        b = aligned[col].where(~mask[col])
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_numeric_dtype(a):
            a = pd.to_numeric(a)
        pd.testing.assert_series_equal(a, b, check_dtype=False, check_names=False, obj=col)
    assert m["respondent_id"].duplicated().sum() == (art["kind"] == "duplicate").sum()


def test_messy_values_look_real(messy):
    art = messy.artefacts
    pii = art.loc[art["kind"] == "pii", "messy"]
    assert pii.str.contains(r"\b\d{6}-\d{4}\b").any()
    assert pii.str.contains(r"@example\.(?:com|org)").any()
    assert pii.str.contains(r"\+45 \d\d \d\d \d\d \d\d").any()
    cpr = pii.str.extract(r"\b(\d\d)(\d\d)(\d\d)-\d{4}\b").dropna().astype(int)
    assert cpr[0].between(1, 31).all() and cpr[1].between(1, 12).all()
    labels = art.loc[art["kind"] == "label", "messy"]
    assert labels.str.contains("Ved ikke|Helt enig|Ja|Nej", case=False).any()  # Danish labels
    assert (labels != labels.str.strip()).any() and labels.str.isupper().any()
    assert art.loc[art["kind"] == "decimal_comma", "messy"].str.contains(",").all()
    speed = art[(art["kind"] == "speeder") & (art["column"] == "duration_sec")]["messy"].astype(float)
    assert speed.max() < messy.clean_responses["duration_sec"].median() / 3


def test_each_cell_is_corrupted_at_most_once(messy):
    cells = messy.artefacts[messy.artefacts["column"] != ""]
    dups = set(messy.artefacts.loc[messy.artefacts["kind"] == "duplicate", "row"])
    first = cells[~cells["row"].isin(dups)]
    assert not first.duplicated(["row", "column"]).any()


def test_rates_of_zero_leave_the_data_as_it_is():
    sim = toolkit.simulate.survey("dis-screener", n=200, seed=3, clean=True)
    messy, art = messiness.corrupt(sim.instrument, sim.clean_responses, {k: 0.0 for k in RATES},
                                   np.random.default_rng(0))
    assert art.empty and list(art.columns) == ["row", "respondent_id", "column", "kind", "clean", "messy"]
    pd.testing.assert_frame_equal(messy, sim.clean_responses)


def test_old_keywords_still_work_with_a_warning():
    sim = toolkit.simulate.survey("dis-screener", n=50, seed=3, clean=True)
    with pytest.warns(FutureWarning) as caught:
        messy, _ = messiness.corrupt(inst=sim.instrument, clean=sim.clean_responses, rates={"duplicate": 0.5},
                                     rng=np.random.default_rng(0))
    assert {str(w.message).split(";")[0] for w in caught} == {"corrupt(): the keyword inst= is now instrument=",
                                                             "corrupt(): the keyword clean= is now data="}
    assert len(messy) > len(sim.clean_responses)


def test_comments_are_clean_text_at_their_rate():
    texts = messiness.comments(20_000, np.random.default_rng(0))
    has = np.array([isinstance(t, str) for t in texts])
    assert abs(has.mean() - messiness.COMMENT_RATE) < 0.01
    assert not pd.Series(texts[has]).str.contains(r"\d{6}-\d{4}|@").any()
