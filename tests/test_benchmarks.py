"""benchmarks/pipeline.py from a clean checkout: its command runs and writes the JSON the issue asks for."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "pipeline.py"


@pytest.fixture
def bench(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("pipeline_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "out")  # the simulated inputs go here, not into the checkout
    return module


def test_two_sizes_from_csv_and_parquet_give_stages_slopes_and_json(bench, tmp_path, capsys):
    out = tmp_path / "figures.json"
    assert bench.main(["--n", "600", "--n", "1200", "--parquet", "--stages", "read", "clean", "score",
                       "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [(r["n"], r["input"]) for r in figures["runs"]] == [(600, "csv"), (600, "parquet"), (1200, "csv"),
                                                               (1200, "parquet")]
    for run in figures["runs"]:
        assert list(run["stages"]) == ["read", "clean", "score"]
        for stage in run["stages"].values():
            assert stage["seconds"] >= 0 and stage["peak_rss_mb"] > 0
        assert run["total_seconds"] > 0 and run["peak_rss_mb"] > 0
    assert {s["from"] for s in figures["slopes"]["csv"]["clean"]} == {600}
    table = capsys.readouterr().out
    assert "clean" in table and "rows/s" in table


def test_a_parquet_input_larger_than_a_chunk_is_cleaned_in_chunks(bench, tmp_path):
    out = tmp_path / "figures.json"
    assert bench.main(["--n", "900", "--parquet-only", "--chunk-rows", "400", "--stages", "read", "clean",
                       "--json", str(out)]) == 0
    run = json.loads(out.read_text())["runs"][0]
    assert run["input"] == "parquet" and run["rows"] >= 900
    assert run["stages"]["read"]["rows_per_s"] is None  # reading happens inside the chunked cleaning


def test_a_streamed_run_with_duckdb_estimates_times_every_stage(bench, tmp_path):
    pytest.importorskip("duckdb")
    out = tmp_path / "figures.json"
    assert bench.main(["--n", "900", "--parquet-only", "--chunk-rows", "400", "--engine", "duckdb",
                       "--json", str(out)]) == 0
    run = json.loads(out.read_text())["runs"][0]
    assert run["engine"] == "duckdb" and list(run["stages"]) == list(bench.STAGES)
    assert all(stage["seconds"] >= 0 for stage in run["stages"].values())
