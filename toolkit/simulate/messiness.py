"""Make clean responses look and misbehave like a real survey export.

Every corruption is recorded in an artefacts table (row, respondent_id,
column, kind, clean, messy): ``row`` is the 0-based position in the messy
file, ``column`` is empty for whole-row artefacts (duplicates). Each cell is
corrupted at most once, so a cell not listed is equal to the clean
simulation. Rates (``RATES``) are per eligible cell or row:

=================  =====  ===================================================
kind               rate   what, and which cells/rows are eligible
=================  =====  ===================================================
speeder            0.02   web rows: duration_sec 10-25 % of the median, and
                          every answered likert cell redrawn uniformly
straightliner      0.02   rows (not speeders): every answered likert cell of
                          the longest likert section set to one code
skip_violation     0.01   rows: one item the skip logic skips gets an answer
dont_know          0.03   answered likert/knowledge/single cells -> 88
refused            0.005  same cells -> 99 (prefer not to say)
dont_understand    0.005  answered likert cells -> 66
out_of_range       0.003  answered coded cells -> an invalid code
                          (0, max + 1 or 9: ``invalid_codes``); numeric
                          cells -> 10 x max or -1
label              0.02   answered coded cells -> the answer's label in
                          English or Danish, with stray case/spaces
decimal_comma      0.05   cells with a fraction in numeric items and in
                          design_weight -> decimal comma ("12,5625")
pii                0.03   rows: the comment holds a CPR-like number, an
                          e-mail address or a phone number (fake, valid format)
duplicate          0.01   rows submitted twice; the copy is inserted later
=================  =====  ===================================================

The missing codes are those of each item's response set (``missing_kinds``):
88/99/66 in the bundled instruments, an instrument's own codes otherwise; a
kind without a rate here (``no_answer``, ``not_applicable``) is drawn at
:data:`toolkit.simulate.generic.EXTRA_MISSING_RATE`, added to the rates when
the instrument declares it.

The fake identifiers: CPR ``ddmmyy-xxxx`` with a valid date; e-mails at
example.com/example.org (reserved domains); phone numbers ``+45 xx xx xx xx``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit._validation import renamed_keywords
from toolkit.instrument.vocabulary import MISSING_KINDS
from toolkit.simulate.design import WEB

FLOAT_FORMAT = "%.10g"  # as in the CSV writer

RATES: dict[str, float] = {
    "speeder": 0.02,
    "straightliner": 0.02,
    "skip_violation": 0.01,
    "dont_know": 0.03,
    "refused": 0.005,
    "dont_understand": 0.005,
    "out_of_range": 0.003,
    "label": 0.02,
    "decimal_comma": 0.05,
    "pii": 0.03,
    "duplicate": 0.01,
}
COMMENT_RATE = 0.15  # share of respondents who leave a (clean) comment

_COMMENTS = (
    "Det er svært at finde rundt på kommunens hjemmeside.",
    "Jeg får hjælp af mit barnebarn.",
    "Borgerservice var meget hjælpsomme.",
    "MitID driller tit.",
    "Jeg forstår ikke altid brevene fra kommunen.",
    "Fint spørgeskema.",
    "I would like the letters in English.",
    "My daughter helps me with Digital Post.",
    "The self-service forms are too long.",
    "Good survey.",
)
_PII = (
    ("cpr", "Mit CPR-nummer er {v}, ring hvis der er spørgsmål."),
    ("cpr", "CPR {v} - jeg har brug for hjælp til min sag."),
    ("email", "Skriv til mig på {v}"),
    ("email", "Please contact me at {v}"),
    ("phone", "Ring gerne på {v}"),
    ("phone", "You can call me on {v}"),
)
_NAMES = ("anna", "mette", "lars", "jens", "fatima", "ole", "sofie", "ahmed", "karen", "peter")


def _fake_identifiers(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = kind.shape[0]
    day = rng.integers(1, 29, n)  # 1-28: valid in every month
    month = rng.integers(1, 13, n)
    year = rng.integers(0, 100, n)
    serial = rng.integers(0, 10_000, n)
    cpr = np.array([f"{d:02d}{m:02d}{y:02d}-{s:04d}" for d, m, y, s in zip(day, month, year, serial, strict=True)],
                   dtype=object)
    names = np.asarray(_NAMES, dtype=object)
    first, last = names[rng.integers(0, len(names), n)], names[rng.integers(0, len(names), n)]
    dom = np.where(rng.random(n) < 0.5, "example.com", "example.org")
    email = np.array([f"{a}.{b}{s % 100}@{d}" for a, b, s, d in zip(first, last, serial, dom, strict=True)],
                     dtype=object)
    digits = rng.integers(20_000_000, 99_999_999, n)
    phone = np.array([f"+45 {str(x)[:2]} {str(x)[2:4]} {str(x)[4:6]} {str(x)[6:]}" for x in digits], dtype=object)
    return np.where(kind == "cpr", cpr, np.where(kind == "email", email, phone))


def comments(n: int, rng: np.random.Generator) -> np.ndarray:
    """Clean free-text comments (no identifiers): NaN for most respondents.

    Parameters
    ----------
    n : int
        Respondents.
    rng : np.random.Generator

    Returns
    -------
    np.ndarray of object
        A comment for about ``COMMENT_RATE`` of them, else NaN.

    Examples
    --------
    >>> texts = comments(1000, np.random.default_rng(0))
    >>> 0.1 < float(np.mean([isinstance(t, str) for t in texts])) < 0.2
    True
    """
    has = rng.random(n) < COMMENT_RATE
    pick = np.asarray(_COMMENTS, dtype=object)[rng.integers(0, len(_COMMENTS), n)]
    return np.where(has, pick, np.nan).astype(object)


def _label_variant(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stray case and spaces, as typed by hand or exported by another tool."""
    style = rng.integers(0, 5, labels.shape[0])
    uniques, inverse = np.unique(labels, return_inverse=True)
    variants = np.array([[u, u.lower(), u.upper(), f" {u}", f"{u}  "] for u in uniques], dtype=object)
    return variants[inverse, style]


