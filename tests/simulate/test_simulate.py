"""The survey simulator: determinism, artefact rates, truth, bias, formats, bundled data."""

from __future__ import annotations

import hashlib
import time
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import toolkit
from toolkit.cli import app
from toolkit.errors import DesignError, InputFileError, OptionError
from toolkit.instrument.derived import age_band
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.simulate import design, items, people, population
from toolkit.simulate.bundle import BUNDLE, write_bundle
from toolkit.simulate.messiness import RATES

INST = toolkit.load_instrument("dis-full")
SCREENER = toolkit.load_instrument("dis-screener")


@pytest.fixture(scope="module")
def messy():
    return toolkit.simulate.survey(INST, n=3000, seed=11)


@pytest.fixture(scope="module")
def large_clean():
    return toolkit.simulate.survey(INST, n=20000, seed=5, clean=True)


def _md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


# --- determinism and formats -------------------------------------------------------------------

def test_same_seed_same_files_in_every_format(tmp_path):
    first = toolkit.simulate.survey(INST, n=60, seed=7)
    paths = {}
    for fmt in ("csv", "xlsx", "sav", "kobo"):
        paths[fmt] = first.write(tmp_path / f"a_{fmt}.out", fmt)
    first.write_truth(tmp_path / "a_truth.json")
    time.sleep(1.1)  # a timestamp in the file would now differ
    again = toolkit.simulate.survey(INST, n=60, seed=7)
    for fmt in ("csv", "xlsx", "sav", "kobo"):
        assert _md5(again.write(tmp_path / f"b_{fmt}.out", fmt)) == _md5(paths[fmt]), fmt
    assert _md5(again.write_truth(tmp_path / "b_truth.json")) == _md5(tmp_path / "a_truth.json")
    other = toolkit.simulate.survey(INST, n=60, seed=8)
    assert not other.clean_responses.equals(first.clean_responses)


def test_xlsx_and_sav_hold_the_csv_content(tmp_path):
    import pyreadstat

    sim = toolkit.simulate.survey(INST, n=80, seed=2, clean=True)
    csv = pd.read_csv(sim.write(tmp_path / "r.csv"))
    xlsx = pd.read_excel(sim.write(tmp_path / "r.xlsx"), engine="calamine")
    pd.testing.assert_frame_equal(xlsx, csv, check_dtype=False)
    sav, meta = pyreadstat.read_sav(str(sim.write(tmp_path / "r.sav")))
    np.testing.assert_allclose(sav["prac_01"], csv["prac_01"])
    assert meta.variable_value_labels["prac_01"][1.0] == "Not at all like me"
    assert meta.variable_value_labels["prac_01"][88.0] == "Don't know"


def test_kobo_export_has_group_paths_and_select_multiple_columns(tmp_path):
    sim = toolkit.simulate.survey(INST, n=150, seed=4, clean=True)
    kobo = pd.read_csv(sim.write(tmp_path / "k.csv", "kobo"), dtype={"access/devices": "str"})
    for col in ("skills/prac_03", "access/devices", "access/devices/1", "access/devices/5", "help/help_who/4",
                "_uuid", "_submission_time", "_id", "_index", "start", "end", "design_weight", "stratum"):
        assert col in kobo.columns, col
    assert kobo["_uuid"].is_unique and kobo["_uuid"].str.fullmatch(r"[0-9a-f-]{36}").all()
    for code in range(1, 6):
        has = kobo["access/devices"].str.split(" ").map(lambda xs, c=str(code): c in xs)
        assert (kobo[f"access/devices/{code}"] == has.astype(float)).all()
    asked = kobo["help/help_any"] == 1
    assert kobo.loc[~asked, "help/help_who/1"].isna().all()
    assert (kobo.loc[asked, [f"help/help_who/{c}" for c in range(1, 7)]].sum(axis=1) >= 1).all()


# --- clean data follows the instrument ---------------------------------------------------------

