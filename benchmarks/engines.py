"""Benchmark toolkit.survey's engines: in memory, DuckDB over Parquet, and dask, on the same survey.

The survey is ``benchmarks/survey.py``'s (20 strata x 10 PSUs, weights, a
5-level group, 4 regions, three covariates and a binary outcome), written to
Parquet in several files and row groups. Each engine runs in its own process
(so its peak RSS is its own) the steps: build the design; mean of two
variables; proportion by group; a logistic GLM with a categorical term; rake
to group and region margins; mean on the raked design. A last run repeats the
DuckDB steps with ``SET memory_limit`` below the size of the Parquet data. Every
engine's numbers are checked against the in-memory ones (largest relative
difference). ``--no-psu`` drops ``psu=`` (a stratified sample, every respondent
its own PSU, as the toolkit's own surveys).

Usage::

    python benchmarks/engines.py [--n 1000000] [--seed 1] [--memory-limit-mb MB] [--no-psu] [--json out.json]
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

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from survey import make_data  # noqa: E402  (benchmarks/survey.py: the same synthetic survey)

DESIGN = {"weights": "w", "strata": "stratum", "psu": "psu"}
FORMULA = "y ~ x1 + x2 + x3 + C(group)"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_parquet(df: pd.DataFrame, folder: Path, files: int = 4, row_group: int = 1 << 16) -> int:
    """The survey as ``files`` Parquet files; returns their total size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(len(df)), files)):
        df.iloc[part].to_parquet(folder / f"part-{i}.parquet", row_group_size=row_group, index=False)
    return sum(f.stat().st_size for f in folder.glob("*.parquet"))


def run_engine(engine: str, folder: Path, margins: dict, memory_limit_mb: int | None, psu: bool = True) -> dict:
    """Time the steps on one engine, in this process (``psu`` False: no ``psu=``)."""
    from toolkit import survey

    design = DESIGN if psu else {k: v for k, v in DESIGN.items() if k != "psu"}

    secs, res = {}, {}

    def tick(name, fn):
        t0 = time.perf_counter()
        out = fn()
        secs[name] = time.perf_counter() - t0
        return out

    if engine == "memory":
        data = tick("read", lambda: pd.read_parquet(folder))
    elif engine == "dask":
        import dask.dataframe as dd

        data = tick("read", lambda: dd.read_parquet(str(folder)).persist())
    else:
        from toolkit.survey.engines import duckdb_connection

        con = duckdb_connection()
        con.execute("SET threads = 2")
        if memory_limit_mb:
            con.execute(f"SET memory_limit = '{memory_limit_mb}MB'")
            con.execute("SET preserve_insertion_order = false")
        data = folder
    d = tick("build", lambda: survey.Design(data, engine="duckdb" if engine.startswith("duckdb") else None, **design))
    m = tick("mean", lambda: d.mean(["x1", "y"]))
    p = tick("proportion_by_group", lambda: d.proportion("y", by="group"))
    g = tick("glm", lambda: d.glm(FORMULA, family="binomial"))
    r = tick("rake", lambda: d.rake(margins))
    mr = tick("mean_raked", lambda: r.mean(["x1", "y"]))
    res = {"mean": m[["estimate", "se"]].to_numpy().ravel().tolist(),
           "proportion": p[["estimate", "se"]].to_numpy().ravel().tolist(),
           "glm": np.concatenate([g.coef_, np.sqrt(np.diag(g.vcov_))]).tolist(),
           "mean_raked": mr[["estimate", "se"]].to_numpy().ravel().tolist()}
    return {"seconds": secs, "peak_rss_mb": peak_rss_mb(), "results": res}


def _child(args) -> int:
    folder = Path(args.folder)
    margins = json.loads((folder / "margins.json").read_text())
    out = run_engine(args.engine, folder / "data", margins, args.memory_limit_mb, args.psu)
    Path(args.out).write_text(json.dumps(out))
    return 0


def max_rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="rows (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--memory-limit-mb", type=int, help="DuckDB memory cap of the capped run "
                    "(default: half the Parquet data's size, at least 16 MB)")
    ap.add_argument("--engines", default="memory,duckdb,dask,duckdb_capped", help="which runs (comma-separated)")
    ap.add_argument("--no-psu", action="store_true", help="design without psu= (every respondent its own PSU)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--child", nargs=5, metavar=("ENGINE", "FOLDER", "OUT", "LIMIT", "PSU"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, folder, out, limit, psu = args.child
        return _child(argparse.Namespace(engine=engine, folder=folder, out=out,
                                         memory_limit_mb=int(limit) or None, psu=psu == "1"))

    df, margins = make_data(args.n, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        size = write_parquet(df, Path(tmp) / "data")
        del df
        (Path(tmp) / "margins.json").write_text(json.dumps(margins))
        cap = args.memory_limit_mb or max(16, int(size / 2**20 / 2))
        runs = {}
        for engine in args.engines.split(","):
            out = Path(tmp) / f"{engine}.json"
            limit = cap if engine == "duckdb_capped" else 0
            subprocess.run([sys.executable, __file__, "--child", engine, tmp, str(out), str(limit),
                            "0" if args.no_psu else "1"], check=True)
            runs[engine] = json.loads(out.read_text())
    report = {"n": args.n, "psu": not args.no_psu, "parquet_mb": size / 2**20, "duckdb_memory_limit_mb": cap,
              "runs": runs}
    ref = runs.get("memory")
    print(f"toolkit.survey engines: n = {args.n:,} rows, Parquet {size / 2**20:.0f} MB in 4 files; "
          f"duckdb_capped: memory_limit {cap} MB; GLM {FORMULA!r}" + ("; no psu=" if args.no_psu else ""))
    print(f"{'engine':14s} {'step':20s} {'seconds':>8s} {'rows/s':>12s}")
    for engine, run in runs.items():
        for step, t in run["seconds"].items():
            print(f"{engine:14s} {step:20s} {t:8.3f} {args.n / t:12,.0f}")
        total = sum(run["seconds"].values())
        dev = ""
        if ref is not None and engine != "memory":
            worst = max(max_rel(run["results"][k], ref["results"][k]) for k in ref["results"])
            dev = f"   max rel. diff. to memory {worst:.1e}"
        print(f"{engine:14s} {'total':20s} {total:8.3f} {args.n / total:12,.0f}   peak RSS "
              f"{run['peak_rss_mb']:.0f} MB{dev}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
