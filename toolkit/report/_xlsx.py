"""tables.xlsx: one sheet per published table, numbers as numbers, text guarded against formulas.

The tables are the results' own, already suppressed by the one small-cell
policy; labels in the report's language are added beside the codes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.privacy import protect_formulas
from toolkit.report._words import Words


def _labelled(table: pd.DataFrame, words: Words, column: str, label: str, how) -> pd.DataFrame:
    out = table.copy()
    if column in out:
        out.insert(out.columns.get_loc(column) + 1, label, [how(v) for v in out[column]])
    return out


def _estimates(estimates: pd.DataFrame, words: Words) -> pd.DataFrame:
    out = _labelled(estimates, words, "outcome", "outcome_label", words.outcome)
    if "group_label" in out:
        out["group_label"] = [words.group(by, g, lab) for by, g, lab in
                              zip(out["by"], out["group"], out["group_label"], strict=True)]
    return out


def _projection(projection: pd.DataFrame, words: Words) -> pd.DataFrame:
    if projection is None or projection.empty:
        return pd.DataFrame({"note": [words.ui("projection_skipped")]})
    out = _labelled(projection, words, "district", "district_label",
                    lambda v: words.code_label("district", v) or str(v))
    return _labelled(out, words, "outcome", "outcome_label", words.outcome)


def _about(meta: dict, words: Words) -> pd.DataFrame:
    keys = ("instrument", "instrument_version", "toolkit_version", "input_sha256", "rows_read", "rows_analysed",
            "duplicates_left_out", "pseudonyms_stable", "raked")
    rows = [(k, meta.get(k)) for k in keys if k in meta]
    rows += [("lang", words.lang), ("min_cell", words.min_cell), ("conf_level", words.conf_level),
             ("cv_threshold", words.cv_threshold)]
    return pd.DataFrame({"item": [k for k, _ in rows], "value": pd.Series([v for _, v in rows], dtype=object)})


def sheets(results, words: Words, *, model_table: pd.DataFrame | None,
           triage: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, in order: sheet name -> table."""
    totals = results.cleaned.totals
    out = {
        "estimates": _estimates(results.estimates, words),
        "projection": _projection(results.projection, words),
        "reliability": _labelled(results.reliability, words, "scale", "scale_label", words.scale),
        "weighting": results.weighting,
        "cleaning": totals[totals["kind"] != "flag"].reset_index(drop=True),
        "flags": totals[totals["kind"] == "flag"].reset_index(drop=True),
    }
    if model_table is not None:
        out["model"] = model_table
    if triage is not None:
        out["triage"] = triage
    out["about"] = _about(results.meta, words)
    return out


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write every table to its own sheet of ``path`` (text cells and headers guarded against formulas)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in tables.items():
            protect_formulas(table).to_excel(writer, sheet_name=name, index=False)
