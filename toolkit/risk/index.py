"""The Digital Inclusion Index: a 0-100 score per respondent from the instrument's ``index:`` block.

In the style of the Australian Digital Inclusion Index (ADII: access,
affordability and digital ability, each 0-100, equal weights; "highly excluded"
45 or below, "excluded" above 45 and below 61). The components, their weights,
the knowledge-versus-self-report mix and the band boundaries are declared in the
questionnaire YAML (questionnaires/SCHEMA.md, "Index"); nothing is set in code.
For ``dis-full``:

* **access** - access and affordability: the best device owned (``devices``),
  the home connection (``home_conn``), mobile data (``mobile_data``; 0 for
  people without a smartphone, who are not asked) and how easy the cost is
  (``afford``; left out for people without any connection, who are not asked);
  each answer scored 0-100 by the declared ``points``, averaged.
* **ability** - the four competence domains: per domain the knowledge score
  (correct answers scaled 0-100) and the self-report score (1-5 mean scaled
  0-100), mixed as ``knowledge_share * knowledge + (1 - knowledge_share) *
  self_report`` (0.6: self-report overstates skill, FIELD-NOTES), the self-report
  alone where the knowledge score is missing; averaged over the domains.
* **attitudes** - confidence and motivation: the ``attitudes`` section's
  agree-disagree items scaled 0-100 (``privacy_01``, a worry, reversed).

The total is the weighted mean of the components (declared weights, normalised);
it is missing where any component is missing, so no one is silently imputed.
Bands (dis-full): [0, 45] highly excluded, (45, 61) excluded, [61, 80) included,
[80, 100] highly included.

Examples
--------
>>> import toolkit
>>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
>>> idx = inclusion_index(data, toolkit.score(data, "dis-full"), "dis-full")
>>> idx.bands["band"].tolist()
['highly_excluded', 'excluded', 'included', 'highly_included']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import OptionError, ResponseError
from toolkit.instrument.outcomes import kleene, rule_frame
from toolkit.instrument.schema import IndexComponent, IndexItem, IndexSpec, Instrument


def index_spec(instrument: Instrument) -> IndexSpec:
    """The instrument's declared index; a clear error if it declares none.

    Examples
    --------
    >>> list(index_spec(as_instrument("dis-full")).components)
    ['access', 'ability', 'attitudes']
    """
    if instrument.index is None:
        raise OptionError(f"instrument {instrument.id!r} declares no index (no index: block in "
                          f"{instrument.source or 'its YAML'}); use an instrument that declares one, e.g. 'dis-full'")
    return instrument.index


# --------------------------------------------------------------------------- item points
def _selected_points(col: pd.Series, points: Mapping[int, float]) -> np.ndarray:
    """A select-multiple answer scores its best selected code."""
    padded = " " + col.astype("string").str.strip() + " "
    out = np.full(len(col), np.nan)
    for code, pts in points.items():
        hit = padded.str.contains(f" {code} ", regex=False).fillna(False).to_numpy(dtype=bool)
        out = np.where(hit, np.fmax(out, pts), out)
    return out


def _points(data: pd.DataFrame, instrument: Instrument, part: IndexItem) -> np.ndarray:
    """0-100 points per row for one item (NaN where missing; ``not_asked`` where skipped)."""
    item = instrument.item(part.id)
    rs = instrument.response_sets[item.response_set]
    col = data[part.id]
    if item.type == "multiple":
        out = _selected_points(col, part.points)
    else:
        x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        x = np.where(np.isin(x, sorted(rs.valid_codes)), x, np.nan)
        if part.points is not None:
            out = pd.Series(x).map(part.points).to_numpy(dtype=float)
        else:
            out = 100 * (x - rs.min) / (rs.max - rs.min)
            out = 100 - out if part.reverse else out
    if part.not_asked is not None:
        frame = rule_frame(data, item.rule.variables())
        _, skipped = kleene(item.rule, frame, instrument.missing_by_column)
        out = np.where(skipped & np.isnan(out), part.not_asked, out)
    return out


def _mean_of(matrix: np.ndarray, min_valid: int) -> np.ndarray:
    """Row means over the non-missing entries; NaN with fewer than ``min_valid`` of them."""
    n = (~np.isnan(matrix)).sum(axis=1)
    total = np.nansum(matrix, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n >= min_valid, total / np.maximum(n, 1), np.nan)


# --------------------------------------------------------------------------- competences
def _scaled(scores: pd.DataFrame, instrument: Instrument, domain: str, kind: str) -> np.ndarray:
    """The domain's ``kind`` scale scaled 0-100 (NaN where unscored or the scale is absent)."""
    scale = next((s for s in instrument.scales.values() if s.domain == domain and s.kind == kind), None)
    if scale is None:
        return np.full(len(scores), np.nan)
    x = pd.to_numeric(scores[scale.id], errors="coerce").to_numpy(dtype=float)
    if kind == "knowledge":
        return 100 * x / len(scale.items)
    rs = instrument.response_set_of(scale.items[0])
    return 100 * (x - rs.min) / (rs.max - rs.min)


