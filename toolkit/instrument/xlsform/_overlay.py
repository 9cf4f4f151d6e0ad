"""The YAML overlay: what an XLSForm cannot say (scales, knowledge keys, domains, missing codes, outcomes).

An overlay names its form and adds to (or overrides) the instrument spec the
form converts to::

    form: household.xlsx             # relative to the overlay's folder
    id: household-2026               # optional: id, version, title, description
    missing_codes: {88: dont_know, 99: refused}   # choice name -> kind
    domains: {...}                   # as in the YAML schema
    scales: {...}
    outcomes: {...}
    items:
      q3: {type: knowledge, domain: practical, correct: 2}
      q4: {type: likert, domain: practical, reverse: true}

Item fields override the converted ones; ``correct``, ``check.expected`` and
``exclusive`` may name choices by their name in the form. A plain text where
the schema wants a text per language (``label: Sums``) is used for every
language of the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import InstrumentError
from toolkit.instrument.xlsform._convert import Conversion, item_id

#: Top-level keys of an overlay.
OVERLAY_KEYS = ("form", "id", "version", "title", "description", "missing_codes", "domains", "scales",
                "outcomes", "index", "items")
_FORM_KEY = re.compile(r"^form\s*:", re.M)


def looks_like_overlay(path: Path) -> bool:
    """Whether a YAML file is an overlay (it has a top-level ``form:`` key), not an instrument.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "o.yaml"
    ...     _ = p.write_text("form: survey.xlsx\\n", encoding="utf-8")
    ...     looks_like_overlay(p)
    True
    """
    try:
        return bool(_FORM_KEY.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def read_overlay(path: Path) -> dict[str, Any]:
    """The overlay as a mapping; InstrumentError naming the file if it is not one."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstrumentError(f"{path}: cannot read the overlay: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("form"), str):
        raise InstrumentError(f"{path}: an overlay is a mapping whose 'form' names the XLSForm (form: survey.xlsx)")
    unknown = sorted(set(map(str, doc)) - set(OVERLAY_KEYS))
    if unknown:
        raise InstrumentError(f"{path}: unknown overlay field(s) {', '.join(unknown)}; expected one of "
                              f"{', '.join(OVERLAY_KEYS)}")
    return dict(doc)


def form_path(overlay: Mapping[str, Any], path: Path) -> Path:
    """The form an overlay names, relative to the overlay's folder."""
    form = Path(overlay["form"])
    return form if form.is_absolute() else path.parent / form


def missing_kinds(overlay: Mapping[str, Any] | None, path: Path | None) -> dict[str, str] | None:
    """Choice name -> kind from the overlay's ``missing_codes`` (a mapping, or a list of {code, kind})."""
    raw = None if overlay is None else overlay.get("missing_codes")
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list) and all(isinstance(e, Mapping) and "code" in e and "kind" in e for e in raw):
        return {str(e["code"]): str(e["kind"]) for e in raw}
    raise InstrumentError(f"{path}: missing_codes must map choice names to kinds, e.g. {{88: dont_know}}; "
                          f"got {raw!r}")


def _code(value: Any, names: Mapping[str, int]) -> Any:
    if isinstance(value, str) and value in names:
        return names[value]
    return value


def _patch(item: dict[str, Any], changes: Mapping[str, Any], names: Mapping[str, int]) -> None:
    for key, value in changes.items():
        if key == "correct":
            value = _code(value, names)
        elif key == "exclusive" and isinstance(value, list):
            value = [_code(v, names) for v in value]
        elif key == "check" and isinstance(value, Mapping):
            value = {k: _code(v, names) if k == "expected" else v for k, v in value.items()}
        item[str(key)] = value


_TEXT_KEYS = {"title", "description", "label", "text", "hint"}


def _texts(value: Any, langs: list[str], key: str | None = None) -> Any:
    """Plain-text labels (``label: Sums``) as the same text in every language of the form."""
    if isinstance(value, str) and key in _TEXT_KEYS:
        return {lang: value for lang in langs}
    if isinstance(value, Mapping):
        return {k: _texts(v, langs, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v, langs) for v in value]
    return value


def apply_overlay(conv: Conversion, overlay: Mapping[str, Any], path: Path) -> set[tuple[str | None, str]]:
    """Merge the overlay into ``conv.spec``; return the (item id or None, field) pairs it set.

    An ``items`` entry that names no imported question raises InstrumentError.
    """
    spec = conv.spec
    given: set[tuple[str | None, str]] = set()
    for key in ("id", "version", "title", "description", "domains", "scales", "outcomes", "index"):
        if key in overlay:
            spec[key] = _texts(overlay[key], spec["languages"], key)
            given.add((None, key))
    if "missing_codes" in overlay:
        given.add((None, "missing_codes"))
    items = {it["id"]: it for s in spec["sections"] for it in s["items"]}
    changes = overlay.get("items") or {}
    if not isinstance(changes, Mapping):
        raise InstrumentError(f"{path}: items must map question names to the fields to add, got {changes!r}")
    unknown = []
    for name, fields in changes.items():
        iid = str(name) if str(name) in items else item_id(str(name))
        if iid not in items or not isinstance(fields, Mapping):
            unknown.append(str(name))
            continue
        _patch(items[iid], _texts(fields, spec["languages"]), conv.choice_names.get(items[iid].get("response_set"), {}))
        given.update((iid, str(k)) for k in fields)
        if "relevant" in fields and conv.untranslated.pop(iid, None) is not None:
            conv.note(conv.item_rows.get(iid), "relevant", "overlay", f"the overlay's rule {fields['relevant']!r} "
                      "replaces the expression that could not be translated")
    if unknown:
        raise InstrumentError(f"{path}: items {', '.join(map(repr, unknown))} name no imported question of "
                              f"{conv.file} (or give no mapping of fields); imported: {', '.join(items)}")
    return given


__all__ = ["OVERLAY_KEYS", "looks_like_overlay", "read_overlay", "form_path", "missing_kinds", "apply_overlay"]
