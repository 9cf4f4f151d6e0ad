"""The public API: every exported name resolves, star-imports and help() work, docstrings have Examples."""

from __future__ import annotations

import inspect
import pydoc

import pytest

import toolkit
from tests._public import public_callables

CALLABLES = dict(public_callables())


@pytest.mark.parametrize("name", toolkit.__all__)
def test_every_name_in_all_resolves(name):
    assert getattr(toolkit, name) is not None


def test_star_import_and_help_work():
    namespace: dict = {}
    exec("from toolkit import *", namespace)
    assert {"clean", "score", "survey", "load_instrument"} <= set(namespace)
    assert "read_responses" in pydoc.render_doc(toolkit)


def test_unknown_attribute_is_an_attribute_error():
    assert not hasattr(toolkit, "no_such_thing")
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        toolkit.no_such_thing  # noqa: B018


def test_verbs_are_plain_functions_and_types_live_in_packages():
    for verb in ("load_instrument", "read_responses", "clean", "score", "reliability", "dif"):
        assert inspect.isfunction(getattr(toolkit, verb)), verb
    assert toolkit.survey.Design.__module__.startswith("toolkit.survey")
    with pytest.warns(FutureWarning, match="toolkit.instrument.Instrument"):
        assert toolkit.Instrument is toolkit.instrument.Instrument


def test_the_walk_finds_the_public_surface():
    assert {"toolkit.clean", "toolkit.survey.Design", "toolkit.survey.Design.mean"} <= set(CALLABLES)


def _is_exception(obj) -> bool:
    return inspect.isclass(obj) and issubclass(obj, BaseException | Warning)


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_public_callable_has_a_numpydoc_docstring_with_examples(name):
    obj = CALLABLES[name]
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{name} has no docstring"
    if _is_exception(obj) or name.endswith(".__init__"):
        return  # exceptions say what they mean; a class's Examples sit in its own docstring
    assert "Examples\n--------\n>>> " in doc, f"{name}: the docstring needs a runnable Examples section"
