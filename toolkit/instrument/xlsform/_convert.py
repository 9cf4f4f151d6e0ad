"""Turn the rows of an XLSForm into the instrument spec dict the YAML loader validates.

The result is a :class:`Conversion`: the spec (the same mapping a YAML file
holds), a report of everything not imported as written (skipped rows,
recoded choices, untranslated expressions, fallbacks between languages), the
problems that refuse the form (repeats, unknown types), and the sheet row of
every item, section and choice list so validation problems can name them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.instrument.vocabulary import DEFAULT_MISSING_CODES
from toolkit.instrument.xlsform._types import classify
from toolkit.instrument.xlsform._workbook import Row, Sheet, language_code
from toolkit.instrument.xlsform._xpath import Target, Untranslatable, translate

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_WORDS = {"and", "or", "not", "in", "selected"}
_TRUE = {"yes", "true", "true()", "1"}
_BOUND = re.compile(r"^\(?\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*\)?$")
_EXCLUSIVE = re.compile(r"^not\(\((.*)\)\s+and\s+count-selected\(\.\)\s*>\s*1\)$")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_SELECTED_DOT = re.compile(r"selected\(\s*\.\s*,\s*'([^']*)'\s*\)")
#: the hidden field the toolkit's own XLSForms carry: such a form uses the default missing codes
VERSION_FIELD = "instrument_version"


@dataclass
class Conversion:
    """A workbook turned into an instrument spec, with everything a message or a report needs."""

    file: str
    spec: dict[str, Any]
    report: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str | None, str]] = field(default_factory=list)  # (where, column, message)
    item_rows: dict[str, Row] = field(default_factory=dict)
    section_rows: dict[str, Row] = field(default_factory=dict)
    list_rows: dict[str, Row] = field(default_factory=dict)
    choice_names: dict[str, dict[str, int]] = field(default_factory=dict)  # response set -> choice name -> code
    list_names: dict[str, str] = field(default_factory=dict)  # response set -> the form's list_name
    untranslated: dict[str, str] = field(default_factory=dict)  # item id -> the expression kept as documentation
    headers: dict[str, Mapping[str, str]] = field(default_factory=dict)  # sheet -> column -> header
    language_headers: dict[str, str] = field(default_factory=dict)  # language code -> as written in the form

    def note(self, row: Row | None, column: str | None, action: str, detail: str) -> None:
        """Add one line to the import report."""
        self.report.append({"sheet": row.sheet if row else None, "row": row.number if row else None,
                            "name": row.get("name") if row else None, "column": column,
                            "action": action, "detail": detail})


def item_id(name: str) -> str:
    """The item id of an XLSForm name: lower case, ``_`` for other characters, never a rule keyword.

    Examples
    --------
    >>> item_id("Q1a"), item_id("respondent-age"), item_id("_index"), item_id("in")
    ('q1a', 'respondent_age', 'q_index', 'in_q')
    """
    out = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if not out or not out[0].isalpha():
        out = "q_" + out.lstrip("_")
    return out + "_q" if out in _RULE_WORDS else out


def _instrument_id(text: str) -> str:
    out = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    return out if out[:1].isalpha() else f"form-{out}".rstrip("-")


class _Converter:
    def __init__(self, sheets: Mapping[str, Sheet], file: str, missing: Mapping[str, str] | None):
        self.sheets = sheets
        self.conv = Conversion(file, {})
        self.survey = sheets["survey"]
        self.choices = sheets.get("choices")
        settings = sheets.get("settings")
        self.settings = settings.rows[0].cells if settings is not None and settings.rows else {}
        self.conv.headers = {name: s.headers for name, s in sheets.items()}
        self.missing_given = missing
        self.lists: dict[str, list[Row]] = {}
        self.targets: dict[str, Target | str] = {}
        self.names = {r.get("name") for r in self.survey.rows if r.get("name")}
        self.sections: list[dict[str, Any]] = []
        self.used_lists: dict[str, tuple[str, bool]] = {}  # response set -> (list name, or_other)

    # ------------------------------------------------------------------ languages and texts
    def languages(self) -> None:
        raw = self.settings.get("default_language")
        self.default = language_code(raw) if raw else "en"
        codes: dict[str | None, str] = {}
        for sheet in (self.survey, self.choices):
            for lang in sheet.languages if sheet is not None else ():
                if lang not in codes:
                    codes[lang] = self.default if lang is None else language_code(lang)
        self.lang_of = codes
        self.langs = list(dict.fromkeys(codes.values())) or [self.default]
        for lang, code in codes.items():
            self.conv.language_headers.setdefault(code, lang or "(no language)")
        for lang, code in codes.items():
            if lang is not None and code != lang.strip() and not lang.strip().endswith(f"({code})"):
                self.conv.note(None, None, "language", f"language {lang!r} is imported as {code!r}")
        if None in codes and not raw:
            self.conv.note(None, None, "language", f"plain 'label' columns are imported as language {self.default!r} "
                           "(settings has no default_language)")

    def texts(self, row: Row, kind: str, fallback: str | None = None) -> dict[str, str] | None:
        found: dict[str, str] = {}
        for (k, lang), text in row.texts.items():
            if k == kind:
                code = self.lang_of.get(lang, self.default)
                if lang is not None or code not in found:
                    found[code] = text
        if not found:
            if fallback is None:
                return None
            found = {self.langs[0]: fallback}
            if kind == "label":
                self.conv.note(row, "label", "label", f"no label; the name {fallback!r} is used as its text")
        first = next(found[lang] for lang in self.langs if lang in found)
        lacking = [lang for lang in self.langs if lang not in found]
        if lacking:
            self.conv.note(row, kind, "translation", f"no {kind} in {', '.join(lacking)}; the "
                           f"{next(lang for lang in self.langs if lang in found)!r} text is used")
        return {lang: found.get(lang, first) for lang in self.langs}

    # ------------------------------------------------------------------ choices
    def read_lists(self) -> None:
        seen: dict[str, set[str]] = {}  # choice names per list: a set, so 100,000 choices stay linear
        for row in self.choices.rows if self.choices is not None else ():
            name, choice = row.get("list_name"), row.get("name")
            if not name or choice is None:
                continue
            rows = self.lists.setdefault(name, [])
            if choice in seen.setdefault(name, set()):
                self.conv.note(row, "name", "skipped", f"list {name!r} has the choice {choice!r} twice (a "
                               "choice_filter form); the first is kept, as one answer has one code")
                continue
            seen[name].add(choice)
            rows.append(row)

    def missing_map(self) -> dict[str, str]:
        if self.missing_given is not None:
            return {str(k).strip(): v for k, v in self.missing_given.items()}
        if VERSION_FIELD in self.names:  # built by toolkit.forms.write_xlsform: the default convention
            return {str(code): kind for kind, code in DEFAULT_MISSING_CODES.items()}
        return {}

    def response_set(self, list_name: str, or_other: bool, row: Row) -> str | None:
        """Register the response set of a select question; its codes are fixed on first use."""
        if list_name not in self.lists:
            self.conv.problems.append((row.where, "type", f"choice list {list_name!r} is not in the choices sheet"
                                       f" (lists: {', '.join(sorted(self.lists)) or 'none'})"))
            return None
        rs = item_id(list_name) + ("_or_other" if or_other else "")
        if rs not in self.used_lists:
            self.used_lists[rs] = (list_name, or_other)
            self.conv.choice_names[rs] = self._codes(list_name, or_other)
            self.conv.list_names[rs] = list_name
        return rs

    def _codes(self, list_name: str, or_other: bool) -> dict[str, int]:
        rows = self.lists[list_name]
        names = [r.get("name") for r in rows]
        kinds = self.missing_map()
        if all(re.fullmatch(r"-?\d+", n) for n in names):
            codes = {n: int(n) for n in names}
        else:
            fixed = {n: DEFAULT_MISSING_CODES[kinds[n]] for n in names if DEFAULT_MISSING_CODES.get(kinds.get(n))}
            codes, nxt = {}, 1
            for n in names:
                if n in fixed:
                    codes[n] = fixed[n]
                    continue
                while nxt in fixed.values():
                    nxt += 1
                codes[n], nxt = nxt, nxt + 1
            self.conv.note(rows[0], "name", "recoded", f"list {list_name!r}: choice names are not numbers, so "
                           f"they are coded in sheet order ({', '.join(f'{n}={c}' for n, c in codes.items())}); "
                           "recode exported data the same way")
        if or_other and "other" not in codes:
            codes["other"] = max([c for n, c in codes.items() if n not in kinds] + [0]) + 1
            self.conv.note(rows[0], "name", "or_other", f"list {list_name!r}: 'or_other' adds the choice 'other' "
                           f"as code {codes['other']}; the 'specify other' text is not imported")
        return codes

    def build_sets(self) -> tuple[dict[str, Any], list[dict]]:
        """The response sets in first-use order, and the instrument's missing codes.

        Missing codes shared by every set are declared once for the instrument (as in the toolkit's own
        forms); otherwise each set declares its own, so no set gains answers its list does not have.
        """
        kinds = self.missing_map()
        sets: dict[str, list] = {}
        own: dict[str, list[dict]] = {}
        for rs, (list_name, or_other) in self.used_lists.items():
            rows = self.lists[list_name]
            codes = self.conv.choice_names[rs]
            self.conv.list_rows[rs] = rows[0]
            entries, missing = [], []
            for r in rows:
                name = r.get("name")
                labels = self.texts(r, "label", fallback=name)
                (missing if name in kinds else entries).append(
                    {"code": codes[name], **({"kind": kinds[name]} if name in kinds else {}), **labels})
            if or_other and "other" not in {r.get("name") for r in rows}:
                entries.append({"code": codes["other"], **{lang: "Other" for lang in self.langs}})
            sets[rs], own[rs] = entries, sorted(missing, key=lambda e: e["code"])
        for name, rows in self.lists.items():
            if not any(ln == name for ln, _ in self.used_lists.values()):
                self.conv.note(rows[0], "list_name", "skipped", f"choice list {name!r} is used by no imported question")
        shared = next(iter(own.values()), [])
        if all(m == shared for m in own.values()):
            return sets, shared
        return {rs: {"codes": codes, "missing_codes": own[rs]} for rs, codes in sets.items()}, []

    # ------------------------------------------------------------------ the survey sheet
    def walk(self) -> None:
        stack: list[dict[str, Any]] = []  # open groups: row, rules (translated), docs (untranslated)
        depth = 0  # inside a refused repeat: its rows are not read
        self.loose: dict[str, Any] | None = None
        for row in self.survey.rows:
            typ = row.get("type")
            if typ is None:
                if row.get("name"):
                    self.conv.note(row, "type", "skipped", "the row has no type")
                continue
            what, detail, list_name, or_other = classify(typ)
            if depth:
                depth += {"repeat": 1, "end_repeat": -1}.get(what, 0)
            elif what == "repeat":
                depth = 1
                self.conv.problems.append((row.where, "type", REPEAT_REFUSED))
            elif what == "begin_group":
                self.begin_group(row, stack)
            elif what == "end_group":
                if stack:
                    stack.pop()
            elif what == "skip":
                self.skipped[row.get("name") or ""] = typ
                self.conv.note(row, "type", "skipped", f"{typ}: {detail}")
            elif what == "unknown":
                self.conv.problems.append((row.where, "type", f"unknown XLSForm type {typ!r}"))
            elif what in ("select", "item"):
                item = self.item(row, what, detail, list_name, or_other, stack)
                if item is not None:
                    self.section_of(stack, row)["items"].append(item)

    def begin_group(self, row: Row, stack: list[dict[str, Any]]) -> None:
        rules, docs = self.relevant(row, row.get("relevant"))
        if not stack:
            self.loose = None
            sid = item_id(row.get("name") or f"group_{row.number}")
            self._new_section(sid, self.texts(row, "label", fallback=row.get("name") or sid), row)
        else:
            self.conv.note(row, "type", "group", "a nested group: its questions join the section "
                           f"{stack[0]['section']['id']!r}")
        section = stack[0]["section"] if stack else self.sections[-1]
        stack.append({"row": row, "section": section, "rules": rules, "docs": docs})

    def _new_section(self, sid: str, label: dict[str, str], row: Row | None) -> dict[str, Any]:
        taken = {s["id"] for s in self.sections}
        base, n = sid, 2
        while sid in taken:
            sid, n = f"{base}_{n}", n + 1
        section = {"id": sid, "label": label, "items": []}
        self.sections.append(section)
        if row is not None:
            self.conv.section_rows[sid] = row
        return section

    def section_of(self, stack: list[dict[str, Any]], row: Row) -> dict[str, Any]:
        if stack:
            return stack[0]["section"]
        if self.loose is None:
            title = self.title()
            self.loose = self._new_section("questions", title, None)
            self.conv.section_rows[self.loose["id"]] = row
        return self.loose

    def title(self) -> dict[str, str]:
        text = self.settings.get("form_title") or self.settings.get("form_id") or Path(self.conv.file).stem
        return {lang: text for lang in self.langs}

    # ------------------------------------------------------------------ one question
    def item(self, row: Row, what: str, detail: str, list_name: str | None, or_other: bool,
             stack: list[dict[str, Any]]) -> dict[str, Any] | None:
        name = row.get("name")
        if not name:
            self.conv.problems.append((row.where, "name", "a question needs a name"))
            return None
        iid = item_id(name)
        if iid != name:
            self.conv.note(row, "name", "renamed", f"name {name!r} becomes item id {iid!r} (lower-case letters, "
                           "digits and '_'); rename the data column too")
        spec: dict[str, Any] = {"id": iid}
        codes: dict[str, int] | None = None
        if what == "select":
            rs = self.response_set(list_name, or_other, row)
            likert = detail == "single" and "likert" in (row.get("appearance") or "").lower()
            spec.update(type="likert" if likert else detail, response_set=rs)
            codes = self.conv.choice_names.get(rs, {})
        else:
            spec["type"] = detail
        spec["text"] = self.texts(row, "label", fallback=name)
        hint = self.texts(row, "hint")
        if hint:
            spec["hint"] = hint
        spec["required"] = (row.get("required") or "").lower() in _TRUE
        self.constraint(row, spec, codes)
        rules, docs = self.relevant(row, row.get("relevant"))
        rules = [r for g in stack for r in g["rules"]] + rules
        docs = [d for g in stack for d in g["docs"]] + docs
        if docs:
            self.conv.untranslated[iid] = " and ".join(docs)
            if spec["required"]:
                spec["required"] = False
                self.conv.note(row, "required", "required", "not required: its skip rule is not translated, so a "
                               "blank may be a skip")
        elif rules:
            spec["relevant"] = rules[0] if len(rules) == 1 else " and ".join(f"({r})" for r in rules)
        numbered = codes is None or all(re.fullmatch(r"-?\d+", n) for n in codes if n != "other")
        kinds = self.missing_map()
        missing = frozenset(c for n, c in (codes or {}).items() if n in kinds)
        self.targets[name] = Target(iid, spec["type"], codes, ordered=numbered, missing=missing)
        self.conv.item_rows[iid] = row
        return spec

    def relevant(self, row: Row, expression: str | None) -> tuple[list[str], list[str]]:
        """([rule text], []) if ``expression`` translates, ([], [expression]) if not (reported), or ([], [])."""
        if not expression:
            return [], []

        def resolve(name: str) -> Target | str:
            if name in self.targets:
                return self.targets[name]
            if name in self.skipped:
                return f"${{{name}}} is a {self.skipped[name]} row, which is not imported"
            if name in self.names:
                return f"${{{name}}} is not an earlier question"
            return f"${{{name}}} is not a question of the form"

        try:
            return [translate(expression, resolve)], []
        except Untranslatable as exc:
            self.conv.note(row, "relevant", "untranslated", f"{expression!r} is kept as documentation only, "
                           f"so the item counts as always asked: {exc}")
            return [], [expression]

    def constraint(self, row: Row, spec: dict[str, Any], codes: dict[str, int] | None) -> None:
        """min/max of a numeric item and the exclusive answers of a select-multiple, where the form says so."""
        text = row.get("constraint")
        if text:  # ${own name} in its own constraint is the answer itself, '.'
            text = re.sub(r"\$\{\s*" + re.escape(row.get("name") or "") + r"\s*\}", ".", text)
        if spec["type"] == "numeric" and (row.get("type") or "").strip().lower() == "range":
            params = dict(re.findall(r"(\w+)\s*=\s*(-?\d+(?:\.\d+)?)", row.get("parameters") or ""))
            spec["min"], spec["max"] = (float(params.get("start", 1)), float(params.get("end", 10)))
        if not text:
            return
        if spec["type"] == "numeric" and self._bounds(text, spec, row):
            return
        if spec["type"] == "multiple" and codes is not None:
            m = _EXCLUSIVE.match(text.strip())
            kinds = self.missing_map()
            alone = _SELECTED_DOT.findall(m.group(1)) if m else []
            if m and alone and all(n in codes for n in alone):
                exclusive = [codes[n] for n in alone if n not in kinds]
                if exclusive:
                    spec["exclusive"] = exclusive
                return
        self.conv.note(row, "constraint", "constraint", f"constraint {text!r} is not imported (the toolkit "
                       "keeps min/max of numbers and answers that stand alone)")

    def _bounds(self, text: str, spec: dict[str, Any], row: Row) -> bool:
        found: dict[str, float] = {}
        integer = (row.get("type") or "").strip().lower() in ("integer", "int")
        for part in re.split(r"\s+and\s+", text.strip()):
            m = _BOUND.match(part)
            if m is None:
                return False
            op, value = m.group(1), float(m.group(2))
            if op in ("<", ">") and not (integer and value.is_integer()):
                return False
            key = "min" if op.startswith(">") else "max"
            found[key] = value + (1 if op == ">" else -1 if op == "<" else 0)
        for key, value in found.items():
            spec[key] = int(value) if value.is_integer() else value
        return bool(found)

    # ------------------------------------------------------------------ the whole form
    def run(self) -> Conversion:
        self.skipped: dict[str, str] = {}
        self.languages()
        self.read_lists()
        self.walk()
        sets, missing_codes = self.build_sets()
        sections = []
        for s in self.sections:
            if s["items"]:
                sections.append(s)
            else:
                self.conv.note(self.conv.section_rows.get(s["id"]), "type", "skipped",
                               f"group {s['id']!r} holds no question the toolkit imports")
        if not sections and not self.conv.problems:
            self.conv.problems.append(("survey", None, "the form holds no question the toolkit can import "
                                       "(select_one, select_multiple, integer, decimal, range or text)"))
        self.references(sections, sets)
        form_id = self.settings.get("form_id") or Path(self.conv.file).stem
        spec: dict[str, Any] = {
            "id": _instrument_id(form_id), "version": self.settings.get("version") or "unversioned",
            "languages": list(self.langs), "title": self.title(), "response_sets": sets, "domains": {},
            "sections": sections, "scales": {}, "outcomes": {},
        }
        spec["missing_codes"] = missing_codes  # [] declares none: a form without them has none
        self.conv.spec = spec
        return self.conv


    def references(self, sections: list[dict[str, Any]], sets: Mapping[str, Any]) -> None:
        """``${name}`` in texts: renamed with its item, ``[name]`` where the name is not imported."""
        kept = {name: t.id for name, t in self.targets.items() if isinstance(t, Target)}
        gone: set[str] = set()

        def fix(texts: dict[str, str] | None) -> None:
            for lang, text in (texts or {}).items():
                def swap(m: re.Match) -> str:
                    name = m.group(1).strip()
                    if name in kept:
                        return f"${{{kept[name]}}}"
                    gone.add(name)
                    return f"[{name}]"
                texts[lang] = _REFERENCE.sub(swap, text)

        for s in sections:
            fix(s["label"])
            for it in s["items"]:
                fix(it["text"])
                fix(it.get("hint"))
        for entries in sets.values():
            for e in entries["codes"] if isinstance(entries, Mapping) else entries:
                labels = {lang: e[lang] for lang in self.langs}
                fix(labels)
                e.update(labels)
        for name in sorted(gone):
            self.conv.note(None, "label", "reference", f"texts refer to ${{{name}}}, which is not imported; "
                           f"they show [{name}] instead")


REPEAT_REFUSED = ("repeats are not supported: the toolkit analyses one row per respondent, and a repeat holds "
                  "many answers per respondent; take the repeat out of the form (or ask its questions once each, "
                  "as numbered questions) before importing")


def convert(sheets: Mapping[str, Sheet], *, file: str, missing: Mapping[str, str] | None = None) -> Conversion:
    """The :class:`Conversion` of a read workbook (``missing``: choice name -> kind of missing answer).

    Examples
    --------
    >>> from toolkit.instrument.xlsform._workbook import Row, Sheet
    >>> survey = Sheet("survey", [Row("survey", 2, {"type": "integer", "name": "Age"}, {("label", None): "Age?"})],
    ...                {}, (None,))
    >>> conv = convert({"survey": survey}, file="form.xlsx")
    >>> conv.spec["sections"][0]["items"], conv.report[-1]["detail"]
    ([{'id': 'age', 'type': 'numeric', 'text': {'en': 'Age?'}, 'required': False}], "name 'Age' becomes ...")
    """
    return _Converter(sheets, file, missing).run()


__all__ = ["Conversion", "convert", "item_id", "VERSION_FIELD", "REPEAT_REFUSED"]
