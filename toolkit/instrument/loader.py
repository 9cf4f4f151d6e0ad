"""Read questionnaire YAML, check every rule of the schema, build an :class:`Instrument`.

The checks gather every problem in one pass: a broken file raises one
:class:`~toolkit.errors.InstrumentError` whose message lists each problem
(file, item, field, what is wrong) and whose ``.problems`` DataFrame has one
row per problem. The schema itself is documented in questionnaires/SCHEMA.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import UnknownInstrumentError
from toolkit.instrument import _codes
from toolkit.instrument import _fields as F
from toolkit.instrument import _scales
from toolkit.instrument._index import parse_index
from toolkit.instrument._locate import locator
from toolkit.instrument import rules as R
from toolkit.instrument.schema import Domain, Instrument, Item, Outcome, ResponseSet, Section
from toolkit.instrument.vocabulary import CODED_TYPES, ITEM_TYPES

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_INSTRUMENT_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_TOP_KEYS = {"id", "version", "languages", "title", "description", "missing_codes", "response_sets",
             "domains", "sections", "scales", "outcomes", "index"}
_REQUIRED_KEYS = ("id", "version", "languages", "title", "sections")
_ITEM_KEYS = {"id", "type", "text", "response_set", "domain", "reverse", "correct", "relevant",
              "required", "optional", "min", "max", "hint", "check", "exclusive"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


# --------------------------------------------------------------------------- YAML reading
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # the C parser where libyaml is present
    """SafeLoader that records duplicate mapping keys instead of silently keeping the last, and every line."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []
        self.lines: dict[int, dict[str, int]] = {}  # id(mapping) -> {"": its line, key: the key's line}

    def construct_mapping(self, node, deep=False):
        seen = set()
        lines = {"": node.start_mark.line + 1}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            try:
                seen.add(key)
            except TypeError:
                pass
            lines.setdefault(str(key), key_node.start_mark.line + 1)
        mapping = super().construct_mapping(node, deep=deep)
        self.lines[id(mapping)] = lines
        return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)

#: the most YAML nodes a definition may expand to once aliases are followed (the full instrument has ~3,300)
MAX_NODES = 200_000


