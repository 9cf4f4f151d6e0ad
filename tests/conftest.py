"""Test-run settings shared by every test file."""

import os

from hypothesis import settings

# CI runs a fixed sequence of Hypothesis examples so a red run can be replayed;
# local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
