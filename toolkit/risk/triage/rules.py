"""Triage rules: read a rules file (YAML path or dict), check it against an instrument.

Every problem is gathered and raised together as one
:class:`~toolkit.errors.InstrumentError` whose message names the file, the
rule and the field (its ``problems`` frame has one row per problem). A
condition is parsed by the instrument's own rule language and every name in
it must be a column the triage can see: an item, a scale column of
:func:`toolkit.score`, an outcome or a count; a typo in an item id is
therefore an error, not a condition that silently never holds.

Examples
--------
>>> spec = load_rules(None, "dis-screener")
>>> [r.id for r in spec.rules][:3]
['offline_exempt', 'several_low', 'offline_not_exempt']
>>> spec.min_answered
10
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit._validation import as_instrument
from toolkit.errors import InstrumentError
from toolkit.instrument import Rule, RuleSyntaxError, parse_rule
from toolkit.instrument.rules import In, Selected
from toolkit.instrument.vocabulary import LEVELS
from toolkit.scales.scoring import CONFIDENCE

#: The support categories, highest priority first.
CATEGORIES = ("offline_alternative", "assisted_digital", "skills_training", "occasional_advice", "independent")

#: Reasons the triage adds itself (not rules of the file), per language.
PHRASES = {
    "incomplete": {"en": "incomplete screening: ask in person",
                   "da": "screeningen er ikke fuldført: spørg ind til det i samtalen"},
    "unknown": {"en": "not enough answers for: {reason}", "da": "ikke nok svar til at vurdere: {reason}"},
    "independent": {"en": "none of the conditions for support holds, and each could be checked",
                    "da": "ingen af betingelserne for støtte er opfyldt, og alle kunne vurderes"},
    "domain_unknown": {"en": "not yet known", "da": "endnu ukendt"},
}

_RULE_KEYS = {"id", "category", "when", "reason"}
_SECTION_KEYS = {"completeness", "counts", "training", "rules"}


@dataclass(frozen=True)
class TriageRule:
    """One condition: its ``id``, the ``category`` it recommends, the parsed ``when`` and ``reason`` texts.

    Examples
    --------
    >>> rule = load_rules(None, "dis-full").rules[0]
    >>> rule.id, rule.category, str(rule.when)
    ('offline_exempt', 'offline_alternative', 'offline == 1 and exempt == 1')
    """

    id: str
    category: str
    when: Rule
    reason: Mapping[str, str]


@dataclass(frozen=True)
class TriageRules:
    """The checked rules for one instrument (see ``toolkit/risk/data/triage.yaml``).

    ``counts`` maps a count's name to its conditions, ``training`` a domain to
    the condition that makes it a training domain, ``completeness`` lists the
    items that count as answers (fewer than ``min_answered``: an incomplete
    screening), ``source`` is the file read.

    Examples
    --------
    >>> spec = load_rules(None, "dis-full")
    >>> list(spec.counts), list(spec.training)[:2], spec.min_answered
    (['n_low'], ['practical', 'cognitive'], 14)
    """

    instrument: str
    rules: tuple[TriageRule, ...]
    counts: Mapping[str, tuple[Rule, ...]]
    training: Mapping[str, Rule]
    completeness: tuple[str, ...]
    min_answered: int
    source: str

    def reason_texts(self, lang: str) -> dict[str, str]:
        """Rule id -> reason in ``lang``.

        Examples
        --------
        >>> load_rules(None, "dis-screener").reason_texts("da")["sought_help"][:12]
        'har fået hjæ'
        """
        return {r.id: r.reason[lang] for r in self.rules}


class _Problems:
    """Problems found while checking a rules file, raised together."""

    def __init__(self, source: str, section: str):
        self.source, self.section, self.rows = source, section, []

    def add(self, rule: str | None, fld: str | None, message: str) -> None:
        self.rows.append({"file": self.source, "rule": rule, "field": fld, "message": message})

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        lines = [f"  {r['file']}: {self.section}: {r['rule'] or '-'}: {r['field'] or '-'}: {r['message']}"
                 for r in self.rows]
        n = len(self.rows)
        raise InstrumentError(f"{self.source}: {n} problem{'s' if n != 1 else ''} in the triage rules:\n"
                              + "\n".join(lines), problems=pd.DataFrame(self.rows))


def default_rules_path() -> Path:
    """The bundled rules file (for dis-full and dis-screener).

    Examples
    --------
    >>> default_rules_path().name
    'triage.yaml'
    """
    return Path(str(resources.files("toolkit.risk") / "data" / "triage.yaml"))


def _read(rules: Any) -> tuple[Any, str]:
    if rules is None:
        rules = default_rules_path()
    if isinstance(rules, Mapping):
        return rules, "<rules dict>"
    if not isinstance(rules, str | PathLike):
        raise InstrumentError(f"rules must be a path to a YAML file or a dict, got {type(rules).__name__}")
    path = Path(rules)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot read the triage rules ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text), str(path)
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path}: not valid YAML: {exc}") from None


def _section(spec: Any, source: str, instrument_id: str) -> Mapping:
    if not isinstance(spec, Mapping):
        raise InstrumentError(f"{source}: the triage rules must be a mapping, got {type(spec).__name__}")
    if "instruments" not in spec:
        return spec
    sections = spec["instruments"]
    if not isinstance(sections, Mapping) or instrument_id not in sections:
        have = ", ".join(map(str, sections)) if isinstance(sections, Mapping) else "none"
        raise InstrumentError(f"{source}: instruments: no triage rules for {instrument_id!r}; it has: {have}")
    section = sections[instrument_id]
    if not isinstance(section, Mapping):
        raise InstrumentError(f"{source}: instruments.{instrument_id}: must be a mapping with "
                              + ", ".join(sorted(_SECTION_KEYS)))
    return section


def _columns(instrument) -> dict[str, str]:
    """Every name a condition may use -> what it is."""
    kinds = {it.id: "item" for it in instrument.items if it.type != "text"}
    by_domain: dict[str, set[str]] = {}
    for s in instrument.scales.values():
        kinds[s.id] = kinds[f"{s.id}_n_valid"] = "score"
        kinds[s.level_column] = "level"
        if s.kind == "knowledge":
            kinds[f"{s.id}_share"] = "score"
        by_domain.setdefault(s.domain, set()).add(s.kind)
    for d, found in by_domain.items():
        if d is not None and len(found) > 1:
            kinds[f"{d}_gap"], kinds[f"{d}_confidence"] = "score", "confidence"
    kinds.update({o: "outcome" for o in instrument.outcomes})
    return kinds


def _check_leaf(p: _Problems, where: str, fld: str, leaf, kind: str | None, instrument) -> None:
    values = leaf.values()
    if kind is None:
        p.add(where, fld, f"refers to {leaf.var!r}, which is neither an item, a scale column, an outcome nor a "
              f"count of {instrument.id}")
    elif isinstance(leaf, Selected) != (kind == "item" and instrument.item(leaf.var).type == "multiple"):
        p.add(where, fld, f"selected(...) is for select-multiple items only, and such an item ({leaf.var}) "
              "needs it")
    elif kind in ("level", "confidence"):
        allowed = LEVELS if kind == "level" else CONFIDENCE
        bad = [v for v in values if v not in allowed]
        if bad:
            p.add(where, fld, f"{leaf.var} takes {', '.join(map(repr, allowed))}; got {', '.join(map(repr, bad))}")
    elif any(isinstance(v, str) for v in values):
        p.add(where, fld, f"{leaf.var} holds numbers; compare it with a number")
    elif kind == "outcome" and any(v not in (0, 1) for v in values):
        p.add(where, fld, f"outcome {leaf.var} is 1 (holds) or 0 (does not); got {values}")
    elif kind == "item":
        rs = instrument.response_set_of(leaf.var)
        exact = isinstance(leaf, In | Selected) or leaf.op in ("==", "!=")
        bad = [v for v in values if rs is not None and exact and v not in rs.valid_codes]
        if bad:
            p.add(where, fld, f"{leaf.var} has no code {', '.join(map(str, bad))}; its codes are "
                  f"{sorted(rs.valid_codes)} (missing codes never compare true)")


def _condition(p: _Problems, where: str, fld: str, text: Any, names: Mapping[str, str], instrument) -> Rule | None:
    try:
        rule = parse_rule(text)
    except RuleSyntaxError as exc:
        p.add(where, fld, f"cannot parse {text!r}: {exc}")
        return None
    for leaf in rule.comparisons():
        _check_leaf(p, where, fld, leaf, names.get(leaf.var), instrument)
    return rule


def _texts(p: _Problems, where: str, value: Any, langs) -> dict[str, str]:
    if not isinstance(value, Mapping):
        p.add(where, "reason", f"must give the reason in each language ({', '.join(langs)})")
        return {}
    for lang in langs:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            p.add(where, f"reason.{lang}", "missing or empty")
            continue
        try:
            text.format(domain="")
        except (KeyError, IndexError, ValueError):
            p.add(where, f"reason.{lang}", "the only placeholder a reason may hold is {domain}")
    return {lang: str(value.get(lang, "")).strip() for lang in langs}


def _rules(p: _Problems, raw: Any, names: Mapping[str, str], instrument) -> tuple[TriageRule, ...]:
    if not isinstance(raw, list) or not raw:
        p.add(None, "rules", "must be a non-empty list of rules (id, category, when, reason)")
        return ()
    out: list[TriageRule] = []
    for k, spec in enumerate(raw):
        rid = spec.get("id") if isinstance(spec, Mapping) else None
        where = str(rid) if isinstance(rid, str) and rid.isidentifier() else f"rules[{k}]"
        if where != rid:
            p.add(where, "id", f"must be a name (letters, digits, _), got {rid!r}")
        if not isinstance(spec, Mapping):
            continue
        for key in sorted(set(map(str, spec)) - _RULE_KEYS):
            p.add(where, key, f"unknown field; expected {', '.join(sorted(_RULE_KEYS))}")
        if spec.get("category") not in CATEGORIES[:-1]:
            p.add(where, "category", f"must be one of {', '.join(CATEGORIES[:-1])}; got {spec.get('category')!r}")
        if any(r.id == rid for r in out) or rid in PHRASES:
            p.add(where, "id", "is used twice (or is reserved)")
        when = _condition(p, where, "when", spec.get("when"), names, instrument)
        reason = _texts(p, where, spec.get("reason"), instrument.languages)
        if when is not None:
            out.append(TriageRule(where, str(spec.get("category")), when, reason))
    return tuple(out)


def _counts(p: _Problems, raw: Any, names: dict[str, str], instrument) -> dict[str, tuple[Rule, ...]]:
    out: dict[str, tuple[Rule, ...]] = {}
    for name, conditions in (raw or {}).items():
        where = f"counts.{name}"
        if name in names or not str(name).isidentifier():
            p.add(where, None, "a count needs a new name, not an item, scale or outcome id")
        if not isinstance(conditions, list) or not conditions:
            p.add(where, None, "must be a non-empty list of conditions")
            continue
        parsed = [_condition(p, where, f"[{k}]", c, names, instrument) for k, c in enumerate(conditions)]
        out[str(name)] = tuple(r for r in parsed if r is not None)
    names.update({n: "count" for n in out})
    return out


def _completeness(p: _Problems, raw: Any, instrument) -> tuple[tuple[str, ...], int]:
    raw = raw if isinstance(raw, Mapping) else {}
    items = raw.get("items", [])
    if not isinstance(items, list):
        p.add("completeness", "items", "must be a list of item ids")
        items = []
    for iid in items:
        if iid not in instrument.item_ids:
            p.add("completeness", "items", f"unknown item {iid!r} of {instrument.id}")
    need = raw.get("min_answered", 0)
    if isinstance(need, bool) or not isinstance(need, int) or not 0 <= need <= len(items):
        p.add("completeness", "min_answered", f"must be a whole number from 0 to {len(items)}; got {need!r}")
        need = 0
    return tuple(map(str, items)), need


def _parse_section(p: _Problems, section: Mapping, instrument) -> TriageRules:
    for key in sorted(set(map(str, section)) - _SECTION_KEYS):
        p.add(None, key, f"unknown section; expected {', '.join(sorted(_SECTION_KEYS))}")
    names = _columns(instrument)
    counts = _counts(p, section.get("counts"), names, instrument)
    training: dict[str, Rule] = {}
    for domain, text in (section.get("training") or {}).items():
        if domain not in instrument.domains:
            p.add("training", str(domain), f"unknown domain; {instrument.id} has {', '.join(instrument.domains)}")
        rule = _condition(p, "training", str(domain), text, names, instrument)
        if rule is not None:
            training[str(domain)] = rule
    completeness, need = _completeness(p, section.get("completeness"), instrument)
    rules = _rules(p, section.get("rules"), names, instrument)
    return TriageRules(instrument.id, rules, counts, training, completeness, need, p.source)


def load_rules(rules: Any, instrument) -> TriageRules:
    """Read and check triage rules for ``instrument``.

    Parameters
    ----------
    rules : path, dict or None
        A YAML file or an equivalent dict: either ``{"instruments": {<id>: section}}``
        (as the bundled file) or one section (``completeness``, ``counts``,
        ``training``, ``rules``) used for whatever instrument is given. None: the
        bundled ``toolkit/risk/data/triage.yaml``.
    instrument : Instrument, str or path
        The instrument whose items, scales and outcomes the conditions name.

    Returns
    -------
    TriageRules

    Raises
    ------
    InstrumentError
        Naming file, rule and field of every problem (``problems`` holds them).

    Examples
    --------
    >>> bad = {"rules": [{"id": "x", "category": "assisted_digital", "when": "proxyy == 1",
    ...                   "reason": {"en": "x", "da": "x"}}]}
    >>> load_rules(bad, "dis-full")
    Traceback (most recent call last):
    ...
    toolkit.errors.InstrumentError: <rules dict>: 1 problem in the triage rules:
      <rules dict>: dis-full: x: when: refers to 'proxyy', which is neither an item, ...
    """
    instrument = as_instrument(instrument)
    spec, source = _read(rules)
    p = _Problems(source, instrument.id)
    parsed = _parse_section(p, _section(spec, source, instrument.id), instrument)
    p.raise_if_any()
    return parsed
