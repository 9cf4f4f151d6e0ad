"""The in-memory instrument: response sets, domains, sections, items, scales, outcomes.

Objects here are built by :mod:`toolkit.instrument.loader` after validation,
so they trust their input. They are frozen: an instrument is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from toolkit.errors import UnknownInstrumentError
from toolkit.instrument.rules import Rule
from toolkit.instrument.vocabulary import CODED_TYPES, classify_levels



@dataclass(frozen=True)
class Code:
    """One answer option: integer ``code`` and its ``label`` per language.

    Examples
    --------
    >>> Code(1, {"en": "Yes", "da": "Ja"}).label["da"]
    'Ja'
    """

    code: int
    label: Mapping[str, str]
    kind: str | None = None  # for missing codes: one of vocabulary.MISSING_KIND_NAMES


@dataclass(frozen=True)
class ResponseSet:
    """A named list of substantive codes plus its missing codes.

    ``missing`` are the instrument's missing codes, or the set's own where the
    YAML declares ``missing_codes`` for it (an ESS 0-10 scale with 77, 88, 99).

    Examples
    --------
    >>> rs = ResponseSet("yes_no", [Code(1, {"en": "Yes"}), Code(2, {"en": "No"})],
    ...                  [Code(88, {"en": "Don't know"}, "dont_know")])
    >>> sorted(rs.valid_codes), rs.missing_codes, rs.min, rs.max
    ([1, 2], {88: 'dont_know'}, 1, 2)
    """

    name: str
    codes: list[Code]
    missing: list[Code]

    @property
    def valid_codes(self) -> set[int]:
        """Substantive codes (not the missing codes)."""
        return {c.code for c in self.codes}

    @property
    def missing_codes(self) -> dict[int, str]:
        """Missing code -> kind."""
        return {c.code: c.kind for c in self.missing}

    @property
    def min(self) -> int:
        """The lowest substantive code."""
        return min(self.valid_codes)

    @property
    def max(self) -> int:
        """The highest substantive code."""
        return max(self.valid_codes)

    def label(self, code: int, *, lang: str = "en") -> str:
        """Label of a substantive or missing code.

        Examples
        --------
        >>> from toolkit.instrument import load_instrument
        >>> rs = load_instrument("dis-full").response_set_of("net_use_3m")
        >>> rs.label(1), rs.label(88, lang="da")
        ('Yes', 'Ved ikke')
        """
        for c in (*self.codes, *self.missing):
            if c.code == code:
                return c.label[lang]
        raise KeyError(f"response set {self.name!r} has no code {code}")


@dataclass(frozen=True)
class Domain:
    """A competence domain (practical, cognitive, navigation, bureaucratic).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> list(load_instrument("dis-full").domains)
    ['practical', 'cognitive', 'navigation', 'bureaucratic']
    """

    id: str
    label: Mapping[str, str]
    description: Mapping[str, str]


@dataclass(frozen=True)
class Section:
    """A questionnaire section; its id is also the XLSForm group name.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> load_instrument("dis-full").section("skills").item_ids[:2]
    ('prac_01', 'prac_02')
    """

    id: str
    label: Mapping[str, str]
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One question. See questionnaires/SCHEMA.md for each field.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> item = load_instrument("dis-full").item("prac_05")
    >>> item.type, item.domain, item.reverse, item.scale
    ('likert', 'practical', True, 'practical_sr')
    """

    id: str
    section: str
    type: str
    text: Mapping[str, str]
    response_set: str | None = None
    domain: str | None = None
    reverse: bool = False
    correct: int | None = None
    relevant: str | None = None
    required: bool = True
    optional: bool = False  # the data may lack the column (cleaning logs it instead of refusing the file)
    min: float | None = None
    max: float | None = None
    scale: str | None = None
    hint: Mapping[str, str] | None = None
    check: Mapping[str, int] | None = None  # attention check: {"expected": code}
    exclusive: tuple[int, ...] = ()  # select-multiple codes that exclude every other answer ("None of these")
    rule: Rule | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Scale:
    """A scored set of items.

    ``levels`` maps each level (low, basic, above_basic) to the inclusive
    lower bound of its score range; ``low`` starts at the lowest possible
    score. A level may be absent when the scale is too short to separate it.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> scale = load_instrument("dis-full").scales["practical_kn"]
    >>> scale.kind, scale.method, scale.level_column
    ('knowledge', 'sum_correct', 'practical_kn_level')
    """

    id: str
    domain: str | None
    kind: str
    items: tuple[str, ...]
    method: str
    min_valid: int
    levels: Mapping[str, float]
    label: Mapping[str, str]

    @property
    def level_column(self) -> str:
        """Name of the column holding this scale's level (``<scale id>_level``)."""
        return f"{self.id}_level"

    def classify(self, scores: pd.Series) -> pd.Series:
        """Classify scores into levels (an ordered category, see ``vocabulary.classify_levels``).

        Examples
        --------
        >>> s = Scale("x", "practical", "knowledge", ("a", "b", "c", "d"), "sum_correct", 3,
        ...           {"low": 0, "basic": 2, "above_basic": 4}, {})
        >>> s.classify(pd.Series([0, 2, 3, 4, None])).tolist()
        ['low', 'basic', 'basic', 'above_basic', nan]
        """
        return classify_levels(scores, self.levels, name=self.level_column)


