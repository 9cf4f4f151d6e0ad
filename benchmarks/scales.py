"""Benchmark scale scoring and reliability on large synthetic samples.

Times, for n respondents answering the bundled dis-full instrument:
alpha, omega and item analysis of the four self-report domain scales and
the four knowledge scales, toolkit.reliability (all scales) and
toolkit.score (all scales, levels and gaps). Prints seconds, rows/s and the
peak memory allocated during each stage (tracemalloc), plus the process's
peak RSS. With --with-r (needs Rscript and psych), R's psych::alpha and
psych::omega(nfactors = 1) are timed on the same practical_sr items and the
ratio R / Python is printed.

Example: python benchmarks/scales.py --n 1000000 --missing 0.05 --with-r
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import toolkit
from toolkit import scales


def synthetic(inst, n: int, missing: float, seed: int) -> pd.DataFrame:
    """Raw-coded answers driven by one latent skill per domain (so the scales cohere)."""
    rng = np.random.default_rng(seed)
    cols = {}
    for domain in inst.domains:
        theta = rng.normal(size=n).astype(np.float32)
        for sc in (s for s in inst.scales.values() if s.domain == domain):
            for item_id in sc.items:
                item = inst.item(item_id)
                e = rng.normal(size=n).astype(np.float32)
                if sc.kind == "knowledge":
                    wrong = [c for c in sorted(inst.response_set_of(item_id).valid_codes) if c != item.correct]
                    x = np.where(theta + e > -0.3, item.correct, wrong[0]).astype(float)
                else:
                    x = np.clip(np.round(3 + 0.9 * (theta + e)), 1, 5)
                    x = 6 - x if item.reverse else x
                x[rng.random(n) < missing] = np.nan
                cols[item_id] = x
    return pd.DataFrame(cols)


R_TIMING = """
suppressPackageStartupMessages(library(psych))
x <- read.csv(commandArgs(TRUE)[1])
a <- system.time(alpha(x, warnings = FALSE))[["elapsed"]]
o <- system.time(suppressWarnings(suppressMessages(omega(x, nfactors = 1, plot = FALSE))))[["elapsed"]]
cat(a, o, "\\n")
"""


def r_seconds(items: pd.DataFrame) -> tuple[float, float] | None:
    """Seconds R psych takes for alpha and omega on these items (None without Rscript)."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "items.csv", Path(tmp) / "time.R"
        items.to_csv(csv, index=False, na_rep="NA")
        script.write_text(R_TIMING)
        out = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True, check=True)
    a, o = map(float, out.stdout.split())
    return a, o


def timed(label, fn, results):
    tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results[label] = {"seconds": seconds, "peak_alloc_mb": peak / 2**20}
    return seconds


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    ap.add_argument("--missing", type=float, default=0.05, help="share of item answers missing (default 0.05)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--with-r", action="store_true", help="also time R psych on practical_sr (ratio R / Python)")
    args = ap.parse_args(argv)

    inst = toolkit.load_instrument("dis-full")
    data = synthetic(inst, args.n, args.missing, args.seed)
    prepared = {sid: scales.scale_items(data, inst, sid) for sid in inst.scales}
    results: dict[str, dict] = {}
    for sid, items in prepared.items():
        timed(f"alpha {sid}", lambda items=items: scales.alpha(items), results)
        timed(f"omega {sid}", lambda items=items: scales.omega(items, reverse=()), results)
        timed(f"item_analysis {sid}", lambda items=items: scales.item_analysis(items), results)
    timed("reliability (8 scales, alpha + omega)", lambda: toolkit.reliability(data, inst), results)
    timed("score (8 scales, levels, gaps)", lambda: toolkit.score(data, inst), results)

    width = max(map(len, results))
    print(f"n = {args.n:,} respondents, {data.shape[1]} items, {args.missing:.0%} missing answers")
    print(f"{'stage':<{width}}  {'seconds':>8}  {'rows/s':>12}  {'peak MB':>8}")
    for label, r in results.items():
        print(f"{label:<{width}}  {r['seconds']:8.3f}  {args.n / r['seconds']:12,.0f}  {r['peak_alloc_mb']:8.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:,.0f} MB")
    ratios = None
    if args.with_r:
        r = r_seconds(prepared["practical_sr"])
        if r is None:
            print("Rscript not found: no R comparison")
        else:
            # psych::alpha returns the item statistics too, so compare with alpha + item_analysis
            py_alpha = results["alpha practical_sr"]["seconds"] + results["item_analysis practical_sr"]["seconds"]
            py_omega = results["omega practical_sr"]["seconds"]
            ratios = {"r_alpha_seconds": r[0], "r_omega_seconds": r[1],
                      "alpha_ratio": r[0] / py_alpha, "omega_ratio": r[1] / py_omega}
            print(f"R psych::alpha {r[0]:.2f} s vs alpha + item_analysis {py_alpha:.2f} s: "
                  f"R takes {ratios['alpha_ratio']:.1f}x as long")
            print(f"R psych::omega {r[1]:.2f} s vs omega {py_omega:.2f} s: "
                  f"R takes {ratios['omega_ratio']:.1f}x as long")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": args.n, "stages": results, "peak_rss_mb": rss, "r": ratios}, fh, indent=2)


if __name__ == "__main__":
    main()
