"""Run one corpus case through the API and the command line; print what happened as JSON.

``python tests/corpus/run_case.py CASE_ID CORPUS_DIR OUT_DIR`` — run by
test_corpus.py in a subprocess with an address-space limit, so a case that
blows up memory or time fails on its own. Peak memory (ru_maxrss) and seconds
are part of the JSON.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import BY_ID, Case  # noqa: E402

SAMPLE = "sample_screener.csv"


def _api(case: Case, path: Path) -> dict:
    import toolkit
    from toolkit.errors import ToolkitError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if case.entry == "clean":
                data = toolkit.read_responses(path, case.instrument)
                cleaned = toolkit.clean(data, case.instrument, pseudonym_key="corpus")
                rules = {k: int(v) for k, v in cleaned.log["rule"].value_counts().items()}
                return {"outcome": "result", "rows": len(cleaned.data), "read_rows": int(cleaned.read["n_rows"]),
                        "rules": rules, "notes": list(cleaned.read.get("notes", [])),
                        "encoding": cleaned.read.get("encoding"), "warnings": [str(w.message) for w in caught],
                        "text": "\n".join(str(v) for v in data.astype(str).to_numpy().ravel()
                                          if len(str(v)) < 1000)}
            if case.entry == "load_instrument":
                instrument = toolkit.load_instrument(path)
                return {"outcome": "result", "items": len(instrument.item_ids), "notes": [],
                        "warnings": [str(w.message) for w in caught]}
            if case.entry == "config":
                from toolkit.config import Config

                Config.from_toml(path)
                return {"outcome": "result"}
            from toolkit.plots.maps import read_districts

            read_districts(path, instrument="dis-full")
            return {"outcome": "result"}
    except ToolkitError as exc:
        return {"outcome": type(exc).__name__, "message": str(exc)}


def _cli_args(case: Case, path: Path, out: Path) -> list[str]:
    from toolkit import datasets

    if case.entry == "clean":
        return ["clean", str(path), "-i", case.instrument, "--out", str(out / "clean.csv"),
                "--log", str(out / "log.csv"), "--flags", str(out / "flags.csv")]
    if case.entry == "load_instrument":
        return ["clean", str(datasets.path(SAMPLE)), "-i", str(path), "--out", str(out / "clean.csv")]
    option = "--config" if case.entry == "config" else "--geojson"
    return ["report", str(datasets.path("sample_survey.csv")), "-i", "dis-full", "--out", str(out / "report"),
            option, str(path)]


def _cli(case: Case, path: Path, out: Path) -> dict:
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner(env={"DITK_PSEUDONYM_KEY": "corpus"}).invoke(app, _cli_args(case, path, out))
    return {"exit_code": result.exit_code, "stdout": result.stdout[-2000:], "stderr": result.stderr[-4000:],
            "exception": None if result.exception is None or isinstance(result.exception, SystemExit)
            else repr(result.exception)[:2000]}


def main(case_id: str, corpus: str, out: str) -> None:
    case = BY_ID[case_id]
    path = Path(corpus) / case.file
    start = time.perf_counter()
    api = _api(case, path)
    api_seconds = time.perf_counter() - start
    cli = _cli(case, path, Path(out))
    report = {"api": api, "cli": cli, "api_seconds": api_seconds, "seconds": time.perf_counter() - start,
              "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:4])