@dataclass(frozen=True)
class Outcome:
    """A respondent-level outcome defined by a rule over items and scale columns.

    Evaluate every outcome at once with :func:`toolkit.instrument.outcomes.evaluate_outcomes`.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> load_instrument("dis-full").outcomes["offline"].rule
    'net_use_3m == 2'
    """

    id: str
    label: Mapping[str, str]
    rule: str
    parsed: Rule = field(repr=False, compare=False)
    description: Mapping[str, str] | None = None


@dataclass(frozen=True)
class IndexItem:
    """One item of an index component and how its answer becomes 0-100 points.

    ``points`` maps a substantive code to points (a select-multiple item scores
    its best selected code); without ``points`` a likert item is scored linearly
    from its lowest code (0) to its highest (100), reversed when ``reverse``.
    ``not_asked`` gives the points where the skip rule says the item was not
    asked (None: missing).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> load_instrument("dis-full").index.components["access"].items[1].points
    {1: 100.0, 2: 75.0, 3: 0.0}
    """

    id: str
    points: Mapping[int, float] | None = None
    reverse: bool = False
    not_asked: float | None = None


@dataclass(frozen=True)
class IndexComponent:
    """A component of the inclusion index: item points, or the competence domains.

    An item component is the mean of its items' points over the answered items
    (at least ``min_valid``). A competence component is the mean over
    ``domains`` (at least ``min_valid`` of them) of each domain's knowledge
    score (scaled 0-100) and self-report score (scaled 0-100) mixed as
    ``knowledge_share * knowledge + (1 - knowledge_share) * self_report``; a
    domain with only one of the two uses that one.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> c = load_instrument("dis-full").index.components["ability"]
    >>> c.kind, c.knowledge_share, c.domains[:2]
    ('competence', 0.6, ('practical', 'cognitive'))
    """

    id: str
    label: Mapping[str, str]
    weight: float
    min_valid: int
    items: tuple[IndexItem, ...] = ()
    domains: tuple[str, ...] = ()
    knowledge_share: float | None = None

    @property
    def kind(self) -> str:
        """``"items"`` or ``"competence"``."""
        return "competence" if self.domains else "items"


@dataclass(frozen=True)
class Band:
    """A band of the index: an interval of scores with its open or closed ends.

    Examples
    --------
    >>> b = Band("excluded", 45.0, 61.0, lower_closed=False, upper_closed=False)
    >>> str(b), b.contains(pd.Series([45, 50, 61])).tolist()
    ('(45, 61)', [False, True, False])
    """

    id: str
    lower: float
    upper: float
    lower_closed: bool
    upper_closed: bool

    def contains(self, scores) -> pd.Series:
        """Whether each score lies in the band (False where the score is missing)."""
        x = pd.Series(scores, dtype=float)
        above = x >= self.lower if self.lower_closed else x > self.lower
        below = x <= self.upper if self.upper_closed else x < self.upper
        return above & below

    def __str__(self) -> str:
        return f"{'[' if self.lower_closed else '('}{self.lower:g}, {self.upper:g}{']' if self.upper_closed else ')'}"


