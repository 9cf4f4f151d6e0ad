"""Tests of the ``ditk`` command line (a package: its test_simulate.py must not clash with tests/simulate/)."""
