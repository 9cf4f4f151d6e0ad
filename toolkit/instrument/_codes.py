"""Missing codes and response sets of the instrument YAML (checked field by field, every problem recorded).

Missing codes are declared once for the instrument (``missing_codes:``) and
may be overridden by a response set (``response_sets.<name>.missing_codes``).
Without a declaration the instrument uses the 66/88/99 convention of
:data:`~toolkit.instrument.vocabulary.DEFAULT_MISSING_CODES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.instrument import _fields as F
from toolkit.instrument.schema import Code, ResponseSet
from toolkit.instrument.vocabulary import DEFAULT_MISSING_CODES, MISSING_KIND_NAMES

#: Labels of the default missing codes; a language without its own label uses the English one.
DEFAULT_MISSING_LABELS = {
    "dont_understand": {"en": "Don't understand the question", "da": "Forstår ikke spørgsmålet"},
    "dont_know": {"en": "Don't know", "da": "Ved ikke"},
    "refused": {"en": "Prefer not to say", "da": "Vil ikke svare"},
}
_SET_KEYS = {"codes", "missing_codes"}


def default_missing_codes(langs: tuple[str, ...]) -> list[Code]:
    """The 66/88/99 missing codes with their labels in ``langs`` (English where no label exists).

    Examples
    --------
    >>> [(c.code, c.kind, c.label["nb"]) for c in default_missing_codes(("nb",))][:2]
    [(66, 'dont_understand', "Don't understand the question"), (88, 'dont_know', "Don't know")]
    """
    codes = []
    for kind, code in DEFAULT_MISSING_CODES.items():
        labels = DEFAULT_MISSING_LABELS[kind]
        codes.append(Code(code, {lang: labels.get(lang, labels["en"]) for lang in langs}, kind))
    return sorted(codes, key=lambda c: c.code)


def missing_codes(p: F.Problems, raw: Any, langs, where: str = "missing_codes",
                  fld: str = "codes") -> list[Code]:
    """A list of missing codes, each ``{code: <int>, kind: <kind>, <lang>: <label>}``; ``[]`` declares none.

    Examples
    --------
    >>> p = F.Problems("x.yaml")
    >>> [(c.code, c.kind) for c in missing_codes(p, [{"code": 77, "kind": "refused", "en": "Refusal"}], ("en",))]
    [(77, 'refused')]
    >>> _ = missing_codes(p, [{"code": 7, "kind": "skipped", "en": "Skipped"}], ("en",))
    >>> p.rows[-1]["field"], p.rows[-1]["message"][:34], p.rows[-1]["message"][-13:]
    ('codes[0].kind', 'code 7: kind must be one of dont_k', "got 'skipped'")
    """
    if isinstance(raw, list) and not raw:
        return []
    codes = F.codes(p, raw, langs, where, fld)
    entries = raw if isinstance(raw, list) else []
    positions = {e.get("code"): i for i, e in enumerate(entries) if isinstance(e, Mapping)}
    for c in codes:
        if c.kind not in MISSING_KIND_NAMES:
            got = "no kind" if c.kind is None else repr(c.kind)
            p.add(where, f"{fld}[{positions.get(c.code, '?')}].kind",
                  f"code {c.code}: kind must be one of {', '.join(MISSING_KIND_NAMES)}; got {got}")
    return sorted(codes, key=lambda c: c.code)


def response_sets(p: F.Problems, raw: Any, langs, missing: list[Code], name_ok) -> dict[str, ResponseSet]:
    """Named answer lists: ``name: [codes]`` or ``name: {codes: [...], missing_codes: [...]}``.

    A set without its own ``missing_codes`` carries the instrument's ``missing``.
    ``name_ok(name)`` says whether a name is a valid identifier.

    Examples
    --------
    >>> p = F.Problems("x.yaml")
    >>> raw = {"yn": [{"code": 1, "en": "Yes"}],
    ...        "trust": {"codes": [{"code": 0, "en": "None"}, {"code": 10, "en": "Full"}],
    ...                  "missing_codes": [{"code": 77, "kind": "refused", "en": "Refusal"}]}}
    >>> sets = response_sets(p, raw, ("en",), default_missing_codes(("en",)), str.isidentifier)
    >>> sets["yn"].missing_codes, sets["trust"].missing_codes, p.rows
    ({66: 'dont_understand', 88: 'dont_know', 99: 'refused'}, {77: 'refused'}, [])
    """
    out: dict[str, ResponseSet] = {}
    raw = F.mapping(p, raw, "response_sets", "must map a response-set name to a list of codes")
    if raw is None:
        return out
    for name, spec in raw.items():
        where = f"response_sets.{name}"
        if not isinstance(name, str) or not name_ok(name):
            p.add(where, "name", f"must be lower-case letters, digits and '_', starting with a letter, got {name!r}")
        own, entries = missing, spec
        if isinstance(spec, Mapping):
            for key in sorted(set(map(str, spec)) - _SET_KEYS):
                p.add(where, key, f"unknown field; expected a list of codes, or a mapping with "
                      f"{' and '.join(sorted(_SET_KEYS))}")
            entries = spec.get("codes")
            if "missing_codes" in spec:
                own = missing_codes(p, spec["missing_codes"], langs, where, "missing_codes")
        codes = F.codes(p, entries, langs, where, "codes")
        reserved = {c.code: c.kind for c in own}
        for c in codes:
            if c.code in reserved:
                p.add(where, f"codes[code {c.code}]", f"code {c.code} is a missing code ({reserved[c.code]}) of this "
                      "response set; give the answer another code or declare other missing_codes for the set")
            if c.kind is not None:
                p.add(where, f"codes[code {c.code}]", f"substantive codes take no 'kind', got {c.kind!r}")
        out[str(name)] = ResponseSet(str(name), codes, list(own))
    return out


__all__ = ["DEFAULT_MISSING_LABELS", "default_missing_codes", "missing_codes", "response_sets"]
