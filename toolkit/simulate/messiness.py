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
    uniques, inverse = np.unique(labels, return_inverse=True)
    variants = np.array([[u, u.lower(), u.upper(), f" {u}", f"{u}  "] for u in uniques], dtype=object)
    return variants[inverse, style]


def corrupt(inst, clean: pd.DataFrame, rates: dict[str, float], rng: np.random.Generator,
            comment_col: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messy copy of ``clean`` and its artefacts table (see the module docstring)."""
    n = len(clean)
    numeric_cols = [c for c in clean.columns if pd.api.types.is_numeric_dtype(clean[c])]
    num = {c: clean[c].to_numpy(dtype=float).copy() for c in numeric_cols}
    obj = {c: clean[c].to_numpy(dtype=object).copy() for c in clean.columns if c not in num}
    overrides: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}  # text written into numeric columns
    touched = {c: np.zeros(n, dtype=bool) for c in clean.columns}
    records: list[pd.DataFrame] = []

    def current(col: str) -> np.ndarray:
        return num[col] if col in num else obj[col]

    def record(rows: np.ndarray, col: str, kind: str, new: np.ndarray) -> None:
        if rows.size == 0:
            return
        old = _text(current(col)[rows])
        if col in obj:
            obj[col][rows] = new
        elif new.dtype == object:
            overrides.setdefault(col, []).append((rows, new))
        else:
            num[col][rows] = new
        touched[col][rows] = True
        records.append((rows, col, kind, old, _text(new)))

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
            lang = rng.integers(0, len(inst.languages), r.size)
            table = np.array([[x.label[lg] for x in rs.codes] for lg in inst.languages], dtype=object)
            order = np.argsort([x.code for x in rs.codes])
            pos = order[np.searchsorted(np.sort([x.code for x in rs.codes]), num[c][r])]
            labels = table[lang, pos]
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

    # duplicate submissions: copies inserted at random later positions
    dup = np.flatnonzero(rng.random(n) < rates.get("duplicate", 0))
    key = np.concatenate([np.arange(n, dtype=float), dup + rng.uniform(0.5, 50.0, dup.size)])
    order = np.argsort(key, kind="stable")
    new_pos = np.empty(order.size, dtype=np.int64)
    new_pos[order] = np.arange(order.size)
    dup_rows = new_pos[n:]
    source = np.concatenate([np.arange(n), dup])[order]
    messy = _assemble(clean, num, obj, overrides, touched, source)
    del num, obj, overrides
    artefacts = _artefact_frame(records)
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


def _assemble(clean: pd.DataFrame, num, obj, overrides, touched, source: np.ndarray) -> pd.DataFrame:
    """The messy frame, rows in ``source`` order (duplicates included).

    Numeric columns that received text become object columns of str (codes
    written as "3"); columns nothing touched are taken from ``clean``.
    """
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
