"""The report's tables as rows of display text, built from the results' tidy tables.

Presentation only: rows are picked, labelled and formatted, never computed.
A suppressed cell shows the suppression text instead of numbers; an
unreliable one carries a dagger.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from toolkit.report import _format as fmt
from toolkit.report._words import Words


def _true(value: Any) -> bool:
    return bool(value) if pd.notna(value) else False


def estimate_cell(row: pd.Series, words: Words, *, share: str = "estimate") -> dict:
    """One published share: its value, its CI, whether it is unreliable, or the suppression text."""
    if _true(row.get("suppressed")) or pd.isna(row.get(share)):
        return {"suppressed": words.suppressed}
    return {"value": fmt.pct(row[share], words.lang), "ci": fmt.pct_range(row["ci_low"], row["ci_high"], words.lang),
            "dagger": "reliable" in row and not _true(row["reliable"])}


def summary_sentences(estimates: pd.DataFrame, words: Words) -> list[dict]:
    """The plain-words sentence of every outcome's overall figure."""
    out = []
    for _, row in estimates[estimates["by"] == "overall"].iterrows():
        label, cell = words.outcome(row["outcome"]), estimate_cell(row, words)
        if "suppressed" in cell:
            text = words.ui("sentence_suppressed", label=label, suppressed=cell["suppressed"])
        else:
            pct = fmt.pct(row["estimate"], words.lang, digits=0)
            ci = fmt.pct_range(row["ci_low"], row["ci_high"], words.lang, digits=0)
            phrase = words.phrase(row["outcome"])
            text = (words.ui("sentence", pct=pct, conf=words.conf, ci=ci, phrase=phrase) if phrase else
                    words.ui("sentence_generic", label=label, pct=pct, conf=words.conf, ci=ci))
        out.append({"text": text, "dagger": cell.get("dagger", False), "outcome": label})
    return out


def estimate_tables(estimates: pd.DataFrame, words: Words) -> list[dict]:
    """One table per reporting group: a row per group, a column per outcome, the overall row first."""
    outcomes = list(dict.fromkeys(estimates["outcome"]))
    overall = estimates[estimates["by"] == "overall"].set_index("outcome")
    tables = []
    for by in dict.fromkeys(estimates.loc[estimates["by"] != "overall", "by"]):
        part = estimates[estimates["by"] == by]
        rows = [{"label": words.ui("all_residents"), "overall": True,
                 "cells": [estimate_cell(overall.loc[o], words) if o in overall.index else {} for o in outcomes]}]
        for group, cells in part.groupby("group", sort=False):
            by_outcome = cells.set_index("outcome")
            rows.append({"label": words.group(by, group, cells["group_label"].iloc[0]), "overall": False,
                         "cells": [estimate_cell(by_outcome.loc[o], words) if o in by_outcome.index else {}
                                   for o in outcomes]})
        tables.append({"by": by, "title": words.name(by), "columns": [words.outcome(o) for o in outcomes],
                       "rows": rows})
    return tables


def projection_tables(projection: pd.DataFrame, words: Words) -> list[dict]:
    """One table per projected outcome: a row per district and method."""
    if projection is None or projection.empty:
        return []
    tables = []
    for outcome, part in projection.groupby("outcome", sort=False):
        rows = []
        for first, (_, row) in zip(~part["district"].duplicated().to_numpy(), part.iterrows(), strict=True):
            cell = estimate_cell(row, words, share="share")
            counted = {"suppressed": cell["suppressed"]} if "suppressed" in cell else {
                "value": fmt.count(row["count"], words.lang),
                "ci": fmt.count_range(row.get("count_ci_low"), row.get("count_ci_high"), words.lang)}
            district = words.code_label("district", row["district"]) or str(row["district"])
            rows.append({"district": district, "span": int((part["district"] == row["district"]).sum()) if first else 0,
                         "method": words.name(str(row["method"])), "share": cell, "count": counted,
                         "n": fmt.count(row.get("n"), words.lang) if "suppressed" not in cell else "",
                         "population": fmt.count(row.get("population"), words.lang),
                         "preferred": _true(row.get("preferred"))})
        tables.append({"title": words.outcome(outcome), "rows": rows})
    return tables