@dataclass(frozen=True)
class IndexSpec:
    """The instrument's declared Digital Inclusion Index (the YAML ``index:`` block).

    ``sensitivity`` holds the ranges the Monte Carlo of
    :func:`toolkit.risk.index.index_sensitivity` draws from:
    ``weight_concentration`` (Dirichlet concentration around the declared
    weights), ``threshold_jitter`` (points; each inner band boundary moves
    uniformly within +/- this) and ``knowledge_share`` (a (low, high) range).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> spec = load_instrument("dis-full").index
    >>> list(spec.components), [str(b) for b in spec.bands]
    (['access', 'ability', 'attitudes'], ['[0, 45]', '(45, 61)', '[61, 80)', '[80, 100]'])
    """

    label: Mapping[str, str]
    components: dict[str, IndexComponent]
    bands: tuple[Band, ...]
    sensitivity: Mapping[str, float | tuple[float, float]]
    excluded: tuple[str, ...] = ()

    @property
    def weights(self) -> dict[str, float]:
        """Component -> weight, normalised to sum to 1."""
        total = sum(c.weight for c in self.components.values())
        return {cid: c.weight / total for cid, c in self.components.items()}


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire definition. Build it with :func:`toolkit.load_instrument`.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-screener")
    >>> inst.id, inst.item_ids[:2], inst.missing_codes
    ('dis-screener', ['net_use_3m', 'dp_exempt'], {66: 'dont_understand', 88: 'dont_know', 99: 'refused'})
    """

    id: str
    version: str
    languages: tuple[str, ...]
    title: Mapping[str, str]
    description: Mapping[str, str]
    response_sets: dict[str, ResponseSet]
    missing: list[Code]
    domains: dict[str, Domain]
    sections: list[Section]
    items: list[Item]
    scales: dict[str, Scale]
    outcomes: dict[str, Outcome]
    source: str = ""
    index: IndexSpec | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {it.id: it for it in self.items}

    @property
    def item_ids(self) -> list[str]:
        """Item ids in questionnaire order."""
        return [it.id for it in self.items]

    @property
    def missing_codes(self) -> dict[int, str]:
        """Missing code -> kind declared for the instrument (a response set may declare its own).

        Use :meth:`missing_codes_of` for the codes that apply to one item.
        """
        return {c.code: c.kind for c in self.missing}

    def missing_codes_of(self, item: str | Item) -> dict[int, str]:
        """Missing code -> kind on one item: its response set's codes; none for numeric and text items.

        A response set that declares its own ``missing_codes`` overrides the
        instrument's, so cleaning and scoring ask here, item by item.

        Examples
        --------
        >>> from toolkit.instrument import load_instrument
        >>> inst = load_instrument("dis-full")
        >>> inst.missing_codes_of("net_use_3m"), inst.missing_codes_of("age")
        ({66: 'dont_understand', 88: 'dont_know', 99: 'refused'}, {})
        """
        rs = self.response_set_of(item if isinstance(item, str) else item.id)
        return {} if rs is None else rs.missing_codes

    def item(self, item_id: str) -> Item:
        """The item with this id; UnknownInstrumentError (a LookupError) if none.

        Examples
        --------
        >>> from toolkit.instrument import load_instrument
        >>> load_instrument("dis-full").item("eid").section
        'use'
        """
        try:
            return self._by_id[item_id]
        except KeyError:
            raise UnknownInstrumentError(f"instrument {self.id!r} has no item {item_id!r}") from None

    def response_set_of(self, item_id: str) -> ResponseSet | None:
        """The response set of an item (None for numeric and text items).

        Examples
        --------
        >>> from toolkit.instrument import load_instrument
        >>> inst = load_instrument("dis-full")
        >>> inst.response_set_of("net_use_3m").name, inst.response_set_of("age")
        ('yes_no', None)
        """
        name = self.item(item_id).response_set
        return None if name is None else self.response_sets[name]

    def section(self, section_id: str) -> Section:
        """The section with this id; UnknownInstrumentError (a LookupError) if none.

        Examples
        --------
        >>> from toolkit.instrument import load_instrument
        >>> load_instrument("dis-full").section("access").label["en"]
        'Access to devices and the internet'
        """
        for s in self.sections:
            if s.id == section_id:
                return s
        raise UnknownInstrumentError(f"instrument {self.id!r} has no section {section_id!r}")

    @cached_property
    def missing_by_column(self) -> dict[str, set[int]]:
        """Column -> codes that count as missing there (coded items only)."""
        return {it.id: set(self.missing_codes_of(it)) for it in self.items if it.type in CODED_TYPES}

    def relevant(self, data: pd.DataFrame, item_id: str) -> pd.Series:
        """Where ``item_id`` is asked, by its skip rule, for every row at once.

        Examples
        --------
        >>> from toolkit import load_instrument
        >>> inst = load_instrument("dis-full")
        >>> df = pd.DataFrame({"net_use_3m": [1, 2, 88]})
        >>> inst.relevant(df, "net_freq").tolist()
        [True, False, False]
        """
        item = self.item(item_id)
        if item.rule is None:
            return pd.Series(True, index=data.index, dtype=bool)
        return item.rule.evaluate(data, missing=self.missing_by_column)

    def evaluate(self, rule: str | Rule, data: pd.DataFrame) -> pd.Series:
        """Evaluate any rule (e.g. an outcome's) on data, treating missing codes as missing.

        Examples
        --------
        >>> from toolkit import load_instrument
        >>> inst = load_instrument("dis-full")
        >>> df = pd.DataFrame({"net_use_3m": [88, 1, 2], "age": [30, 88, 40]})
        >>> inst.evaluate("net_use_3m == 2 or age >= 75", df).tolist()  # 88: "don't know" here, an age there
        [False, True, True]
        """
        from toolkit.instrument.rules import parse

        parsed = parse(rule) if isinstance(rule, str) else rule
        return parsed.evaluate(data, missing=self.missing_by_column)

    def codebook(self) -> pd.DataFrame:
        """One row per item: the variable's text, type, codes and scoring facts.

        Columns: variable, section, kobo_path, domain, type, response_set,
        reverse, correct, scale, check, exclusive, required, optional, relevant,
        min, max, label_<lang> and codes_<lang> for each language, codes (= codes
        in English, or in the first language of an instrument without English),
        missing_codes (those of the item's response set).

        Examples
        --------
        >>> from toolkit import load_instrument
        >>> cb = load_instrument("dis-full").codebook()
        >>> cb.set_index("variable").loc["prac_k1", ["type", "domain", "scale"]].tolist()
        ['knowledge', 'practical', 'practical_kn']
        """
        rows = []
        main = "en" if "en" in self.languages else self.languages[0]
        for it in self.items:
            rs = self.response_sets.get(it.response_set) if it.response_set else None
            row = {
                "variable": it.id,
                "section": it.section,
                "kobo_path": f"{it.section}/{it.id}",
                "domain": it.domain,
                "type": it.type,
                "response_set": it.response_set,
                "reverse": it.reverse,
                "correct": it.correct,
                "scale": it.scale,
                "check": None if it.check is None else it.check["expected"],
                "exclusive": " ".join(map(str, it.exclusive)) or None,
                "required": it.required,
                "optional": it.optional,
                "relevant": it.relevant,
                "min": it.min,
                "max": it.max,
            }
            for lang in self.languages:
                row[f"label_{lang}"] = it.text[lang]
                row[f"codes_{lang}"] = "; ".join(f"{c.code}={c.label[lang]}" for c in rs.codes) if rs else None
            row["codes"] = row.get(f"codes_{main}")
            row["missing_codes"] = "; ".join(f"{c.code}={c.label[main]}" for c in rs.missing) if rs else None
            rows.append(row)
        df = pd.DataFrame(rows)
        for col in ("correct", "check"):
            df[col] = df[col].astype("Int64")
        for col in ("min", "max"):
            df[col] = df[col].astype("Float64")
        return df

    def __repr__(self) -> str:
        return (f"Instrument(id={self.id!r}, version={self.version!r}, items={len(self.items)}, "
                f"languages={self.languages})")


__all__ = ["Code", "ResponseSet", "Domain", "Section", "Item", "Scale", "Outcome", "IndexItem", "IndexComponent",
           "Band", "IndexSpec", "Instrument"]
