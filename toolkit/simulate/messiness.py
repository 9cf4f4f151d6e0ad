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
                          (0, max + 1 or 9); numeric cells -> 10 x max or -1
label              0.02   answered coded cells -> the answer's label in
                          English or Danish, with stray case/spaces
decimal_comma      0.05   cells with a fraction in numeric items and in
                          design_weight -> decimal comma ("12,5625")
pii                0.03   rows: the comment holds a CPR-like number, an
                          e-mail address or a phone number (fake, valid format)
duplicate          0.01   rows submitted twice; the copy is inserted later
=================  =====  ===================================================

The fake identifiers: CPR ``ddmmyy-xxxx`` with a valid date; e-mails at
example.com/example.org (reserved domains); phone numbers ``+45 xx xx xx xx``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    cpr = np.array([f"{d:02d}{m:02d}{y:02d}-{s:04d}" for d, m, y, s in zip(day, month, year, serial)], dtype=object)
    names = np.asarray(_NAMES, dtype=object)
    first, last = names[rng.integers(0, len(names), n)], names[rng.integers(0, len(names), n)]
    dom = np.where(rng.random(n) < 0.5, "example.com", "example.org")
    email = np.array([f"{a}.{b}{s % 100}@{d}" for a, b, s, d in zip(first, last, serial, dom)], dtype=object)
    digits = rng.integers(20_000_000, 99_999_999, n)
    phone = np.array([f"+45 {str(x)[:2]} {str(x)[2:4]} {str(x)[4:6]} {str(x)[6:]}" for x in digits], dtype=object)
    return np.where(kind == "cpr", cpr, np.where(kind == "email", email, phone))


def comments(n: int, rng: np.random.Generator) -> np.ndarray:
    """Clean free-text comments (no identifiers): NaN for most respondents."""
    has = rng.random(n) < COMMENT_RATE
    pick = np.asarray(_COMMENTS, dtype=object)[rng.integers(0, len(_COMMENTS), n)]
    return np.where(has, pick, np.nan).astype(object)


