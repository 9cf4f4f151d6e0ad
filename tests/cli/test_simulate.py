"""``ditk simulate``: files written and listed, rates, determinism, user mistakes (from tests/simulate/)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.simulate.conftest import CUSTOM
from toolkit.cli import app

ESS = Path(__file__).resolve().parents[1] / "data" / "ess" / "ess10no.yaml"
SMALL = ["simulate", "-i", "dis-screener", "--n", "60", "--seed", "3"]


def test_writes_every_file_asked_for_and_lists_them_in_order(runner, tmp_path):
    out, pop, truth, arte = (tmp_path / name for name in ("s.sav", "p.csv", "t.json", "a.csv"))
    result = runner.invoke(app, [*SMALL, "--format", "sav", "--out", str(out), "--population", str(pop),
                                 "--truth", str(truth), "--artefacts", str(arte)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out), str(pop), str(truth), str(arte)]
    assert result.stderr == ""
    assert out.stat().st_size > 0
    assert "prevalence" in json.loads(truth.read_text())
    assert pd.read_csv(pop)["count"].sum() > 0
    assert set(pd.read_csv(arte).columns) >= {"row", "column", "kind"}


def test_only_the_responses_by_default(runner, tmp_path):
    result = runner.invoke(app, [*SMALL, "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(tmp_path / "r.csv")]
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_same_seed_same_bytes(runner, tmp_path):
    for name in ("a.csv", "b.csv"):
        assert runner.invoke(app, [*SMALL, "--out", str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert runner.invoke(app, [*SMALL[:-1], "4", "--out", str(tmp_path / "c.csv")]).exit_code == 0
    assert (tmp_path / "c.csv").read_bytes() != (tmp_path / "a.csv").read_bytes()


def test_rate_sets_the_messiness(runner, tmp_path):
    arte = tmp_path / "a.csv"
    result = runner.invoke(app, ["simulate", "-i", "dis-screener", "--n", "100", "--out", str(tmp_path / "r.csv"),
                                 "--rate", "duplicate=0.5", "--rate", "pii = 0", "--artefacts", str(arte)])
    assert result.exit_code == 0, result.output
    kinds = pd.read_csv(arte)["kind"]
    assert (kinds == "duplicate").sum() > 30 and not (kinds == "pii").any()


def test_clean_writes_no_artefacts(runner, tmp_path):
    arte = tmp_path / "a.csv"
    result = runner.invoke(app, [*SMALL, "--clean", "--out", str(tmp_path / "r.csv"), "--artefacts", str(arte)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(arte).empty


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdf", "--out", "{tmp}/x.pdf"], "--format must be one of 'csv', 'xlsx', 'sav', 'kobo'; got 'pdf'"),
    (["--out", "{tmp}/missing/x.csv"], "does not exist"),
    (["--out", "{tmp}/r.csv", "--truth", "{tmp}/missing/t.json"], "does not exist"),
    (["--out", "{tmp}/r.csv", "--rate", "typo=0.1"], "messiness rate must be one of"),
    (["--out", "{tmp}/r.csv", "--rate", "duplicate=2"], "between 0 and 1"),
    (["--out", "{tmp}/r.csv", "--rate", "label"], "--rate 'label': expected kind=number"),
    (["--out", "{tmp}/r.csv", "--rate", "label=often"], "expected kind=number"),
    (["--out", "{tmp}/r.csv", "--n", "0"], "n must be a positive whole number"),
    (["--out", "{tmp}/r.csv", "-i", "dis-nope"], "unknown instrument 'dis-nope'"),
])
def test_user_mistakes_exit_2_with_one_line(runner, user_error, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    user_error(runner.invoke(app, ["simulate", "--n", "5", *args]), message)


def test_a_format_mistake_is_caught_before_simulating(runner, user_error, tmp_path, monkeypatch):
    import toolkit.simulate

    def fail(*args, **kwargs):
        raise AssertionError("simulated before checking --format")

    monkeypatch.setattr(toolkit.simulate, "survey", fail)
    user_error(runner.invoke(app, ["simulate", "--format", "pdf", "--out", str(tmp_path / "x.pdf")]), "--format")


def test_a_custom_instrument_simulates(runner, tmp_path):
    path, out, truth = tmp_path / "custom.yaml", tmp_path / "r.csv", tmp_path / "t.json"
    path.write_text(CUSTOM, encoding="utf-8")
    result = runner.invoke(app, ["simulate", "-i", str(path), "--n", "80", "--out", str(out), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out), str(truth)]
    assert {"att_1", "civ_k1", "media"} <= set(pd.read_csv(out).columns)
    assert json.loads(truth.read_text())["models"]["scale_latents"]["latents"] == ["attitudes", "civics"]


def test_an_instrument_it_cannot_simulate_is_refused_in_one_line(runner, user_error, tmp_path):
    path = tmp_path / "clash.yaml"
    path.write_text(CUSTOM.replace("id: children", "id: design_weight"), encoding="utf-8")
    user_error(runner.invoke(app, ["simulate", "-i", str(path), "--n", "5", "--out", str(tmp_path / "r.csv")]),
               "item(s) design_weight have the name of a column the simulator writes itself")


@pytest.mark.parametrize("fmt", ["csv", "sav", "kobo"])
def test_the_ess_instrument_simulates_in_every_format(runner, tmp_path, fmt):
    out = tmp_path / f"ess.{'csv' if fmt == 'kobo' else fmt}"
    result = runner.invoke(app, ["simulate", "-i", str(ESS), "--n", "120", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out)] and out.stat().st_size > 0
