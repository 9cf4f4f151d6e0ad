"""Benchmark the whole ``ditk report`` pipeline, stage by stage, from 10k to 10M respondents.

    python benchmarks/pipeline.py --n 10000 --n 100000 --n 1000000 --json benchmarks/out/pipeline.json

For each n this simulates ``dis-full`` respondents (messy, as a survey tool
exports them) with the toolkit's simulator, writes ``responses.csv`` and
``population.csv`` (and ``responses.parquet`` with ``--parquet`` or
``--parquet-only``) under
``benchmarks/out/n<N>/`` and reuses them on later runs (the folder is
gitignored). Sizes above 1M are simulated in chunks of 1M with their own
seeds and respondent ids; the population tables of the chunks are summed.

Then, in a fresh Python process per size and input format, it runs
``toolkit.cli.report.make_report``: exactly what ``ditk report --population``
runs (the pipeline, the figures and the report files), with a timing hook on
the pipeline's stages (``progress`` of :func:`toolkit.pipeline.run`). The
stages are reported as:

==============  =====================================================================
read            ``read_responses`` (CSV, or Parquet with ``--parquet``)
clean           ``clean``: coding, skips, flags, pseudonyms, the cleaning log
score           scale scores and the analysis frame (outcomes, districts)
reliability     alpha and omega of every scale
rake            hot-deck of missing margins, the design, raking, weight diagnostics
estimates       shares of every outcome, overall and by every group
model           the exclusion-risk model (survey GLM, cross-validation, model card)
projection      projection to districts and Fay-Herriot
report          triage, figures, report.html, tables.xlsx, cleaned.parquet, log and flags
==============  =====================================================================

Per stage: wall time, CPU time of the process (``time.process_time``: on a
shared machine wall time also counts other people's work, CPU time much
less), rows per second (respondents read / wall seconds) and peak RSS.
**How peak RSS is measured:** a sampler thread in the child reads the
resident set size from ``/proc/self/statm`` every 5 ms and keeps the largest
value seen while each stage runs; when ``getrusage(RUSAGE_SELF).ru_maxrss``
(the kernel's exact high-water mark) rose during a stage, that value is the
stage's peak instead, since the rise happened in that stage. The figure is
the whole process's RSS (Python, libraries and every frame still alive), not
the stage's own allocation. The run's peak is ``ru_maxrss`` at the end.

The growth of each stage with n is the log-log slope between consecutive
sizes, ``log(t2 / t1) / log(n2 / n1)``: 1 is linear, 2 quadratic; small
sizes are dominated by fixed costs, so slopes below 1 are normal there.

Output: a table on stdout and, with ``--json``, ``{"runs": [{"n": N, "input":
"csv", "stages": {stage: {"seconds": s, "cpu_seconds": c, "rows_per_s": r,
"peak_rss_mb": m}}, "total_seconds": s, "total_cpu_seconds": c, "peak_rss_mb": m}],
"slopes": {...}, "machine": {...}}`` (``machine`` holds the load average at the end).
``--stages read clean`` reports only those stages and stops the run after the
last of them. 10M respondents need ``--n 10000000`` explicitly, best with
``--parquet-only``: a Parquet input larger than ``--chunk-rows`` (default
1,000,000, ``Config.chunk_rows``) streams (``pipeline.run(spool=)``, as
``ditk report`` does): read and cleaned into files a chunk at a time, its
reading timed inside ``clean``, and triage timed inside ``score``.
``--engine duckdb`` computes such a run's estimates in DuckDB. The default sizes are 10k, 100k and 1M.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
STAGES = ("read", "clean", "score", "reliability", "rake", "estimates", "model", "projection", "report")
#: the stage names of toolkit.pipeline.run / toolkit.cli.report.make_report -> the benchmark's keys
HOOK_STAGES = {"read": "read", "clean": "clean", "score": "score", "reliability": "reliability", "weight": "rake",
               "estimate": "estimates", "model": "model", "project": "projection", "triage": "report",
               "figures": "report", "write": "report"}
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
CHUNK = 1_000_000


# --- inputs ------------------------------------------------------------------------------------------------------

def inputs(n: int, parquet: bool) -> dict[str, Path]:
    """The cached simulated export of ``n`` respondents (simulated now if missing)."""
    folder = OUT / f"n{n}"
    paths = {"csv": folder / "responses.csv", "population": folder / "population.csv",
             "parquet": folder / "responses.parquet"}
    if not (paths["csv"].is_file() and paths["population"].is_file()):
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        # in a child process: the simulator's memory is not the benchmark's
        subprocess.run([sys.executable, __file__, "--simulate", str(n), "--to", str(folder)], check=True)
        print(f"simulated n={n:,} in {time.perf_counter() - t0:.0f} s -> {folder}", file=sys.stderr)
    if parquet and not paths["parquet"].is_file():
        to_parquet(paths["csv"], paths["parquet"])
    return paths


def to_parquet(csv: Path, parquet: Path) -> None:
    """The CSV as Parquet, ``CHUNK`` rows per row group, with the columns as the toolkit reads the CSV (text),
    so the Parquet run cleans the same values; converted a chunk at a time (10M rows of text do not fit)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import toolkit

    inst = toolkit.load_instrument("dis-full")
    tmp, writer = parquet.with_suffix(".parquet.part"), None
    options = {"dtype": "str", "keep_default_na": False, "na_values": [""], "chunksize": CHUNK}
    with pd.read_csv(csv, **options) as reader:
        for chunk in reader:
            table = pa.Table.from_pandas(toolkit.read_responses(chunk, inst), preserve_index=False)
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=CHUNK)
    writer.close()
    tmp.replace(parquet)


