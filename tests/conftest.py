"""Test-run settings shared by every test file."""

import os
import sys

from hypothesis import settings

# CI runs a fixed, small sequence of Hypothesis examples so a red run can be replayed;
# ``HYPOTHESIS_PROFILE=fuzz`` (or ``--hypothesis-profile=fuzz``) runs the long search on demand.
settings.register_profile("ci", derandomize=True, print_blob=True, max_examples=25, deadline=None)
settings.register_profile("fuzz", max_examples=1000, deadline=None, print_blob=True)
if not any(arg.startswith("--hypothesis-profile") for arg in sys.argv):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
