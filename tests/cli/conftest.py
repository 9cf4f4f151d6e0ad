"""Shared by the CLI tests: a runner and the check that a user mistake is one clean line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def user_error():
    """Assert a result is a user mistake: exit 2, one ``Error:`` line on stderr holding ``message``, stdout empty."""

    def check(result, message: str) -> str:
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
        assert message in lines[0]
        assert result.stdout == ""
        assert "Traceback" not in result.output
        return lines[0]

    return check
