"""Benchmark toolkit.survey against R's survey package on one synthetic 1M-row design.

Steps (timed separately, same data and numbers in both): build the design;
mean of two variables; proportion of a binary outcome by a 5-level group;
logistic GLM on 3 covariates (and, Python only, with the group and region as
categorical terms); rake to group and region margins; mean on the raked
design. The data set is 20 strata x 10 PSUs with sampling weights.

When ``Rscript`` is on the PATH (and ``--no-r`` is not given) the script
writes the data for R, runs ``benchmarks/survey.R`` on it, and prints the
per-step ratio R/Python and the largest relative deviation from R per step.
When samplics is installed, its Taylor-linearised mean, proportion by group
and logistic GLM are timed on the same data as well (and compared).

Usage::

    python benchmarks/survey.py [--n 1000000] [--seed 1] [--no-r] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit import survey

HERE = Path(__file__).resolve().parent


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """20 strata x 10 PSUs, weights, group (5), region (4), x1..x3, binary y."""
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 200, n)
    stratum = psu // 10
    u = rng.normal(0, 0.3, 200)[psu]
    x = rng.normal(size=(n, 3)) + u[:, None] * 0.5
    eta = -0.5 + 0.8 * x[:, 0] - 0.4 * x[:, 1] + 0.2 * x[:, 2] + u
    df = pd.DataFrame({
        "stratum": stratum, "psu": psu,
        "w": np.round(rng.lognormal(3, 0.4, n) * (1 + stratum / 20), 4),
        "group": rng.choice([f"g{i}" for i in range(1, 6)], n, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
        "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
        "x1": np.round(x[:, 0], 6), "x2": np.round(x[:, 1], 6), "x3": np.round(x[:, 2], 6),
        "y": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int64),
    })
    total = float(df["w"].sum()) * 1.1
    margins = {
        "group": dict(zip([f"g{i}" for i in range(1, 6)], np.array([0.28, 0.26, 0.2, 0.16, 0.1]) * total,
                          strict=True)),
        "region": dict(zip(["east", "north", "south", "west"], np.array([0.22, 0.38, 0.3, 0.1]) * total, strict=True)),
    }
    return df, margins


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_python(df: pd.DataFrame, margins: dict) -> tuple[dict, dict, dict, np.ndarray]:
    secs, mem, res = {}, {}, {}

    def tick(name, fn):
        t0 = time.perf_counter()
        out = fn()
        secs[name] = time.perf_counter() - t0
        mem[name] = peak_rss_mb()
        return out

    d = tick("build", lambda: survey.Design(df, weights="w", strata="stratum", psu="psu"))
    m = tick("mean", lambda: d.mean(["x1", "y"]))
    res["mean"] = {"estimate": m["estimate"].tolist(), "se": m["se"].tolist()}
    p = tick("proportion_by_group", lambda: d.proportion("y", by="group"))
    res["proportion"] = {"estimate": p["estimate"].tolist(), "se": p["se"].tolist()}
    g = tick("glm", lambda: d.glm("y ~ x1 + x2 + x3", family="binomial"))
    res["glm"] = {"coef": g.table["coef"].tolist(), "se": g.table["se"].tolist()}
    # Python only: categorical terms are where patsy's per-element coding used to cost 75% of the fit
    tick("glm_categorical", lambda: d.glm("y ~ x1 + x2 + x3 + C(group) + C(region)", family="binomial"))
    r = tick("rake", lambda: d.rake(margins))
    mr = tick("mean_raked", lambda: r.mean(["x1", "y"]))
    res["mean_raked"] = {"estimate": mr["estimate"].tolist(), "se": mr["se"].tolist()}
    return secs, mem, res, r.weights


def run_samplics(df: pd.DataFrame) -> dict | None:
    """The same mean, proportion by group and logistic GLM with samplics (Taylor linearisation), when it is
    installed: seconds and the largest relative deviation of its estimates and SEs from ours."""
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # samplics announces its successor (svy) on import
            from samplics import ModelType, PopParam, SurveyGLM, TaylorEstimator
    except ImportError:
        return None
    design = {"samp_weight": df["w"].to_numpy(), "stratum": df["stratum"].to_numpy(), "psu": df["psu"].to_numpy()}
    secs, res = {}, {}
    t0 = time.perf_counter()
    means = []
    for var in ("x1", "y"):
        est = TaylorEstimator(PopParam.mean)
        est.estimate(y=df[var].to_numpy(), **design)
        means.append((est.point_est, est.stderror))
    secs["mean"] = time.perf_counter() - t0
    res["mean"] = {"estimate": [m[0] for m in means], "se": [m[1] for m in means]}
    t0 = time.perf_counter()
    est = TaylorEstimator(PopParam.prop)
    est.estimate(y=df["y"].to_numpy(), domain=df["group"].to_numpy(), **design)
    secs["proportion_by_group"] = time.perf_counter() - t0
    groups = sorted(est.point_est)
    res["proportion"] = {"estimate": [float(est.point_est[g][v]) for g in groups for v in sorted(est.point_est[g])],
                         "se": [float(est.stderror[g][v]) for g in groups for v in sorted(est.stderror[g])]}
    t0 = time.perf_counter()
    glm = SurveyGLM(ModelType.LOGISTIC)
    glm.estimate(y=df["y"].to_numpy(), x=df[["x1", "x2", "x3"]].to_numpy(), add_intercept=True, **design)
    secs["glm"] = time.perf_counter() - t0
    res["glm"] = {"coef": [float(b) for b in glm.beta["point_est"]], "se": [float(e) for e in glm.beta["stderror"]]}
    return {"seconds": secs, "results": res}


def max_rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="rows (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--no-r", action="store_true", help="skip the R comparison")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    df, margins = make_data(args.n, args.seed)
    secs, mem, res, weights = run_python(df, margins)
    report = {"n": args.n, "python": {"seconds": secs, "peak_rss_mb": mem, "results": res}}

    r = None
    if not args.no_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            df.to_csv(Path(tmp) / "data.csv", index=False)
            (Path(tmp) / "margins.json").write_text(json.dumps(margins))
            subprocess.run(["Rscript", str(HERE / "survey.R"), tmp], check=True)
            r = json.loads((Path(tmp) / "r_results.json").read_text())
            r_weights = pd.read_csv(Path(tmp) / "r_weights.csv")["w"].to_numpy()
        dev = {
            "mean": max(max_rel(res["mean"]["estimate"], r["results"]["mean"]["estimate"]),
                        max_rel(res["mean"]["se"], r["results"]["mean"]["se"])),
            "proportion_by_group": max(max_rel(res["proportion"]["estimate"], r["results"]["proportion"]["estimate"]),
                                       max_rel(res["proportion"]["se"], r["results"]["proportion"]["se"])),
            "glm": max(max_rel(res["glm"]["coef"], r["results"]["glm"]["coef"]),
                       max_rel(res["glm"]["se"], r["results"]["glm"]["se"])),
            "rake": max_rel(weights, r_weights),
            "mean_raked": max(max_rel(res["mean_raked"]["estimate"], r["results"]["mean_raked"]["estimate"]),
                              max_rel(res["mean_raked"]["se"], r["results"]["mean_raked"]["se"])),
        }
        report["r"] = r
        report["max_rel_deviation"] = dev

    others = run_samplics(df)
    if others is not None:
        report["samplics"] = others
        ours = {"mean": res["mean"], "proportion_by_group": res["proportion"], "glm": res["glm"]}
        others["max_rel_deviation"] = {
            step: max(max_rel(a, b) for a, b in zip(others["results"][key].values(), ours[step].values(), strict=True))
            for step, key in (("mean", "mean"), ("proportion_by_group", "proportion"), ("glm", "glm"))}
    print(f"toolkit.survey benchmark: n = {args.n:,} rows, 20 strata x 10 PSUs "
          "(peak MB: this process's peak RSS so far, data included)")
    head = f"{'step':22s} {'python s':>9s} {'rows/s':>12s} {'peak MB':>8s}"
    if r:
        head += f" {'R s':>8s} {'R/py':>7s} {'max rel dev':>12s}"
    print(head)
    for step, t in secs.items():
        line = f"{step:22s} {t:9.3f} {args.n / t:12,.0f} {mem[step]:8.0f}"
        if r:
            rt = r["seconds"].get(step)
            dev = report["max_rel_deviation"].get(step)
            line += (f" {rt:8.3f} {rt / t:7.1f} " if rt is not None else f" {'-':>8s} {'-':>7s} ") + (
                f"{dev:12.1e}" if dev is not None else f"{'-':>12s}")
        print(line)
    total = sum(secs.values())
    line = f"{'total':22s} {total:9.3f} {'':12s} {peak_rss_mb():8.0f}"
    if r:
        rtotal = sum(r["seconds"].values())
        shared = sum(t for step, t in secs.items() if step in r["seconds"])  # R/py over the steps both run
        line += f" {rtotal:8.3f} {rtotal / shared:7.1f}"
        print(line)
        print(f"R peak memory (gc max used): {r['peak_mb']:.0f} MB; R survey {r['survey']}")
    else:
        print(line)
    if others is not None:
        for step, t in others["seconds"].items():
            print(f"samplics {step:22s} {t:9.3f} s  {t / secs[step]:7.1f} x ours  "
                  f"max rel dev {others['max_rel_deviation'][step]:.1e}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
