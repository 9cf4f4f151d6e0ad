"""Fixtures shared by the cleaning tests."""

from __future__ import annotations

import pytest

import toolkit


@pytest.fixture(scope="module")
def inst():
    return toolkit.load_instrument("dis-full")
