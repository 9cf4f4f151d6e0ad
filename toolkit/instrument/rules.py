"""The skip-rule and outcome expression language.

A rule is a small boolean expression over columns of coded responses::

    net_use_3m == 1
    age >= 65 and not (help_any == 2)
    home_conn in [1, 2] or selected(devices, 1)
    practical_kn_level == 'low'

It is parsed once into a tree that can

* evaluate itself on a whole DataFrame at once (pandas boolean operations,
  no loop over rows): :meth:`Rule.evaluate`;
* render itself as an XLSForm ``relevant`` expression: :meth:`Rule.xlsform`;
* render itself in words, in English or Danish, for paper forms and
  codebooks: :meth:`Rule.words`.

A comparison that involves a missing value (NaN, or one of the missing codes
passed to :meth:`Rule.evaluate`) is False. ``not`` is plain negation of
that result, so ``x != 1`` (False when ``x`` is missing) differs from
``not x == 1`` (True when ``x`` is missing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.errors import InstrumentError, ResponseError

Value = int | float | str

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X,
)
_KEYWORDS = {"and", "or", "not", "in", "selected"}
_XLS_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

_WORDS = {
    "en": {
        "and": "and", "or": "or", "not": "it is not the case that",
        "==": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
        ">": "is more than", ">=": "is at least", "in": "is", "or_value": "or",
        "selected": "includes",
    },
    "da": {
        "and": "og", "or": "eller", "not": "det ikke gælder, at",
        "==": "er", "!=": "ikke er", "<": "er mindre end", "<=": "højst er",
        ">": "er mere end", ">=": "mindst er", "in": "er", "or_value": "eller",
        "selected": "omfatter",
    },
}

# describe_var(var, lang) -> "question 5"; describe_value(var, value, lang) -> '"Yes"'
VarNamer = Callable[[str, str], str]
ValueNamer = Callable[[str, Value, str], str]


def _default_var(var: str, lang: str) -> str:
    return var


def _default_value(var: str, value: Value, lang: str) -> str:
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


class Rule:
    """Base class of the parsed expression tree; build one with :func:`parse`.

    Examples
    --------
    >>> rule = parse("a == 1 or not b in [2, 3]")
    >>> type(rule).__name__, str(rule)
    ('Or', 'a == 1 or not b in [2, 3]')
    """

    source: str = ""

    def variables(self) -> set[str]:
        """Every column name the rule refers to.

        Examples
        --------
        >>> sorted(parse("a == 1 and (b > 2 or selected(c, 3))").variables())
        ['a', 'b', 'c']
        """
        raise NotImplementedError

    def comparisons(self) -> list[_Leaf]:
        """Every leaf (comparison, ``in`` or ``selected``) of the rule, left to right.

        Examples
        --------
        >>> [leaf.var for leaf in parse("a == 1 and not b in [2, 3]").comparisons()]
        ['a', 'b']
        """
        raise NotImplementedError

    def evaluate(self, data: pd.DataFrame, *, missing: Mapping[str, set] | None = None) -> pd.Series:
        """Evaluate on every row at once.

        Parameters
        ----------
        data : pd.DataFrame
            One column per variable the rule names.
        missing : mapping of column -> set of codes, optional
            Codes that count as missing in that column (e.g. {66, 88, 99}).

        Returns
        -------
        pd.Series of bool, aligned to ``data.index``.

        Examples
        --------
        >>> df = pd.DataFrame({"a": [1, 2, 88, None], "b": ["1 3", "2", None, "3"]})
        >>> parse("a == 1 or selected(b, 3)").evaluate(df, missing={"a": {88}}).tolist()
        [True, False, False, True]
        >>> parse("not a == 1").evaluate(df, missing={"a": {88}}).tolist()
        [False, True, True, True]
        """
        missing = missing or {}
        absent = sorted(self.variables() - set(data.columns))
        if absent:
            raise ResponseError(f"rule {self.source!r} needs column(s) {', '.join(absent)}, which the data lack")
        return pd.Series(self._eval(data, missing), index=data.index, dtype=bool)

    def _eval(self, data: pd.DataFrame, missing: Mapping[str, set]) -> np.ndarray:
        raise NotImplementedError

    def xlsform(self) -> str:
        """Render as an XLSForm/ODK XPath expression.

        Examples
        --------
        >>> parse("net_use_3m == 1 and not selected(devices, 3)").xlsform()
        "${net_use_3m} = 1 and not(selected(${devices}, '3'))"
        """
        return self._xls(top=True)

    def _xls(self, top: bool = False) -> str:
        raise NotImplementedError

    def words(self, *, lang: str = "en", describe_var: VarNamer = _default_var,
              describe_value: ValueNamer = _default_value) -> str:
        """Render in words in ``lang`` ('en' or 'da').

        Examples
        --------
        >>> parse("age >= 65 or x in [1, 2]").words(lang="en")
        'age is at least 65 or x is 1 or 2'
        """
        if lang not in _WORDS:
            lang = "en"
        return self._words(lang, describe_var, describe_value, top=True)

    def _words(self, lang, dv, dval, top=False) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.source


def _operand(data: pd.DataFrame, var: str, values: tuple[Value, ...],
             missing: Mapping[str, set]) -> tuple[pd.Series, np.ndarray]:
    """The column as text or numbers (to match ``values``) and a mask of its usable, non-missing rows.

    Numbers are compared numerically even when the column holds text such as
    "1" (a raw export), so the missing codes are recognised either way.
    """
    col = data[var]
    if all(isinstance(v, str) for v in values):
        left = col.astype("string")
        return left, left.notna().to_numpy(dtype=bool)
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        col = pd.to_numeric(col, errors="coerce")
    valid = col.notna().to_numpy(dtype=bool)
    codes = missing.get(var)
    if codes:
        valid = valid & ~col.isin(list(codes)).to_numpy(dtype=bool)
    return col, valid


@dataclass(frozen=True)
class _Leaf(Rule):
    var: str

    def variables(self) -> set[str]:
        return {self.var}

    def comparisons(self) -> list[_Leaf]:
        return [self]

    def values(self) -> tuple[Value, ...]:
        """The value(s) the variable is compared with.

        Examples
        --------
        >>> parse("x in [1, 2]").values(), parse("x >= 65").values()
        ((1, 2), (65,))
        """
        raise NotImplementedError


@dataclass(frozen=True)
class _OneValue(_Leaf):
    """A leaf that relates its variable to one value: ``<var> <word> <value>`` in words."""

    word = ""

    def values(self) -> tuple[Value, ...]:
        return (self.value,)

    def _words(self, lang, dv, dval, top=False):
        return f"{dv(self.var, lang)} {_WORDS[lang][self.word]} {dval(self.var, self.value, lang)}"


@dataclass(frozen=True)
class Compare(_OneValue):
    """``var <op> value``.

    Examples
    --------
    >>> parse("age >= 65")
    Compare(var='age', op='>=', value=65)
    """

    op: str
    value: Value

    @property
    def word(self) -> str:
        """The operator, which is also the key of its words (``>=``: "is at least")."""
        return self.op

    def _eval(self, data, missing):
        left, valid = _operand(data, self.var, (self.value,), missing)
        result = {
            "==": left.__eq__, "!=": left.__ne__, "<": left.__lt__,
            "<=": left.__le__, ">": left.__gt__, ">=": left.__ge__,
        }[self.op](self.value)
        return result.fillna(False).to_numpy(dtype=bool) & valid

    def _xls(self, top=False):
        return f"${{{self.var}}} {_XLS_OPS[self.op]} {_xls_value(self.value)}"


@dataclass(frozen=True)
class In(_Leaf):
    """``var in [v1, v2, ...]``.

    Examples
    --------
    >>> parse("home_conn in [1, 2]").xlsform()
    '${home_conn} = 1 or ${home_conn} = 2'
    """

    options: tuple[Value, ...]

    def values(self) -> tuple[Value, ...]:
        return self.options

    def _eval(self, data, missing):
        left, valid = _operand(data, self.var, self.options, missing)
        return left.isin(list(self.options)).fillna(False).to_numpy(dtype=bool) & valid

    def _xls(self, top=False):
        parts = " or ".join(f"${{{self.var}}} = {_xls_value(v)}" for v in self.options)
        return parts if top or len(self.options) == 1 else f"({parts})"

    def _words(self, lang, dv, dval, top=False):
        vals = [dval(self.var, v, lang) for v in self.options]
        joined = ", ".join(vals[:-1]) + f" {_WORDS[lang]['or_value']} " + vals[-1] if len(vals) > 1 else vals[0]
        return f"{dv(self.var, lang)} {_WORDS[lang]['in']} {joined}"


@dataclass(frozen=True)
class Selected(_OneValue):
    """``selected(var, code)`` for a select_multiple column of space-separated codes.

    Examples
    --------
    >>> parse("selected(devices, 3)").evaluate(pd.DataFrame({"devices": ["1 3", "13", None]})).tolist()
    [True, False, False]
    """

    value: Value
    word = "selected"

    def _xls(self, top=False):
        return f"selected(${{{self.var}}}, '{_code_text(self.value)}')"

    def _eval(self, data, missing):
        col = data[self.var]
        target = _code_text(self.value)
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            return (col == self.value).fillna(False).to_numpy(dtype=bool)
        padded = " " + col.astype("string").str.strip() + " "
        return padded.str.contains(f" {target} ", regex=False).fillna(False).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Not(Rule):
    """``not rule``: plain negation, so a missing value makes ``not x == 1`` True.

    Examples
    --------
    >>> parse("not x == 1").evaluate(pd.DataFrame({"x": [1, 2, None]})).tolist()
    [False, True, True]
    """

    rule: Rule

    def variables(self):
        return self.rule.variables()

    def comparisons(self):
        return self.rule.comparisons()

    def _eval(self, data, missing):
        return ~self.rule._eval(data, missing)

    def _xls(self, top=False):
        return f"not({self.rule._xls(top=True)})"

    def _words(self, lang, dv, dval, top=False):
        return f"{_WORDS[lang]['not']} {self.rule._words(lang, dv, dval)}"


@dataclass(frozen=True)
class _Junction(Rule):
    rules: tuple[Rule, ...]
    word = ""

    def variables(self):
        return set().union(*(r.variables() for r in self.rules))

    def comparisons(self):
        return [leaf for r in self.rules for leaf in r.comparisons()]

    def _xls(self, top=False):
        # 'or' binds loosest, so the parts of an 'or' need no brackets of their own
        loose = self.word == "or"
        inner = f" {self.word} ".join(r._xls(top=loose) for r in self.rules)
        return inner if top else f"({inner})"

    def _words(self, lang, dv, dval, top=False):
        loose = self.word == "or"
        inner = f" {_WORDS[lang][self.word]} ".join(r._words(lang, dv, dval, top=loose) for r in self.rules)
        return inner if top else f"({inner})"


@dataclass(frozen=True)
class And(_Junction):
    """``a and b and ...``.

    Examples
    --------
    >>> parse("a == 1 and b == 2").words(lang="da")
    'a er 1 og b er 2'
    """

    word = "and"

    def _eval(self, data, missing):
        return np.logical_and.reduce([r._eval(data, missing) for r in self.rules])


@dataclass(frozen=True)
class Or(_Junction):
    """``a or b or ...``.

    Examples
    --------
    >>> rule = parse("(a == 1 or b == 2) and c == 3")
    >>> type(rule.rules[0]).__name__, rule.xlsform()
    ('Or', '(${a} = 1 or ${b} = 2) and ${c} = 3')
    """

    word = "or"

    def _eval(self, data, missing):
        return np.logical_or.reduce([r._eval(data, missing) for r in self.rules])


def _code_text(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xls_value(value: Value) -> str:
    return f"'{value}'" if isinstance(value, str) else _code_text(value)


class RuleSyntaxError(InstrumentError):
    """A rule string that does not parse; ``position`` is the offending character (0-based).

    Examples
    --------
    >>> try:
    ...     parse("a == ")
    ... except RuleSyntaxError as exc:
    ...     exc.position, str(exc)
    (4, 'expected a number or a quoted text value at position 5, but the rule ends')
    """

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                bad = len(text) - len(text[pos:].lstrip())
                raise RuleSyntaxError(f"unexpected character {text[bad]!r} at position {bad + 1}", bad)
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def error(self, expected: str) -> RuleSyntaxError:
        tok = self.peek()
        if tok is None:
            end = len(self.text.rstrip())
            return RuleSyntaxError(f"expected {expected} at position {end + 1}, but the rule ends", end)
        return RuleSyntaxError(f"expected {expected} at position {tok[2] + 1}, found {tok[1]!r}", tok[2])

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[1] == text and tok[0] in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise self.error(repr(text))

    def name(self) -> str:
        tok = self.peek()
        if tok is None or tok[0] != "name" or tok[1] in _KEYWORDS:
            raise self.error("a variable name")
        self.i += 1
        return tok[1]

    def value(self) -> Value:
        tok = self.peek()
        if tok is None or tok[0] not in ("num", "str"):
            raise self.error("a number or a quoted text value")
        self.i += 1
        if tok[0] == "str":
            return tok[1][1:-1]
        num = float(tok[1])
        return int(num) if num.is_integer() and "." not in tok[1] else num

    def parse(self) -> Rule:
        rule = self.or_()
        if self.peek() is not None:
            raise self.error("'and', 'or' or the end of the rule")
        return rule

    def or_(self) -> Rule:
        parts = [self.and_()]
        while self.accept("or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Rule:
        parts = [self.not_()]
        while self.accept("and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Rule:
        if self.accept("not"):
            return Not(self.not_())
        return self.atom()

    def atom(self) -> Rule:
        if self.accept("("):
            rule = self.or_()
            self.expect(")")
            return rule
        if self.accept("selected"):
            self.expect("(")
            var = self.name()
            self.expect(",")
            value = self.value()
            self.expect(")")
            return Selected(var, value)
        var = self.name()
        if self.accept("in"):
            self.expect("[")
            options = [self.value()]
            while self.accept(","):
                options.append(self.value())
            self.expect("]")
            return In(var, tuple(options))
        tok = self.peek()
        if tok is None or tok[0] != "op" or tok[1] not in _XLS_OPS:
            raise self.error("a comparison (==, !=, <, <=, >, >=, in)")
        self.i += 1
        return Compare(var, tok[1], self.value())


def parse(text: str) -> Rule:
    """Parse a rule string; raise :class:`RuleSyntaxError` if it is malformed.

    Examples
    --------
    >>> r = parse("help_any == 1 and (help_freq in [3, 4] or selected(help_who, 2))")
    >>> sorted(r.variables())
    ['help_any', 'help_freq', 'help_who']
    >>> r.xlsform()
    "${help_any} = 1 and (${help_freq} = 3 or ${help_freq} = 4 or selected(${help_who}, '2'))"
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleSyntaxError("a rule must be a non-empty text", 0)
    rule = _Parser(text).parse()
    object.__setattr__(rule, "source", text.strip())
    return rule
