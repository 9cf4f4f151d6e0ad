"""Apply triage rules to every respondent at once, in three-valued logic.

A condition is *true*, *false* or *unknown* for a respondent. The leaves are
evaluated by the instrument's rule language (:meth:`Instrument.evaluate`,
where a missing value never compares true); a leaf whose variable is missing
is unknown, unless the item was not asked by its skip rule (then it is simply
false). ``and``/``or``/``not`` combine the three values as Kleene's logic
does: ``false and unknown`` is false, ``true or unknown`` is true. A count
(``n_low``) is known to lie between the conditions that hold and those that
hold or are unknown, and a comparison on it is unknown only when that range
straddles the answer. This is what lets the triage say "not enough answers
for ..." instead of quietly treating an unanswered question as "no".

Examples
--------
>>> import pandas as pd, toolkit
>>> inst = toolkit.load_instrument("dis-screener")
>>> ev = Evaluator(pd.DataFrame({"net_use_3m": [2, 1, None], "dp_exempt": [None, None, 1]}), inst)
>>> true, unknown = ev.truth(toolkit.instrument.parse_rule("net_use_3m == 2 and dp_exempt == 1"))
>>> true.tolist(), unknown.tolist()
([False, False, False], [True, False, True])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit._rows import row_patterns
from toolkit._validation import as_instrument, check_frame, check_option
from toolkit.errors import ResponseError
from toolkit.instrument import Rule
from toolkit.instrument.rules import And, Not, Or
from toolkit.risk.triage.rules import CATEGORIES, PHRASES, TriageRules, load_rules


def _count_leaf(leaf, instrument, low: np.ndarray, high: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A comparison on a count that lies in ``[low, high]`` for each row."""
    at = instrument.evaluate(leaf, pd.DataFrame({leaf.var: np.arange(n + 1)})).to_numpy(dtype=int)
    cumulative = np.concatenate([[0], np.cumsum(at)])
    holding = cumulative[high + 1] - cumulative[low]
    true = holding == high - low + 1
    return true, ~true & (holding > 0)


