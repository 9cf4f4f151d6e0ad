"""Tests of ``toolkit.report`` (a package: its test_triage.py must not clash with tests/risk/)."""
