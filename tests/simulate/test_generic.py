"""The simulator on any instrument (toolkit.simulate.generic): custom domains, codes and ids."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import toolkit
from toolkit.errors import DesignError
from toolkit.instrument import parse_instrument
from toolkit.simulate import generic, items, messiness
from toolkit.simulate.detection import detection

from tests.simulate.conftest import CUSTOM, TINY

ROOT = Path(__file__).resolve().parents[2]
ESS_YAML = ROOT / "tests" / "data" / "ess" / "ess10no.yaml"
SCHEMA_MD = ROOT / "toolkit" / "questionnaires" / "SCHEMA.md"


@pytest.fixture(scope="module")
def custom():
    return parse_instrument(CUSTOM, file="custom.yaml")


@pytest.fixture(scope="module")
def clean_sim(custom):
    return toolkit.simulate.survey(custom, n=1500, seed=4, clean=True)


def codes_of(instrument, item_id) -> set[float]:
    rs = instrument.response_set_of(item_id)
    return {float(c) for c in rs.valid_codes}


def test_a_custom_domain_gets_a_latent_of_its_own(custom):
    assert generic.latent_names(custom) == ["attitudes", "civics"]
    params = items.item_parameters(custom)
    assert params["att_1"]["driver"] == "latent:attitudes" and not params["att_1"]["self_report"]
    assert params["civ_k1"] == {**params["civ_k1"], "kind": "2pl", "driver": "latent:civics"}
    assert params["voted"]["driver"] == "g"


def test_clean_answers_come_from_each_items_response_set(custom, clean_sim):
    data = clean_sim.clean_responses
    assert list(data.columns[:6]) == ["respondent_id", "district", "stratum", "design_weight", "mode",
                                      "duration_sec"]
    assert len(data) == 1500 and list(data.columns[6:]) == custom.item_ids
    for item in custom.items:
        if item.type in ("likert", "single", "knowledge"):
            values = set(data[item.id].dropna())
            assert values and values <= codes_of(custom, item.id), item.id
    # an item that shares an id with dis-full but not its codes is simulated on its own codes
    assert set(data["gender"].dropna()) == {1.0, 2.0, 3.0, 4.0}
    assert data["children"].between(0, 12).all()
    media = data["media"].dropna()
    assert set(" ".join(media).split()) == {"1", "2", "3", "4"}
    assert all(m == "4" or "4" not in m.split() for m in media)  # "None of these" stands alone


def test_items_of_one_scale_go_together(clean_sim):
    data = clean_sim.clean_responses
    corr = data[["att_1", "att_2", "att_3"]].corr()
    assert corr.loc["att_1", "att_2"] > 0.3
    assert corr.loc["att_1", "att_3"] < -0.3  # reverse-keyed: generated as the opposite statement
    scores = toolkit.score(data, clean_sim.instrument)
    assert scores["attitudes_sr"].notna().all()


def test_routing_is_respected(clean_sim):
    data = clean_sim.clean_responses
    assert data.loc[data["voted"] == 2, "voted_why"].isna().all()
    assert data.loc[data["voted"] == 1, "voted_why"].notna().all()


def test_truth_records_the_latents(clean_sim):
    truth = clean_sim.truth
    assert {"attitudes", "civics"} <= set(truth["latent_mean"])
    assert truth["models"]["scale_latents"] == {"latents": ["attitudes", "civics"], **generic.LATENT_MODEL}
    assert set(truth["scale_mean"]) == {"attitudes_sr", "civics_kn"}
    assert 0 <= truth["scale_mean"]["attitudes_sr"]["overall"] <= 10


def test_the_messy_export_uses_the_instruments_codes(custom):
    sim = toolkit.simulate.survey(custom, n=1500, seed=2, rates={"dont_know": 0.1, "out_of_range": 0.05})
    art = sim.artefacts
    att = art[art["column"] == "att_1"]
    assert set(att.loc[att["kind"] == "dont_know", "messy"]) == {"88"}
    # 0 is an answer on a 0-10 scale: what is written out of range is never one of the set's codes
    bad = set(att.loc[att["kind"] == "out_of_range", "messy"].astype(float))
    assert bad and not bad & (codes_of(custom, "att_1") | {66.0, 88.0, 99.0})


def test_bundled_instruments_keep_their_detailed_model():
    full = toolkit.load_instrument("dis-full")
    assert generic.latent_names(full) == [] and generic.model_summary(full) == {}
    assert items.item_parameters(full)["gender"]["kind"] == "demographic"
    assert messiness.missing_kinds(full.response_set_of("prac_01")) == [
        ("dont_know", 88.0), ("refused", 99.0), ("dont_understand", 66.0)]
    assert "scale_latents" not in toolkit.simulate.survey("dis-screener", n=30, seed=1).truth["models"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "kobo"])
def test_an_instrument_without_scales_simulates_in_every_format(tmp_path, fmt):
    tiny = parse_instrument(TINY, file="tiny.yaml")
    sim = toolkit.simulate.survey(tiny, n=60, seed=1)
    data = sim.clean_responses
    # the district item's own codes are the municipality's districts
    assert set(data["district"]) == {10.0, 20.0} and sim.truth["districts"] == {"10": "North", "20": "South"}
    assert (data["kids"] == data["kids"].round()).all()  # numeric items are whole numbers
    assert set(data["agree"]) == {1.0}
    assert sim.write(tmp_path / f"r.{fmt}", format=fmt).exists()


def test_an_item_named_like_a_metadata_column_is_refused_in_one_line():
    clash = parse_instrument(CUSTOM.replace("id: children", "id: stratum"), file="clash.yaml")
    with pytest.raises(DesignError, match=r"item\(s\) stratum have the name of a column the simulator writes"):
        toolkit.simulate.survey(clash, n=10)


# --------------------------------------------------------------------------- ESS and SCHEMA.md's example
def test_the_ess_instrument_simulates_with_its_own_missing_codes():
    ess = toolkit.load_instrument(ESS_YAML)
    sim = toolkit.simulate.survey(ess, n=2000, seed=3, rates={"refused": 0.02, "no_answer": 0.02})
    assert sim.rates["no_answer"] == 0.02
    art = sim.artefacts
    written = art.groupby("kind")["messy"].agg(set)
    assert written["refused"] == {"77"} and written["no_answer"] == {"99"} and written["dont_know"] == {"88"}
    clean = sim.clean_responses
    assert set(clean["imbgeco"].dropna()) == set(map(float, range(11)))
    assert set(clean["eu_vote"].dropna()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert sim.summary().empty  # no outcomes declared
    # labels that are the codes' own digits ("3") are no corruption: only worded labels are written
    labels = art.loc[art["kind"] == "label", "messy"].str.strip()
    assert len(labels) and not labels.str.fullmatch(r"\d+").any()
    # cleaning the messy export with the same instrument finds every missing code, label and invalid code
    cleaned = toolkit.clean(sim.responses, ess, pseudonym_key="k")
    rates = detection(cleaned, art).set_index("kind")["rate"]
    assert rates[["dont_know", "refused", "no_answer", "label", "out_of_range"]].tolist() == [1.0] * 5


PER_SET = """
id: per-set
version: "1"
languages: [nb]
title: {nb: Kjønn}
missing_codes:
  - {code: 77, kind: refused, nb: Nekter}
