"""Field parsers of the instrument YAML: each checks one kind of value and records what is wrong.

They never raise: a problem is added to the :class:`Problems` collection and a
safe default returned, so the loader can report every problem of a file in one
:class:`~toolkit.errors.InstrumentError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from toolkit.errors import InstrumentError
from toolkit.instrument.schema import Code


class Problems:
    """Every problem found in one file: file, item, field, message."""

    def __init__(self, file: str):
        self.file = file
        self.rows: list[dict[str, str | None]] = []

    def add(self, item: str | None, fld: str | None, message: str) -> None:
        self.rows.append({"file": self.file, "item": item, "field": fld, "message": message})

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        df = pd.DataFrame(self.rows, columns=["file", "item", "field", "message"])
        lines = [
            f"  {r.file}: {r.item or '(instrument)'}: {r.field or '-'}: {r.message}" for r in df.itertuples()
        ]
        n = len(df)
        raise InstrumentError(
            f"{self.file}: {n} problem{'s' if n != 1 else ''} in the instrument definition:\n" + "\n".join(lines),
            problems=df,
        )


def texts(p: Problems, value: Any, langs: tuple[str, ...], where: str, fld: str,
           optional: bool = False) -> dict[str, str]:
    """Check a {lang: text} mapping; report each missing or non-text translation."""
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        p.add(where, fld, f"must map each language ({', '.join(langs)}) to a text, got {value!r}")
        return {lang: "" for lang in langs}
    out = {}
    for lang in langs:
        v = value.get(lang)
        if v is None or (isinstance(v, str) and not v.strip()):
            p.add(where, f"{fld}.{lang}", f"missing translation '{lang}'")
            out[lang] = ""
        elif not isinstance(v, str):
            p.add(where, f"{fld}.{lang}", f"must be text, got {v!r} (quote values such as Yes/No in YAML)")
            out[lang] = str(v)
        else:
            out[lang] = v.strip()
    for extra in sorted(set(map(str, value)) - set(langs)):
        p.add(where, f"{fld}.{extra}", f"language '{extra}' is not declared in languages")
    return out


def codes(p: Problems, entries: Any, langs, where: str, fld: str) -> list[Code]:
    if not isinstance(entries, list) or not entries:
        p.add(where, fld, "must be a non-empty list of {code: <int>, <lang>: <label>} entries")
        return []
    out, seen = [], set()
    for i, e in enumerate(entries):
        if not isinstance(e, Mapping) or "code" not in e:
            p.add(where, f"{fld}[{i}]", f"must be a mapping with a 'code', got {e!r}")
            continue
        code = e["code"]
        if not isinstance(code, int) or isinstance(code, bool):
            p.add(where, f"{fld}[{i}].code", f"must be an integer, got {code!r}")
            continue
        if code in seen:
            p.add(where, f"{fld}[{i}].code", f"duplicate code {code}")
        seen.add(code)
        labels = {k: v for k, v in e.items() if k not in ("code", "kind")}
        out.append(Code(code, texts(p, labels, langs, where, f"{fld}[code {code}]"), e.get("kind")))
    return out


def boolean(p, raw: Mapping, key: str, default: bool, where: str) -> bool:
    v = raw.get(key, default)
    if not isinstance(v, bool):
        p.add(where, key, f"must be true or false, got {v!r}")
        return default
    return v


def number(p, raw: Mapping, key: str, where: str) -> float | None:
    v = raw.get(key)
    if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
        p.add(where, key, f"must be a number, got {v!r}")
        return None
    return v


def mapping(p: Problems, raw: Any, fld: str, what: str) -> Mapping | None:
    """``raw`` if it is a mapping; else None, reporting ``what`` unless the field is absent."""
    if isinstance(raw, Mapping):
        return raw
    if raw is not None:
        p.add(None, fld, what)
    return None