def _expanded_size(node: yaml.Node) -> int:
    """How many nodes ``node`` becomes once every alias is expanded (each shared node counted once per use).

    Linear in the composed graph (shared nodes are memoised), so a billion-laughs file is measured, not expanded.
    """
    sizes: dict[int, int] = {}
    stack = [(node, False)]
    while stack:
        current, done = stack.pop()
        if id(current) in sizes:
            continue
        value = current.value
        children = [] if isinstance(current, yaml.ScalarNode) else \
            [c for pair in value for c in pair] if isinstance(current, yaml.MappingNode) else list(value)
        if done or not children:
            sizes[id(current)] = min(1 + sum(sizes[id(c)] for c in children), 10 * MAX_NODES)
            continue
        stack.append((current, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(node)]


# --------------------------------------------------------------------------- locating files
def _bundled_dir():
    return resources.files("toolkit") / "questionnaires"


def available_instruments() -> list[str]:
    """Ids of the bundled instruments.

    Examples
    --------
    >>> available_instruments()
    ['dis-full', 'dis-screener']
    """
    return sorted(p.name[: -len(".yaml")] for p in _bundled_dir().iterdir() if p.name.endswith(".yaml"))


def load_instrument(source: str | PathLike) -> Instrument:
    """Load and validate an instrument: a bundled id or a path to a YAML file.

    Parameters
    ----------
    source : str or path-like
        A bundled id (``"dis-full"``, ``"dis-screener"``) or a YAML file.

    Returns
    -------
    Instrument

    Raises
    ------
    UnknownInstrumentError
        Unknown id or missing file (the message lists the bundled ids).
    InstrumentError
        The file breaks the schema; ``.problems`` lists every problem.

    Examples
    --------
    >>> inst = load_instrument("dis-full")
    >>> inst.id, inst.version, inst.languages
    ('dis-full', '1.0.0', ('en', 'da'))
    >>> inst.item("prac_k1").type
    'knowledge'
    """
    if isinstance(source, Instrument):
        return source
    from toolkit.instrument import xlsform  # reads .xlsx/.xls forms and overlays, validated by _build below

    text = str(source)
    if isinstance(source, PathLike) or text.lower().endswith((".yaml", ".yml", *xlsform.SUFFIXES)) or "/" in text \
            or "\\" in text:
        path = Path(source)
        if not path.is_file():
            raise UnknownInstrumentError(
                f"no instrument file {text}; bundled instruments: {', '.join(available_instruments())}")
        if xlsform.is_xlsform(path):  # an XLSForm workbook, or a YAML overlay naming one
            return xlsform.load(path, build=_build)
        return _load_file(str(path.resolve()), path.stat().st_mtime_ns)
    if text not in available_instruments():
        raise UnknownInstrumentError(
            f"unknown instrument {text!r}; available: {', '.join(available_instruments())}")
    return _load_bundled(text)


@functools.lru_cache(maxsize=8)
def _load_bundled(instrument_id: str) -> Instrument:
    res = _bundled_dir() / f"{instrument_id}.yaml"
    return parse_instrument(res.read_text(encoding="utf-8"), file=f"questionnaires/{instrument_id}.yaml")


@functools.lru_cache(maxsize=8)
def _load_file(path: str, mtime_ns: int) -> Instrument:  # mtime in the key: an edited file reloads
    return parse_instrument(Path(path).read_text(encoding="utf-8"), file=path)


def parse_instrument(text: str, *, file: str = "<string>") -> Instrument:
    """Validate YAML text and build the Instrument (``file`` names it in errors).

    Examples
    --------
    >>> parse_instrument("id: x\\nversion: 1", file="x.yaml")
    Traceback (most recent call last):
    ...
    toolkit.errors.InstrumentError: x.yaml: ... problems in the instrument definition:
    ...
    """
    p = F.Problems(file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_NODES:
            p.add(None, None, f"the YAML expands to more than {MAX_NODES:,} values once its aliases (*name) are "
                              "followed; write the definition out instead of nesting anchors")
            p.raise_if_any()
        doc = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        p.add(None, None, f"not valid YAML ({where}): {getattr(exc, 'problem', exc)}")
        p.raise_if_any()
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        p.add(None, key, f"duplicate key {key!r} (line {line}); YAML would silently keep only the last one")
    if not isinstance(doc, Mapping):
        p.add(None, None, f"the file must hold a mapping with id, version, languages, ..., got {F.shown(doc)}")
        p.raise_if_any()
    p.locate = locator(doc, loader.lines)
    return _build(doc, p)


def _build(doc: Mapping, p: F.Problems) -> Instrument:
    for key in sorted(set(map(str, doc)) - _TOP_KEYS):
        p.add(None, key, f"unknown top-level field; expected one of {', '.join(sorted(_TOP_KEYS))}")
    for key in _REQUIRED_KEYS:
        if key not in doc:
            p.add(None, key, "required field is missing")

    inst_id = doc.get("id")
    if inst_id is not None and not (isinstance(inst_id, str) and _INSTRUMENT_ID.match(inst_id)):
        p.add(None, "id", f"must be lower-case letters, digits and '-', got {inst_id!r}")
    version = doc.get("version")
    if version is not None and not isinstance(version, str):
        p.add(None, "version", f"must be a quoted text such as \"1.0.0\", got {version!r}")
    langs = _languages(p, doc)
    title = F.texts(p, doc.get("title"), langs, None, "title")
    description = F.texts(p, doc.get("description"), langs, None, "description", optional=True)

    raw_missing = doc.get("missing_codes")
    missing = (_codes.default_missing_codes(langs) if raw_missing is None
               else _codes.missing_codes(p, raw_missing, langs))
    response_sets = _codes.response_sets(p, doc.get("response_sets"), langs, missing, lambda n: _NAME.match(n))
    domains = _domains(p, doc.get("domains"), langs)
    sections, raw_items = _sections(p, doc.get("sections"), langs)
    items = _items(p, raw_items, langs, response_sets, domains)
    scales = _scales.scales(p, doc.get("scales"), langs, items, domains, response_sets)
    items = [_scales.with_scale(it, scales) for it in items]
    outcomes = _outcomes(p, doc.get("outcomes"), langs, items, scales, domains, response_sets)
    index = parse_index(p, doc.get("index"), langs, items, scales, domains, response_sets)
    p.raise_if_any()
    return Instrument(
        id=inst_id, version=version, languages=langs, title=title, description=description,
        response_sets=response_sets, missing=missing, domains=domains, sections=sections,
        items=items, scales=scales, outcomes=outcomes, source=p.file, index=index,
    )


def _languages(p, doc: Mapping) -> tuple[str, ...]:
    """The declared languages (at least one); without a valid list, those of the title (or English)."""
    raw = doc.get("languages")
    title = doc.get("title")
    fallback = tuple(map(str, title)) if isinstance(title, Mapping) and title else ("en",)
    if raw is None:
        return fallback
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        p.add(None, "languages", f"must be a non-empty list of language codes such as [en] or [nb, en], got {raw!r}")
        return fallback
    for i, lang in enumerate(raw):
        if not _LANGUAGE.match(lang):
            p.add(None, f"languages[{i}]", f"must be a language code such as en, da, nb or pt-BR, got {lang!r}")
        if raw.index(lang) != i:
            p.add(None, f"languages[{i}]", f"language {lang!r} is listed twice")
    return tuple(dict.fromkeys(raw))


def _domains(p, raw, langs) -> dict[str, Domain]:
    out: dict[str, Domain] = {}
    raw = F.mapping(p, raw, "domains", "must map a domain id to its label and description")
    if raw is None:
        return out
    for did, spec in raw.items():
        where = f"domains.{did}"
        spec = spec if isinstance(spec, Mapping) else {}
        out[str(did)] = Domain(str(did), F.texts(p, spec.get("label"), langs, where, "label"),
                               F.texts(p, spec.get("description"), langs, where, "description", optional=True))
    return out


def _sections(p, raw, langs) -> tuple[list[Section], list[tuple[str, Any]]]:
    sections, items, seen = [], [], set()
    if not isinstance(raw, list):
        if raw is not None:
            p.add(None, "sections", f"must be a list of sections, each with id, label and items, got {F.shown(raw)}")
        return sections, items
    for i, spec in enumerate(raw):
        if not isinstance(spec, Mapping):
            p.add(f"sections[{i}]", None, f"must be a mapping with id, label and items, got {F.shown(spec)}")
            continue
        sid = spec.get("id")
        where = f"sections.{sid}" if sid else f"sections[{i}]"
        if not isinstance(sid, str) or not _NAME.match(sid):
            p.add(where, "id", f"must be lower-case letters, digits and '_', got {sid!r}")
        elif sid in seen:
            p.add(where, "id", f"duplicate section id {sid!r}")
        seen.add(sid)
        label = F.texts(p, spec.get("label"), langs, where, "label")
        raw_items = spec.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            p.add(where, "items", f"must be a non-empty list of items, got {F.shown(raw_items)}")
            raw_items = []
        ids = tuple(str(it.get("id")) for it in raw_items if isinstance(it, Mapping))
        sections.append(Section(str(sid), label, ids))
        items.extend((str(sid), it) for it in raw_items)
    return sections, items


def _items(p, raw_items, langs, response_sets, domains) -> list[Item]:
    items: list[Item] = []
    seen: dict[str, Item] = {}
    count: dict[str, int] = {}
    for section, raw in raw_items:
        pos = count[section] = count.get(section, -1) + 1  # the item's place in its section's items
        if not isinstance(raw, Mapping):
            p.add(f"sections.{section}[{pos}]", None, f"an item must be a mapping, got {F.shown(raw)}")
            continue
        item = _item(p, raw, section, pos, langs, response_sets, domains, seen)
        if isinstance(raw.get("id"), str) and raw["id"] not in seen:
            seen[raw["id"]] = item
        items.append(item)
    return items


def _item(p, raw, section, pos, langs, response_sets, domains, seen) -> Item:
    """One item, checked field by field against its type (every problem is reported, in field order)."""
    iid = raw.get("id")
    where = str(iid) if iid is not None else f"sections.{section}[{pos}]"
    if not isinstance(iid, str) or not _NAME.match(iid) or iid in R._KEYWORDS:
        p.add(where, "id", f"must be lower-case letters, digits and '_', starting with a letter, got {iid!r}")
    elif iid in seen:
        p.add(where, "id", f"duplicate item id {iid!r}")
    for key in sorted(set(map(str, raw)) - _ITEM_KEYS):
        p.add(where, key, f"unknown field; expected one of {', '.join(sorted(_ITEM_KEYS))}")
    typ = raw.get("type")
    if typ not in ITEM_TYPES:
        p.add(where, "type", f"must be one of {', '.join(ITEM_TYPES)}, got {typ!r}")
    text = F.texts(p, raw.get("text"), langs, where, "text")
    hint = F.texts(p, raw.get("hint"), langs, where, "hint", optional=True) or None
    rs = _item_response_set(p, raw.get("response_set"), typ, where, response_sets)
    domain = raw.get("domain")
    if domain is not None and domain not in domains:
        p.add(where, "domain", f"unknown domain {domain!r}; defined: {', '.join(domains) or '(none)'}")
    if typ == "knowledge" and domain is None:
        p.add(where, "domain", "a knowledge item needs a domain")
    reverse, correct = _scoring_key(p, raw, typ, rs, where)
    lo, hi = F.number(p, raw, "min", where), F.number(p, raw, "max", where)
    if (lo is not None or hi is not None) and typ != "numeric":
        p.add(where, "min" if lo is not None else "max", f"only numeric items take min/max; this is a {typ} item")
    if lo is not None and hi is not None and lo > hi:
        p.add(where, "min", f"min {lo} is above max {hi}")
    check = _attention_check(p, raw.get("check"), rs, where)
    exclusive = _exclusive(p, raw.get("exclusive", []), typ, rs, where)
    required = F.boolean(p, raw, "required", typ != "text", where)
    optional = F.boolean(p, raw, "optional", False, where)
    relevant = raw.get("relevant")
    rule = _item_rule(p, relevant, where, seen, iid, response_sets) if relevant is not None else None
    return Item(id=str(iid), section=section, type=str(typ), text=text, response_set=rs.name if rs else None,
                domain=domain, reverse=reverse, correct=correct, relevant=rule.source if rule is not None else None,
                required=required, optional=optional, min=lo, max=hi, hint=hint, check=check, exclusive=exclusive,
                rule=rule)


def _item_response_set(p, name, typ, where, response_sets) -> ResponseSet | None:
    """The response set a coded item names; a numeric or text item takes none."""
    if typ not in ITEM_TYPES:  # the bad type is reported already; no second error about its response set
        return response_sets.get(name) if isinstance(name, str) else None
    if typ not in CODED_TYPES:
        if name is not None:
            p.add(where, "response_set", f"a {typ} item takes no response_set")
        return None
    if name is None:
        p.add(where, "response_set", f"a {typ} item needs a response_set")
    elif name not in response_sets:
        p.add(where, "response_set", f"unknown response set {name!r}; defined: "
              f"{', '.join(sorted(response_sets)) or '(none)'}")
    else:
        return response_sets[name]
    return None


def _scoring_key(p, raw, typ, rs, where) -> tuple[bool, int | None]:
    """``reverse`` (likert items only) and the keyed ``correct`` code (knowledge items only)."""
    reverse = F.boolean(p, raw, "reverse", False, where)
    if reverse and typ != "likert":
        p.add(where, "reverse", "only likert items can be reverse-keyed")
    correct = raw.get("correct")
    if typ == "knowledge":
        if correct is None:
            p.add(where, "correct", "a knowledge item needs the keyed correct code")
        elif rs is not None and correct not in rs.valid_codes:
            p.add(where, "correct", f"{correct!r} is not a substantive code of response set {rs.name!r}")
    elif correct is not None:
        p.add(where, "correct", "only knowledge items have a correct answer")
    return reverse, correct if typ == "knowledge" else None


def _attention_check(p, check, rs, where) -> dict | None:
    if check is None:
        return None
    exp = check.get("expected") if isinstance(check, Mapping) else None
    if rs is None or exp not in rs.valid_codes:
        p.add(where, "check", f"must be {{expected: <a substantive code of the item>}}, got {check!r}")
        return None
    return {"expected": exp}


def _exclusive(p, exclusive, typ, rs, where) -> tuple[int, ...]:
    if exclusive and typ != "multiple":
        p.add(where, "exclusive", "only select-multiple items have exclusive answers")
        return ()
    if not isinstance(exclusive, list) or (rs is not None and not set(exclusive) <= rs.valid_codes):
        p.add(where, "exclusive", f"must be a list of substantive codes of the item, got {exclusive!r}")
        return ()
    return tuple(exclusive)


def _item_rule(p, text, where, earlier: Mapping[str, Item], own_id, response_sets) -> R.Rule | None:
    try:
        rule = R.parse(text)
    except R.RuleSyntaxError as exc:
        p.add(where, "relevant", f"cannot parse skip rule {text!r}: {exc}")
        return None
    for leaf in rule.comparisons():
        var = leaf.var
        if var == own_id:
            p.add(where, "relevant", f"skip rule refers to the item itself ({var})")
        elif var not in earlier:
            p.add(where, "relevant", f"skip rule refers to {var!r}, which is not an earlier item "
                  "(it does not exist or comes later)")
        else:
            _check_leaf(p, leaf, earlier[var], response_sets, where, "relevant")
    return rule


def _check_leaf(p, leaf, target: Item, response_sets, where, fld) -> None:
    """A leaf that names an item must fit that item's type and codes."""
    if target.type == "text":
        p.add(where, fld, f"{target.id} is a text item and cannot be used in a rule")
        return
    is_sel = isinstance(leaf, R.Selected)
    if target.type == "multiple" and not is_sel:
        p.add(where, fld, f"{target.id} is select-multiple: use selected({target.id}, <code>)")
    if is_sel and target.type != "multiple":
        p.add(where, fld, f"selected() needs a select-multiple item; {target.id} is {target.type}")
    rs = response_sets.get(target.response_set) if target.response_set else None
    exact = isinstance(leaf, R.In | R.Selected) or leaf.op in ("==", "!=")
    for v in leaf.values():
        if isinstance(v, str):
            p.add(where, fld, f"{target.id} holds numbers; compare it with a number, not {v!r}")
        elif rs is not None and v in rs.missing_codes:
            p.add(where, fld, f"{target.id}: {v} is a missing code; comparisons with missing values are "
                  "always False")
        elif rs is not None and exact and v not in rs.valid_codes:
            p.add(where, fld, f"{target.id} has no code {v}; its codes are {sorted(rs.valid_codes)}")


def _outcomes(p, raw, langs, items, scales, domains, response_sets) -> dict[str, Outcome]:
    out: dict[str, Outcome] = {}
    raw = F.mapping(p, raw, "outcomes", "must map an outcome id to its label and rule")
    if raw is None:
        return out
    by_id = {it.id: it for it in items}
    level_cols = {s.level_column: s for s in scales.values()}
    for oid, spec in raw.items():
        where = f"outcomes.{oid}"
        spec = spec if isinstance(spec, Mapping) else {}
        label = F.texts(p, spec.get("label"), langs, where, "label")
        desc = F.texts(p, spec.get("description"), langs, where, "description", optional=True) or None
        text = spec.get("rule")
        try:
            rule = R.parse(text)
        except R.RuleSyntaxError as exc:
            p.add(where, "rule", f"cannot parse rule {text!r}: {exc}")
            continue
        for leaf in rule.comparisons():
            if leaf.var in by_id:
                _check_leaf(p, leaf, by_id[leaf.var], response_sets, where, "rule")
            elif leaf.var in level_cols:
                scale = level_cols[leaf.var]
                for v in leaf.values():
                    if v not in scale.levels:
                        p.add(where, "rule", f"{leaf.var} takes the levels {', '.join(scale.levels)}; got {v!r}")
            elif leaf.var not in scales:
                p.add(where, "rule", f"rule refers to {leaf.var!r}, which is neither an item, a scale nor "
                      "a scale level column (<scale>_level)")
        out[str(oid)] = Outcome(str(oid), label, rule.source, rule, desc)
    return out
