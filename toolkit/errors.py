"""One error hierarchy for the whole toolkit.

Every class also subclasses a builtin, so callers can catch either the
toolkit's own class or the builtin they already know (``except ValueError``).
The CLI turns any :class:`ToolkitError` into a one-line message and exit
code 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing the errors stays cheap for the CLI
    import pandas as pd


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class OptionError(ToolkitError, ValueError):
    """An argument is not one of the allowed values; the message lists them."""


class InstrumentError(ToolkitError, ValueError):
    """A questionnaire definition is broken or unknown.

    ``problems`` holds one row per problem (file, item, field, message) when
    the loader found several at once.
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        self.problems = problems


class UnknownInstrumentError(InstrumentError, LookupError):
    """An instrument id or language that is not available."""


class ResponseError(ToolkitError, ValueError):
    """Response data that cannot be read or does not fit the instrument."""


class SchemaErrors(ResponseError):
    """Every validation failure found in one pass.

    ``failure_cases`` is a DataFrame with columns row, column, value,
    expected (pandera's lazy-validation style). ``hint`` says where to see
    them all; a caller with a better place (the CLI's ``--log``) swaps it with
    :meth:`with_hint` instead of editing the message.
    """

    def __init__(self, message: str, failure_cases: pd.DataFrame, hint: str = "see failure_cases"):
        super().__init__(f"{message}; {hint}" if hint else message)
        self.message, self.failure_cases, self.hint = message, failure_cases, hint

    def with_hint(self, hint: str) -> SchemaErrors:
        """The same failures with another hint.

        Examples
        --------
        >>> import pandas as pd
        >>> err = SchemaErrors("1 invalid value", pd.DataFrame(), hint="see failure_cases")
        >>> str(err.with_hint("add --log FILE to write every case"))
        '1 invalid value; add --log FILE to write every case'
        """
        return SchemaErrors(self.message, self.failure_cases, hint)


class InputFileError(ToolkitError, OSError):
    """An input file is missing, empty or unreadable."""


class OutputError(ToolkitError, OSError):
    """An output location cannot be written."""


class PrivacyError(ToolkitError, ValueError):
    """A privacy safeguard cannot be applied (e.g. no pseudonymisation key)."""


class ScaleError(ToolkitError, ValueError):
    """Items cannot be scored or analysed as a scale."""


class DesignError(ToolkitError, ValueError):
    """A survey design or estimator was given invalid input."""


class ModelError(ToolkitError, ValueError):
    """A model cannot be fitted or used as asked."""


class ToolkitWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class ConvergenceWarning(ToolkitWarning):
    """An iterative fit (raking, IRLS, factor model) stopped before converging."""


class DataQualityWarning(ToolkitWarning):
    """Something in the data deserves a look, but analysis can go on."""


class BoundaryWarning(ToolkitWarning):
    """An estimate sits on the edge of its parameter space (a variance of zero), so results need care."""


__all__ = [
    "ToolkitError",
    "OptionError",
    "InstrumentError",
    "UnknownInstrumentError",
    "ResponseError",
    "SchemaErrors",
    "InputFileError",
    "OutputError",
    "PrivacyError",
    "ScaleError",
    "DesignError",
    "ModelError",
    "ToolkitWarning",
    "ConvergenceWarning",
    "DataQualityWarning",
    "BoundaryWarning",
]
