"""A minimal ESS-like instrument (``ess_like.yaml``): one language, a 0-10 scale with levels, ESS's missing codes,
a response set with its own missing code, an optional item, a one-item scale, no outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ESS_PATH = Path(__file__).with_name("ess_like.yaml")


@pytest.fixture
def ess_doc():
    """The ESS-like instrument as a dict (a fresh copy for each test)."""
    return yaml.safe_load(ESS_PATH.read_text(encoding="utf-8"))
