"""Benchmark the survey simulator at large sizes.

For each n, in a fresh process (so peak memory is per run): time
``toolkit.simulate.survey(instrument, n=n)`` (population, answers of every
resident, truth, sample, messiness) and, with --write, writing the CSV.
Prints seconds, respondents per second and the peak RSS of the process or
of any of its chunk workers.

Example: python benchmarks/simulate.py --n 100000 --n 1000000 --write
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(n: int, instrument: str, clean: bool, write: bool) -> dict:
    import toolkit

    inst = toolkit.load_instrument(instrument)
    t0 = time.perf_counter()
    sim = toolkit.simulate.survey(inst, n=n, seed=1, clean=clean)
    simulate_s = time.perf_counter() - t0
    out = {"n": n, "rows": len(sim.responses), "population": sim.truth["population_size"],
           "simulate_seconds": simulate_s}
    if write:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            sim.write(Path(tmp) / "responses.csv")
            out["write_csv_seconds"] = time.perf_counter() - t0
    # the largest of this process and its forked chunk workers
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out["peak_rss_mb"] = peak / 1024
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, action="append", help="respondents (repeatable; default 100000 and 1000000)")
    ap.add_argument("--instrument", default="dis-full")
    ap.add_argument("--clean", action="store_true", help="no messiness")
    ap.add_argument("--write", action="store_true", help="also time writing the CSV")
    ap.add_argument("--json", help="write the figures to this JSON file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = args.n or [100_000, 1_000_000]
    if args.child:
        print(json.dumps(run_one(sizes[0], args.instrument, args.clean, args.write)))
        return
    runs = []
    print(f"{'n':>10} {'rows':>10} {'population':>11} {'simulate s':>11} {'rows/s':>10} {'csv s':>7} {'peak MB':>8}")
    for n in sizes:
        cmd = [sys.executable, __file__, "--child", "--n", str(n), "--instrument", args.instrument]
        cmd += ["--clean"] * args.clean + ["--write"] * args.write
        res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        runs.append(res)
        csv = f"{res['write_csv_seconds']:7.1f}" if "write_csv_seconds" in res else f"{'-':>7}"
        print(f"{n:>10} {res['rows']:>10} {res['population']:>11} {res['simulate_seconds']:>11.1f} "
              f"{res['rows'] / res['simulate_seconds']:>10.0f} {csv} {res['peak_rss_mb']:>8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs}, indent=1))


if __name__ == "__main__":
    main()
