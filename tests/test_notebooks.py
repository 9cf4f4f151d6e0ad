"""Notebooks are stored as jupytext py:percent files paired with output-free .ipynb files.

The test run executes every .ipynb through nbmake (see pyproject's addopts);
these tests check that the pairs agree, so what is reviewed (the .py) is what runs.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("*.py"))


def test_there_are_notebooks():
    assert PAIRS, "notebooks/ holds no py:percent notebooks"


@pytest.mark.parametrize("script", PAIRS, ids=lambda p: p.name)
def test_ipynb_is_paired_and_in_sync(script):
    ipynb = script.with_suffix(".ipynb")
    assert ipynb.exists(), f"{script.name} has no paired {ipynb.name}; run: jupytext --sync {script}"
    from_script = [(c.cell_type, c.source) for c in jupytext.read(script).cells]
    from_ipynb = [(c.cell_type, c.source) for c in jupytext.read(ipynb).cells]
    assert from_script == from_ipynb, f"{script.name} and {ipynb.name} differ; run: jupytext --sync {script}"


@pytest.mark.parametrize("script", PAIRS, ids=lambda p: p.name)
def test_ipynb_is_stored_without_outputs(script):
    notebook = jupytext.read(script.with_suffix(".ipynb"))
    with_outputs = [i for i, c in enumerate(notebook.cells) if c.get("outputs") or c.get("execution_count")]
    assert not with_outputs, f"{script.with_suffix('.ipynb').name}: cells {with_outputs} carry outputs; strip them"