def competence_parts(scores: pd.DataFrame, instrument: Instrument,
                     component: IndexComponent) -> tuple[np.ndarray, np.ndarray]:
    """Knowledge and self-report scores 0-100, one column per domain of the component.

    Examples
    --------
    >>> inst = as_instrument("dis-screener")
    >>> comp = IndexComponent("ability", {}, 1.0, 1, domains=("practical",), knowledge_share=0.5)
    >>> kn, sr = competence_parts(pd.DataFrame({"practical_kn": [2.0], "practical_sr": [3.0]}), inst, comp)
    >>> kn.tolist(), sr.tolist()
    ([[100.0]], [[50.0]])
    """
    kn = np.column_stack([_scaled(scores, instrument, d, "knowledge") for d in component.domains])
    sr = np.column_stack([_scaled(scores, instrument, d, "self_report") for d in component.domains])
    return kn, sr


def mix(kn: np.ndarray, sr: np.ndarray, knowledge_share: float, min_valid: int) -> np.ndarray:
    """The competence component: per domain the knowledge/self-report mix, averaged over domains.

    A domain with only one of the two scores uses that one.

    Examples
    --------
    >>> mix(np.array([[100.0, np.nan]]), np.array([[50.0, 40.0]]), 0.6, 2).round(1).tolist()
    [60.0]
    """
    both = knowledge_share * kn + (1 - knowledge_share) * sr
    per_domain = np.where(np.isnan(kn), sr, np.where(np.isnan(sr), kn, both))
    return _mean_of(per_domain, min_valid)


def _needed(spec: IndexSpec, instrument: Instrument) -> tuple[list[str], list[str]]:
    """(item columns, scale columns) the index reads."""
    items, scales = [], []
    for comp in spec.components.values():
        for part in comp.items:
            items.append(part.id)
            if part.not_asked is not None:  # the loader ensures such an item has a skip rule
                items += sorted(instrument.item(part.id).rule.variables())
        scales += [s.id for s in instrument.scales.values() if s.domain in comp.domains]
    return list(dict.fromkeys(items)), scales


def index_columns(instrument) -> list[str]:
    """The answer columns the instrument's Digital Inclusion Index reads; none without an ``index:`` block.

    Examples
    --------
    >>> index_columns("dis-full")[:4]
    ['devices', 'home_conn', 'mobile_data', 'afford']
    >>> index_columns("dis-screener")
    []
    """
    instrument = as_instrument(instrument)
    spec = getattr(instrument, "index", None)
    return [] if spec is None else _needed(spec, instrument)[0]