_WEIGHT_ROWS = ("n", "sum", "min", "max", "mean", "cv", "max_min_ratio", "kish_neff", "deff_weighting", "converged",
                "sweeps", "max_margin_error")


def weighting_table(weighting: pd.DataFrame, words: Words) -> dict:
    """Weight diagnostics, a row per measure and a column per weighting (design, raked)."""
    columns = [words.name(str(w)) for w in weighting.get("weighting", pd.Series(["design"] * len(weighting)))]
    rows = []
    for key in (k for k in _WEIGHT_ROWS if k in weighting):
        values = [_measure(key, v, words) for v in weighting[key]]
        if any(v != fmt.DASH for v in values):
            rows.append({"label": words.name(key), "values": values})
    return {"columns": columns, "rows": rows}


def _measure(key: str, value: Any, words: Words) -> str:
    if key == "converged":
        return fmt.flag(value, words.name("yes"), words.name("no"))
    if key in ("n", "sweeps"):
        return fmt.count(value, words.lang)
    return fmt.number(value, words.lang, 1 if key in ("sum", "kish_neff") else 3 if key == "max_margin_error" else 2)


def reliability_rows(reliability: pd.DataFrame, words: Words) -> list[dict]:
    """One row per scale: its label, coefficient (alpha or KR-20) with CI, omega, items and n."""
    rows = []
    for _, row in reliability.iterrows():
        value = fmt.number(row.get("alpha"), words.lang)
        ci = f"{fmt.number(row.get('ci_low'), words.lang)}{fmt.DASH}{fmt.number(row.get('ci_high'), words.lang)}"
        rows.append({"scale": words.scale(row["scale"]), "coefficient": words.name(str(row.get("coefficient", ""))),
                     "value": value, "ci": ci, "omega": fmt.number(row.get("omega_total"), words.lang),
                     "n_items": fmt.count(row.get("n_items"), words.lang), "n": fmt.count(row.get("n"), words.lang)})
    return rows


def cleaning_rows(totals: pd.DataFrame, words: Words) -> tuple[list[dict], list[dict]]:
    """The cleaning totals: rows read and cell changes by rule; quality flags."""
    def rows(kinds: tuple[str, ...]) -> list[dict]:
        part = totals[totals["kind"].isin(kinds)]
        return [{"label": words.name(str(r["name"])), "count": fmt.count(r["count"], words.lang)}
                for _, r in part.iterrows()]

    return rows(("rows", "rule")), rows(("flag",))


_TERM = re.compile(r"^C\((?P<var>[^)]+)\)\[T\.(?P<level>.+)\]$")


def model_rows(table: pd.DataFrame, words: Words) -> list[dict]:
    """The model's coefficients as odds ratios with CIs, terms named by the instrument's labels."""
    rows = []
    for _, row in table.iterrows():
        term = str(row["term"])
        match = _TERM.match(term)
        if term == "Intercept":
            label = words.name("intercept")
        elif match:
            label = f"{words.name(match['var'])}: {words.code_label(match['var'], match['level']) or match['level']}"
        else:
            label = term
        odds = row.get("odds_ratio")
        ci = f"{fmt.number(row.get('odds_ratio_ci_low'), words.lang)}{fmt.DASH}" \
             f"{fmt.number(row.get('odds_ratio_ci_high'), words.lang)}"
        rows.append({"term": label, "value": fmt.number(odds, words.lang), "ci": ci,
                     "p": _p_value(row.get("p"), words.lang)})
    return rows


def _p_value(p: Any, lang: str) -> str:
    if pd.notna(p) and float(p) < 0.001:
        return "< " + fmt.number(0.001, lang, 3)
    return fmt.number(p, lang, 3)


def triage_rows(distribution: pd.DataFrame | None, words: Words) -> list[dict]:
    """The triage distribution (already suppressed): a row per category."""
    if distribution is None:
        return []
    return [{"category": words.name(str(r["category"])),
             "n": words.suppressed if _true(r["suppressed"]) else fmt.count(r["n"], words.lang),
             "share": "" if _true(r["suppressed"]) else fmt.pct(r["share"], words.lang)}
            for _, r in distribution.iterrows()]