def simulate(n: int, folder: Path) -> None:
    """Write ``responses.csv`` and ``population.csv`` of ``n`` simulated respondents (chunks of 1M)."""
    import pandas as pd

    import toolkit
    from toolkit.simulate.export import FLOAT_FORMAT

    inst = toolkit.load_instrument("dis-full")
    done, part, populations = 0, 0, []
    tmp = folder / "responses.csv.part"
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        while done < n:
            size = min(CHUNK, n - done)
            sim = toolkit.simulate.survey(inst, n=size, seed=1 + part)
            df = sim.responses
            if n > CHUNK:  # unique across chunks
                df = df.assign(respondent_id=f"c{part}-" + df["respondent_id"].astype(str))
            df.to_csv(fh, index=False, header=part == 0, float_format=FLOAT_FORMAT, lineterminator="\n")
            populations.append(sim.population)
            done, part = done + size, part + 1
            del sim, df
    tmp.replace(folder / "responses.csv")
    pop = pd.concat(populations)
    cells = [c for c in pop.columns if c != "count"]
    pop.groupby(cells, as_index=False, observed=True)["count"].sum().to_csv(folder / "population.csv", index=False)


# --- the measured run (child process) ----------------------------------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _StopRun(Exception):
    """Raised from the hook to end the run after the last requested stage."""


class StageTimer:
    """The timing hook: wall time and peak RSS of each stage, with a sampler thread."""

    def __init__(self, stop_after: str | None = None):
        self.stop_after = stop_after
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self.current: str | None = None
        self._start = self._cpu = self._maxrss = 0.0
        self._sampled = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self._sampled = max(self._sampled, _rss_mb())

    def _close_stage(self) -> None:
        if self.current is None:
            return
        now, cpu, maxrss = time.perf_counter(), time.process_time(), _maxrss_mb()
        peak = maxrss if maxrss > self._maxrss else max(self._sampled, _rss_mb())
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self._start
        self.cpu[self.current] = self.cpu.get(self.current, 0.0) + cpu - self._cpu
        self.peak[self.current] = max(self.peak.get(self.current, 0.0), peak)
        print(f"  {self.current}: {now - self._start:.1f} s (cpu {cpu - self._cpu:.1f} s), peak {peak:,.0f} MB",
              file=sys.stderr, flush=True)  # a long run shows its stages as they end

    def __call__(self, hook_stage: str) -> None:
        stage = HOOK_STAGES.get(hook_stage, "report") if hook_stage != "done" else None
        if stage == self.current:
            return
        self._close_stage()
        if self.current == self.stop_after and self.stop_after is not None:
            self.current = None
            raise _StopRun
        self.current = stage
        self._start, self._cpu = time.perf_counter(), time.process_time()
        self._maxrss, self._sampled = _maxrss_mb(), _rss_mb()

    def close(self) -> None:
        self._done.set()
        self._thread.join()


def child(source: str, population: str, stop_after: str | None, chunk_rows: int | None, engine: str) -> dict:
    """Run ``make_report`` on one input and return the stage figures (in a fresh process)."""
    import warnings

    import pandas as pd

    from toolkit.cli.report import make_report
    from toolkit.config import Config

    baseline = _rss_mb()
    pop = pd.read_csv(population)
    os.environ.setdefault("DITK_PSEUDONYM_KEY", "benchmark-key")
    config = Config(engine=engine, **({"chunk_rows": chunk_rows} if chunk_rows else {}))
    timer = StageTimer(stop_after)
    t0, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            make_report(source, "dis-full", population=pop, out=out, config=config, progress=timer, show=False)
        except _StopRun:
            pass
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    timer.close()
    return {"stages": {s: {"seconds": timer.seconds[s], "cpu_seconds": timer.cpu[s], "peak_rss_mb": timer.peak[s]}
                       for s in timer.seconds},
            "total_seconds": total, "total_cpu_seconds": cpu, "peak_rss_mb": _maxrss_mb(), "baseline_rss_mb": baseline}


