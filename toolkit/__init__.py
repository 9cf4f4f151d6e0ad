"""Digital Inclusion Toolkit: measure who is left behind by digital public services, and why.

The verbs of the workflow are at the top level: :func:`load_instrument`,
:func:`read_responses`, :func:`clean`, :func:`score`, :func:`reliability` and
:func:`dif`. Types live in their packages (``toolkit.survey.Design``,
``toolkit.cleaning.Cleaned``). Names resolve lazily, so ``import toolkit``
stays fast and a stage is imported only when it is used. The layers and the
public contract are described in the repository's DESIGN.md.

Examples
--------
>>> import toolkit
>>> toolkit.load_instrument("dis-screener").id
'dis-screener'
>>> "clean" in toolkit.__all__
True
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the same names, for type checkers and editors; nothing is imported at run time
    from toolkit import (
        cleaning, config, datasets, disclosure, errors, forms, instrument, io, pipeline, plots, privacy, report,
        risk, scales, simulate, survey,
    )
    from toolkit.cleaning import clean
    from toolkit.instrument import load_instrument
    from toolkit.io import read_responses
    from toolkit.scales import dif, reliability, score

# public name -> (module, attribute or None for the module itself)
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "load_instrument": ("toolkit.instrument", "load_instrument"),
    "read_responses": ("toolkit.io", "read_responses"),
    "clean": ("toolkit.cleaning", "clean"),
    "score": ("toolkit.scales", "score"),
    "reliability": ("toolkit.scales", "reliability"),
    "dif": ("toolkit.scales", "dif"),
    "cleaning": ("toolkit.cleaning", None),
    "config": ("toolkit.config", None),
    "datasets": ("toolkit.datasets", None),
    "disclosure": ("toolkit.disclosure", None),
    "errors": ("toolkit.errors", None),
    "forms": ("toolkit.forms", None),
    "instrument": ("toolkit.instrument", None),
    "io": ("toolkit.io", None),
    "pipeline": ("toolkit.pipeline", None),
    "plots": ("toolkit.plots", None),
    "privacy": ("toolkit.privacy", None),
    "report": ("toolkit.report", None),
    "risk": ("toolkit.risk", None),
    "scales": ("toolkit.scales", None),
    "simulate": ("toolkit.simulate", None),
    "survey": ("toolkit.survey", None),
}
# old name -> (new name, module, attribute): they work, with a FutureWarning, for one release
_RENAMED: dict[str, tuple[str, str, str]] = {
    "Instrument": ("toolkit.instrument.Instrument", "toolkit.instrument", "Instrument"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        new, module_name, attr = _RENAMED[name]
        warnings.warn(f"toolkit.{name} is now {new}; the old name goes in the next release",
                      FutureWarning, stacklevel=2)
        return getattr(importlib.import_module(module_name), attr)
    if name not in _EXPORTS:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    module_name, attr = _EXPORTS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:  # hasattr() and `import *` expect AttributeError, not an import failure
        raise AttributeError(f"toolkit.{name} cannot be imported: {exc}") from exc
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
