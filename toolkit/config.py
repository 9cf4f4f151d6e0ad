"""The settings of an analysis run, in one frozen object that can be read from TOML.

:class:`Config` holds every choice :func:`toolkit.pipeline.run` and ``ditk
report`` make: which outcomes and groups to report, the raking margins, the
design columns, the small-cell threshold, the language, and the risk model's
outcome and predictors. A TOML file sets any of them at the top level::

    outcomes = ["needs_help", "offline"]
    groups = ["district", "age_band"]
    min_cell = 10
    lang = "da"

An unknown key or a value of the wrong type is an :class:`~toolkit.errors.OptionError`
that names the file, the key, the value and what was expected.

Examples
--------
>>> cfg = Config(min_cell=10)
>>> cfg.min_cell, cfg.lang
(10, 'en')
>>> Config.from_mapping({"lang": "da", "groups": ["district"]}).groups
('district',)
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from os import PathLike
from pathlib import Path
from typing import Any

from toolkit._validation import check_option
from toolkit.disclosure import DEFAULT_MIN_CELL
from toolkit.errors import InputFileError, OptionError

__all__ = ["Config"]

_SEQUENCES = ("outcomes", "groups", "margins", "predictors")
#: where a streamed run computes its design-based estimates (``Config.engine``)
ENGINES = ("memory", "duckdb")


@dataclass(frozen=True, kw_only=True)
class Config:
    """Settings of an analysis run (see the module docstring for TOML).

    Parameters
    ----------
    outcomes : tuple of str, optional
        Outcomes to report; default every outcome the instrument declares.
    groups : tuple of str
        Reporting groups besides ``overall``: columns of the cleaned data or derived
        ones (``age_band``).
    margins : tuple of str
        Raking margins: columns the survey and the population table share.
    district : str
        The area column of the population table, and of the survey data.
    weights, strata, psu : str or None
        Design columns of the response file.
    min_cell : int
        The small-cell threshold of every published table.
    conf_level : float
        Confidence level of every interval.
    cv_threshold : float
        A published figure whose coefficient of variation exceeds this is marked unreliable.
    lang : str
        Language of labels and the report.
    model_outcome : str
        The outcome the risk model predicts.
    predictors : tuple of str
        The risk model's predictors: demographics the population table also has.
    small_n : int
        Districts with fewer respondents prefer the Fay–Herriot figure.
    seed : int
        Seed of the hot-deck imputation of missing raking variables.
    pseudonym_key_env : str
        Environment variable holding the pseudonymisation key.
    chunk_rows : int
        A Parquet input with more rows is read and cleaned this many rows at a time
        (:mod:`toolkit.cleaning.chunked`: the same result, a fraction of the memory).
    engine : str
        Where a streamed run (``pipeline.run(spool=)``) computes its estimates by
        outcome and group: "memory" (default) or "duckdb" (out of core over the
        folder's ``analysis.parquet``; the ``scale`` extra). The same numbers.

    Examples
    --------
    >>> Config().margins
    ('age_band', 'gender', 'education', 'home_lang', 'district')
    """

    outcomes: tuple[str, ...] | None = None
    groups: tuple[str, ...] = ("district", "age_band", "gender", "education", "home_lang")
    margins: tuple[str, ...] = ("age_band", "gender", "education", "home_lang", "district")
    district: str = "district"
    weights: str | None = "design_weight"
    strata: str | None = "stratum"
    psu: str | None = None
    min_cell: int = DEFAULT_MIN_CELL
    conf_level: float = 0.95
    cv_threshold: float = 0.3
    lang: str = "en"
    model_outcome: str = "needs_help"
    predictors: tuple[str, ...] = ("age_band", "gender", "education", "home_lang")
    small_n: int = 200
    seed: int = 0
    pseudonym_key_env: str = "DITK_PSEUDONYM_KEY"
    chunk_rows: int = 1_000_000
    engine: str = "memory"

    def __post_init__(self) -> None:
        for name in _SEQUENCES:
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if self.min_cell < 0:
            raise OptionError(f"min_cell must be 0 or more, got {self.min_cell}")
        if self.chunk_rows < 1:
            raise OptionError(f"chunk_rows must be 1 or more, such as 1000000; got {self.chunk_rows}")
        check_option(self.engine, "engine", ENGINES)
        if not 0 < self.conf_level < 1:
            raise OptionError(f"conf_level must be between 0 and 1, such as 0.95; got {self.conf_level}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "config") -> Config:
        """A Config from a mapping, checking every key and type.

        Examples
        --------
        >>> Config.from_mapping({"min_cell": "5"})
        Traceback (most recent call last):
        ...
        toolkit.errors.OptionError: config: min_cell = '5' must be an integer
        """
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise OptionError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
        checked = {key: _checked(source, key, value, known[key]) for key, value in values.items()}
        return cls(**checked)

    @classmethod
    def from_toml(cls, path: str | PathLike) -> Config:
        """A Config from a TOML file (top-level keys as in :class:`Config`).

        Examples
        --------
        >>> import tempfile, os
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     p = os.path.join(tmp, "report.toml")
        ...     _ = open(p, "w").write('lang = "da"\\nmin_cell = 10\\n')
        ...     Config.from_toml(p).min_cell
        10
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"cannot read the config file {p}: {exc}") from None
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise OptionError(f"{p}: not valid TOML ({exc})") from None
        return cls.from_mapping(values, source=str(p))

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed (checked like :meth:`from_mapping`).

        Examples
        --------
        >>> Config().replace(lang="da").lang
        'da'
        """
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        return Config.from_mapping({**current, **changes}, source="settings")


def _checked(source: str, key: str, value: Any, field: dataclasses.Field) -> Any:
    """The value if it fits the field's type; else an error naming key, value and the expected type."""
    kind = str(field.type)
    where = f"{source}: {key} = {value!r}"
    if value is None:
        if "None" not in kind:
            raise OptionError(f"{where} must not be empty")
        return None
    if key in _SEQUENCES:
        if isinstance(value, str) or not isinstance(value, list | tuple) or \
                not all(isinstance(v, str) for v in value):
            raise OptionError(f"{where} must be a list of names, e.g. [\"district\", \"age_band\"]")
        return tuple(value)
    expected = {"int": int, "float": (int, float), "str": str}
    for name, types in expected.items():
        if kind.startswith(name):
            if isinstance(value, bool) or not isinstance(value, types):
                article = "an integer" if name == "int" else ("a number" if name == "float" else "text")
                raise OptionError(f"{where} must be {article}")
            return float(value) if name == "float" else value
    return value
