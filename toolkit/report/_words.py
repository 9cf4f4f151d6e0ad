"""The report's words in one language, and the labels it takes from the instrument."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.report import _format as fmt
from toolkit.report._strings import NAMES, PHRASES, UI


@dataclass(frozen=True)
class Words:
    """UI text, number formats and instrument labels for one language and one set of rules."""

    lang: str
    instrument: Any
    conf_level: float
    min_cell: int
    cv_threshold: float
    source_lang: str = "en"  # the language the results' group labels were made in

    @property
    def conf(self) -> str:
        return fmt.level(self.conf_level, self.lang)

    def ui(self, key: str, **fields: Any) -> str:
        return UI[self.lang][key].format(**fields)

    def name(self, key: str) -> str:
        """A column or group name; an unknown key is shown as it is."""
        return NAMES[self.lang].get(key, key).format(conf=self.conf)

    @property
    def suppressed(self) -> str:
        return self.ui("suppressed", min_cell=self.min_cell)

    def phrase(self, outcome: str) -> str | None:
        return PHRASES[self.lang].get(outcome)

    def _label(self, labels: dict | None, fallback: str) -> str:
        if not labels:
            return fallback
        return labels.get(self.lang) or labels.get(self.instrument.languages[0]) or fallback

    def outcome(self, name: str) -> str:
        """The instrument's label of an outcome."""
        spec = self.instrument.outcomes.get(name)
        return self._label(getattr(spec, "label", None), name)

    def scale(self, name: str) -> str:
        spec = self.instrument.scales.get(name)
        return self._label(getattr(spec, "label", None), name)

    def code_label(self, by: str, value: Any) -> str | None:
        """The instrument's label of answer code ``value`` of item ``by`` (``2.0`` -> "Man"), or None."""
        code = _code(value)
        rs = self.instrument.response_set_of(by) if by in self.instrument.item_ids else None
        for c in getattr(rs, "codes", ()) if code is not None else ():
            if c.code == code:
                return self._label(c.label, str(value))
        return None

    def group(self, by: str, group: Any, label: Any) -> str:
        """A group's label in the report's language: the results' own, unless they were made in another one."""
        if self.lang != self.source_lang:
            return self.code_label(by, group) or str(label)
        return str(label)

    def cv(self) -> str:
        return fmt.pct(self.cv_threshold, self.lang, digits=0)


def _code(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if pd.notna(number) and number.is_integer() else None