def test_clean_data_is_canonical(large_clean):
    df = large_clean.responses
    assert df is large_clean.clean_responses and large_clean.artefacts.empty
    assert list(df.columns[:6]) == list(toolkit.simulate.METADATA)
    assert df["respondent_id"].is_unique and len(df) == 20000
    for item in INST.items:
        col = df[item.id]
        if item.type in ("likert", "knowledge", "single"):
            assert set(col.dropna().unique()) <= INST.response_sets[item.response_set].valid_codes, item.id
        if item.rule is not None:  # never answered where the skip logic skips it
            assert col[~INST.relevant(df, item.id)].isna().all(), item.id
    assert (df["attn_01"] == 4).all()
    assert df.loc[df["mode"] != design.WEB, "duration_sec"].isna().all()


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


def test_latents_and_calibration_match_field_notes(large_clean):
    t = large_clean.truth
    prev = {k: v["overall"] for k, v in t["prevalence"].items()}
    assert 0.05 <= prev["exempt"] <= 0.07
    assert 0.17 <= prev["needs_help"] <= 0.28
    assert 0.17 <= prev["low_bureaucratic"] <= 0.28
    by_age = t["prevalence_by_age_band"]
    assert by_age["offline"]["75+"] > 5 * by_age["offline"]["45-59"]  # steep at 75+
    assert by_age["low_bureaucratic"]["18-29"] > 2 * by_age["low_bureaucratic"]["30-44"]  # young adults
    # within one demographic cell the latents correlate through the residuals only ...
    same = people.draw_people({"age_band": np.full(50_000, 2), "edu3": np.ones(50_000, dtype=int),
                               "lang_w": np.zeros(50_000)}, np.random.default_rng(0))
    corr = np.corrcoef(same["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() > 0.4 and corr.max() < 0.7
    # ... across age and education about 0.5-0.7
    mixed = people.draw_people({"age_band": np.repeat(np.arange(5), 10_000),
                                "edu3": np.tile(np.arange(3), 16_667)[:50_000], "lang_w": np.zeros(50_000)},
                               np.random.default_rng(1))
    corr = np.corrcoef(mixed["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() >= 0.45 and corr.max() <= 0.75
    # ... and in the municipality itself (the issue: about 0.5 to 0.7)
    res = toolkit.simulate._residents(population.population_table(100_000, range(1, 9)), list(range(1, 9)))
    town = people.draw_people({k: res[k] for k in ("age_band", "edu3", "lang_w")}, np.random.default_rng(2))
    corr = np.corrcoef(town["theta"].T)[np.triu_indices(4, 1)]
    assert corr.min() >= 0.45 and corr.max() <= 0.72
    assert mixed["missed_mail"][mixed["age_band"] == 0].mean() > 2 * mixed["missed_mail"][mixed["age_band"] == 2].mean()


def test_grm_and_2pl_draws_follow_their_models():
    rng = np.random.default_rng(0)
    theta = np.full(200_000, 0.4)
    a, b = 1.7, [-1.2, -0.3, 0.5, 1.4]
    idx = items.grm_draw(theta, a, b, rng)
    expit = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    at_least = np.array([1.0, *expit(a * (0.4 - np.array(b))), 0.0])
    expected = at_least[:-1] - at_least[1:]
    observed = np.bincount(idx, minlength=5) / theta.size
    np.testing.assert_allclose(observed, expected, atol=0.004)
    # knowledge items through the generator: P(correct) = expit(a (theta - b))
    n = 100_000
    folk = people.draw_people({"age_band": np.full(n, 1), "edu3": np.ones(n, dtype=int), "lang_w": np.zeros(n),
                               "gender": np.ones(n), "education": np.full(n, 2), "home_lang": np.ones(n),
                               "district": np.ones(n)}, rng)
    folk["theta"] = np.full((n, 4), 0.2)
    params = items.item_parameters(INST)
    data = items.generate(INST, folk, params, rng)
    for item_id in ("prac_k3", "bure_k2"):
        p = params[item_id]
        assert p["kind"] == "2pl"
        right = (data[item_id] == INST.item(item_id).correct).mean()
        assert right == pytest.approx(expit(p["a"] * (0.2 - p["b"])), abs=0.006), item_id


# --- truth ------------------------------------------------------------------------------------

def test_truth_equals_a_direct_count_on_a_census(monkeypatch):
    """Census (everyone sampled and responding, no errors) -> truth exactly, with the public scorer.

    Small chunks make the census span several chunks and both worker processes, as a large population does.
    """
    monkeypatch.setattr(toolkit.simulate, "CHUNK", 2_500)
    sim = toolkit.simulate.survey(INST, n=12_000, seed=3, clean=True, nonresponse=False, population_size=12_000)
    df = sim.responses
    assert len(df) == 12_000 and np.allclose(df["design_weight"], 1.0)
    scores = toolkit.score(df, INST)
    both = pd.concat([df, scores], axis=1)
    for oid, outcome in INST.outcomes.items():
        y = INST.evaluate(outcome.parsed, both).astype(float)
        truth = sim.truth["prevalence"][oid]
        assert y.mean() == pytest.approx(truth["overall"], abs=1e-6), oid
        by_d = y.groupby(df["district"].astype(int)).mean()
        for code, p in by_d.items():
            assert p == pytest.approx(truth[str(code)], abs=1e-6), (oid, code)
    for sid in INST.scales:
        assert scores[sid].mean() == pytest.approx(sim.truth["scale_mean"][sid]["overall"], abs=1e-6), sid


def test_truth_agrees_with_a_large_weighted_draw():
    """Horvitz-Thompson estimates from a large sample without nonresponse land on the truth."""
    sim = toolkit.simulate.survey(INST, n=30_000, seed=9, clean=True, nonresponse=False)
    out = evaluate_outcomes(sim.responses, items.score(INST, sim.responses), INST)
    w = sim.responses["design_weight"].to_numpy()
    for oid in INST.outcomes:
        y = out[oid].to_numpy(dtype=float)
        est = np.average(y, weights=w)
        p = sim.truth["prevalence"][oid]["overall"]
        se = np.sqrt(p * (1 - p) / len(y))
        assert abs(est - p) < 4 * se, oid


def test_truth_file_and_population_agree():
    pop, truth = toolkit.datasets.load("population.csv"), toolkit.datasets.load("truth.json")
    assert list(pop.columns) == ["district", "age_band", "gender", "education", "home_lang", "count"]
    assert int(pop["count"].sum()) == truth["population_size"]
    assert (truth["instrument"], truth["instrument_version"]) == (INST.id, INST.version)
    by_d = pop.groupby("district")["count"].sum()
    assert {str(k): int(v) for k, v in by_d.items()} == truth["design"]["population"]
    assert set(truth["prevalence"]) == set(INST.outcomes)
    assert set(truth["prevalence"]["exempt"]) == {"overall", *map(str, range(1, 9))}
    assert truth["item_parameters"]["prac_k1"]["kind"] == "2pl"
    assert truth["item_parameters"]["prac_05"]["kind"] == "grm"
    shares = pop.groupby(["district", "age_band"])["count"].sum() / by_d
    assert shares[(2, "75+")] > 2 * shares[(1, "75+")]  # the older district
    assert shares[(1, "18-29")] > 1.5 * shares[(5, "18-29")]  # the student district
    lang = pop[pop["home_lang"] > 1].groupby("district")["count"].sum() / by_d
    assert lang.idxmax() == 3


# --- sample design and bias --------------------------------------------------------------------

def _rake(df: pd.DataFrame, pop: pd.DataFrame, cols, w: np.ndarray) -> np.ndarray:
    for _ in range(50):
        for col in cols:
            target = pop.groupby(col)["count"].sum()
            current = pd.Series(w).groupby(df[col].to_numpy()).sum()
            w = w * df[col].map(target / current).to_numpy()
    return w


def test_unweighted_sample_understates_exclusion_and_raking_fixes_most(large_clean):
    df = large_clean.responses.assign(age_band=age_band(large_clean.responses["age"]))
    for col in ("district", "education", "home_lang", "gender"):
        df[col] = df[col].astype(int)
    out = evaluate_outcomes(large_clean.responses, items.score(INST, large_clean.responses), INST)
    w = _rake(df, large_clean.population, ["district", "age_band", "education", "home_lang", "gender"],
              df["design_weight"].to_numpy())
    for oid in INST.outcomes:  # README: every exclusion outcome is understated
        y = out[oid].to_numpy(dtype=float)
        truth = large_clean.truth["prevalence"][oid]["overall"]
        se = np.sqrt(truth * (1 - truth) / len(y))
        assert y.mean() < truth - 3 * se, oid  # documented direction: too low
        assert abs(np.average(y, weights=w) - truth) < 0.35 * abs(y.mean() - truth), oid


def test_design_weights_and_strata(large_clean):
    df, d = large_clean.responses, large_clean.truth["design"]
    assert (df["stratum"] == df["district"]).all()
    n_h = df.groupby("stratum").size()
    assert {str(k): int(v) for k, v in n_h.items()} == d["respondents"]
    w_h = df.groupby("stratum")["design_weight"].first()
    expected = {int(k): d["population"][k] / d["released"][k] for k in d["population"]}
    for k, v in w_h.items():
        assert v == pytest.approx(expected[k], abs=1e-6)
    assert w_h.max() / w_h.min() > 1.3  # unequal selection probabilities


@given(n=st.integers(1, 5000), caps=st.lists(st.integers(0, 2000), min_size=2, max_size=9))
@settings(max_examples=60, deadline=None)
def test_allocation_sums_to_n_within_caps(n, caps):
    caps = np.array(caps)
    sizes = caps + 1
    if n > caps.sum():
        with pytest.raises(DesignError):
            design.allocate(n, sizes, caps)
        return
    alloc = design.allocate(n, sizes, caps)
    assert alloc.sum() == n and (alloc <= caps).all() and (alloc >= 0).all()


@given(size=st.integers(100, 500_000), k=st.integers(1, 8))
@settings(max_examples=30, deadline=None)
def test_population_table_sums_to_size(size, k):
    tab = population.population_table(size, range(1, k + 1))
    assert tab["count"].sum() == size and (tab["count"] >= 0).all()


# --- messiness ----------------------------------------------------------------------------------

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
    return "%.10g" % v if isinstance(v, float) else str(v)


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


def test_clean_true_switches_every_artefact_off():
    sim = toolkit.simulate.survey(INST, n=500, seed=11, clean=True)
    assert sim.artefacts.empty and sim.responses.equals(sim.clean_responses)
    coded = [i.id for i in INST.items if i.type in ("likert", "knowledge", "single")]
    assert not sim.responses[coded].isin([66, 88, 99]).any().any()
    assert all(pd.api.types.is_float_dtype(sim.responses[c]) for c in coded)
    messy = toolkit.simulate.survey(INST, n=500, seed=11)
    pd.testing.assert_frame_equal(messy.clean_responses, sim.clean_responses)  # same respondents


def test_rates_are_configurable_and_validated():
    sim = toolkit.simulate.survey(SCREENER, n=300, seed=1, rates={k: 0.0 for k in RATES} | {"duplicate": 0.2})
    assert set(sim.artefacts["kind"]) == {"duplicate"}
    with pytest.raises(OptionError, match="messiness rate must be one of 'speeder'.*; got 'typo'"):
        toolkit.simulate.survey(SCREENER, n=10, rates={"typo": 0.1})
    with pytest.raises(DesignError, match="between 0 and 1"):
        toolkit.simulate.survey(SCREENER, n=10, rates={"label": 2})


def test_dif_item_changes_only_that_item():
    dif = {"navi_k2": {"group": "age_band", "level": "75+", "shift": 1.5}}
    base = toolkit.simulate.survey(INST, n=4000, seed=6, clean=True)
    planted = toolkit.simulate.survey(INST, n=4000, seed=6, clean=True, dif_items=dif)
    a, b = base.responses, planted.responses
    pd.testing.assert_frame_equal(a.drop(columns="navi_k2"), b.drop(columns="navi_k2"))
    old = age_band(a["age"]) == "75+"
    right = INST.item("navi_k2").correct
    assert (b.loc[old, "navi_k2"] == right).mean() < (a.loc[old, "navi_k2"] == right).mean() - 0.1
    assert ((a.loc[~old, "navi_k2"] == right) == (b.loc[~old, "navi_k2"] == right)).all()
    assert planted.truth["models"]["dif"] == dif
    with pytest.raises(OptionError, match=r"dif_items\['navi_k2'\] group must be one of 'age_band'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k2": {"group": "shoe_size", "level": 1, "shift": 1}})
    with pytest.raises(DesignError, match="has no item 'navi_k9'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k9": {"group": "gender", "level": 1, "shift": 1}})
    with pytest.raises(OptionError, match=r"level must be one of '18-29'.*; got '80\+'"):
        toolkit.simulate.survey(INST, n=10, dif_items={"navi_k2": {"group": "age_band", "level": "80+", "shift": 1}})


def test_modes_off_means_everyone_on_the_web():
    sim = toolkit.simulate.survey(SCREENER, n=400, seed=2, modes=False, clean=True)
    assert (sim.responses["mode"] == design.WEB).all() and sim.responses["duration_sec"].notna().all()


# --- bundled data and CLI ----------------------------------------------------------------------

def test_bundled_files_regenerate_byte_for_byte(tmp_path):
    write_bundle(tmp_path)
    data = resources.files("toolkit") / "data"
    for name in BUNDLE:
        assert (tmp_path / name).read_bytes() == (data / name).read_bytes(), name
    assert (data / "README.md").is_file()


def test_bundled_loader():
    df = toolkit.datasets.load("sample_survey.csv")
    assert 2000 <= len(df) <= 2100 and "respondent_id" in df
    assert len(toolkit.datasets.load("sample_screener.csv")) >= 500
    assert "skills/prac_03" in toolkit.datasets.load("sample_kobo.csv")
    with pytest.raises(InputFileError, match="no bundled data file"):
        toolkit.datasets.load("nope.csv")


def test_cli_simulate_writes_files_and_reports_user_errors(tmp_path):
    runner = CliRunner()
    out, truth = tmp_path / "s.sav", tmp_path / "t.json"
    res = runner.invoke(app, ["simulate", "--instrument", "dis-screener", "--n", "50", "--seed", "3",
                              "--format", "sav", "--out", str(out), "--truth", str(truth)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 0 and "prevalence" in truth.read_text()
    res = runner.invoke(app, ["simulate", "--n", "50", "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert res.exit_code == 2 and "unknown format" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["simulate", "--n", "5", "--out", str(tmp_path / "missing" / "x.csv")])
    assert res.exit_code == 2 and "does not exist" in res.output
    arte = tmp_path / "a.csv"
    res = runner.invoke(app, ["simulate", "-i", "dis-screener", "--n", "100", "--out", str(tmp_path / "r.csv"),
                              "--rate", "duplicate=0.5", "--artefacts", str(arte)])
    assert res.exit_code == 0, res.output
    assert (pd.read_csv(arte)["kind"] == "duplicate").sum() > 30
    res = runner.invoke(app, ["simulate", "--n", "5", "--out", str(tmp_path / "r.csv"), "--rate", "typo=0.1"])
    assert res.exit_code == 2 and "messiness rate must be one of" in res.output
    res = runner.invoke(app, ["simulate", "--n", "5", "--out", str(tmp_path / "r.csv"), "--rate", "label"])
    assert res.exit_code == 2 and "kind=number" in res.output


def test_unknown_output_format_is_an_option_error(tmp_path):
    sim = toolkit.simulate.survey(SCREENER, n=20, seed=1)
    with pytest.raises(OptionError, match="format must be one of 'csv', 'xlsx', 'sav', 'kobo'; got 'pdf'"):
        sim.write(tmp_path / "x.pdf")
