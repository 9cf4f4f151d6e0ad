"""The project's packaging: dependency lists agree, README holds the two commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs.extend(extra)
    out = {}
    for r in map(Requirement, reqs):
        out[r.name.lower()] = str(r.specifier)
    return out


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        r = Requirement(dep)
        if r.name in ("pip", "python"):  # the interpreter and installer, not dependencies
            continue
        out[r.name.lower()] = str(r.specifier)
    return out


def test_environment_yml_mirrors_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def _fenced_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```\s*<!-- /{marker} -->", text, re.S)
    assert block is not None, f"README has no {marker} block"
    return block.group(1).strip()


def test_readme_has_exactly_two_commands():
    demo, tests = _fenced_command("demo-command"), _fenced_command("test-command")
    assert "\n" not in demo and "\n" not in tests
    assert "pytest" in tests and "pip install" in tests
    assert "ditk" in demo and "pip install" in demo
    assert (ROOT / "README.md").read_text().count("```bash") == 2


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci
