"""The allocator hygiene between the pipeline's stages."""

import sys

import numpy as np
import pytest

from toolkit import _memory


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def test_release_memory_runs_with_and_without_pyarrow(monkeypatch):
    _memory.release_memory()
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    _memory.release_memory()  # pyarrow not imported: only the C heap
    assert "pyarrow" not in sys.modules  # releasing memory never imports it


def test_no_libc_off_linux(monkeypatch):
    _memory._libc.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert _memory._libc() is None
        with _memory.large_blocks_to_os():
            _memory.release_memory()
    finally:
        monkeypatch.undo()
        _memory._libc.cache_clear()


@pytest.mark.skipif(_memory._libc() is None, reason="glibc only")
def test_freed_large_blocks_go_back_to_the_os():
    before = _rss_mb()
    with _memory.large_blocks_to_os():
        blocks = [np.ones(1 << 18) for _ in range(200)]  # 200 blocks of 2 MiB, each mmapped
        assert _rss_mb() - before > 300
        del blocks
        assert _rss_mb() - before < 100  # each freed block was unmapped at once
    _memory.release_memory()