@renamed_keywords(inst="instrument", clean="data")
def corrupt(instrument, data: pd.DataFrame, rates: dict[str, float], rng: np.random.Generator, *,
            comment_col: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messy copy of ``data`` and its artefacts table (see the module docstring).

    The corruptions are drawn in a fixed order (row-level kinds first, then each
    cell at most once), so the same ``rng`` state gives the same messy file.

    Parameters
    ----------
    instrument : Instrument
        The questionnaire the responses answer.
    data : pd.DataFrame
        Clean responses (``Simulation.clean_responses``).
    rates : dict
        Kind -> rate (keys of ``RATES``); a kind left out is not drawn.
    rng : np.random.Generator
    comment_col : str, optional
        The free-text column that receives fake identifiers (kind ``pii``).

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        The messy responses and the artefacts table.

    Examples
    --------
    >>> import toolkit
    >>> sim = toolkit.simulate.survey("dis-screener", n=200, seed=1, clean=True)
    >>> messy, art = corrupt(sim.instrument, sim.clean_responses, {"duplicate": 0.1}, np.random.default_rng(0))
    >>> len(messy) - len(sim.clean_responses) == len(art), set(art["kind"])
    (True, {'duplicate'})
    """
    cells = _Cells(data)
    items = {it.id: it for it in instrument.items}
    likert = [i for i, it in items.items() if it.type == "likert"]  # attention checks too
    answered = {c: pd.notna(data[c]).to_numpy() for c in data.columns}
    speed = _speeders(cells, instrument, data, likert, answered, rates, rng)
    _straightliners(cells, instrument, items, likert, answered, ~speed, rates, rng)
    _skip_violations(cells, instrument, items, answered, rates, rng)
    for c in [i for i, it in items.items() if it.type in ("likert", "knowledge", "single")]:
        _answer_corruptions(cells, instrument, items[c], answered[c] & ~cells.touched[c], rates, rng)
    numeric = [i for i, it in items.items() if it.type == "numeric"]
    for c in numeric:
        free = answered[c] & ~cells.touched[c]
        r = np.flatnonzero(free & (rng.random(len(data)) < rates.get("out_of_range", 0)))
        high = 10 * items[c].max if items[c].max else 999.0
        cells.record(r, c, "out_of_range", np.where(rng.random(r.size) < 0.5, high, -1.0))
    for c in [*numeric, "design_weight"]:
        _decimal_commas(cells, data, c, rates, rng)
    if comment_col is not None:
        _pii(cells, comment_col, len(data), rates, rng)
    return _with_duplicates(data, cells, rates, rng)


class _Cells:
    """The messy copy under construction, and the record of every corrupted cell.

    Numeric columns stay float arrays; text written into one (a label, "3,5")
    is kept aside in ``overrides`` and merged when the frame is assembled.
    """

    def __init__(self, clean: pd.DataFrame):
        n = len(clean)
        numeric_cols = [c for c in clean.columns if pd.api.types.is_numeric_dtype(clean[c])]
        self.num = {c: clean[c].to_numpy(dtype=float).copy() for c in numeric_cols}
        self.obj = {c: clean[c].to_numpy(dtype=object).copy() for c in clean.columns if c not in self.num}
        self.overrides: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.touched = {c: np.zeros(n, dtype=bool) for c in clean.columns}
        self.records: list[tuple] = []

    def current(self, col: str) -> np.ndarray:
        return self.num[col] if col in self.num else self.obj[col]

    def record(self, rows: np.ndarray, col: str, kind: str, new: np.ndarray) -> None:
        if rows.size == 0:
            return
        old = _text(self.current(col)[rows])
        if col in self.obj:
            self.obj[col][rows] = new
        elif new.dtype == object:
            self.overrides.setdefault(col, []).append((rows, new))
        else:
            self.num[col][rows] = new
        self.touched[col][rows] = True
        self.records.append((rows, col, kind, old, _text(new)))


def _codes(instrument, item) -> list[float]:
    return [float(x.code) for x in instrument.response_sets[item.response_set].codes]


def _speeders(cells, instrument, clean, likert, answered, rates, rng) -> np.ndarray:
    """Web rows with a short duration and every answered likert cell redrawn uniformly."""
    web = (clean["mode"] == WEB).to_numpy()
    speed = web & (rng.random(len(clean)) < rates.get("speeder", 0))
    rows = np.flatnonzero(speed)
    median = np.nanmedian(clean["duration_sec"].to_numpy(dtype=float)) if web.any() else 600.0
    cells.record(rows, "duration_sec", "speeder", np.round(median * rng.uniform(0.10, 0.25, rows.size)))
    for c in likert:
        r = rows[answered[c][rows]]
        cells.record(r, c, "speeder", rng.choice(_codes(instrument, instrument.item(c)), r.size))
    return speed


def _straightliners(cells, instrument, items, likert, answered, eligible, rates, rng) -> None:
    """One code across the longest likert section, for rows that are not speeders."""
    sections = pd.Series({c: items[c].section for c in likert})
    if not len(sections):
        return
    block = sections[sections == sections.value_counts().index[0]].index.tolist()
    n = eligible.shape[0]
    lines = eligible & (rng.random(n) < rates.get("straightliner", 0))
    value = rng.choice(_codes(instrument, items[block[0]]), n)
    for c in block:
        r = np.flatnonzero(lines & answered[c])
        cells.record(r, c, "straightliner", value[r])


def _skip_violations(cells, instrument, items, answered, rates, rng) -> None:
    """One item the skip logic skips gets an answer anyway."""
    skippable = [i for i, it in items.items() if it.rule is not None and it.type in ("likert", "single", "knowledge")]
    if not skippable:
        return
    skipped = np.stack([~answered[c] for c in skippable], axis=1)
    chosen = (rng.random(skipped.shape[0]) < rates.get("skip_violation", 0)) & skipped.any(axis=1)
    pick = np.argmax(rng.random(skipped.shape) * skipped, axis=1)
    for j, c in enumerate(skippable):
        r = np.flatnonzero(chosen & (pick == j) & ~cells.touched[c])
        cells.record(r, c, "skip_violation", rng.choice(_codes(instrument, items[c]), r.size))


def missing_kinds(response_set) -> list[tuple[str, float]]:
    """(kind, code) of the response set's missing codes, in the vocabulary's order of kinds.

    The bundled sets give don't know 88, refused 99, don't understand 66; an
    instrument's own codes are used as declared.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> missing_kinds(load_instrument("dis-full").response_set_of("net_use_3m"))
    [('dont_know', 88.0), ('refused', 99.0), ('dont_understand', 66.0)]
    """
    order = {kind: k for k, kind in enumerate(MISSING_KINDS)}
    pairs = sorted(response_set.missing_codes.items(), key=lambda kc: (order.get(kc[1], len(order)), kc[0]))
    return [(kind, float(code)) for code, kind in pairs]


def invalid_codes(response_set) -> np.ndarray:
    """Three codes that are neither answers nor missing codes of the set: what ``out_of_range`` writes.

    0 (or one below the lowest code), one above the highest, and 9 (or two above
    the highest); a candidate that is one of the set's codes moves above them all.

    Examples
    --------
    >>> from toolkit.instrument.schema import Code, ResponseSet
    >>> five = ResponseSet("s", [Code(c, {"en": str(c)}) for c in range(1, 6)], [])
    >>> invalid_codes(five).tolist()
    [0.0, 6.0, 9.0]
    >>> eleven = ResponseSet("s", [Code(c, {"en": str(c)}) for c in range(11)], [Code(12, {"en": "?"}, "refused")])
    >>> invalid_codes(eleven).tolist()
    [-1.0, 11.0, 13.0]
    """
    taken = set(response_set.valid_codes) | set(response_set.missing_codes)
    lo = 0.0 if 0 not in response_set.valid_codes else response_set.min - 1.0
    bad = [lo, response_set.max + 1.0, 9.0 if response_set.max < 9 else response_set.max + 2.0]
    free = (x for x in range(max(taken) + 1, max(taken) + 10) if x not in taken)
    return np.array([x if x not in taken else float(next(free)) for x in bad])


def _answer_corruptions(cells, instrument, item, free, rates, rng) -> None:
    """Missing codes, an invalid code or the answer's label in one coded column (each cell at most once)."""
    c, rs = item.id, instrument.response_sets[item.response_set]
    missing = missing_kinds(rs)
    u = rng.random(free.shape[0])
    edges = np.cumsum([rates.get(k, 0) for k in (*(k for k, _ in missing), "out_of_range", "label")])
    kinds = np.searchsorted(edges, u, side="right")
    for k, (kind, code) in enumerate(missing):
        if kind == "dont_understand" and item.type != "likert":
            continue
        r = np.flatnonzero(free & (kinds == k))
        cells.record(r, c, kind, np.full(r.size, code))
    r = np.flatnonzero(free & (kinds == len(missing)))
    cells.record(r, c, "out_of_range", invalid_codes(rs)[rng.integers(0, 3, r.size)])
    r = np.flatnonzero(free & (kinds == len(missing) + 1))
    if r.size:
        lang = rng.integers(0, len(instrument.languages), r.size)
        table = np.array([[x.label[lg] for x in rs.codes] for lg in instrument.languages], dtype=object)
        order = np.argsort([x.code for x in rs.codes])
        pos = order[np.searchsorted(np.sort([x.code for x in rs.codes]), cells.num[c][r])]
        labels = table[lang, pos]
        # a label that is the code's own digits ("3" on a 0-10 scale) would change nothing
        real = np.array([str(lb).strip() != str(rs.codes[p].code) for lb, p in zip(labels, pos, strict=True)])
        if real.any():
            cells.record(r[real], c, "label", _label_variant(labels[real], rng))


def _decimal_commas(cells, clean, col, rates, rng) -> None:
    """Cells with a fraction written with a decimal comma ("12,5625")."""
    vals = pd.to_numeric(clean[col], errors="coerce").to_numpy(dtype=float)
    frac = ~cells.touched[col] & (np.mod(vals, 1) > 0)
    r = np.flatnonzero(frac & (rng.random(len(clean)) < rates.get("decimal_comma", 0)))
    cells.record(r, col, "decimal_comma", np.array([(FLOAT_FORMAT % v).replace(".", ",") for v in vals[r]],
                                                   dtype=object))


def _pii(cells, col, n, rates, rng) -> None:
    """Comments that hold a fake CPR number, e-mail address or phone number."""
    r = np.flatnonzero(rng.random(n) < rates.get("pii", 0))
    tmpl = rng.integers(0, len(_PII), r.size)
    kind = np.array([_PII[t][0] for t in tmpl], dtype=object)
    ids = _fake_identifiers(kind, rng)
    cells.record(r, col, "pii", np.array([_PII[t][1].format(v=v) for t, v in zip(tmpl, ids, strict=True)],
                                         dtype=object))


def _with_duplicates(clean, cells, rates, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insert duplicate submissions at random later positions; assemble the messy frame and artefacts."""
    n = len(clean)
    dup = np.flatnonzero(rng.random(n) < rates.get("duplicate", 0))
    key = np.concatenate([np.arange(n, dtype=float), dup + rng.uniform(0.5, 50.0, dup.size)])
    order = np.argsort(key, kind="stable")
    new_pos = np.empty(order.size, dtype=np.int64)
    new_pos[order] = np.arange(order.size)
    dup_rows = new_pos[n:]
    source = np.concatenate([np.arange(n), dup])[order]
    messy = _assemble(clean, cells, source)
    artefacts = _artefact_frame(cells.records)
    # a copy carries the corrupted cells of its source row: list them for the copy too
    src = artefacts["row"].to_numpy(dtype=np.int64)
    copies = pd.DataFrame({"row": dup_rows, "src": dup}).merge(
        artefacts.rename(columns={"row": "src"}), on="src").drop(columns="src")
    artefacts["row"] = new_pos[src]
    blank = pd.Series(np.full(dup_rows.size, "", dtype=object), dtype=object)
    duplicates = pd.DataFrame({"row": dup_rows, "column": blank, "kind": pd.Series(
        np.full(dup_rows.size, "duplicate", dtype=object), dtype=object), "clean": blank, "messy": blank})
    artefacts = pd.concat([artefacts, copies, duplicates], ignore_index=True)
    rows = artefacts["row"].to_numpy(dtype=np.int64)
    artefacts["row"] = rows
    artefacts.insert(1, "respondent_id", messy["respondent_id"].to_numpy()[rows])
    # row, then column in file order
    col_pos = pd.Categorical(artefacts["column"], categories=["", *clean.columns]).codes
    artefacts = artefacts.iloc[np.lexsort((col_pos, rows))].reset_index(drop=True)
    return messy, artefacts


_SMALL = np.array([str(i) for i in range(-1, 100_000)], dtype=object)


def _text(values: np.ndarray, missing: object = "") -> np.ndarray:
    """Values as written to CSV: ``missing`` for NaN, whole numbers without ".0", else %.10g."""
    values = np.asarray(values)
    if values.dtype.kind != "f":
        return np.array(["" if (isinstance(v, float) and np.isnan(v)) else
                         (FLOAT_FORMAT % v if isinstance(v, float) else str(v)) for v in values], dtype=object)
    out = np.full(values.shape[0], missing, dtype=object)
    finite = np.isfinite(values)
    safe = np.where(finite, values, -2.0)
    small = (safe == np.floor(safe)) & (safe >= -1) & (safe < len(_SMALL) - 1)
    out[small] = _SMALL[(safe[small] + 1).astype(np.int64)]  # codes: a table look-up, not formatting
    rest = np.flatnonzero(finite & ~small)
    uniques, inverse = np.unique(values[rest], return_inverse=True)  # e.g. 8 design weights
    out[rest] = np.array([FLOAT_FORMAT % v for v in uniques], dtype=object)[inverse]
    return out


def _artefact_frame(records) -> pd.DataFrame:
    if not records:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in ("row", "column", "kind", "clean", "messy")})
    sizes = [r[0].size for r in records]
    return pd.DataFrame({
        "row": np.concatenate([r[0] for r in records]),
        "column": pd.Series(np.repeat(np.array([r[1] for r in records], dtype=object), sizes), dtype=object),
        "kind": pd.Series(np.repeat(np.array([r[2] for r in records], dtype=object), sizes), dtype=object),
        "clean": pd.Series(np.concatenate([r[3] for r in records]), dtype=object),
        "messy": pd.Series(np.concatenate([r[4] for r in records]), dtype=object),
    })


def _assemble(clean: pd.DataFrame, cells: _Cells, source: np.ndarray) -> pd.DataFrame:
    """The messy frame, rows in ``source`` order (duplicates included).

    Numeric columns that received text become object columns of str (codes
    written as "3"); columns nothing touched are taken from ``clean``.
    """
    num, obj, overrides, touched = cells.num, cells.obj, cells.overrides, cells.touched
    out = {}
    for c in clean.columns:
        if c in overrides:
            text = _text(num[c], missing=np.nan)
            for rows, new in overrides[c]:
                text[rows] = new
            out[c] = pd.Series(text[source], dtype=object)
        elif not touched[c].any():
            out[c] = clean[c].iloc[source].reset_index(drop=True)
        elif c in num:
            out[c] = pd.Series(num[c][source], dtype=clean[c].dtype)
        else:
            out[c] = pd.Series(obj[c][source], dtype=clean[c].dtype)
    return pd.DataFrame(out)
