"""The glossary of public parameter names (DESIGN.md), enforced on every public signature."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from tests._public import public_callables

#: old or ambiguous name -> the glossary's name
FORBIDDEN = {
    "df": "data", "raw": "data", "frame": "data", "items_df": "items", "inst": "instrument",
    "group": "by", "groups": "by", "level": "conf_level or sig_level", "ci": "conf_level or ci_method",
    "threshold": "min_cell", "min_n": "min_cell", "w": "weights", "weight": "weights",
}
#: what may be passed positionally even with a default: the data, the instrument or items, and
#: the names of what is estimated (DESIGN.md)
POSITIONAL = {"data", "items", "instrument", "variables", "variable", "formula", "path", "source", "key",
              "population"}
#: callables whose defaulted parameters may stay positional, with the reason
POSITIONAL_DEFAULTS: dict[str, str] = {}


def _is_record(obj) -> bool:
    """Exceptions and results records: made by the toolkit, not called with options."""
    return inspect.isclass(obj) and (issubclass(obj, BaseException | Warning) or dataclasses.is_dataclass(obj))


def _signatures():
    callables = dict(public_callables())
    for name, obj in callables.items():
        owner = callables.get(name.rsplit(".", 1)[0])
        if _is_record(obj) or (name.endswith(".__init__") and _is_record(owner)):
            continue
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        yield name, sig


SIGNATURES = dict(_signatures())


def test_the_walk_sees_the_survey_core():
    assert "toolkit.survey.Design.mean" in SIGNATURES


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_parameter_names_follow_the_glossary(name):
    params = SIGNATURES[name].parameters
    wrong = {p: FORBIDDEN[p] for p in params if p in FORBIDDEN}
    assert not wrong, f"{name}: rename {wrong} (DESIGN.md, glossary)"
    if "conf_level" in params:
        assert params["conf_level"].default == 0.95, f"{name}: conf_level defaults to 0.95"


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_options_are_keyword_only(name):
    if name in POSITIONAL_DEFAULTS:
        return
    positional = [p.name for p in SIGNATURES[name].parameters.values()
                  if p.default is not inspect.Parameter.empty and p.name not in POSITIONAL
                  and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    assert not positional, f"{name}: options {positional} should be keyword-only (after *)"
