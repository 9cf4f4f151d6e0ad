"""Planning figures for districts: how many residents have an outcome, by three methods side by side.

:func:`project` applies a demographics-only risk model to the population
table and adds up the expected number of residents with the outcome in each
district (``model``). The direct survey estimate of each district
(``direct``) and the Fay–Herriot combination of the two (``fay_herriot``)
stand beside it, so a planner sees where they agree.

Choices made here, in one place:

* **Model projection.** ``share_d = Σ_c N_c p_c / Σ_c N_c`` over the population
  cells ``c`` of district ``d``, with ``p_c`` the model's probability for the
  cell's profile. Its SE comes from the model's design-based covariance ``V``
  by the delta method: ``se² = g'Vg`` with ``g = Σ_c N_c p_c (1 − p_c) x_c / N_d``.
  The interval is built on the logit scale, so it stays inside (0, 1).
* **Direct.** The design-based share of respondents in the district
  (``Design.proportion``, logit interval, as R's ``svyciprop``).
* **Fay–Herriot.** The composite of the two: an area-level model on the
  arcsine scale with the model projection as an offset and nothing else
  estimated (:class:`~toolkit.risk.FayHerriot`, REML, Prasad–Rao MSE):
  ``asin√direct = asin√model + u + e``. Each direct estimate is shrunk towards
  the projection by how noisy it is. No intercept is needed: the model is
  fitted on the same weighted survey, so its weighted mean already equals the
  direct overall share, and with a handful of districts every estimated
  coefficient costs precision. A district with no usable direct estimate gets
  the projection with its out-of-sample MSE.
* **Honest model intervals.** With a design, the model's interval also holds
  σ²ᵤ, the district variation that the demographics leave unexplained, as the
  Fay–Herriot fit estimates it (on the arcsine scale). Without one, it holds
  the coefficients' uncertainty only.
* **Which to publish.** ``preferred`` marks the Fay–Herriot figure where the
  district's sample is small (fewer than ``small_n`` respondents), else the
  direct figure. Every row is published, so the choice can be checked.
* Counts are shares times the district's population; every row goes through
  :mod:`toolkit.disclosure` with the district's number of respondents as ``n``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from toolkit import disclosure
from toolkit._validation import check_conf_level, check_frame
from toolkit.errors import BoundaryWarning, ModelError
from toolkit.risk.fay_herriot import FayHerriot
from toolkit.risk.performance import category_key

METHODS = ("direct", "model", "fay_herriot")
COLUMNS = ("district", "outcome", "method", "share", "se", "count", "ci_low", "ci_high", "n", "population",
           "preferred")

__all__ = ["project", "METHODS"]


def _key(values: pd.Series) -> pd.Series:
    """Labels comparable across the survey and the population table (1 == 1.0 == "1"), once per distinct value."""
    return values.map({v: category_key(v) for v in pd.unique(values)})


def _check_population(model, population: pd.DataFrame, by: str, count: str) -> None:
    check_frame(population, "population", columns=[*model.predictors, by, count], error=ModelError)
    seen = model.glm_.design.data
    for col in model.predictors:
        if col not in seen or pd.api.types.is_numeric_dtype(seen[col]) and col not in model.categorical_:
            continue
        unseen = sorted(set(_key(population[col].dropna())) - set(_key(seen[col].dropna())))
        if unseen:
            raise ModelError(f"population column {col!r} has categories the survey never saw: "
                             f"{', '.join(unseen[:10])}; merge them into a category the survey has")


def _model_rows(model, population: pd.DataFrame, by: str, count: str, z: float) -> pd.DataFrame:
    cells = population.reset_index(drop=True)
    X = model.glm_.model_matrix(cells[list(model.predictors)])
    beta = np.asarray(model.glm_.coef_, dtype=float)
    p = expit(X @ beta)
    N = pd.to_numeric(cells[count], errors="coerce").to_numpy(float)
    if not np.isfinite(N).all() or (N < 0).any():
        raise ModelError(f"population column {count!r} must hold non-negative counts in every row")
    district = _key(cells[by])
    codes, labels = pd.factorize(district, sort=True)
    size = np.bincount(codes, weights=N)
    share = np.bincount(codes, weights=N * p) / size
    grad = np.zeros((len(labels), X.shape[1]))
    np.add.at(grad, codes, (N * p * (1 - p))[:, None] * X)
    grad /= size[:, None]
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, np.asarray(model.glm_.vcov_, dtype=float), grad))
    half = z * se / (share * (1 - share))
    return pd.DataFrame({"district": labels.astype(str), "method": "model", "share": share, "se": se,
                         "ci_low": expit(logit(share) - half), "ci_high": expit(logit(share) + half),
                         "population": size})


def _direct_rows(design, outcome: str, by: str, conf_level: float) -> pd.DataFrame:
    check_frame(design.data, "the design's data", columns=[outcome, by], error=ModelError)
    table = design.proportion(outcome, by=by, na_rm=True, conf_level=conf_level, min_cell=0)
    level = pd.to_numeric(table["level"], errors="coerce")
    sizes = table.groupby(_key(table[by]))["n"].first()
    ones = table[level == 1].assign(district=lambda t: _key(t[by]))
    rows = pd.DataFrame({"district": sizes.index.astype(str), "n": sizes.to_numpy()})
    rows = rows.merge(ones[["district", "estimate", "se", "ci_low", "ci_high"]], on="district", how="left")
    no_cases = rows["estimate"].isna() & rows["n"].gt(0)  # nobody in the district had the outcome
    rows.loc[no_cases, ["estimate", "se", "ci_low", "ci_high"]] = 0.0
    return rows.rename(columns={"estimate": "share"}).assign(method="direct")


def _fay_herriot_rows(direct: pd.DataFrame, model_rows: pd.DataFrame, z: float) -> tuple[pd.DataFrame, float]:
    areas = model_rows[["district", "share"]].rename(columns={"share": "model_share"}).merge(
        direct[["district", "share", "se"]], on="district", how="left")
    areas["model_arcsin"] = np.arcsin(np.sqrt(areas["model_share"]))
    usable = areas["se"].gt(0) & areas["share"].gt(0) & areas["share"].lt(1)
    if usable.sum() < 3:
        raise ModelError("Fay-Herriot needs at least 3 districts with a direct share strictly between 0 and 1 "
                         "and a positive SE; use the direct or model rows instead")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        fh = FayHerriot(method="reml", transform="arcsin", intercept=False, conf_level=stats.norm.cdf(z) * 2 - 1).fit(
            areas[usable], estimate="share", se="se", offset="model_arcsin", area="district")
    for w in caught:  # said once, naming what it is about
        warnings.warn(f"district projection: {w.message}", w.category, stacklevel=3)
    t = fh.table_.rename(columns={"area": "district", "eblup": "share", "rmse": "se"})
    rows = [t[["district", "share", "se", "ci_low", "ci_high"]]]
    if (~usable).any():
        out = fh.predict(areas[~usable].rename(columns={"district": "area"}))
        half = z * out["rmse"]
        rows.append(pd.DataFrame({"district": out["area"], "share": out["synthetic"], "se": out["rmse"],
                                  "ci_low": np.clip(out["synthetic"] - half, 0, 1),
                                  "ci_high": np.clip(out["synthetic"] + half, 0, 1)}))
    return pd.concat(rows, ignore_index=True).assign(method="fay_herriot"), fh.sigma2_u_


def _with_area_variance(rows: pd.DataFrame, sigma2_u: float, z: float) -> pd.DataFrame:
    """Model rows whose interval also holds the district variation the demographics leave unexplained."""
    theta = np.arcsin(np.sqrt(rows["share"].to_numpy()))
    slope = np.sin(2 * theta)  # d share / d theta
    var = (rows["se"].to_numpy() / slope) ** 2 + sigma2_u
    half = z * np.sqrt(var)
    return rows.assign(se=np.sqrt(var) * slope, ci_low=np.sin(np.clip(theta - half, 0, np.pi / 2)) ** 2,
                       ci_high=np.sin(np.clip(theta + half, 0, np.pi / 2)) ** 2)


def project(model, population: pd.DataFrame, *, by: str = "district", count: str = "count", design=None,
            small_n: int = 200, conf_level: float = 0.95, min_cell: int | None = None) -> pd.DataFrame:
    """Share and number of residents with the model's outcome per district: direct, model and Fay–Herriot.

    Parameters
    ----------
    model : ExclusionRiskModel
        A fitted model whose predictors are columns of ``population``.
    population : pd.DataFrame
        One row per population cell: the model's predictors, ``by`` and ``count``.
    by : str
        The district column, in both the population and the survey data.
    count : str
        Residents in each population cell.
    design : survey.Design, optional
        The survey design (raked or not) holding the outcome and ``by``; gives the
        direct estimates and, with them, the Fay–Herriot combination. Without it
        only the model rows are returned.
    small_n : int
        Districts with fewer respondents than this prefer the Fay–Herriot figure.
    conf_level : float
        Confidence level of the intervals.
    min_cell : int, optional
        Small-cell threshold (default: :data:`toolkit.disclosure.DEFAULT_MIN_CELL`).

    Returns
    -------
    pd.DataFrame
        district, outcome, method ('direct' | 'model' | 'fay_herriot'), share, se,
        count, ci_low, ci_high, n (respondents in the district), population,
        preferred, suppressed, note.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from toolkit import survey
    >>> data = pd.DataFrame({"y": [0, 1, 0, 1, 1, 0, 0, 1.0], "old": [0, 1, 0, 1, 1, 0, 1, 0],
    ...                      "district": [1, 1, 1, 1, 2, 2, 2, 2], "w": 1.0})
    >>> fit = survey.Design(data, weights="w").glm("y ~ old", family="binomial")
    >>> model = SimpleNamespace(outcome="y", predictors=["old"], categorical_=[], glm_=fit)
    >>> population = pd.DataFrame({"district": [1, 1, 2, 2], "old": [0, 1, 0, 1], "count": [600, 400, 300, 700]})
    >>> project(model, population, min_cell=0)[["district", "method", "share", "count"]].round(3)
      district method  share  count
    0        1  model   0.45  450.0
    1        2  model   0.60  600.0
    """
    z = float(stats.norm.ppf(0.5 + check_conf_level(conf_level) / 2))
    _check_population(model, population, by, count)
    rows = _model_rows(model, population, by, count, z)
    sizes = rows.set_index("district")["population"]
    parts = [rows]
    if design is not None:
        direct = _direct_rows(design, model.outcome, by, conf_level)
        combined, sigma2_u = _fay_herriot_rows(direct, rows, z)
        parts = [direct, _with_area_variance(rows, sigma2_u, z), combined]
    table = pd.concat(parts, ignore_index=True)
    n = direct.set_index("district")["n"] if design is not None else pd.Series(dtype=float)
    table["n"] = table["district"].map(n).fillna(0).astype(int) if design is not None else pd.NA
    table["population"] = table["district"].map(sizes)
    table["count"] = table["share"] * table["population"]
    table["ci_low"], table["ci_high"] = table["ci_low"].astype(float), table["ci_high"].astype(float)
    prefer = np.where(table["n"].fillna(0).to_numpy(float) < small_n, "fay_herriot", "direct") \
        if design is not None else np.full(len(table), "model")
    table["preferred"] = table["method"].to_numpy() == prefer
    table["outcome"] = model.outcome
    order = {m: k for k, m in enumerate(METHODS)}
    table = table.sort_values(["district", "method"], key=lambda s: s.map(order) if s.name == "method" else s,
                              ignore_index=True)[list(COLUMNS)]
    for col in ("ci_low", "ci_high"):  # the count interval follows the share interval
        table[f"count_{col}"] = table[col] * table["population"]
    if design is None:
        return table.assign(suppressed=False, note="")
    return disclosure.suppress(table, n="n", min_cell=min_cell,
                               columns=["share", "se", "count", "ci_low", "ci_high", "count_ci_low",
                                        "count_ci_high"])
