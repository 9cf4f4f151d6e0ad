"""The public surface of the toolkit, walked by the API and glossary tests."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import toolkit

#: Public packages and modules whose ``__all__`` is the contract.
PUBLIC_MODULES = ("cleaning", "config", "datasets", "disclosure", "errors", "forms", "instrument", "io", "pipeline",
                  "plots", "plots.data", "plots.style", "privacy", "report", "risk", "scales", "simulate", "survey",
                  "instrument.xlsform", "outputs", "survey.engines")


def public_modules() -> Iterator[Any]:
    for name in PUBLIC_MODULES:
        yield importlib.import_module(f"toolkit.{name}")


def _own_methods(cls: type) -> Iterator[tuple[str, Any]]:
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value):
            yield name, value


def public_callables() -> Iterator[tuple[str, Any]]:
    """(qualified name, object) of every public function, class and method, each once."""
    seen: set[int] = set()
    sources = [("toolkit", toolkit, [n for n in toolkit.__all__ if n != "__version__"])]
    sources += [(m.__name__, m, list(getattr(m, "__all__", []))) for m in public_modules()]
    for prefix, module, names in sources:
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{prefix}.{name}", obj
            if inspect.isclass(obj):
                for meth_name, meth in _own_methods(obj):
                    if id(meth) not in seen:
                        seen.add(id(meth))
                        yield f"{prefix}.{name}.{meth_name}", meth
