"""Tables for figures: the only place in :mod:`toolkit.plots` where numbers are made.

The figure functions draw; they compute nothing. Where a figure needs a table
that the pipeline's :class:`~toolkit.pipeline.Results` does not carry, it is
made here, and only in these ways:

* **Design-based estimates** through the survey Design's public methods
  (:meth:`~toolkit.survey.Design.proportion`, :meth:`~toolkit.survey.Design.mean`),
  so they are weighted, have linearised intervals and go through the
  small-cell policy like every other published table:
  :func:`likert_shares`, :func:`level_shares`, :func:`confidence_table` and,
  with a design, :func:`triage_shares`.
* **Weighting diagnostics** from the weights themselves: :func:`balance_table`
  (standardised mean differences of the raking margins before and after
  raking, against the population targets that raking stored in
  ``rake_result.margins``, as Meta's ``balance`` shows them),
  :func:`weights_table` (the weights relative to their mean) and
  :func:`design_effects` (Kish's effective sample size and design effect of
  weighting per reporting domain, the per-domain version of
  ``Design.weight_summary``). Small domains are suppressed.
* **Data quality counts**, unweighted on purpose (they describe the sample,
  not the population): :func:`missingness`, and :func:`triage_shares` without
  a design.

:func:`design_before` rebuilds the design with the design weights (before
raking) from the raked one, for the before/after comparisons.

Examples
--------
>>> import pandas as pd
>>> from toolkit import survey
>>> d = survey.Design(pd.DataFrame({"category": ["independent"] * 6 + ["skills_training"] * 6}))
>>> triage_shares(pd.DataFrame({"category": d.data["category"]}), design=d)[["category", "estimate"]]
          category  estimate
0      independent       0.5
1  skills_training       0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit import disclosure
from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError
from toolkit.instrument.vocabulary import MISSING_KINDS
from toolkit.survey import Design

__all__ = ["likert_items", "likert_shares", "level_shares", "confidence_table", "balance_table", "weights_table",
           "design_effects", "missingness", "triage_shares", "design_before"]

#: Missing kinds that count as a missing answer (skip logic's ``not_asked`` does not).
ANSWER_MISSING = tuple(k for k in MISSING_KINDS if k != "not_asked")
#: bytes per row an item's answers take while its shares are estimated (float32 answers, int64 level codes)
ANSWER_BYTES = 12
#: what one batch of items may take (:func:`_batches`): every item at 100k rows, 11 at 1M
BATCH_BYTES = 128 << 20
#: fewest items in a batch: each batch's design finds its weight atoms again (a third of an item's estimate)
MIN_BATCH = 4
_ESTIMATE = ["estimate", "ci_low", "ci_high", "n", "suppressed", "note"]


def _keys_each(values: pd.Series) -> pd.Series:
    number = pd.to_numeric(values, errors="coerce")
    text = values.astype(object).where(values.isna(), values.astype(str))
    return text.where(number.isna(), number.map("{:g}".format, na_action="ignore")).astype(object)


def _key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Each row's number among the texts of the distinct values (-1: missing), and those texts.

    Made once per distinct value where values cannot be equal without being the same
    (a float is keyed by its bits, so -0.0 stays "-0"); None for mixed objects.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_object_dtype(dtype):
        raw = values.to_numpy()
        keyed = raw.view(f"i{raw.dtype.itemsize}") if raw.dtype.kind == "f" else values
        codes, _ = pd.factorize(keyed, use_na_sentinel=True)
        if raw.dtype.kind == "f":
            codes = np.where(np.isnan(raw), -1, codes)
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if not all(isinstance(u, str) for u in uniques):
            return None
    present = codes >= 0
    backwards = np.flatnonzero(present)[::-1]
    first = np.full(int(codes.max(initial=-1)) + 1, -1, dtype=np.intp)
    first[codes[backwards]] = backwards  # the last write of each code is its first row
    used = first >= 0  # a float's missing values had codes of their own
    number = np.where(present, (np.cumsum(used) - 1)[np.maximum(codes, 0)], -1)
    keys = _keys_each(values.iloc[first[used]].reset_index(drop=True)).to_numpy(object)
    return number, keys


def _keys(values: pd.Series) -> pd.Series:
    """Levels as text: 1.0 -> "1", "18-29" stays, missing stays missing (see :func:`_key_codes`)."""
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    found = _key_codes(values)
    if found is None:
        return _keys_each(values)
    number, keys = found
    out = values.astype(object).to_numpy(copy=True)  # missing values stay as they are
    present = number >= 0
    out[present] = keys[number[present]]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


def _key_groups(values: pd.Series) -> pd.Categorical:
    """The rows' :func:`_keys` as a categorical of the sorted texts: what grouping by the keys sees, by codes."""
    found = _key_codes(values)
    if found is None:
        number, texts = pd.factorize(_keys_each(values).to_numpy(object), sort=True)
    else:
        number, keys = found
        merged, texts = pd.factorize(keys, sort=True)  # values of one text (1.0 and 1.00000001) are one group
        number = np.where(number >= 0, merged[number], -1) if len(merged) else number
    return pd.Categorical.from_codes(number, categories=pd.Index(texts, dtype=object))