def component_scores(data: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument,
                     spec: IndexSpec) -> tuple[pd.DataFrame, dict]:
    """Every component's 0-100 score per row, and the competence parts (for the sensitivity draws).

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> inst = toolkit.load_instrument("dis-full")
    >>> comps, parts = component_scores(data, toolkit.score(data, inst), inst, inst.index)
    >>> comps.columns.tolist(), sorted(parts)
    (['access', 'ability', 'attitudes'], ['ability'])
    """
    items, scale_cols = _needed(spec, instrument)
    check_frame(data, "data", columns=items, error=ResponseError)
    check_frame(scores, "scores", columns=scale_cols, error=ResponseError)
    out, parts = {}, {}
    for cid, comp in spec.components.items():
        if comp.kind == "competence":
            parts[cid] = competence_parts(scores, instrument, comp)
            out[cid] = mix(*parts[cid], comp.knowledge_share, comp.min_valid)
        else:
            matrix = np.column_stack([_points(data, instrument, part) for part in comp.items])
            out[cid] = _mean_of(matrix, comp.min_valid)
    return pd.DataFrame(out, index=data.index), parts


# --------------------------------------------------------------------------- weights and bands
def component_weights(spec: IndexSpec, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """The component weights in the spec's order, normalised to sum to 1 (declared unless given).

    Examples
    --------
    >>> spec = as_instrument("dis-full").index
    >>> component_weights(spec, {"access": 2, "ability": 1, "attitudes": 1}).tolist()
    [0.5, 0.25, 0.25]
    """
    if weights is None:
        return np.array(list(spec.weights.values()))
    if not isinstance(weights, Mapping) or set(weights) != set(spec.components):
        raise OptionError(f"weights must map each component ({', '.join(spec.components)}) to a weight, "
                          f"got {weights!r}")
    w = np.array([weights[c] for c in spec.components], dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0):
        raise OptionError(f"weights must be non-negative numbers, not all zero, got {weights!r}")
    return w / w.sum()


def assign_bands(values: np.ndarray, cuts: np.ndarray, lower_side: np.ndarray) -> np.ndarray:
    """Band number (0 = lowest) of each value; -1 where missing.

    ``cuts`` are the inner boundaries (the last axis; one row per draw allowed)
    and ``lower_side[j]`` says the boundary ``j`` belongs to the band below it.

    Examples
    --------
    >>> assign_bands(np.array([45.0, 45.5, 61.0, np.nan]), np.array([45.0, 61.0, 80.0]),
    ...              np.array([True, False, False])).tolist()
    [0, 1, 2, -1]
    """
    x = values[..., None]
    up = np.where(lower_side, x > cuts[..., None, :] if cuts.ndim > 1 else x > cuts,
                  x >= cuts[..., None, :] if cuts.ndim > 1 else x >= cuts)
    return np.where(np.isnan(values), -1, up.sum(axis=-1))


def band_table(spec: IndexSpec) -> pd.DataFrame:
    """One row per band: id, bounds, whether each end is closed, and the interval as text.

    Examples
    --------
    >>> band_table(as_instrument("dis-full").index)["interval"].tolist()
    ['[0, 45]', '(45, 61)', '[61, 80)', '[80, 100]']
    """
    return pd.DataFrame({"band": [b.id for b in spec.bands], "lower": [b.lower for b in spec.bands],
                         "upper": [b.upper for b in spec.bands],
                         "lower_closed": [b.lower_closed for b in spec.bands],
                         "upper_closed": [b.upper_closed for b in spec.bands],
                         "interval": [str(b) for b in spec.bands]})


def cut_points(spec: IndexSpec) -> tuple[np.ndarray, np.ndarray]:
    """The inner band boundaries and, for each, whether it belongs to the band below.

    Examples
    --------
    >>> cuts, lower = cut_points(as_instrument("dis-full").index)
    >>> cuts.tolist(), lower.tolist()
    ([45.0, 61.0, 80.0], [True, False, False])
    """
    inner = spec.bands[:-1]
    return np.array([b.upper for b in inner]), np.array([b.upper_closed for b in inner])


def as_band(codes: np.ndarray, spec: IndexSpec, index) -> pd.Series:
    """Band numbers as an ordered categorical of the band ids (missing where -1).

    Examples
    --------
    >>> as_band(np.array([0, -1]), as_instrument("dis-full").index, [0, 1]).tolist()
    ['highly_excluded', nan]
    """
    cats = [b.id for b in spec.bands]
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=True), index=index, name="band")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class InclusionIndex:
    """The Digital Inclusion Index of each respondent (results contract: frozen, tidy frames, summary()).

    Attributes
    ----------
    scores : pd.DataFrame
        ``index`` (0-100) and ``band`` per respondent, on the data's row index
        (no identifiers: for group-level estimates, e.g. :func:`band_shares`).
    components : pd.DataFrame
        Each component's 0-100 score per respondent.
    bands : pd.DataFrame
        The band definitions (:func:`band_table`).
    weights : pd.DataFrame
        ``component``, ``kind``, ``weight`` (normalised, as used), ``declared``
        and ``knowledge_share`` (competence components).
    instrument_id : str
        The instrument whose index this is.

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> idx = inclusion_index(data, toolkit.score(data, "dis-full"), "dis-full")
    >>> idx.summary().columns.tolist()
    ['band', 'interval', 'n', 'share', 'mean_index']
    """

    scores: pd.DataFrame
    components: pd.DataFrame
    bands: pd.DataFrame
    weights: pd.DataFrame
    instrument_id: str

    def summary(self) -> pd.DataFrame:
        """Unweighted respondents per band, their share and mean index (small cells suppressed).

        Examples
        --------
        >>> import toolkit
        >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
        >>> idx = inclusion_index(data, toolkit.score(data, "dis-full"), "dis-full")
        >>> int(idx.summary()["n"].sum()) <= len(data)
        True
        """
        from toolkit.disclosure import suppress

        grouped = self.scores.groupby("band", observed=False)["index"]
        table = pd.DataFrame({"band": self.bands["band"], "interval": self.bands["interval"],
                              "n": grouped.size().reindex(self.bands["band"]).to_numpy()})
        table["share"] = table["n"] / table["n"].sum()
        table["mean_index"] = grouped.mean().reindex(self.bands["band"]).to_numpy()
        return suppress(table, columns=["share", "mean_index"], sets=()).drop(columns=["suppressed", "note"])


