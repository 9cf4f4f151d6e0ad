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
    """Every problem found in one file: file, item, field, message.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> p.add("prac_01", "type", "must be one of likert, ...")
    >>> p.raise_if_any()
    Traceback (most recent call last):
    ...
    toolkit.errors.InstrumentError: x.yaml: 1 problem in the instrument definition:
      x.yaml: prac_01: type: must be one of likert, ...
    """

    def __init__(self, file: str):
        self.file = file
        self.rows: list[dict[str, str | None]] = []

    def add(self, item: str | None, fld: str | None, message: str) -> None:
        """Record one problem (``item`` None: the instrument as a whole)."""
        self.rows.append({"file": self.file, "item": item, "field": fld, "message": message})

    def raise_if_any(self) -> None:
        """Raise one InstrumentError listing every problem, with ``.problems`` as a DataFrame."""
        if not self.rows:
            return
        df = pd.DataFrame(self.rows, columns=["file", "item", "field", "message"])
        # from the rows, not the frame: pandas stores an absent item or field as NaN, which would print "nan"
        lines = [f"  {r['file']}: {r['item'] or '(instrument)'}: {r['field'] or '-'}: {r['message']}"
                 for r in self.rows]
        n = len(df)
        raise InstrumentError(
            f"{self.file}: {n} problem{'s' if n != 1 else ''} in the instrument definition:\n" + "\n".join(lines),
            problems=df,
        )


def shown(value: Any, width: int = 60) -> str:
    """``repr(value)``, cut to ``width`` characters: the value a message quotes.

    Examples
    --------
    >>> shown("abc"), shown(list(range(40)), width=12)
    ("'abc'", '[0, 1, 2,...')
    """
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def texts(p: Problems, value: Any, langs: tuple[str, ...], where: str, fld: str,
           optional: bool = False) -> dict[str, str]:
    """Check a {lang: text} mapping; report each missing or non-text translation.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> texts(p, {"en": " Yes ", "da": ""}, ("en", "da"), "q1", "text")
    {'en': 'Yes', 'da': ''}
    >>> p.rows[0]["field"], p.rows[0]["message"]
    ('text.da', "missing translation 'da'")
    """
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
        p.add(where, f"{fld}.{extra}", f"language '{extra}' is not declared in languages "
              f"({', '.join(langs)}); declare it or remove the text")
    return out


def codes(p: Problems, entries: Any, langs, where: str, fld: str) -> list[Code]:
    """A list of ``{code: <int>, <lang>: <label>}`` entries as Codes; bad entries are reported and left out.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> [c.code for c in codes(p, [{"code": 1, "en": "Yes"}, {"code": "2", "en": "No"}], ("en",), "yn", "codes")]
    [1]
    >>> p.rows[0]["message"]
    "must be an integer, got '2'"
    """
    if not isinstance(entries, list) or not entries:
        p.add(where, fld, f"must be a non-empty list of {{code: <int>, <lang>: <label>}} entries, got {shown(entries)}")
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
    """``raw[key]`` if it is true or false (``default`` when absent); else the default, reported.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> boolean(p, {"reverse": "yes"}, "reverse", False, "q1"), p.rows[0]["message"]
    (False, "must be true or false, got 'yes'")
    """
    v = raw.get(key, default)
    if not isinstance(v, bool):
        p.add(where, key, f"must be true or false, got {v!r}")
        return default
    return v


def number(p, raw: Mapping, key: str, where: str) -> float | None:
    """``raw[key]`` if it is a number or absent (None); else None, reported.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> number(p, {"min": 15}, "min", "age"), number(p, {"max": "110"}, "max", "age"), len(p.rows)
    (15, None, 1)
    """
    v = raw.get(key)
    if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
        p.add(where, key, f"must be a number, got {v!r}")
        return None
    return v


def mapping(p: Problems, raw: Any, fld: str, what: str) -> Mapping | None:
    """``raw`` if it is a mapping; else None, reporting ``what`` unless the field is absent.

    Examples
    --------
    >>> p = Problems("x.yaml")
    >>> mapping(p, None, "scales", "must map ..."), mapping(p, [1], "scales", "must map ..."), len(p.rows)
    (None, None, 1)
    """
    if isinstance(raw, Mapping):
        return raw
    if raw is not None:
        p.add(None, fld, f"{what}, got {shown(raw)}")
    return None