def _missing_kinds(data: pd.DataFrame, item: str, answered: np.ndarray) -> tuple[np.ndarray, list]:
    """Each row's kind of missing answer as a code into the kinds (-1: none, or answered, or not asked)."""
    if f"{item}_missing" not in data:
        return np.full(answered.size, -1, np.int64), []
    column = data[f"{item}_missing"]
    if isinstance(column.dtype, pd.CategoricalDtype):  # the few kinds are checked, not every row
        kinds = column.cat.categories.to_numpy(dtype=object)
        kind = column.cat.codes.to_numpy().astype(np.int64)
    else:
        kind, kinds = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        kinds = np.asarray(kinds, dtype=object)
    counted = np.append(pd.Series(kinds, dtype=object).isin(ANSWER_MISSING).to_numpy(), False)  # -1: no kind
    return np.where(~answered & counted[kind], kind, -1), list(kinds)


def _answers(data: pd.DataFrame, item: str) -> tuple[np.ndarray, list[str]]:
    """Each row's answer code as text ("1"), else its kind of missing answer, else missing: as a number.

    Returns the texts in sorted order and, per row, the position of its text among them as
    float32 (NaN: neither): the estimators order the numbers as they would the texts, and
    the rows hold four bytes each, not a string. Each distinct code is made text once.
    """
    codes = pd.to_numeric(data[item], errors="coerce").to_numpy(dtype=float)
    answered = ~np.isnan(codes)
    value, values = pd.factorize(codes[answered])
    value_texts = [f"{v:g}" for v in values]
    kind, kinds = _missing_kinds(data, item, answered)
    used = np.zeros(len(kinds), bool)
    used[kind[kind >= 0]] = True
    texts = sorted(set(value_texts) | {k for k, u in zip(kinds, used, strict=True) if u})
    at = {t: i for i, t in enumerate(texts)}
    out = np.full(codes.size, np.nan, dtype=np.float32)
    out[answered] = np.array([at[t] for t in value_texts], dtype=np.float32)[value]
    missing = kind >= 0
    out[missing] = np.array([at.get(k, -1) for k in kinds], dtype=np.float32)[kind[missing]]
    return out, texts


