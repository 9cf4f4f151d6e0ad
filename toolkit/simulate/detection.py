"""Score cleaning against known corruption: how many of the simulator's artefacts were caught.

:func:`detection` compares a :class:`~toolkit.cleaning.Cleaned` with the artefacts table of
:func:`toolkit.simulate.survey` (row, column, kind, ...). Cell artefacts count as caught
when the log has the expected rule for that very cell; row artefacts (speeders,
straight-liners, duplicate submissions) when the respondent carries the expected flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: artefact kind -> log rules that catch it (cell artefacts)
CELL_RULES: dict[str, tuple[str, ...]] = {
    "dont_know": ("missing_code",),
    "refused": ("missing_code",),
    "dont_understand": ("missing_code",),
    "label": ("label_to_code",),
    "out_of_range": ("out_of_range",),
    "decimal_comma": ("decimal_comma",),
    "skip_violation": ("not_asked",),
    "pii": ("pii_cpr", "pii_email", "pii_phone"),
}
#: missing-code kinds only some instruments declare (ESS's "no answer"): listed when the artefacts hold them
EXTRA_CELL_RULES: dict[str, tuple[str, ...]] = {"no_answer": ("missing_code",), "not_applicable": ("missing_code",)}
#: artefact kind -> flag that catches it (row artefacts)
ROW_FLAGS: dict[str, str] = {"speeder": "speeder", "straightliner": "straightlining", "duplicate": "duplicate_id"}


def detection(cleaned, artefacts: pd.DataFrame) -> pd.DataFrame:
    """Detection rate per artefact kind, and the false-alarm rate of each row flag.

    Parameters
    ----------
    cleaned : Cleaned
        Result of :func:`toolkit.clean` on the simulator's messy responses (all rows kept).
    artefacts : pd.DataFrame
        ``sim.artefacts``: row, column, kind.

    Returns
    -------
    pd.DataFrame
        kind, unit (cell or row), n (artefacts), caught, rate, false_alarms (rows flagged
        without the artefact; row kinds only), how (the rule or flag that catches it).

    Examples
    --------
    >>> import toolkit
    >>> sim = toolkit.simulate.survey("dis-full", n=300, seed=1)
    >>> table = detection(toolkit.clean(sim.responses, "dis-full", pseudonym_key="k"), sim.artefacts)
    >>> table.columns.tolist()
    ['kind', 'unit', 'n', 'caught', 'rate', 'false_alarms', 'how']
    >>> table.set_index("kind").loc[["label", "out_of_range", "pii"], "rate"].tolist()
    [1.0, 1.0, 1.0]
    """
    log = cleaned.log
    logged = pd.Series(log["rule"].astype(str).to_numpy(),
                       index=pd.MultiIndex.from_arrays([log["row"].to_numpy(), log["column"].astype(str).to_numpy()]))
    logged = logged[~logged.index.duplicated(keep="last")]
    rows_out = []
    present = set(artefacts["kind"])
    cell_rules = {**CELL_RULES, **{k: v for k, v in EXTRA_CELL_RULES.items() if k in present}}
    for kind, rules in cell_rules.items():
        a = artefacts[artefacts["kind"] == kind]
        keys = pd.MultiIndex.from_arrays([a["row"].to_numpy(np.int64), a["column"].astype(str).to_numpy()])
        got = logged.reindex(keys).to_numpy(dtype=object)
        caught = int(np.isin(got, rules).sum())
        rows_out.append({"kind": kind, "unit": "cell", "n": len(a), "caught": caught, "false_alarms": np.nan,
                         "how": " / ".join(rules)})
    flags = cleaned.flags
    for kind, flag in ROW_FLAGS.items():
        rows = np.unique(artefacts.loc[artefacts["kind"] == kind, "row"].to_numpy(np.int64))
        flagged = flags[flag].to_numpy(bool)
        caught = int(flagged[rows].sum())
        truth = np.zeros(len(flags), dtype=bool)
        truth[rows] = True
        rows_out.append({"kind": kind, "unit": "row", "n": len(rows), "caught": caught,
                         "false_alarms": int((flagged & ~truth).sum()), "how": flag})
    out = pd.DataFrame(rows_out)
    out["rate"] = out["caught"] / out["n"].where(out["n"] > 0)
    return out[["kind", "unit", "n", "caught", "rate", "false_alarms", "how"]]
