"""Validate the district estimates against the simulator's truth, over many simulated surveys.

For each seed: simulate a messy dis-full survey of n respondents, clean it, rake
the design weights to the population margins, and estimate every district's
prevalence of the outcome unweighted, raked direct, by the model projection
and by Fay-Herriot (toolkit.simulate.validation). Prints, per method, the
coverage of the 95% intervals against truth.json-style truth, the bias, the
RMSE, and for the smallest districts the MSE relative to the raked direct
estimate. The target coverage is 0.93-0.97.

Example: python benchmarks/validate_risk.py --seeds 20 --n 2000 --json benchmarks/out/validate_risk.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="number of simulated surveys (seeds 1..N)")
    parser.add_argument("--n", type=int, default=2000, help="respondents per survey")
    parser.add_argument("--outcome", default="needs_help", help="an outcome dis-full declares")
    parser.add_argument("--smallest", type=int, default=2, help="how many of the smallest districts to compare")
    parser.add_argument("--json", type=Path, help="also write the summary and every estimate as JSON")
    args = parser.parse_args(argv)

    from toolkit.simulate.validation import summarise, validate

    t0 = time.perf_counter()
    est = validate(range(1, args.seeds + 1), n=args.n, outcome=args.outcome,
                   progress=lambda k: print(f"  seed {k}/{args.seeds}", file=sys.stderr))
    seconds = time.perf_counter() - t0
    summary = summarise(est, smallest=args.smallest)
    print(f"{args.seeds} surveys of n = {args.n}, outcome {args.outcome}, {seconds:.1f} s "
          f"({seconds / args.seeds:.2f} s per survey)")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"seeds": args.seeds, "n": args.n, "outcome": args.outcome,
                                         "seconds": seconds, "summary": summary.to_dict("records"),
                                         "estimates": est.to_dict("records")}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