class Evaluator:
    """Three-valued evaluation of rules on one frame of answers, scores, outcomes and counts.

    Parameters
    ----------
    frame : pd.DataFrame
        Items, scale columns and outcome columns, one row per respondent.
    instrument : Instrument
        Supplies the rule language, the missing codes and the skip rules.

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> inst = toolkit.load_instrument("dis-full")
    >>> ev = Evaluator(pd.DataFrame({"dp_exempt": [1, 2, None], "dp_read": [None, 4, None]}), inst)
    >>> [a.tolist() for a in ev.truth(toolkit.instrument.parse_rule("dp_read == 4"))]  # not asked when exempt
    [[False, True, False], [False, False, True]]
    """

    def __init__(self, frame: pd.DataFrame, instrument):
        self.frame, self.instrument = frame, instrument
        self.counts: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
        self._known: dict[str, np.ndarray] = {}

    def _missing(self, var: str) -> np.ndarray:
        col = self.frame[var]
        missing = col.isna().to_numpy(dtype=bool, copy=True)
        codes = self.instrument.missing_by_column.get(var)
        if codes and pd.api.types.is_numeric_dtype(col.dtype):  # a few codes: compared, not hashed
            number = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            missing |= np.isin(number, list(codes))
        elif codes:  # text: each distinct value read as a number once
            value, values = pd.factorize(col, use_na_sentinel=True)
            coded = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").isin(list(codes))
            missing |= np.append(coded.to_numpy(dtype=bool), False)[value]
        return missing

    def known(self, var: str) -> np.ndarray:
        """Rows where ``var`` has a value, or was not asked by its skip rule.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> ev = Evaluator(pd.DataFrame({"help_any": [1, 88]}), toolkit.load_instrument("dis-full"))
        >>> ev.known("help_any").tolist()
        [True, False]
        """
        if var not in self._known:
            known = ~self._missing(var)
            item = self.instrument.item(var) if var in self.instrument.item_ids else None
            if item is not None and item.rule is not None and item.rule.variables() <= set(self.frame.columns):
                true, unknown = self.truth(item.rule)
                known = known | (~true & ~unknown)
            self._known[var] = known
        return self._known[var]

    def truth(self, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
        """``(true, unknown)`` boolean arrays of ``rule`` on every row.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> ev = Evaluator(pd.DataFrame({"help_any": [1, 2, None]}), toolkit.load_instrument("dis-full"))
        >>> [a.tolist() for a in ev.truth(toolkit.instrument.parse_rule("not help_any == 1"))]
        [[False, True, False], [False, False, True]]
        """
        if isinstance(rule, Not):
            true, unknown = self.truth(rule.rule)
            return ~true & ~unknown, unknown
        if isinstance(rule, And | Or):
            parts = [self.truth(r) for r in rule.rules]
            trues = np.array([t for t, _ in parts])
            falses = np.array([~t & ~u for t, u in parts])
            if isinstance(rule, And):
                true, false = trues.all(axis=0), falses.any(axis=0)
            else:
                true, false = trues.any(axis=0), falses.all(axis=0)
            return true, ~true & ~false
        if rule.var in self.counts:
            return _count_leaf(rule, self.instrument, *self.counts[rule.var])
        known = self.known(rule.var)
        return self.instrument.evaluate(rule, self.frame).to_numpy(dtype=bool) & known, ~known

    def add_outcomes(self) -> None:
        """Add every outcome of the instrument as a column: 1 holds, 0 does not, NaN unknown.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> ev = Evaluator(pd.DataFrame({"net_use_3m": [2, 1, None]}), toolkit.load_instrument("dis-full"))
        >>> ev.add_outcomes(); ev.frame["offline"].tolist()
        [1.0, 0.0, nan]
        """
        values = {}
        for oid, outcome in self.instrument.outcomes.items():
            if outcome.parsed.variables() <= set(self.frame.columns):
                true, unknown = self.truth(outcome.parsed)
                values[oid] = np.where(unknown, np.nan, true.astype(float))
        self.frame = self.frame.drop(columns=[c for c in values if c in self.frame.columns]).assign(**values)
        self._known = {k: v for k, v in self._known.items() if k not in values}

    def add_count(self, name: str, conditions) -> None:
        """Add a count of the ``conditions`` that hold, known to lie between the sure and the possible count.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> inst = toolkit.load_instrument("dis-full")
        >>> ev = Evaluator(pd.DataFrame({"help_any": [1, None], "proxy": [1, 3]}), inst)
        >>> ev.add_count("n", [toolkit.instrument.parse_rule(r) for r in ("help_any == 1", "proxy == 1")])
        >>> [a.tolist() for a in ev.truth(toolkit.instrument.parse_rule("n >= 1"))]
        [[True, False], [False, True]]
        """
        parts = [self.truth(r) for r in conditions]
        low = np.sum([t for t, _ in parts], axis=0).astype(int)
        high = np.sum([t | u for t, u in parts], axis=0).astype(int)
        self.counts[name] = (low, high, len(parts))


def _frame(data: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Answers and scores side by side (a score column wins over a data column of the same name)."""
    if not data.index.equals(scores.index):
        raise ResponseError("scores must have the same rows, in the same order, as data (use toolkit.score(data, "
                            "instrument) on the same frame)")
    return pd.concat([data.drop(columns=[c for c in scores.columns if c in data.columns]), scores], axis=1)


def _text_once(frame: pd.DataFrame, rules) -> pd.DataFrame:
    """Categorical columns the rules compare with text, as the ``string`` columns each comparison makes of them.

    A comparison with text turns its column into ``string`` (each row's category looked up anew); made here
    once per column from the categories, the comparisons find it done.
    """
    texts = {leaf.var for rule in rules for leaf in rule.comparisons()
             if leaf.var in frame.columns and all(isinstance(v, str) for v in leaf.values())}
    made = {}
    for var in texts:
        column = frame[var]
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = pd.array(column.cat.categories.to_numpy(dtype=object), dtype="string")
            made[var] = pd.Series(categories.take(column.cat.codes.to_numpy(), allow_fill=True), index=frame.index)
    return frame.assign(**made) if made else frame


def _standing(frame: pd.DataFrame, instrument, domain: str) -> np.ndarray:
    """Mean position (0 lowest, 1 highest possible) of a respondent on the domain's scales; NaN if none."""
    total, count = np.zeros(len(frame)), np.zeros(len(frame))
    for s in instrument.scales.values():
        if s.domain != domain or s.id not in frame.columns:
            continue
        rs = instrument.response_set_of(s.items[0])
        top = len(s.items) if s.kind == "knowledge" or rs is None else rs.max
        score = (pd.to_numeric(frame[s.id], errors="coerce").to_numpy(dtype=float) - s.levels["low"])
        score = score / (top - s.levels["low"])
        total += np.nan_to_num(score)
        count += ~np.isnan(score)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _weakest(ev: Evaluator, spec: TriageRules) -> np.ndarray:
    """The weakest domain whose training condition holds (ties: the order of the rules file), else None."""
    domains = list(spec.training)
    if not domains:
        return np.full(len(ev.frame), None, dtype=object)
    holds = np.array([ev.truth(spec.training[d])[0] for d in domains])
    standing = np.array([_standing(ev.frame, ev.instrument, d) for d in domains])
    # a domain that holds but cannot be placed comes after every placed one (standing <= 1)
    key = np.where(holds, np.nan_to_num(standing, nan=2.0), np.inf)
    pick = np.asarray(domains, dtype=object)[key.argmin(axis=0)]
    return np.where(holds.any(axis=0), pick, None)


def _categories(ev: Evaluator, spec: TriageRules) -> tuple[np.ndarray, dict, dict, np.ndarray]:
    """Category rank per row before the incomplete-screening policy, with each rule's truth and the gaps."""
    independent = len(CATEGORIES) - 1
    fired, unknown = {}, {}
    rank = np.full(len(ev.frame), independent)
    for rule in spec.rules:
        fired[rule.id], unknown[rule.id] = ev.truth(rule.when)
        rank = np.minimum(rank, np.where(fired[rule.id], CATEGORIES.index(rule.category), independent))
    answered = np.sum([ev.known(i) for i in spec.completeness], axis=0) if spec.completeness else 0
    any_unknown = np.any([unknown[r.id] for r in spec.rules], axis=0)
    incomplete = (np.asarray(answered) < spec.min_answered) | ((rank == independent) & any_unknown)
    return rank, fired, unknown, incomplete


def _reason_parts(spec: TriageRules, lang: str, rank, fired, unknown, incomplete, domain_text):
    """(id, text per row, rows where it applies) for every reason that can appear, in reading order."""
    final = np.where(incomplete & (rank == len(CATEGORIES) - 1), CATEGORIES.index("occasional_advice"), rank)
    unsure = PHRASES["domain_unknown"][lang]
    parts = []
    domain, domains = pd.factorize(domain_text)  # each reason worded once per domain, not per row
    for rule in spec.rules:
        text = (np.array([rule.reason[lang].format(domain=d) for d in domains], dtype=object), domain)
        parts.append((rule.id, text, fired[rule.id] & (final == CATEGORIES.index(rule.category))))
    for rule in spec.rules:
        text = PHRASES["unknown"][lang].format(reason=rule.reason[lang].format(domain=unsure))
        parts.append((f"unknown:{rule.id}", text, unknown[rule.id] & (CATEGORIES.index(rule.category) < rank)))
    parts.append(("incomplete", PHRASES["incomplete"][lang], incomplete))
    parts.append(("independent", PHRASES["independent"][lang], final == len(CATEGORIES) - 1))
    return final, parts


def _numbered(text):
    """One text as it is; texts per row as ``(distinct texts, each row's number)``."""
    if isinstance(text, str | tuple):
        return text
    codes, texts = pd.factorize(np.asarray(text, dtype=object))
    return np.asarray(texts, dtype=object), codes


def _joined(pieces, n: int) -> np.ndarray:
    """Join per-row pieces with "; " where they apply.

    A piece's text is one text, a text per row, or ``(texts, codes)``: the text of each row is
    ``texts[codes]``. Rows with the same pieces (and the same texts) share one joined string: the
    rows are keyed by what applies to them, and each distinct key is joined once.
    """
    pieces = [(_numbered(text), np.asarray(mask, dtype=bool)) for text, mask in pieces]
    # a piece applies (one text) or holds its text's number (-1: does not apply): no text per row
    applies = pd.DataFrame({i: mask if isinstance(text, str) else np.where(mask, text[1], -1)
                            for i, (text, mask) in enumerate(pieces)}, index=pd.RangeIndex(n))
    codes, first = row_patterns(applies)
    joined = ["; ".join(text if isinstance(text, str) else text[0][text[1][row]]
                        for text, mask in pieces if mask[row]) for row in first]
    return np.asarray(joined, dtype=object)[codes] if n else np.empty(0, dtype=object)


def triage(data: pd.DataFrame, scores: pd.DataFrame, instrument, *, rules=None, lang: str = "en") -> pd.DataFrame:
    """One support recommendation per respondent, with the reasons that triggered it.

    For person-facing use with the screener (``dis-screener``) or the full
    survey (``dis-full``), with the respondent's consent; nothing is linked to
    other records. The rules are those of ``toolkit/risk/data/triage.yaml``
    (documented, with the rationale, in ``toolkit/risk/TRIAGE.md``) unless
    ``rules`` gives others. Categories, highest priority first:
    ``offline_alternative``, ``assisted_digital``, ``skills_training`` (with
    the weakest low ``domain``), ``occasional_advice``, ``independent``.

    Missing answers make a condition *unknown*, never false: an unknown
    condition above the chosen category adds "not enough answers for: ...",
    and a respondent who would come out ``independent`` while some condition
    is unknown, or who answered fewer than the rules' ``min_answered``
    questions, gets ``occasional_advice`` with "incomplete screening: ask in
    person". ``independent`` is therefore a finding, not a default.

    Parameters
    ----------
    data : pd.DataFrame
        Cleaned answers (item columns), one row per respondent.
    scores : pd.DataFrame
        ``toolkit.score(data, instrument)`` for the same rows.
    instrument : Instrument, str or path
        ``dis-screener``, ``dis-full`` or another instrument the rules cover.
    rules : path, dict or None
        Triage rules (see :func:`toolkit.risk.triage.rules.load_rules`); default the bundled file.
    lang : str
        Language of the reasons, one of the instrument's (``en``, ``da``).

    Returns
    -------
    pd.DataFrame
        Same index and order as ``data``: ``category`` (ordered categorical),
        ``domain`` (training domain, else missing), ``reasons`` (texts joined
        by "; ") and ``rule_ids`` (the matching rule ids, joined by "; ").

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> data = pd.DataFrame({"net_use_3m": [2], "dp_exempt": [1], "help_any": [1]})
    >>> for item in toolkit.load_instrument("dis-screener").item_ids[3:]:
    ...     data[item] = 88
    >>> scores = pd.DataFrame({f"{s}_level": ["low"] for s in toolkit.load_instrument("dis-screener").scales})
    >>> out = triage(data, scores, "dis-screener")
    >>> out.loc[0, "category"], out.loc[0, "rule_ids"]
    ('offline_alternative', 'offline_exempt; incomplete')
    >>> out.loc[0, "reasons"].split("; ")[1]
    'incomplete screening: ask in person'
    """
    instrument = as_instrument(instrument)
    check_frame(data, "data")
    check_frame(scores, "scores")
    check_option(lang, "lang", instrument.languages)
    spec = load_rules(rules, instrument)
    frame = _frame(data, scores)
    _check_columns(frame, spec, instrument)
    ev = Evaluator(_text_once(frame, _rules(spec, instrument)), instrument)
    ev.add_outcomes()
    for name, conditions in spec.counts.items():
        ev.add_count(name, conditions)
    rank, fired, unknown, incomplete = _categories(ev, spec)
    weakest = pd.Series(_weakest(ev, spec), dtype=object)
    labels = {d: _label(instrument, d, lang) for d in instrument.domains}
    domain_text = weakest.map(labels).fillna(PHRASES["domain_unknown"][lang])
    final, parts = _reason_parts(spec, lang, rank, fired, unknown, incomplete, domain_text)
    training = final == CATEGORIES.index("skills_training")
    return pd.DataFrame({
        "category": pd.Categorical.from_codes(final, categories=list(CATEGORIES), ordered=True),
        "domain": pd.array(np.where(training, weakest, None), dtype="string"),
        "reasons": _joined(((text, mask) for _, text, mask in parts), len(final)),
        "rule_ids": _joined(((rid, mask) for rid, _, mask in parts), len(final)),
    }, index=data.index)


def _label(instrument, domain: str, lang: str) -> str:
    label = instrument.domains[domain].label[lang]
    return label[:1].lower() + label[1:]


def _rules(spec: TriageRules, instrument) -> list:
    """Every rule the triage evaluates: the categories', the training domains', the counts' and the outcomes'."""
    rules = [r.when for r in spec.rules] + list(spec.training.values())
    rules += [c for conds in spec.counts.values() for c in conds]
    return rules + [o.parsed for o in instrument.outcomes.values()]


def _check_columns(frame: pd.DataFrame, spec: TriageRules, instrument) -> None:
    """The items and scale columns the rules need must be in the data or the scores."""
    rules = [r.when for r in spec.rules] + list(spec.training.values())
    rules += [c for conds in spec.counts.values() for c in conds]
    needed = set().union(*(r.variables() for r in rules)) | set(spec.completeness)
    for oid in needed & set(instrument.outcomes):
        needed |= instrument.outcomes[oid].parsed.variables()
    derived = set(instrument.outcomes) | set(spec.counts)
    absent = sorted(needed - derived - set(frame.columns))
    if absent:
        raise ResponseError(f"the triage rules of {instrument.id} need column(s) {', '.join(absent)}, which "
                            "neither data nor scores have")
