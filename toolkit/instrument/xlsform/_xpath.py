"""Translate XLSForm ``relevant`` expressions (a subset of XPath) into the toolkit's rule language.

Translated: ``${q} = v``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` between a
question and a value, ``selected(${q}, 'v')``, ``not(...)``, ``and``, ``or``
and brackets. Choice names become the codes of the question's response set.
``${q} = 1 or ${q} = 2`` becomes ``q in [1, 2]``. ``${q} != v`` becomes
``not q == v``: in a form, an unanswered ``q`` makes ``!=`` true, and the
toolkit's ``not`` keeps that meaning (its ``!=`` is false on a missing value).

Anything else (``count-selected``, ``string-length``, ``today()``, arithmetic,
paths, comparisons with ``''``, text questions) raises :class:`Untranslatable`
with the reason; the caller keeps the expression as documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


class Untranslatable(Exception):
    """An expression outside the translatable subset; the message says why."""


@dataclass(frozen=True)
class Target:
    """What a ``${name}`` in an expression refers to: the item id, its type, and its choice name -> code."""

    id: str
    type: str
    codes: dict[str, int] | None = None  # coded items: choice name -> code
    ordered: bool = True  # the codes are the form's own numbers, so < and > keep their meaning
    missing: frozenset[int] = frozenset()  # codes of missing answers (a rule treats them as unanswered)


#: name in the form -> Target, or a text saying why the name cannot be used in a rule
Resolve = Callable[[str], "Target | str"]

_TOKEN = re.compile(r"""\s*(?:
      (?P<ref>\$\{\s*[^}]*\})
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op>!=|<=|>=|=|<|>|\(|\)|,)
    | (?P<name>[A-Za-z_][A-Za-z0-9_:.-]*)
    | (?P<other>\S)
    )""", re.X)
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, resolve: Resolve):
        self.toks = _tokens(text)
        self.i = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None, kind: str | None = None) -> str | None:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value) or (kind is not None and tok[0] != kind):
            return None
        self.i += 1
        return tok[1]

    def need(self, value: str) -> None:
        if self.take(value) is None:
            found = self.peek()
            raise Untranslatable(f"expected {value!r}, found {found[1]!r}" if found else
                                 f"expected {value!r}, but the expression ends")

    def parse(self) -> tuple:
        node = self.or_()
        if self.peek() is not None:
            raise Untranslatable(f"{self.peek()[1]!r} is outside the subset the toolkit's rules can express")
        return node

    def or_(self) -> tuple:
        parts = [self.and_()]
        while self.take("or", "name"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def and_(self) -> tuple:
        parts = [self.unary()]
        while self.take("and", "name"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary(self) -> tuple:
        if self.take("not", "name"):
            self.need("(")
            node = self.or_()
            self.need(")")
            return ("not", node)
        if self.take("("):
            node = self.or_()
            self.need(")")
            return node
        if self.take("selected", "name"):
            self.need("(")
            target = self.ref()
            self.need(",")
            value = self.literal()
            self.need(")")
            return self.selected(target, value)
        return self.comparison()

    def ref(self) -> Target:
        tok = self.take(kind="ref")
        if tok is None:
            found = self.peek()
            raise Untranslatable(f"{found[1] if found else 'the end'!r} is not a question reference ${{name}}")
        name = tok[2:-1].strip()
        target = self.resolve(name)
        if isinstance(target, str):
            raise Untranslatable(target)
        return target

    def literal(self) -> str | float:
        tok = self.peek()
        if tok is None or tok[0] not in ("num", "str"):
            raise Untranslatable(f"{tok[1] if tok else 'the end'!r} is not a number or a quoted value")
        self.i += 1
        return tok[1][1:-1] if tok[0] == "str" else float(tok[1])

    def comparison(self) -> tuple:
        tok = self.peek()
        if tok is not None and tok[0] == "ref":
            target = self.ref()
            op = self.take(kind="op")
            if op not in _FLIP:
                raise Untranslatable(f"${{{target.id}}} is not compared with a value")
            return self.compare(target, op, self.literal())
        if tok is not None and tok[0] in ("num", "str"):
            value = self.literal()
            op = self.take(kind="op")
            if op not in _FLIP:
                raise Untranslatable("a value is not compared with a question")
            return self.compare(self.ref(), _FLIP[op], value)
        what = tok[1] if tok else "the end"
        raise Untranslatable(f"{what!r} is outside the subset the toolkit's rules can express")

    def code(self, target: Target, value: str | float) -> int | float:
        if target.type == "text":
            raise Untranslatable(f"{target.id} is a text question; the toolkit's rules use coded or numeric items")
        if target.codes is None:  # numeric
            try:
                num = float(value)
            except ValueError:
                raise Untranslatable(f"{target.id} holds numbers, compared with {value!r}") from None
            return int(num) if num.is_integer() else num
        name = _name_of(value)
        if name not in target.codes:
            if name == "":
                raise Untranslatable(f"comparing {target.id} with '' (answered or not) has no rule equivalent")
            raise Untranslatable(f"{name!r} is not a choice of {target.id}")
        if target.codes[name] in target.missing:
            raise Untranslatable(f"{name!r} is a missing answer of {target.id}; the toolkit's rules treat missing "
                                 "answers as unanswered, so a rule cannot ask for it")
        return target.codes[name]

    def selected(self, target: Target, value) -> tuple:
        code = self.code(target, value)
        if target.type == "multiple":
            return ("selected", target.id, code)
        return ("cmp", target.id, "==", code)

    def compare(self, target: Target, op: str, value) -> tuple:
        if target.type == "multiple":
            raise Untranslatable(f"{target.id} is select-multiple: only selected(${{{target.id}}}, ...) translates")
        code = self.code(target, value)
        if op in ("<", "<=", ">", ">=") and not target.ordered:
            raise Untranslatable(f"{target.id}'s choices are names, not numbers, so {op!r} has no order to use")
        if op == "!=":
            return ("not", ("cmp", target.id, "==", code))
        return ("cmp", target.id, "==" if op == "=" else op, code)


def _name_of(value: str | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value.strip()


def _num(v: int | float) -> str:
    return str(v) if isinstance(v, int) else f"{v:g}"


def _merge_equalities(parts: list[tuple]) -> list[tuple]:
    """``q == 1 or q == 2`` -> ``q in [1, 2]`` (the form of the toolkit's own ``in`` rules)."""
    out: list = []
    where: dict[str, int] = {}
    for p in parts:
        if p[0] == "cmp" and p[2] == "==":
            if p[1] in where:
                out[where[p[1]]][2].append(p[3])
                continue
            where[p[1]] = len(out)
            out.append(["in", p[1], [p[3]]])
        else:
            out.append(p)
    return [("cmp", p[1], "==", p[2][0]) if isinstance(p, list) and len(p[2]) == 1
            else tuple(p) if isinstance(p, list) else p for p in out]


def _render(node: tuple, inner: bool = False) -> str:
    kind = node[0]
    if kind == "cmp":
        return f"{node[1]} {node[2]} {_num(node[3])}"
    if kind == "selected":
        return f"selected({node[1]}, {_num(node[2])})"
    if kind == "not":
        return f"not ({_render(node[1])})"
    if kind == "in":
        return f"{node[1]} in [{', '.join(_num(v) for v in node[2])}]"
    parts = node[1]
    if kind == "or":
        parts = _merge_equalities(parts)
        if len(parts) == 1:
            return _render(parts[0], inner)
        text = " or ".join(_render(p) for p in parts)
        return f"({text})" if inner else text
    return " and ".join(_render(p, inner=True) for p in parts)


def translate(expression: str, resolve: Resolve) -> str:
    """The rule-language text of an XLSForm expression; :class:`Untranslatable` if it has none.

    Parameters
    ----------
    expression : str
        The XLSForm ``relevant`` cell.
    resolve : callable
        Name in the form -> :class:`Target`, or a text saying why it cannot be used.

    Examples
    --------
    >>> yes_no = Target("consent", "single", {"yes": 1, "no": 2}, ordered=False)
    >>> age = Target("age", "numeric")
    >>> resolve = {"consent": yes_no, "age": age}.get
    >>> translate("${consent} = 'yes' and (${age} >= 18 or ${age} = 16 or ${age} = 17)", resolve)
    'consent == 1 and (age >= 18 or age in [16, 17])'
    >>> translate("${consent} != 'no'", resolve)
    'not (consent == 2)'
    >>> translate("string-length(${consent}) > 0", resolve)
    Traceback (most recent call last):
    ...
    toolkit.instrument.xlsform._xpath.Untranslatable: 'string-length' is outside the subset ...
    """
    if not expression or not expression.strip():
        raise Untranslatable("the expression is empty")

    def checked(name: str) -> Target | str:
        target = resolve(name)
        return target if target is not None else f"${{{name}}} is not a question of the form"

    return _render(_Parser(expression, checked).parse())


__all__ = ["Target", "Untranslatable", "translate"]