response_sets:
  gender:
    codes: [{code: 1, nb: Mann}, {code: 2, nb: Kvinne}]
    missing_codes: [{code: 9, kind: no_answer, nb: Ikke svar}]
sections:
  - id: s
    label: {nb: S}
    items:
      - {id: gndr, type: single, response_set: gender, text: {nb: Kjønn}}
scales: {}
"""


def test_a_response_set_with_its_own_missing_codes_uses_them():
    instrument = parse_instrument(PER_SET, file="per_set.yaml")
    sim = toolkit.simulate.survey(instrument, n=2000, seed=1, rates={"no_answer": 0.05, "out_of_range": 0.05})
    art = sim.artefacts[sim.artefacts["column"] == "gndr"]
    assert set(art.loc[art["kind"] == "no_answer", "messy"]) == {"9"}
    assert not (art["kind"] == "refused").any()  # 77 is not a code of this set
    assert set(art.loc[art["kind"] == "out_of_range", "messy"]) <= {"0", "3", "10"}
    assert set(art.loc[art["kind"] == "label", "messy"].str.strip().str.lower()) <= {"mann", "kvinne"}


def _schema_examples() -> list[str]:
    """Every fenced YAML block of SCHEMA.md that is a whole instrument (it has id, sections and scales)."""
    blocks = re.findall(r"```yaml\n(.*?)```", SCHEMA_MD.read_text(encoding="utf-8"), flags=re.S)
    whole = []
    for block in blocks:
        try:
            doc = yaml.safe_load(block)
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict) and {"id", "sections", "scales"} <= set(doc):
            whole.append(block)
    return whole


def test_schema_md_minimal_example_simulates():
    examples = _schema_examples()
    assert examples, "SCHEMA.md has no complete instrument example"
    for text in examples:
        instrument = parse_instrument(text, file="SCHEMA.md")
        sim = toolkit.simulate.survey(instrument, n=200, seed=1)
        assert len(sim.clean_responses) == 200
        for item in instrument.items:
            rs = instrument.response_set_of(item.id)
            if rs is not None and item.type != "multiple":
                assert set(sim.clean_responses[item.id].dropna()) <= {float(c) for c in rs.valid_codes}


def test_invalid_codes_avoid_every_code_of_the_set(custom):
    for name in ("zero_ten", "yes_no", "capital"):
        rs = custom.response_sets[name]
        bad = messiness.invalid_codes(rs)
        assert len(set(bad)) == 3 and not set(bad) & (rs.valid_codes | set(rs.missing_codes))
    assert np.array_equal(messiness.invalid_codes(custom.response_sets["yes_no"]), [0.0, 3.0, 9.0])


def test_a_census_of_a_custom_instrument_reproduces_its_truth(custom, monkeypatch):
    """Everyone sampled, no errors: outcomes and scale means over all residents equal the truth, chunk by chunk."""
    monkeypatch.setattr(toolkit.simulate, "CHUNK", 2_500)
    sim = toolkit.simulate.survey(custom, n=6_000, seed=5, clean=True, nonresponse=False, population_size=6_000)
    data = sim.responses
    scores = toolkit.score(data, custom)
    both = pd.concat([data, scores], axis=1)
    for oid, outcome in custom.outcomes.items():
        share = custom.evaluate(outcome.parsed, both).astype(float).mean()
        assert share == pytest.approx(sim.truth["prevalence"][oid]["overall"], abs=1e-6), oid
    for sid in custom.scales:
        assert scores[sid].mean() == pytest.approx(sim.truth["scale_mean"][sid]["overall"], abs=1e-6), sid
