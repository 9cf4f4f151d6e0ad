"""Check and build the instrument's ``index:`` block (the Digital Inclusion Index).

Like the rest of the loader, every problem is recorded (file, item, field,
message) and a safe default returned, so one InstrumentError lists them all.
The block is documented in questionnaires/SCHEMA.md ("Index").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolkit.instrument import _fields as F
from toolkit.instrument.schema import Band, IndexComponent, IndexItem, IndexSpec

_INDEX_KEYS = {"label", "components", "bands", "excluded", "sensitivity"}
_COMPONENT_KEYS = {"label", "weight", "min_valid", "items", "domains", "knowledge_share"}
_ITEM_KEYS = {"points", "reverse", "not_asked"}
_SENSITIVITY = {"weight_concentration": 30.0, "threshold_jitter": 2.0, "knowledge_share": None}
_INTERVAL = re.compile(r"^\s*([\[(])\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*([\])])\s*$")


def _unknown(p, raw: Mapping, allowed: set[str], where: str) -> None:
    for key in sorted(set(map(str, raw)) - allowed):
        p.add(where, key, f"unknown field; expected one of {', '.join(sorted(allowed))}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _points(p, raw, where: str, codes: set[int]) -> dict[int, float] | None:
    if not isinstance(raw, Mapping) or not raw:
        p.add(where, "points", f"must map each substantive code to points from 0 to 100, got {raw!r}")
        return None
    out = {}
    for code, pts in raw.items():
        if code not in codes:
            p.add(where, "points", f"{code!r} is not a substantive code of the item ({sorted(codes)})")
        elif not _is_number(pts) or not 0 <= pts <= 100:
            p.add(where, f"points.{code}", f"must be a number from 0 to 100, got {pts!r}")
        else:
            out[int(code)] = float(pts)
    for code in sorted(codes - set(raw)):
        p.add(where, "points", f"gives no points for code {code}")
    return out


def _item(p, where: str, iid: str, spec: Any, by_id, response_sets) -> IndexItem | None:
    where = f"{where}.items.{iid}"
    it = by_id.get(iid)
    if it is None:
        p.add(where, None, f"unknown item {iid!r}")
        return None
    spec = {} if spec is None else spec
    if not isinstance(spec, Mapping):
        p.add(where, None, f"must be a mapping with points, reverse or not_asked, got {spec!r}")
        return None
    _unknown(p, spec, _ITEM_KEYS, where)
    if it.type not in ("likert", "single", "multiple"):
        p.add(where, None, f"{iid} is a {it.type} item; the index takes likert, single and multiple items")
        return None
    codes = response_sets[it.response_set].valid_codes if it.response_set in response_sets else set()
    points = _points(p, spec["points"], where, codes) if "points" in spec else None
    if points is None and it.type != "likert" and "points" not in spec:
        p.add(where, "points", f"a {it.type} item needs points (code -> 0..100)")
    reverse = F.boolean(p, spec, "reverse", False, where)
    if reverse and it.type != "likert":
        p.add(where, "reverse", "only a likert item scored without points can be reversed")
    not_asked = F.number(p, spec, "not_asked", where)
    if not_asked is not None and not 0 <= not_asked <= 100:
        p.add(where, "not_asked", f"must be a number from 0 to 100, got {not_asked!r}")
    if not_asked is not None and it.rule is None:
        p.add(where, "not_asked", f"{iid} has no skip rule, so it is always asked")
    return IndexItem(iid, points, reverse, None if not_asked is None else float(not_asked))


def _count(p, spec: Mapping, where: str, n: int) -> int:
    v = spec.get("min_valid", n)
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= max(n, 1):
        p.add(where, "min_valid", f"must be an integer from 1 to {n}, got {v!r}")
        return max(n, 1)
    return v


def _share(p, v: Any, where: str, fld: str) -> float | None:
    if not _is_number(v) or not 0 <= v <= 1:
        p.add(where, fld, f"must be a number from 0 to 1, got {v!r}")
        return None
    return float(v)


def _competence(p, spec: Mapping, where: str, domains, scales) -> tuple[tuple[str, ...], float | None]:
    raw = spec.get("domains")
    if not isinstance(raw, list) or not raw:
        p.add(where, "domains", f"must be a non-empty list of domains, got {raw!r}")
        return (), None
    for d in raw:
        if d not in domains:
            p.add(where, "domains", f"unknown domain {d!r}")
        elif not any(s.domain == d for s in scales.values()):
            p.add(where, "domains", f"domain {d!r} has no scale")
    share = spec.get("knowledge_share")
    if share is None:
        p.add(where, "knowledge_share", "required for a competence component (0: self-report only, 1: "
              "knowledge only)")
    return tuple(map(str, raw)), None if share is None else _share(p, share, where, "knowledge_share")


def _component(p, cid: str, spec: Any, langs, ctx) -> IndexComponent | None:
    where = f"index.components.{cid}"
    if not isinstance(spec, Mapping):
        p.add(where, None, "must be a mapping with label, weight and items or domains")
        return None
    _unknown(p, spec, _COMPONENT_KEYS, where)
    label = F.texts(p, spec.get("label"), langs, where, "label")
    weight = spec.get("weight")
    if not _is_number(weight) or weight <= 0:
        p.add(where, "weight", f"must be a positive number, got {weight!r}")
        weight = 1.0
    if ("items" in spec) == ("domains" in spec):
        p.add(where, None, "needs either items (points per answer) or domains (competence scales), not both")
        return None
    if "domains" in spec:
        doms, share = _competence(p, spec, where, ctx["domains"], ctx["scales"])
        return IndexComponent(cid, label, float(weight), _count(p, spec, where, len(doms)), (), doms, share)
    raw = spec["items"]
    if not isinstance(raw, Mapping) or not raw:
        p.add(where, "items", "must map each item id to how it is scored ({} for a likert item)")
        return None
    items = [_item(p, where, str(i), s, ctx["items"], ctx["response_sets"]) for i, s in raw.items()]
    items = tuple(it for it in items if it is not None)
    return IndexComponent(cid, label, float(weight), _count(p, spec, where, len(raw)), items)


def _interval(p, bid: str, text: Any) -> Band | None:
    m = _INTERVAL.match(text) if isinstance(text, str) else None
    if m is None or float(m.group(2)) >= float(m.group(3)):
        p.add("index.bands", bid, f"must be an interval such as \"(45, 61)\" or \"[80, 100]\", got {text!r}")
        return None
    return Band(bid, float(m.group(2)), float(m.group(3)), m.group(1) == "[", m.group(4) == "]")


def _bands(p, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, Mapping) or len(raw) < 2:
        p.add("index.bands", None, "must map at least two band ids to intervals covering 0 to 100")
        return ()
    bands = [_interval(p, str(b), t) for b, t in raw.items()]
    if any(b is None for b in bands):
        return ()
    if not (bands[0].lower == 0 and bands[0].lower_closed and bands[-1].upper == 100 and bands[-1].upper_closed):
        p.add("index.bands", None, "the bands must start at [0 and end at 100]")
    for a, b in zip(bands, bands[1:], strict=False):
        if a.upper != b.lower or a.upper_closed == b.lower_closed:
            p.add("index.bands", b.id, f"{b} must start where {a.id} {a} ends, the boundary in exactly one band")
    return tuple(bands)


def _sensitivity(p, raw: Any, share: float | None) -> dict:
    where = "index.sensitivity"
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        p.add(where, None, f"must be a mapping with {', '.join(_SENSITIVITY)}")
        raw = {}
    _unknown(p, raw, set(_SENSITIVITY), where)
    out = {k: float(raw.get(k, v)) if _is_number(raw.get(k, v)) else v for k, v in _SENSITIVITY.items()
           if k != "knowledge_share"}
    for k in ("weight_concentration", "threshold_jitter"):
        if k in raw and (not _is_number(raw[k]) or raw[k] < 0 or (k == "weight_concentration" and raw[k] == 0)):
            p.add(where, k, f"must be a {'positive' if k == 'weight_concentration' else 'non-negative'} "
                  f"number, got {raw[k]!r}")
    rng = raw.get("knowledge_share", [share, share] if share is not None else [0.0, 0.0])
    if not (isinstance(rng, list) and len(rng) == 2 and all(_is_number(v) and 0 <= v <= 1 for v in rng)
            and rng[0] <= rng[1]):
        p.add(where, "knowledge_share", f"must be a range [low, high] within 0 to 1, got {rng!r}")
        rng = [share or 0.0, share or 0.0]
    elif share is not None and not rng[0] <= share <= rng[1]:
        p.add(where, "knowledge_share", f"the range {rng} must include the declared knowledge_share {share:g}")
    out["knowledge_share"] = (float(rng[0]), float(rng[1]))
    return out


def _excluded(p, raw: Any, bands: tuple[Band, ...]) -> tuple[str, ...]:
    ids = [b.id for b in bands]
    if raw is None:
        return tuple(ids[: len(ids) // 2])
    if not isinstance(raw, list) or not raw or raw != ids[: len(raw)] or len(raw) == len(ids):
        p.add("index", "excluded", f"must list the lowest bands, in order, that count as excluded (some of "
              f"{', '.join(ids)}), got {raw!r}")
        return tuple(ids[: len(ids) // 2])
    return tuple(raw)


def parse_index(p, raw: Any, langs, items, scales, domains, response_sets) -> IndexSpec | None:
    """The ``index:`` block as an :class:`IndexSpec` (None when the instrument declares no index).

    Examples
    --------
    >>> p = F.Problems("x.yaml")
    >>> parse_index(p, {"bands": {"low": "[0, 50)"}}, ("en",), [], {}, {}, {}) is None, p.rows[-1]["item"]
    (True, 'index.bands')
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        p.add("index", None, "must be a mapping with label, components, bands and sensitivity")
        return None
    _unknown(p, raw, _INDEX_KEYS, "index")
    label = F.texts(p, raw.get("label"), langs, "index", "label")
    ctx = {"items": {it.id: it for it in items}, "scales": scales, "domains": domains,
           "response_sets": response_sets}
    comps = raw.get("components")
    if not isinstance(comps, Mapping) or not comps:
        p.add("index", "components", "must map each component id to its label, weight and items or domains")
        comps = {}
    built = {str(c): _component(p, str(c), s, langs, ctx) for c, s in comps.items()}
    components = {c: v for c, v in built.items() if v is not None}
    bands = _bands(p, raw.get("bands"))
    shares = [c.knowledge_share for c in components.values() if c.kind == "competence"]
    sensitivity = _sensitivity(p, raw.get("sensitivity"), shares[0] if shares else None)
    excluded = _excluded(p, raw.get("excluded"), bands)
    if not components or not bands:
        return None
    return IndexSpec(label, components, bands, sensitivity, excluded)


__all__ = ["parse_index"]
