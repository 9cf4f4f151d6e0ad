"""Benchmark cleaning: throughput and peak memory on simulated dis-full exports, and detection rates.

Simulates ``--n`` messy respondents (in chunks, written to one CSV as a survey
tool would export them), then, in a fresh process so the memory figure is
cleaning's own, reads the file with ``toolkit.read_responses`` and cleans it
with ``toolkit.clean``. Prints seconds, rows/s and peak RSS for both steps.
Then scores cleaning against the simulator's record of what it corrupted
(``--detect-n`` respondents): the share of each kind of artefact caught.

    python benchmarks/clean.py --n 1000000 --json clean-bench.json

Peak RSS includes the input frame (about 1.1 GB for 1M respondents) and glibc's heap
growth: with ``MALLOC_MMAP_THRESHOLD_=1048576`` in the environment, freed column arrays
go back to the system at once and the peak drops by about 0.7 GB.
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_export(n: int, chunk: int, path: Path) -> float:
    """Write ``n`` simulated messy respondents to one CSV; return seconds taken."""
    import toolkit
    from toolkit.simulate.export import FLOAT_FORMAT

    inst = toolkit.load_instrument("dis-full")
    start, done, part = time.perf_counter(), 0, 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        while done < n:
            size = min(chunk, n - done)
            sim = toolkit.simulate.survey(inst, n=size, seed=1000 + part)
            df = sim.responses.copy()
            df["respondent_id"] = f"c{part}-" + df["respondent_id"].astype(str)  # unique across chunks
            df.to_csv(fh, index=False, header=part == 0, float_format=FLOAT_FORMAT, lineterminator="\n")
            done, part = done + size, part + 1
    return time.perf_counter() - start


def worker(path: str) -> None:
    """Read and clean one file; print timings and peak memory as JSON (run in a fresh process)."""
    import toolkit

    inst = toolkit.load_instrument("dis-full")
    base = _peak_mb()
    t0 = time.perf_counter()
    raw = toolkit.read_responses(path, inst)
    t1 = time.perf_counter()
    read_peak = _peak_mb()
    res = toolkit.clean(raw, inst, pseudonym_key="benchmark-key")
    t2 = time.perf_counter()
    print(json.dumps({
        "rows": len(raw), "read_seconds": t1 - t0, "clean_seconds": t2 - t1,
        "baseline_rss_mb": base, "read_peak_rss_mb": read_peak, "peak_rss_mb": _peak_mb(),
        "log_rows": len(res.log), "flagged": int(res.flags["flagged"].sum()),
    }))


def detection_rates(n: int, seed: int):
    import toolkit
    from toolkit.simulate.detection import detection

    inst = toolkit.load_instrument("dis-full")
    sim = toolkit.simulate.survey(inst, n=n, seed=seed)
    res = toolkit.clean(sim.responses, inst, pseudonym_key="benchmark-key")
    return detection(res, sim.artefacts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="respondents to clean (repeatable; default 1000000)")
    parser.add_argument("--chunk", type=int, default=100_000, help="simulate in chunks of this size")
    parser.add_argument("--detect-n", type=int, default=20_000, help="respondents for detection rates (0: skip)")
    parser.add_argument("--seed", type=int, default=3, help="seed of the detection simulation")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    runs = []
    for n in args.n or [1_000_000]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "responses.csv"
            sim_s = make_export(n, args.chunk, path)
            size_mb = path.stat().st_size / 1e6
            out = subprocess.run([sys.executable, __file__, "--worker", str(path)], check=True,
                                 capture_output=True, text=True)
            run = json.loads(out.stdout.strip().splitlines()[-1])
        run.update(n=n, simulate_seconds=sim_s, file_mb=size_mb,
                   clean_rows_per_s=run["rows"] / run["clean_seconds"],
                   read_rows_per_s=run["rows"] / run["read_seconds"])
        runs.append(run)
        print(f"n={run['rows']:,} ({size_mb:.0f} MB CSV): read {run['read_seconds']:.1f} s "
              f"({run['read_rows_per_s']:,.0f} rows/s), clean {run['clean_seconds']:.1f} s "
              f"({run['clean_rows_per_s']:,.0f} rows/s); peak RSS {run['peak_rss_mb']:,.0f} MB "
              f"(after reading {run['read_peak_rss_mb']:,.0f} MB); log {run['log_rows']:,} rows, "
              f"{run['flagged']:,} flagged")
    result = {"runs": runs}
    if args.detect_n:
        table = detection_rates(args.detect_n, args.seed)
        print(f"\nDetection against the simulator's artefacts (n={args.detect_n:,}, seed={args.seed}):")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        result["detection"] = table.to_dict("records")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
