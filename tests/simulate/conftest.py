"""Simulations shared by the simulator's test files (made once per session: they take seconds)."""

from __future__ import annotations

import pytest

import toolkit

INST = toolkit.load_instrument("dis-full")


@pytest.fixture(scope="session")
def messy():
    return toolkit.simulate.survey(INST, n=3000, seed=11)


@pytest.fixture(scope="session")
def large_clean():
    return toolkit.simulate.survey(INST, n=20000, seed=5, clean=True)
