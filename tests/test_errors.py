"""Every toolkit error also subclasses a builtin, so callers may catch either."""

from __future__ import annotations

import inspect

import pytest

from toolkit import errors


def _error_classes():
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.ToolkitError) and c is not errors.ToolkitError
    ]


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_subclasses_a_builtin(cls):
    builtin_bases = [b for b in cls.__mro__
                     if b.__module__ == "builtins" and b not in (object, Exception, BaseException)]
    assert builtin_bases, f"{cls.__name__} subclasses no builtin"


def test_schema_errors_carry_failure_cases():
    import pandas as pd

    cases = pd.DataFrame({"row": [3], "column": ["age"], "value": ["-1"], "expected": ["15-110"]})
    err = errors.SchemaErrors("1 problem", cases)
    assert isinstance(err, ValueError)
    assert err.failure_cases.equals(cases)
