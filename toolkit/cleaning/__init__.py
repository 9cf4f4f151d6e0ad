"""Cleaning: validate responses against an instrument, with a full audit log, PII protection and flags.

:func:`clean` (also ``toolkit.clean``) returns a :class:`Cleaned` with ``.data``, ``.log``,
``.flags`` and ``.summary``.

Submodules: :mod:`~toolkit.cleaning.coding` (value rules), :mod:`~toolkit.cleaning.flags`
(quality flags), :mod:`~toolkit.cleaning.core` (the pipeline, skip logic, privacy, log).
"""

from __future__ import annotations

from toolkit.cleaning.coding import VALUE_RULES
from toolkit.cleaning.core import FAILURE_RULES, RULES, Cleaned, clean
from toolkit.cleaning.flags import FLAGS, FlagOptions
from toolkit.instrument.vocabulary import MISSING_KINDS

__all__ = ["clean", "Cleaned", "RULES", "VALUE_RULES", "FAILURE_RULES", "FLAGS", "FlagOptions", "MISSING_KINDS"]
