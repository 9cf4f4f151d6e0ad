"""Cleaning: validate responses against an instrument, with a full audit log, PII protection and flags.

``toolkit.clean(raw, inst)`` returns a :class:`Cleaned` with ``.data``, ``.log``, ``.flags`` and
``.summary`` (see :func:`toolkit.clean.core.clean`). This module is itself callable, so
``toolkit.clean(raw, inst)`` and ``toolkit.clean.Cleaned`` both work however it was imported.

Submodules: :mod:`~toolkit.clean.coding` (value rules), :mod:`~toolkit.clean.flags`
(quality flags), :mod:`~toolkit.clean.core` (the pipeline, skip logic, privacy, log).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from toolkit.clean.coding import MISSING_KINDS, VALUE_RULES
from toolkit.clean.core import FAILURE_RULES, RULES, Cleaned, clean
from toolkit.clean.flags import FLAGS, FlagOptions

__all__ = ["clean", "Cleaned", "RULES", "VALUE_RULES", "FAILURE_RULES", "FLAGS", "FlagOptions", "MISSING_KINDS"]


class _CallableModule(types.ModuleType):
    """`import toolkit.clean` binds the package to ``toolkit.clean``; calling it cleans."""

    def __call__(self, *args: Any, **kwargs: Any) -> Cleaned:
        return clean(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
