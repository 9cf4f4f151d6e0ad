"""``ditk clean`` and ``ditk report`` killed halfway leave the previous outputs or complete new ones, never half.

The command runs in a subprocess; the test waits until a temporary ``.partial``
file appears in the output folder (the command is writing) and then sends
SIGKILL or SIGINT. Every output is then either the previous file, byte for
byte, or a complete file that reads back; after SIGINT no temporary file is
left. The input is unchanged (SHA-256).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from toolkit import datasets
from toolkit.outputs import PARTIAL_MARK

PREVIOUS = b"previous run\n"
CLI = [sys.executable, "-c", "from toolkit.cli import app; app()"]


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    data = pd.read_csv(datasets.path("sample_screener.csv"), dtype=str, keep_default_na=False)
    many = pd.concat([data] * 12, ignore_index=True)
    many["respondent_id"] = [f"R{k:06d}" for k in range(len(many))]
    path = tmp_path_factory.mktemp("interrupt") / "many.csv"
    many.to_csv(path, index=False)
    return path


def _complete(path: Path) -> bool:
    """True if ``path`` reads back whole in its format."""
    try:
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".xlsx":
            openpyxl.load_workbook(path, read_only=True).close()
        elif path.suffix == ".csv":
            text = path.read_bytes()
            pd.read_csv(path)
            return text.endswith(b"\n")
        else:
            return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    except Exception:
        return False
    return True


def _interrupt(args: list[str], folder: Path, sig: int, *, limit: float = 300) -> tuple[int, bool, str]:
    """Run ``ditk args``; send ``sig`` as soon as a temporary file appears in ``folder``.

    Returns the exit code, whether the signal hit during a write, and stderr.
    """
    env = {**os.environ, "DITK_PSEUDONYM_KEY": "interrupt-test"}
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    hit, start = False, time.monotonic()
    while proc.poll() is None and time.monotonic() - start < limit:
        if any(PARTIAL_MARK in p.name for p in folder.rglob("*")):
            proc.send_signal(sig)
            hit = True
            break
        time.sleep(0.002)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, hit, err.decode("utf-8", errors="replace")


def _check(targets: list[Path], sig: int) -> None:
    for target in targets:
        assert target.exists(), target
        assert target.read_bytes() == PREVIOUS or _complete(target), f"{target.name} is half-written"
    if sig == signal.SIGINT:  # the interrupted writer removed its temporary file
        leftovers = [p for p in targets[0].parent.rglob("*") if PARTIAL_MARK in p.name]
        assert not leftovers


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_clean_interrupted(big_input: Path, tmp_path: Path, sig: int) -> None:
    targets = [tmp_path / "clean.xlsx", tmp_path / "log.csv", tmp_path / "flags.parquet"]
    for target in targets:
        target.write_bytes(PREVIOUS)
    before = _sha(big_input)
    code, hit, err = _interrupt(["clean", str(big_input), "-i", "dis-screener", "--out", str(targets[0]),
                                 "--log", str(targets[1]), "--flags", str(targets[2])], tmp_path, sig)
    assert hit, f"the command ended (exit {code}) before writing began: {err[-500:]}"
    assert code != 0
    assert "Traceback" not in err or sig == signal.SIGKILL
    _check(targets, sig)
    assert _sha(big_input) == before


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_report_interrupted(tmp_path: Path, sig: int) -> None:
    source = Path(datasets.path("sample_screener.csv"))
    out = tmp_path / "report"
    out.mkdir()
    names = ["report.html", "tables.xlsx", "cleaned.parquet", "cleaning_log.csv", "flags.csv"]
    for name in names:
        (out / name).write_bytes(PREVIOUS)
    before = _sha(source)
    code, hit, err = _interrupt(["report", str(source), "-i", "dis-screener", "--out", str(out)], out, sig)
    assert hit, f"the command ended (exit {code}) before writing began: {err[-500:]}"
    assert code != 0
    _check([out / n for n in names], sig)
    assert _sha(source) == before