def _batches(items: list[str], rows: int) -> list[list[str]]:
    """The items in batches whose answers and cached level codes take about :data:`BATCH_BYTES`.

    An item costs :data:`ANSWER_BYTES` per row (its float32 answers and the int64 codes
    ``Design.proportion`` caches); a batch holds :data:`MIN_BATCH` items at least.

    Examples
    --------
    >>> [len(b) for b in _batches(["x"] * 44, 100_000)], [len(b) for b in _batches(["x"] * 44, 1_000_000)]
    ([44], [11, 11, 11, 11])
    >>> len(_batches(["x"] * 44, 10_000_000))  # four items a batch
    11
    """
    size = max(MIN_BATCH, BATCH_BYTES // (ANSWER_BYTES * max(rows, 1)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def likert_items(instrument, *, scaled: bool = True) -> list[str]:
    """The instrument's Likert items: those of self-report scales, or (``scaled=False``) the others.

    Attention checks (items with a ``check``) are left out.

    Examples
    --------
    >>> likert_items("dis-full", scaled=False)[:2]
    ['motiv_01', 'motiv_02']
    """
    instrument = as_instrument(instrument)
    in_scales = {i for s in instrument.scales.values() if s.kind == "self_report" for i in s.items}
    return [i.id for i in instrument.items if i.type == "likert" and i.check is None
            and (i.id in in_scales) == scaled]


def likert_shares(design: Design, instrument, items=None, *, conf_level: float = 0.95,
                  min_cell: int | None = None) -> pd.DataFrame:
    """Weighted shares of every answer and every kind of missing answer, per Likert item.

    One ``Design.proportion`` per item of a variable that holds the answer code,
    or the missing kind (don't know, refused, don't understand) where there is
    no answer; respondents the item was not asked are left out. The shares of
    an item sum to one over answers and missing kinds.

    Parameters
    ----------
    design : toolkit.survey.Design
        The analysis design (``Results.design``): items and ``<item>_missing`` columns.
    instrument : Instrument, str or path
    items : list of str, optional
        Item ids; default :func:`likert_items`.
    conf_level, min_cell
        As in :meth:`~toolkit.survey.Design.proportion`.

    Returns
    -------
    pandas.DataFrame
        item, answer (the code as text, or the missing kind), kind ("answer" or
        "missing"), estimate, ci_low, ci_high, n, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> data = pd.DataFrame({"prac_01": [1.0, 2, 2, 5, None, None],
    ...                      "prac_01_missing": [None, None, None, None, "dont_know", "not_asked"]})
    >>> t = likert_shares(survey.Design(data), "dis-full", ["prac_01"], min_cell=0)
    >>> t[["answer", "kind", "estimate"]]
          answer     kind  estimate
    0          1   answer       0.2
    1          2   answer       0.4
    2          5   answer       0.2
    3  dont_know  missing       0.2
    """
    instrument = as_instrument(instrument)
    items = likert_items(instrument) if items is None else list(items)
    check_frame(design.data, "design.data", columns=items, error=OptionError)
    parts = []
    for batch in _batches(items, design.n):
        answers = {item: _answers(design.data, item) for item in batch}
        # one new design for the batch's items, not one per item; it and its cached codes go with the batch
        view = design.update(**{f"__answer_{item}": codes for item, (codes, _) in answers.items()})
        for item, (_, texts) in answers.items():
            t = view.proportion(f"__answer_{item}", na_rm=True, conf_level=conf_level, min_cell=min_cell)
            answer = pd.Series(texts, dtype=str).iloc[t["level"].to_numpy(dtype=np.int64)]
            t = t.drop(columns="level").assign(answer=answer.to_numpy(), item=item)
            t["kind"] = np.where(t["answer"].isin(ANSWER_MISSING), "missing", "answer")
            parts.append(t[["item", "answer", "kind", *_ESTIMATE]])
        del answers, view
    return pd.concat(parts, ignore_index=True)


def level_shares(design: Design, instrument, *, by: str, scales=None, conf_level: float = 0.95,
                 min_cell: int | None = None) -> pd.DataFrame:
    """Weighted shares of the competence levels (``<scale>_level``) by a group.

    Parameters
    ----------
    design : toolkit.survey.Design
        With the ``<scale>_level`` columns of :func:`toolkit.score` and ``by``.
    instrument : Instrument, str or path
    by : str
        The grouping column (``age_band``, ``education``, ...).
    scales : list of str, optional
        Scale ids; default every scale whose level column is in the data.

    Returns
    -------
    pandas.DataFrame
        scale, by, group, level, estimate, ci_low, ci_high, n, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> data = pd.DataFrame({"practical_sr_level": ["low", "basic"] * 6, "age_band": ["18-29"] * 6 + ["75+"] * 6})
    >>> t = level_shares(survey.Design(data), "dis-full", by="age_band", min_cell=0)
    >>> t[["group", "level", "estimate"]].head(2)
       group  level  estimate
    0  18-29  basic       0.5
    1  18-29    low       0.5
    """
    instrument = as_instrument(instrument)
    check_frame(design.data, "design.data", columns=[by], error=OptionError)
    scales = [s for s in instrument.scales if f"{s}_level" in design.data] if scales is None else list(scales)
    parts = []
    for sc in scales:
        t = design.proportion(f"{sc}_level", by=by, na_rm=True, conf_level=conf_level, min_cell=min_cell)
        t = t.rename(columns={by: "group"}).assign(scale=sc, by=by)
        t["group"] = _keys(t["group"])
        parts.append(t[["scale", "by", "group", "level", *_ESTIMATE]])
    return pd.concat(parts, ignore_index=True)


def confidence_table(design: Design, instrument, *, conf_level: float = 0.95,
                     min_cell: int | None = None) -> pd.DataFrame:
    """The confidence gap per domain: its weighted mean and the shares under, aligned and over.

    ``<domain>_gap`` is the self-report score minus the knowledge score, both
    standardised (:func:`toolkit.scales.confidence_gap`); ``<domain>_confidence``
    classifies it.

    Returns
    -------
    pandas.DataFrame
        domain, statistic ("mean_gap" or a confidence class), estimate,
        ci_low, ci_high, n, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> data = pd.DataFrame({"practical_gap": [-1.5, 0.0, 0.2, 1.5, 0.1, -0.2],
    ...     "practical_confidence": ["underconfident", "aligned", "aligned", "overconfident", "aligned", "aligned"]})
    >>> t = confidence_table(survey.Design(data), "dis-full", min_cell=0)
    >>> t[["statistic", "estimate"]].round(3).head(2)
      statistic  estimate
    0  mean_gap     0.017
    1   aligned     0.667
    """
    instrument = as_instrument(instrument)
    parts = []
    for domain in instrument.domains:
        gap, klass = f"{domain}_gap", f"{domain}_confidence"
        if gap not in design.data or klass not in design.data:
            continue
        mean = design.mean(gap, na_rm=True, conf_level=conf_level, min_cell=min_cell).assign(statistic="mean_gap")
        shares = design.proportion(klass, na_rm=True, conf_level=conf_level, min_cell=min_cell)
        shares = shares.rename(columns={"level": "statistic"})
        parts += [t.assign(domain=domain)[["domain", "statistic", *_ESTIMATE]] for t in (mean, shares)]
    if not parts:
        raise OptionError("the design has no <domain>_gap and <domain>_confidence columns (toolkit.score adds them)")
    return pd.concat(parts, ignore_index=True)


def balance_table(before: Design, after: Design, *, min_cell: int | None = None) -> pd.DataFrame:
    """Standardised mean differences of every raking margin before and after raking (a love plot's table).

    For each level of each margin the weighted sample share ``p`` (from
    ``Design.proportion``) is compared with the population share ``P`` (the
    raking targets in ``after.rake_result.margins``):
    ``smd = (p - P) / sqrt(P (1 - P))``, the standardised difference of the
    level's indicator with the population's standard deviation, as
    ``balance``'s ASMD for a one-hot encoded category.

    Parameters
    ----------
    before : toolkit.survey.Design
        The design with the design weights (:func:`design_before`).
    after : toolkit.survey.Design
        The raked design (``Results.design``).

    Returns
    -------
    pandas.DataFrame
        variable, level, population, before, after, smd_before, smd_after.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"sex": list("mmmf")}), min_cell=0)
    >>> t = balance_table(d, d.rake({"sex": {"m": 50, "f": 50}}), min_cell=0)
    >>> t[["level", "before", "after", "smd_before"]]
      level  before  after  smd_before
    0     m    0.75    0.5         0.5
    1     f    0.25    0.5        -0.5
    """
    if after.rake_result is None:
        raise OptionError("after must be a raked design (Design.rake); it has no population margins")
    margins = after.rake_result.margins
    parts = []
    for variable, target in margins.groupby("margin", sort=False):
        t = pd.DataFrame({"variable": variable, "level": _keys(target["level"]).to_numpy(),
                          "population": (target["target"] / target["target"].sum()).to_numpy()})
        for name, design in (("before", before), ("after", after)):
            # only the shares are used: Wald intervals spare the second variance the logit ones need
            shares = design.proportion(variable, na_rm=True, min_cell=min_cell, ci_method="wald")
            t[name] = t["level"].map(dict(zip(_keys(shares["level"]), shares["estimate"], strict=True)))
        parts.append(t)
    table = pd.concat(parts, ignore_index=True)
    sd = np.sqrt(table["population"] * (1 - table["population"]))
    table["smd_before"] = (table["before"] - table["population"]) / sd
    table["smd_after"] = (table["after"] - table["population"]) / sd
    return table


def weights_table(before: Design, *, after: Design | None = None) -> pd.DataFrame:
    """Every respondent's weight before (and after) raking, also relative to its mean.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"w": [1.0, 3.0]}), weights="w")
    >>> weights_table(d)["relative_weight"].tolist()
    [0.5, 1.5]
    """
    designs = [("design", before)] + ([("raked", after)] if after is not None else [])
    return pd.concat([pd.DataFrame({"weighting": name, "weight": d.weights,
                                    "relative_weight": d.weights / d.weights.mean()})
                      for name, d in designs], ignore_index=True)


def design_effects(before: Design, *, after: Design | None = None, by=()) -> pd.DataFrame:
    """Kish's effective sample size and design effect of weighting, overall and per reporting domain.

    Within a domain ``neff = (sum w)^2 / sum w^2`` and ``deff = n / neff``,
    as in :func:`toolkit.survey.weighting.weight_summary`. Domains with fewer
    than the design's ``min_cell`` respondents are suppressed.

    Returns
    -------
    pandas.DataFrame
        weighting ("design" or "raked"), by ("overall" or the column), group,
        n, kish_neff, deff_weighting, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> d = survey.Design(pd.DataFrame({"w": [1.0, 1, 2, 4, 4, 1, 1, 2, 4], "g": list("aaaaabbbb")}), weights="w")
    >>> design_effects(d, by="g")[["by", "group", "n", "deff_weighting"]].round(3)
            by group     n  deff_weighting
    0  overall   all     9           1.350
    1        g     a     5           1.319
    2        g     b  <NA>             NaN
    """
    by = [by] if isinstance(by, str) else list(by)
    designs = [("design", before)] + ([("raked", after)] if after is not None else [])
    parts = []
    for name, design in designs:
        w = np.asarray(design.weights, dtype=float)
        for col in ["overall", *[b for b in by if b in design.data]]:
            if col == "overall":
                codes, labels = np.zeros(w.size, np.intp), np.array(["all"], dtype=object)
            else:
                groups = _key_groups(design.data[col])
                codes, labels = groups.codes, groups.categories.to_numpy(dtype=object)
            # per group held by someone: respondents, sums of the weights and of their squares (grouped by codes)
            kept = codes >= 0
            wk = w[kept]
            sums = pd.DataFrame({"w": wk, "w2": wk ** 2}).groupby(codes[kept], sort=True).agg(
                n=("w", "size"), w=("w", "sum"), w2=("w2", "sum"))
            t = pd.DataFrame({"weighting": name, "by": col,
                              "group": pd.Index(labels[sums.index.to_numpy()], dtype=object).astype(str),
                              "n": sums["n"].to_numpy(), "kish_neff": (sums["w"] ** 2 / sums["w2"]).to_numpy()})
            t["deff_weighting"] = t["n"] / t["kish_neff"]
            parts.append(disclosure.suppress(t, min_cell=design.min_cell, columns=["kish_neff", "deff_weighting"]))
    return pd.concat(parts, ignore_index=True)


def missingness(data: pd.DataFrame, instrument, *, kinds=None) -> pd.DataFrame:
    """Unweighted share of respondents with each kind of missing answer, per item.

    From the cleaned data's ``<item>_missing`` columns (``Cleaned.data``);
    ``kinds`` defaults to the missing kinds the instrument's response sets
    declare and may add ``not_asked`` (skip logic). Free-text items are left out.

    Returns
    -------
    pandas.DataFrame
        item, section, kind, share, n (respondents in the data).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"prac_01": [1.0, None], "prac_01_missing": [None, "refused"]})
    >>> missingness(data, "dis-full").query("share > 0")[["item", "section", "kind", "share"]]
          item section     kind  share
    1  prac_01  skills  refused    0.5
    """
    instrument = as_instrument(instrument)
    if kinds is None:
        declared = {k for rs in instrument.response_sets.values() for k in rs.missing_codes.values()}
        kinds = [k for k in ANSWER_MISSING if k in declared]
    rows = []
    for item in instrument.items:
        column = f"{item.id}_missing"
        if item.type == "text" or column not in data:
            continue
        counts = data[column].value_counts()
        rows += [{"item": item.id, "section": item.section, "kind": k, "share": counts.get(k, 0) / len(data),
                  "n": len(data)} for k in kinds]
    return pd.DataFrame(rows, columns=["item", "section", "kind", "share", "n"])


def triage_shares(data: pd.DataFrame, *, design: Design | None = None, conf_level: float = 0.95,
                  min_cell: int | None = None) -> pd.DataFrame:
    """Share of each triage category: weighted through ``design`` (rows aligned), else unweighted.

    Returns
    -------
    pandas.DataFrame
        category, estimate, ci_low, ci_high (weighted only), n, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"category": ["independent"] * 8 + ["assisted_digital"] * 2})
    >>> triage_shares(tr)[["category", "estimate", "suppressed"]]
               category  estimate  suppressed
    0  assisted_digital       NaN        True
    1       independent       NaN        True
    """
    check_frame(data, "data", columns=["category"], error=OptionError)
    if design is not None:
        if len(data) != design.n:
            raise OptionError(f"data has {len(data)} rows but the design {design.n}: they must be the same respondents")
        t = design.update(category=data["category"].astype(object).to_numpy()).proportion(
            "category", na_rm=True, conf_level=conf_level, min_cell=min_cell)
        return t.rename(columns={"level": "category"})[["category", *_ESTIMATE]]
    counts = data["category"].astype(object).value_counts().sort_index()
    t = pd.DataFrame({"category": counts.index.astype(str), "estimate": (counts / counts.sum()).to_numpy(),
                      "n": int(counts.sum())})
    return disclosure.suppress(t, min_cell=min_cell, columns=["estimate"], sets=(), cell_n=counts.to_numpy())


def design_before(results) -> Design:
    """The design with the design weights, before raking, rebuilt from ``Results.design``.

    Without raking it is ``Results.design`` itself.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> from toolkit.config import Config
    >>> d = survey.Design(pd.DataFrame({"design_weight": [1.0, 3], "sex": ["m", "f"]}), weights="design_weight")
    >>> raked = d.rake({"sex": {"m": 2, "f": 2}})
    >>> res = SimpleNamespace(design=raked, meta={"config": Config(strata=None)})
    >>> design_before(res).weights.tolist()
    [1.0, 3.0]
    """
    design = results.design
    if design.rake_result is None:
        return design
    config = results.meta["config"]
    data = design.data
    return Design(data, weights=config.weights if config.weights in data else None,
                  strata=config.strata if config.strata and config.strata in data else None,
                  psu=config.psu, min_cell=design.min_cell)
