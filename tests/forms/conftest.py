"""Forms built once per session for the form tests."""

from __future__ import annotations

import pytest

from toolkit import forms


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("forms")
    forms.build("all", formats="all", languages=None, out=out)
    return out
