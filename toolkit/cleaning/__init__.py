"""Cleaning: validate responses against an instrument, with a full audit log, PII protection and flags.

:func:`clean` (also ``toolkit.clean``) returns a :class:`Cleaned` with ``.data``, ``.log``,
``.flags`` and ``.totals`` (also ``.summary()``).

Submodules, one per phase: :mod:`~toolkit.cleaning.coding` (value rules),
:mod:`~toolkit.cleaning.skips` (skip logic), :mod:`~toolkit.cleaning.strict` (strict mode's
failure cases), :mod:`~toolkit.cleaning.assemble` (data column by column),
:mod:`~toolkit.cleaning.pii` (ids, columns that look like ids, pseudonyms, PII),
:mod:`~toolkit.cleaning.missing` (the file's missing codes: a code map, SPSS/Stata user-missing
values), :mod:`~toolkit.cleaning.extras` (other columns typed), :mod:`~toolkit.cleaning.durations`
(interview durations from timestamps), :mod:`~toolkit.cleaning.log` (the change log),
:mod:`~toolkit.cleaning.flags` (quality flags), :mod:`~toolkit.cleaning.result` (:class:`Cleaned`)
and :mod:`~toolkit.cleaning.core` (the pipeline).
"""

from __future__ import annotations

from toolkit.cleaning.coding import VALUE_RULES
from toolkit.cleaning.core import clean
from toolkit.cleaning.flags import FLAGS, FlagOptions
from toolkit.cleaning.log import RULES
from toolkit.cleaning.result import Cleaned
from toolkit.cleaning.strict import FAILURE_RULES
from toolkit.instrument.vocabulary import MISSING_KINDS

__all__ = ["clean", "Cleaned", "RULES", "VALUE_RULES", "FAILURE_RULES", "FLAGS", "FlagOptions", "MISSING_KINDS"]