def inclusion_index(data: pd.DataFrame, scores: pd.DataFrame, instrument, *,
                    weights: Mapping[str, float] | None = None) -> InclusionIndex:
    """The 0-100 Digital Inclusion Index and its band, per respondent, as the instrument declares it.

    Components, weights, the knowledge-versus-self-report mix and the bands come
    from the instrument's ``index:`` block (see the module docstring and
    questionnaires/SCHEMA.md). A component is the mean of its parts' 0-100
    points over the answered parts (at least the declared ``min_valid``); the
    index is the weighted mean of the components, missing where any component
    is missing.

    Parameters
    ----------
    data : pd.DataFrame
        Answers, e.g. ``toolkit.clean(...).data`` (missing codes count as missing).
    scores : pd.DataFrame
        Scale scores of the same rows, from :func:`toolkit.score`.
    instrument : Instrument, str or path
        An instrument that declares an ``index:`` block (``"dis-full"``).
    weights : mapping of component -> weight, optional
        Replace the declared component weights (normalised to sum to 1).

    Returns
    -------
    InclusionIndex

    Raises
    ------
    OptionError
        If the instrument declares no index, or ``weights`` are malformed.
    ResponseError
        If ``data`` or ``scores`` lack a column the index needs.

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> idx = inclusion_index(data, toolkit.score(data, "dis-full"), "dis-full")
    >>> bool(idx.scores["index"].between(0, 100).all()), idx.weights["weight"].round(3).tolist()
    (True, [0.333, 0.333, 0.333])
    """
    instrument = as_instrument(instrument)
    spec = index_spec(instrument)
    check_frame(scores, "scores", error=ResponseError)
    if len(scores) != len(check_frame(data, "data", error=ResponseError)):
        raise ResponseError(f"data has {len(data)} rows but scores has {len(scores)}; score the same data")
    w = component_weights(spec, weights)
    comps, _ = component_scores(data, scores.set_axis(data.index), instrument, spec)
    total = comps.to_numpy() @ w  # NaN where any component is missing
    cuts, lower = cut_points(spec)
    band = as_band(assign_bands(total, cuts, lower), spec, data.index)
    table = pd.DataFrame({"component": list(spec.components),
                          "kind": [c.kind for c in spec.components.values()], "weight": w,
                          "declared": list(spec.weights.values()),
                          "knowledge_share": [c.knowledge_share for c in spec.components.values()]})
    return InclusionIndex(pd.DataFrame({"index": total, "band": band}, index=data.index), comps,
                          band_table(spec), table, instrument.id)


