"""The simulator's tests (a package, so that test_design.py here and in tests/survey do not collide)."""
