"""Every malformed-input case gives a result with its problems logged, or one clear ToolkitError.

Each case runs in its own subprocess (run_case.py) under an address-space
limit and a timeout, through the API and through ``ditk``: exit code 2, one
``Error:`` line naming the file, no traceback. The input is byte-identical
afterwards (SHA-256).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import CASES, Case  # noqa: E402
from make_corpus import make  # noqa: E402

HERE = Path(__file__).resolve().parent
#: generous bounds: a case that needs more is a bug, not a slow machine
TIMEOUT_SECONDS = 240
MEMORY_LIMIT_BYTES = 6 * 2**30  # address space, incl. the libraries' reservations
MAX_RSS_MB = 1500


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make(folder)
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _run(case: Case, corpus: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "run_case.py"), case.id, str(corpus), str(out)],
                          capture_output=True, text=True, timeout=TIMEOUT_SECONDS, preexec_fn=_limit)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _marks(case: Case) -> list:
    if case.needs and importlib.util.find_spec(case.needs) is None:
        return [pytest.mark.xfail(strict=True, reason=f"{case.needs} (the XLSForm reader) is not in this branch")]
    return []


def _check_result(case: Case, api: dict) -> None:
    assert api["outcome"] == "result", api
    if case.rows is not None:
        assert api["rows"] == case.rows == api["read_rows"]  # no row lost or invented
    for problem in case.problems:
        logged = api.get("rules", {}).get(problem, 0) > 0
        noted = any(problem in note for note in [*api.get("notes", []), *api.get("warnings", [])])
        assert logged or noted, f"{problem!r} not logged: {api.get('rules')} {api.get('notes')}"
    for note in api.get("notes", []):  # every note also reached the user as a warning
        assert any(note in w for w in api["warnings"])
    if "encoding" in case.extra:
        assert api["encoding"] == case.extra["encoding"]
    if "text" in case.extra:
        assert case.extra["text"] in api["text"]


def _check_cli(case: Case, cli: dict, path: Path) -> None:
    assert cli["exception"] is None, cli["exception"]
    assert "Traceback" not in cli["stderr"] + cli["stdout"]
    if case.expected == "result":
        assert cli["exit_code"] == 0, cli["stderr"]
        return
    assert cli["exit_code"] == 2, cli
    errors = [line for line in cli["stderr"].splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, cli["stderr"]
    if case.expected != "InstrumentError":  # an instrument's problems are listed one per line below it
        assert cli["stderr"].strip().splitlines()[-1] == errors[0], cli["stderr"]
    assert path.name in cli["stderr"]
    assert cli["stdout"] == ""


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c)) for c in CASES])
def test_case(case: Case, corpus: Path, tmp_path: Path) -> None:
    path = corpus / case.file
    before = _sha256(path)
    report = _run(case, corpus, tmp_path)
    api = report["api"]
    if case.expected == "result":
        _check_result(case, api)
    else:
        assert api["outcome"] == case.expected, api
        assert path.name in api["message"] and case.fragment in api["message"], api["message"]
        assert "\n" not in api["message"] or case.expected == "InstrumentError"
    _check_cli(case, report["cli"], path)
    assert report["maxrss_mb"] < MAX_RSS_MB, report["maxrss_mb"]
    assert _sha256(path) == before, "the input file changed"