# --------------------------------------------------------------------------- design-based shares
def design_rows(rows: pd.Index, design) -> np.ndarray:
    """Position in ``rows`` of each row of the design's data (matched by index label).

    Examples
    --------
    >>> from toolkit.survey import Design
    >>> design_rows(pd.Index([10, 11, 12]), Design(pd.DataFrame({"y": [1, 2]}, index=[12, 10]))).tolist()
    [2, 0]
    """
    from toolkit.errors import DesignError

    labels = design.data.index
    if labels.equals(rows):
        return np.arange(len(rows))
    pos = rows.get_indexer(labels) if rows.is_unique else np.full(len(labels), -1)
    if (pos < 0).any():
        raise DesignError("the design's rows must be rows of the index (matched by the data's row index); "
                          f"{int((pos < 0).sum())} of {len(labels)} are not")
    return pos


def band_shares(index: InclusionIndex, design, *, by: str | None = "district", conf_level: float = 0.95,
                min_cell: int | None = None) -> pd.DataFrame:
    """Design-based share of each band, overall and by ``by``, with CIs and the small-cell policy.

    The bands are put into the design's data (``design.update(band=...)``,
    matched by row index) and estimated with :meth:`toolkit.survey.Design.proportion`
    (R's ``svymean`` on a factor, logit CIs ``svyciprop``), which applies
    :mod:`toolkit.disclosure`. Respondents without an index are left out.

    Parameters
    ----------
    index : InclusionIndex
        From :func:`inclusion_index`.
    design : toolkit.survey.Design
        The survey design over (a subset of) the same rows.
    by : str or None, default "district"
        Domain column of the design's data; None: overall shares only.
    conf_level : float, default 0.95
        Confidence level of the intervals.
    min_cell : int, optional
        Small-cell threshold; default the design's.

    Returns
    -------
    pd.DataFrame
        The overall rows (``by`` column "overall" when ``by`` is given), then one
        block per domain: ``level`` is the band, with ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``n``, ``suppressed``, ``note``.

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> idx = inclusion_index(data, toolkit.score(data, "dis-full"), "dis-full")
    >>> design = toolkit.survey.Design(data, weights="design_weight", strata="stratum")
    >>> table = band_shares(idx, design)
    >>> table.groupby("district")["estimate"].sum().round(6).eq(1).all()
    np.True_
    """
    band = index.scores["band"].astype(object).to_numpy()[design_rows(index.scores.index, design)]
    updated = design.update(band=band)
    order = {b: i for i, b in enumerate(index.bands["band"])}

    def in_band_order(table: pd.DataFrame) -> pd.DataFrame:  # proportion() sorts the levels as text
        key = table["level"].map(order)
        return table.iloc[np.lexsort((key, pd.factorize(table[by])[0] if by in table else key * 0))]

    overall = in_band_order(updated.proportion("band", na_rm=True, conf_level=conf_level, min_cell=min_cell))
    if by is None:
        return overall.reset_index(drop=True)
    check_frame(design.data, "the design's data", columns=[by], error=OptionError)
    domains = updated.proportion("band", by=by, na_rm=True, conf_level=conf_level, min_cell=min_cell)
    overall.insert(0, by, "overall")
    return pd.concat([overall, in_band_order(domains).astype({by: object})], ignore_index=True)


__all__ = ["InclusionIndex", "inclusion_index", "band_shares", "component_scores", "component_weights",
           "assign_bands", "band_table", "cut_points", "as_band", "competence_parts", "mix", "index_spec",
           "index_columns", "design_rows"]