def _label_variant(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stray case and spaces, as typed by hand or exported by another tool."""
    style = rng.integers(0, 5, labels.shape[0])
    out = labels.copy()
    for s, f in ((1, str.lower), (2, str.upper), (3, lambda x: f" {x}"), (4, lambda x: f"{x}  ")):
        sel = style == s
        out[sel] = [f(x) for x in labels[sel]]
    return out


def corrupt(inst, clean: pd.DataFrame, rates: dict[str, float], rng: np.random.Generator,
            comment_col: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messy copy of ``clean`` and its artefacts table (see the module docstring)."""
    n = len(clean)
    cols = {c: clean[c].to_numpy(dtype=object).copy() for c in clean.columns}
    touched = {c: np.zeros(n, dtype=bool) for c in clean.columns}
    records: list[pd.DataFrame] = []

    def record(rows: np.ndarray, col: str, kind: str, new: np.ndarray) -> None:
        if rows.size == 0:
            return
        old = cols[col][rows]
        cols[col][rows] = new
        touched[col][rows] = True
        records.append(pd.DataFrame({"row": rows, "column": col, "kind": kind,
                                     "clean": _text(old), "messy": _text(new)}))

    items = {it.id: it for it in inst.items}
    likert = [i for i, it in items.items() if it.type == "likert"]  # attention checks too
    coded = [i for i, it in items.items() if it.type in ("likert", "knowledge", "single")]
    numeric = [i for i, it in items.items() if it.type == "numeric"]
    answered = {c: pd.notna(clean[c]).to_numpy() for c in clean.columns}

    # speeders: web rows, short duration, likert answers redrawn uniformly
    web = (clean["mode"] == WEB).to_numpy()
    speed = web & (rng.random(n) < rates.get("speeder", 0))
    rows = np.flatnonzero(speed)
    median = np.nanmedian(clean["duration_sec"].to_numpy(dtype=float)) if web.any() else 600.0
    record(rows, "duration_sec", "speeder", np.round(median * rng.uniform(0.10, 0.25, rows.size)))
    for c in likert:
        rs = inst.response_sets[items[c].response_set]
        r = rows[answered[c][rows]]
        record(r, c, "speeder", rng.choice([float(x.code) for x in rs.codes], r.size))
    # straightliners: one code across the longest likert section
    sections = pd.Series({c: items[c].section for c in likert})
    if len(sections):
        block = sections[sections == sections.value_counts().index[0]].index.tolist()
        lines = ~speed & (rng.random(n) < rates.get("straightliner", 0))
        rs = inst.response_sets[items[block[0]].response_set]
        value = rng.choice([float(x.code) for x in rs.codes], n)
        for c in block:
            r = np.flatnonzero(lines & answered[c])
            record(r, c, "straightliner", value[r])
    # skip violations: one skipped item answered anyway
    skippable = [i for i, it in items.items() if it.rule is not None and it.type in ("likert", "single", "knowledge")]
    if skippable:
        skipped = np.stack([~answered[c] for c in skippable], axis=1)
        chosen = (rng.random(n) < rates.get("skip_violation", 0)) & skipped.any(axis=1)
        pick = np.argmax(rng.random(skipped.shape) * skipped, axis=1)
        for j, c in enumerate(skippable):
            r = np.flatnonzero(chosen & (pick == j) & ~touched[c])
            rs = inst.response_sets[items[c].response_set]
            record(r, c, "skip_violation", rng.choice([float(x.code) for x in rs.codes], r.size))
    # per-cell answer corruptions, in a fixed order, each cell at most once
    for c in coded:
        rs = inst.response_sets[items[c].response_set]
        free = answered[c] & ~touched[c]
        u = rng.random(n)
        edges = np.cumsum([rates.get(k, 0) for k in ("dont_know", "refused", "dont_understand",
                                                    "out_of_range", "label")])
        kinds = np.searchsorted(edges, u, side="right")
        for k, (kind, code) in enumerate((("dont_know", 88.0), ("refused", 99.0), ("dont_understand", 66.0))):
            if kind == "dont_understand" and items[c].type != "likert":
                continue
            r = np.flatnonzero(free & (kinds == k))
            record(r, c, kind, np.full(r.size, code))
        r = np.flatnonzero(free & (kinds == 3))
        bad = np.array([0.0, rs.max + 1.0, 9.0 if rs.max < 9 else rs.max + 2.0])
        record(r, c, "out_of_range", bad[rng.integers(0, 3, r.size)])
        r = np.flatnonzero(free & (kinds == 4))
        if r.size:
            lang = np.asarray(inst.languages, dtype=object)[rng.integers(0, len(inst.languages), r.size)]
            lab = {(x.code, lg): x.label[lg] for x in rs.codes for lg in inst.languages}
            labels = np.array([lab[(int(v), lg)] for v, lg in zip(cols[c][r], lang)], dtype=object)
            record(r, c, "label", _label_variant(labels, rng))
    for c in numeric:
        it = items[c]
        vals = pd.to_numeric(clean[c], errors="coerce").to_numpy(dtype=float)
        free = answered[c] & ~touched[c]
        r = np.flatnonzero(free & (rng.random(n) < rates.get("out_of_range", 0)))
        high = 10 * it.max if it.max else 999.0
        record(r, c, "out_of_range", np.where(rng.random(r.size) < 0.5, high, -1.0))
    for c in [*numeric, "design_weight"]:
        vals = pd.to_numeric(clean[c], errors="coerce").to_numpy(dtype=float)
        frac = ~touched[c] & (np.mod(vals, 1) > 0)
        r = np.flatnonzero(frac & (rng.random(n) < rates.get("decimal_comma", 0)))
        record(r, c, "decimal_comma", np.array([(FLOAT_FORMAT % v).replace(".", ",") for v in vals[r]], dtype=object))
    if comment_col is not None:
        r = np.flatnonzero(rng.random(n) < rates.get("pii", 0))
        tmpl = rng.integers(0, len(_PII), r.size)
        kind = np.array([_PII[t][0] for t in tmpl], dtype=object)
        ids = _fake_identifiers(kind, rng)
        record(r, comment_col, "pii", np.array([_PII[t][1].format(v=v) for t, v in zip(tmpl, ids)], dtype=object))

    messy = pd.DataFrame(cols, index=clean.index)
    artefacts = (pd.concat(records, ignore_index=True) if records else
                 pd.DataFrame(columns=["row", "column", "kind", "clean", "messy"]))
    # duplicate submissions: copies inserted at random later positions
    dup = np.flatnonzero(rng.random(n) < rates.get("duplicate", 0))
    key = np.concatenate([np.arange(n, dtype=float), dup + rng.uniform(0.5, 50.0, dup.size)])
    order = np.argsort(key, kind="stable")
    new_pos = np.empty(order.size, dtype=np.int64)
    new_pos[order] = np.arange(order.size)
    dup_rows = new_pos[n:]
    # a copy carries the corrupted cells of its source row: list them for the copy too
    src = artefacts["row"].to_numpy(dtype=np.int64)
    copies = pd.DataFrame({"row": dup_rows, "src": dup}).merge(
        artefacts.rename(columns={"row": "src"}), on="src").drop(columns="src")
    artefacts["row"] = new_pos[src]
    source = np.concatenate([np.arange(n), dup])[order]
    messy = messy.iloc[source].reset_index(drop=True)
    artefacts = pd.concat([artefacts, copies, pd.DataFrame({"row": dup_rows, "column": "", "kind": "duplicate",
                                                            "clean": "", "messy": ""})], ignore_index=True)
    artefacts.insert(1, "respondent_id", messy["respondent_id"].to_numpy()[artefacts["row"].to_numpy()])
    artefacts = artefacts.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    return _tidy_types(messy, clean), artefacts


def _text(values: np.ndarray) -> np.ndarray:
    return np.array(["" if (isinstance(v, float) and np.isnan(v)) else
                     (FLOAT_FORMAT % v if isinstance(v, float) else str(v)) for v in values], dtype=object)


def _tidy_types(messy: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """Columns that now hold text become text (codes written as "3"); others keep their dtype."""
    out = {}
    for c in messy.columns:
        col = messy[c]
        has_text = col.map(lambda v: isinstance(v, str)).any() if col.dtype == object else False
        if has_text and pd.api.types.is_numeric_dtype(clean[c]):
            out[c] = pd.Series(_text(col.to_numpy()), dtype="str").replace("", np.nan)
        elif pd.api.types.is_numeric_dtype(clean[c]):
            out[c] = pd.to_numeric(col)
        else:
            out[c] = col.astype(clean[c].dtype)
    return pd.DataFrame(out)
