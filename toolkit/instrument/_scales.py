"""Scales of the instrument YAML: items, scoring method, ``min_valid`` and level cut-offs in the scale's own range.

A self-report scale's score runs over its items' response range (a 1-5
agreement scale, a 0-10 rating), a knowledge scale's from 0 to the number of
items; the ``levels`` cut-offs must lie in that range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from toolkit.instrument import _fields as F
from toolkit.instrument.schema import Item, Scale
from toolkit.instrument.vocabulary import LEVELS

SCALE_KEYS = {"domain", "kind", "items", "method", "min_valid", "levels", "label"}
SCALE_KINDS = {"self_report": ("likert", "mean"), "knowledge": ("knowledge", "sum_correct")}


def with_scale(item: Item, scales: Mapping[str, Scale]) -> Item:
    """The item with ``scale`` set to the scale that holds it (if any)."""
    for s in scales.values():
        if item.id in s.items:
            return replace(item, scale=s.id)
    return item


def scales(p: F.Problems, raw, langs, items: list[Item], domains, response_sets) -> dict[str, Scale]:
    """Every scale of the ``scales:`` block, checked against the items, domains and response sets.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-screener")
    >>> p = F.Problems("x.yaml")
    >>> raw = {"practical_sr": {"kind": "self_report", "items": ["prac_02"], "min_valid": 1,
    ...                         "levels": {"basic": 6}}}
    >>> _ = scales(p, raw, ("en",), inst.items, inst.domains, inst.response_sets)
    >>> p.rows[0]["field"], p.rows[0]["message"]
    ('levels.basic', 'must be a number above 1 and at most 5 (the scale runs from 1 to 5), got 6')
    """
    out: dict[str, Scale] = {}
    raw = F.mapping(p, raw, "scales", "must map a scale id to its definition")
    if raw is None:
        return out
    by_id = {it.id: it for it in items}
    owner: dict[str, str] = {}
    for sid, spec in raw.items():
        where = f"scales.{sid}"
        if not isinstance(spec, Mapping):
            p.add(where, None, f"must be a mapping with kind, items, min_valid and levels, got {spec!r}")
            continue
        scale = _scale(p, str(sid), spec, where, langs, by_id, domains, response_sets, owner)
        out[scale.id] = scale
    return out


def _scale(p, sid, spec, where, langs, by_id, domains, response_sets, owner) -> Scale:
    for key in sorted(set(map(str, spec)) - SCALE_KEYS):
        p.add(where, key, f"unknown field; expected one of {', '.join(sorted(SCALE_KEYS))}")
    domain = spec.get("domain")
    if domain is not None and domain not in domains:
        p.add(where, "domain", f"unknown domain {domain!r}; defined: {', '.join(domains) or '(none)'}")
    kind = spec.get("kind")
    if kind not in SCALE_KINDS:
        p.add(where, "kind", f"must be one of {', '.join(SCALE_KINDS)}, got {kind!r}")
    item_type, method_expected = SCALE_KINDS.get(kind, (None, None))
    method = spec.get("method", method_expected)
    if method_expected is not None and method != method_expected:
        p.add(where, "method", f"a {kind} scale is scored by {method_expected!r}, got {method!r}")
    ids = spec.get("items")
    if not isinstance(ids, list) or not ids:
        p.add(where, "items", f"must be a non-empty list of item ids, got {ids!r}")
        ids = []
    for iid in ids:
        it = by_id.get(iid)
        if it is None:
            p.add(where, "items", f"unknown item {iid!r}")
            continue
        if item_type is not None and it.type != item_type:
            p.add(where, "items", f"{iid} is a {it.type} item; a {kind} scale takes {item_type} items")
        if domain is not None and it.domain != domain:
            p.add(where, "items", f"{iid} belongs to domain {it.domain!r}, not {domain!r}")
        if iid in owner:
            p.add(where, "items", f"{iid} is already in scale {owner[iid]!r}; an item belongs to one scale")
        owner.setdefault(iid, sid)
    if len(set(ids)) != len(ids):
        p.add(where, "items", "lists an item twice")
    min_valid = spec.get("min_valid")
    if not isinstance(min_valid, int) or isinstance(min_valid, bool) or not 1 <= min_valid <= max(len(ids), 1):
        p.add(where, "min_valid", f"must be an integer from 1 to the number of items ({len(ids)}), "
              f"got {min_valid!r}")
        min_valid = len(ids)
    score_range = _score_range(p, where, kind, [by_id[i] for i in ids if i in by_id], response_sets)
    levels = _levels(p, spec.get("levels"), where, score_range)
    return Scale(sid, domain, str(kind), tuple(ids), str(method), int(min_valid), levels,
                 F.texts(p, spec.get("label"), langs, where, "label", optional=True))


def _score_range(p, where, kind, items: list[Item], response_sets) -> tuple[float, float] | None:
    """The lowest and highest score of the scale (None when its items do not say)."""
    if kind == "knowledge":
        return 0.0, float(len(items))
    ranges = {}
    for it in items:
        rs = response_sets.get(it.response_set) if it.response_set else None
        if rs is not None and rs.codes:
            ranges.setdefault((float(rs.min), float(rs.max)), it.id)
    if len(ranges) > 1:
        shown = "; ".join(f"{iid} runs {lo:g}-{hi:g}" for (lo, hi), iid in ranges.items())
        p.add(where, "items", f"the items of a self-report scale must share one response range: {shown}")
    return next(iter(ranges), None)


def _levels(p, raw, where, score_range: tuple[float, float] | None) -> dict[str, float]:
    lo, hi = score_range if score_range is not None else (None, None)
    span = f" (the scale runs from {lo:g} to {hi:g})" if lo is not None else ""
    low = {"low": lo if lo is not None else float("-inf")}
    if not isinstance(raw, Mapping) or "basic" not in raw:
        p.add(where, "levels", f"must give the lower bounds {{basic: <score>, above_basic: <score>}}{span}; "
              f"scores below basic are low; got {raw!r}")
        return low
    for key in sorted(set(map(str, raw)) - {"basic", "above_basic"}):
        p.add(where, f"levels.{key}", "unknown level; give basic and above_basic (low is what lies below basic)")
    out = dict(low)
    prev = lo
    for level in LEVELS[1:]:
        if level not in raw:
            continue
        v = raw[level]
        ok = isinstance(v, int | float) and not isinstance(v, bool)
        if ok and ((prev is not None and not v > prev) or (hi is not None and v > hi)):
            ok = False
        if not ok:
            bounds = [f"above {prev:g}"] if prev is not None else []
            bounds += [f"at most {hi:g}"] if hi is not None else []
            p.add(where, f"levels.{level}", f"must be a number {' and '.join(bounds)}{span}, got {v!r}")
            continue
        out[level] = float(v)
        prev = float(v)
    return out


__all__ = ["SCALE_KEYS", "SCALE_KINDS", "scales", "with_scale"]
