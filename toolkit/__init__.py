"""Digital Inclusion Toolkit: measure who is left behind by digital public services, and why.

The top level re-exports the public API (see DESIGN.md). Names are resolved
lazily so that ``import toolkit`` stays fast and a stage is only imported
when it is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute or None for the module itself)
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "load_instrument": ("toolkit.instrument", "load_instrument"),
    "Instrument": ("toolkit.instrument", "Instrument"),
    "read_responses": ("toolkit.io", "read_responses"),
    "clean": ("toolkit.clean", None),  # a callable module: toolkit.clean(raw, inst) and toolkit.clean.Cleaned
    "score": ("toolkit.scales", "score"),
    "reliability": ("toolkit.scales", "reliability"),
    "errors": ("toolkit.errors", None),
    "instrument": ("toolkit.instrument", None),
    "forms": ("toolkit.forms", None),
    "simulate": ("toolkit.simulate", None),
    "scales": ("toolkit.scales", None),
    "survey": ("toolkit.survey", None),
    "risk": ("toolkit.risk", None),
    "pipeline": ("toolkit.pipeline", None),
    "privacy": ("toolkit.privacy", None),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