def measure(n: int, fmt: str, paths: dict[str, Path], stages: tuple[str, ...], chunk_rows: int | None = None,
            engine: str = "memory") -> dict:
    rows = sum(1 for _ in paths["csv"].open("rb")) - 1
    stop = stages[-1] if stages != STAGES else None
    cmd = [sys.executable, __file__, "--child", str(paths[fmt]), "--population", str(paths["population"])]
    if stop:
        cmd += ["--stop-after", stop]
    if chunk_rows:
        cmd += ["--chunk-rows", str(chunk_rows)]
    cmd += ["--engine", engine]
    print(f"n={n:,} from {fmt}:", file=sys.stderr, flush=True)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # the child's stderr shows its stages
    if out.returncode:
        sys.exit(f"the run of n={n:,} from {fmt} failed (exit code {out.returncode})")
    run = json.loads(out.stdout.strip().splitlines()[-1])
    for figures in run["stages"].values():
        figures["rows_per_s"] = rows / figures["seconds"] if figures["seconds"] > 0.01 else None  # read in clean
    run["stages"] = {s: run["stages"][s] for s in stages if s in run["stages"]}
    return {"n": n, "input": fmt, "engine": engine, "rows": rows, **run}


# --- reporting ---------------------------------------------------------------------------------------------------

def slopes(runs: list[dict]) -> dict:
    """Log-log slope of each stage's seconds between consecutive sizes of the same input format."""
    out: dict[str, dict[str, list]] = {}
    for fmt in sorted({r["input"] for r in runs}):
        same = sorted((r for r in runs if r["input"] == fmt), key=lambda r: r["n"])
        for a, b in zip(same, same[1:], strict=False):
            for stage in [*b["stages"], "total"]:
                ta = a["total_seconds"] if stage == "total" else a["stages"].get(stage, {}).get("seconds")
                tb = b["total_seconds"] if stage == "total" else b["stages"].get(stage, {}).get("seconds")
                if ta and tb and min(ta, tb) > 0.01:  # a stage that took no time (reading inside clean)
                    slope = math.log(tb / ta) / math.log(b["n"] / a["n"])
                    out.setdefault(fmt, {}).setdefault(stage, []).append(
                        {"from": a["n"], "to": b["n"], "slope": round(slope, 3)})
    return out


def table(runs: list[dict], growth: dict) -> str:
    lines = [f"{'n':>10} {'input':>7} {'stage':<12} {'seconds':>9} {'cpu s':>8} {'rows/s':>12} {'peak MB':>9} "
             f"{'slope':>6}"]
    for run in runs:
        total = {"seconds": run["total_seconds"], "cpu_seconds": run["total_cpu_seconds"],
                 "peak_rss_mb": run["peak_rss_mb"]}
        for stage, f in [*run["stages"].items(), ("total", total)]:
            slope = next((s["slope"] for s in growth.get(run["input"], {}).get(stage, []) if s["to"] == run["n"]),
                         None)
            rate = run["rows"] / f["seconds"] if f["seconds"] > 0.01 else float("nan")
            lines.append(f"{run['n']:>10,} {run['input']:>7} {stage:<12} {f['seconds']:>9.2f} {f['cpu_seconds']:>8.2f} "
                         f"{rate:>12,.0f} "
                         f"{f['peak_rss_mb']:>9,.0f} {'' if slope is None else f'{slope:.2f}':>6}")
    return "\n".join(lines)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
            "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="respondents (repeatable; default 10k, 100k, 1M)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--parquet", action="store_true", help="also run each size from Parquet input")
    parser.add_argument("--parquet-only", action="store_true", help="run each size from Parquet input only (10M "
                        "rows of CSV text do not fit in memory at once; Parquet is cleaned in chunks)")
    parser.add_argument("--stages", nargs="+", choices=STAGES, help="report these stages and stop after the last")
    parser.add_argument("--chunk-rows", type=int, help="Parquet inputs with more rows are cleaned this many rows at a "
                        "time (Config.chunk_rows; default 1,000,000)")
    parser.add_argument("--engine", choices=("memory", "duckdb"), default="memory",
                        help="where a streamed run (Parquet input of more than --chunk-rows rows) computes its "
                        "estimates (Config.engine)")
    parser.add_argument("--simulate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--population", help=argparse.SUPPRESS)
    parser.add_argument("--stop-after", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.simulate:
        simulate(args.simulate, args.to)
        return 0
    if args.child:
        print(json.dumps(child(args.child, args.population, args.stop_after, args.chunk_rows, args.engine)))
        return 0
    stages = tuple(s for s in STAGES if s in (args.stages or STAGES))
    runs = []
    for n in sorted(args.n or DEFAULT_SIZES):
        formats = ("parquet",) if args.parquet_only else ("csv", "parquet") if args.parquet else ("csv",)
        paths = inputs(n, "parquet" in formats)
        for fmt in formats:
            runs.append(measure(n, fmt, paths, stages, args.chunk_rows, args.engine))
            print(f"n={n:,} {fmt}: {runs[-1]['total_seconds']:.1f} s, peak {runs[-1]['peak_rss_mb']:,.0f} MB",
                  file=sys.stderr)
    growth = slopes(runs)
    print(table(runs, growth))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": runs, "slopes": growth, "machine": machine()}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
