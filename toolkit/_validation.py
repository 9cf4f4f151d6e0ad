"""Argument checks shared by every public function, with one standard message each.

Modelled on scikit-learn's ``utils/validation.py`` and statsmodels' ``string_like``:
a public function checks its arguments through these helpers rather than
writing its own copy, so the same mistake gets the same error everywhere.

Examples
--------
>>> check_option("beta", "ci_method", ("logit", "beta"))
'beta'
>>> as_list("age")
['age']
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Sequence
from os import PathLike
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from toolkit.errors import DesignError, OptionError, ToolkitError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["check_option", "as_list", "as_instrument", "check_frame", "check_weights", "check_conf_level",
           "check_sig_level", "renamed_keywords", "renamed_attribute"]


def check_option(value: Any, name: str, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``options``; else raise :class:`~toolkit.errors.OptionError`.

    Examples
    --------
    >>> check_option("remove", "lonely_psu", ("fail", "remove"))
    'remove'
    >>> check_option("drop", "lonely_psu", ("fail", "remove"))
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: lonely_psu must be one of 'fail', 'remove'; got 'drop'
    """
    allowed = tuple(options)
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value against a set of options
        ok = False
    if not ok:
        raise OptionError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def as_list(value: str | Iterable[Any] | None, name: str = "value") -> list[Any]:
    """A column name or a sequence of them as a list (None -> empty list).

    Examples
    --------
    >>> as_list(None), as_list("a"), as_list(("a", "b"))
    ([], ['a'], ['a', 'b'])
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise OptionError(f"{name} must be a name or a list of names, got {type(value).__name__}") from None


def as_instrument(instrument: Any) -> Any:
    """An :class:`~toolkit.instrument.Instrument` from itself, a bundled id or a path to a YAML file.

    Examples
    --------
    >>> as_instrument("dis-screener").id
    'dis-screener'
    >>> as_instrument(as_instrument("dis-screener")).id
    'dis-screener'
    """
    from toolkit.instrument import Instrument, load_instrument

    if isinstance(instrument, Instrument):
        return instrument
    if isinstance(instrument, str | PathLike):
        return load_instrument(instrument)
    raise OptionError("instrument must be an Instrument, a bundled id (e.g. 'dis-full') or a path to a YAML "
                      f"file; got {type(instrument).__name__}")


def check_frame(data: Any, name: str = "data", *, columns: Sequence[str] = (),
                error: type[ToolkitError] = OptionError) -> pd.DataFrame:
    """``data`` if it is a DataFrame holding ``columns``; else one error naming what is missing.

    Examples
    --------
    >>> check_frame(pd.DataFrame({"y": [1]}), columns=["y"]).shape
    (1, 1)
    >>> check_frame(pd.DataFrame({"y": [1]}), columns=["y", "w"])
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: data has no column(s) 'w'; it has: 'y'
    """
    if not isinstance(data, pd.DataFrame):
        raise error(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        have = ", ".join(map(repr, map(str, data.columns[:20]))) + (" ..." if data.shape[1] > 20 else "")
        raise error(f"{name} has no column(s) {', '.join(map(repr, missing))}; it has: {have}")
    return data


def _first_rows(index: pd.Index, bad: np.ndarray, k: int = 5) -> str:
    rows = index[bad][:k].tolist()
    return ", ".join(map(str, rows)) + (", ..." if bad.sum() > k else "")


def check_weights(weights: Any, data: pd.DataFrame, *, name: str = "weights",
                  error: type[ToolkitError] = DesignError) -> np.ndarray:
    """Weights as a float array aligned with ``data``: finite, non-negative and not all zero.

    ``weights`` is a column name, a Series or array with one value per row, or a
    survey design with a ``weights`` attribute built on the same rows. The error
    names the column and the first offending rows.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2.0]})
    >>> check_weights("w", df).tolist()
    [1.0, 2.0]
    >>> check_weights("w", pd.DataFrame({"w": [1.0, -2.0]}))
    Traceback (most recent call last):
    ...
    toolkit.errors.DesignError: weights column 'w': 1 negative value(s) at rows 1 (expected non-negative numbers)
    """
    if not isinstance(weights, str | pd.Series | np.ndarray | list | tuple) and hasattr(weights, "weights"):
        weights = np.asarray(weights.weights, dtype=float)
    if isinstance(weights, str):
        what = f"{name} column {weights!r}"
        if weights not in data.columns:
            raise error(f"{what} is not in the data")
        try:
            w = pd.to_numeric(data[weights], errors="raise").to_numpy(np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise error(f"{what} must be numeric") from None
    else:
        what = name
        try:
            w = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise error(f"{name} must be numeric") from None
        if w.shape != (len(data),):
            raise error(f"{name} must have one value per row ({len(data)}), got shape {w.shape}")
    bad_na, bad_neg = ~np.isfinite(w), np.isfinite(w) & (w < 0)
    problems = []
    if bad_na.any():
        problems.append(f"{bad_na.sum()} missing/non-finite value(s) at rows {_first_rows(data.index, bad_na)}")
    if bad_neg.any():
        problems.append(f"{bad_neg.sum()} negative value(s) at rows {_first_rows(data.index, bad_neg)}")
    if problems:
        raise error(f"{what}: " + "; ".join(problems) + " (expected non-negative numbers)")
    if w.size and not w.sum() > 0:
        raise error(f"{what}: every weight is zero (expected some positive weights)")
    return w


def _probability(value: Any, name: str, what: str, example: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = np.nan
    if not 0 < number < 1:
        raise OptionError(f"{name} must be {what} between 0 and 1, such as {example}; got {value!r}")
    return number


def check_conf_level(conf_level: float) -> float:
    """A confidence level strictly between 0 and 1 (0.95, not 95).

    Examples
    --------
    >>> check_conf_level(0.9)
    0.9
    """
    return _probability(conf_level, "conf_level", "a confidence level", "0.95")


def check_sig_level(sig_level: float) -> float:
    """A significance level strictly between 0 and 1 (0.05, not 5).

    Examples
    --------
    >>> check_sig_level(0.01)
    0.01
    """
    return _probability(sig_level, "sig_level", "a significance level", "0.05")


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Accept old keyword names for one release: ``@renamed_keywords(level="conf_level")``.

    A call with the old name works, with a :class:`FutureWarning` naming the new
    one; a call that gives both is an error.

    Examples
    --------
    >>> @renamed_keywords(level="conf_level")
    ... def f(*, conf_level=0.95):
    ...     return conf_level
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(level=0.9)
    0.9
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise OptionError(f"{func.__name__}() got both {old}= and its new name {new}=; "
                                          f"use {new}=")
                    warnings.warn(f"{func.__name__}(): the keyword {old}= is now {new}=; the old name goes "
                                  "in the next release", FutureWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed_keywords__ = dict(renames)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def renamed_attribute(owner: str, old: str, new: str) -> property:
    """A read-only alias ``old`` of the attribute ``new`` that warns: the old public name, kept for one release.

    Examples
    --------
    >>> class Fit:
    ...     degf = 3
    ...     df = renamed_attribute("Fit", "df", "degf")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     Fit().df
    3
    """

    def get(self: Any) -> Any:
        warnings.warn(f"{owner}.{old} is now {owner}.{new}; the old name goes in the next release",
                      FutureWarning, stacklevel=2)
        return getattr(self, new)

    return property(get, doc=f"Deprecated name of :attr:`{new}`.")
