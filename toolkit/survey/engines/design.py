"""A survey design whose rows stay in an engine: collapse them to cells, then finish in numpy.

Numerical method
----------------
A mean, total, ratio or proportion, its linearised variance, its design effect
and its domain counts depend on the rows only through sums over *cells*: the
rows that share stratum, PSU (every stage), fpc, domain, the proportion's
level, the raking margins and which variables are missing. The engine
computes per cell the number of respondents, the number with a non-zero
weight, and the sums of ``w``, ``w^2``, ``w y``, ``y`` and ``w y z``
(:meth:`~toolkit.survey.engines._sources.Source.grouped`). Each cell becomes
one row of an ordinary in-memory :class:`~toolkit.survey.Design` with weight
``sum w`` and value ``sum w y / sum w``; the estimators run on it unchanged.
The influence values of a cell are then exactly the sum of its respondents'
(they are linear in ``w`` and ``w y``), so PSU totals, strata, lonely PSUs,
fpc and degrees of freedom are those of the full data. What a cell cannot
carry as one row is carried beside it (:class:`Cells`): respondent counts
(``n``, Kish), the spread of ``y`` inside the cell (design effects), and the
cell's unweighted means, which raking's variance needs because R averages
``x / psw`` over respondents. Raking and post-stratification are replayed on
the cells (IPF on the cross-classification of the margins is IPF on the
rows); every respondent of a margin cell gets the same factor. The logit and
likelihood intervals of a proportion start R's intercept-only IRLS from
row-level values: one more pass sums that first step over respondents
(:meth:`Source.first_step <toolkit.survey.engines._sources.Source.first_step>`).

*Without PSUs* (``psu=None``: a stratified sample, every respondent its own
PSU) the cells are stratum x fpc x domain x level x margins x missingness, and
the variance needs the respondents' squared influence values, not only the
cell totals: ``V = sum_h (1 - f_h) n_h / (n_h - 1) (sum_i z_i^2 - (sum_i
z_i)^2 / n_h)`` over the ``n_h`` respondents of stratum ``h``. Inside a cell
``z_i = w_i (a + sum_v b_v (v_i - v_cell))`` (calibration subtracts ``w_i``
times a constant of the margin cell; a proportion's level is constant in its
cell), so ``sum z_i^2`` is the cell total squared times ``sum w^2 / (sum w)^2``
plus terms in the cell sums of ``w^2 v`` and ``w^2 u v``, which the engine adds
to the pass. The cell design's stage counts respondents (``Stage.unit_n``:
lonely strata, fpc and ``n_h`` are the respondents'), the estimators give the
slopes ``b_v`` (``Influence.spread``) and
:func:`~toolkit.survey.linearization.cell_moments` finishes; ``degf`` is the
respondents with a non-zero weight minus the strata. ``glm`` adds per cell the
sums of ``x x'`` and ``w x`` of the respondents' influence values
(:mod:`toolkit.survey.engines.glm`).
Zero weights: raking divides by them (R's ``x / psw``, an NaN SE), and a cell
holding one is NaN there too; post-stratification keeps a residual for them
(their ``psw`` is 1) that cells do not hold, so the engines refuse it.

The estimates and SEs equal the in-memory ones up to the order of summation
(1e-12 relative or better in the tests). Second moments (a cell's spread
``sum w (y - c)^2 / sum w - (y_cell - c)^2`` for design effects, the ``w^2``
moments) are summed around ``c``, the variable's mean over respondents (one
more pass per variable, kept), so a variable far from zero keeps its digits;
they still subtract the cell's mean, and a design effect agrees to about 1e-9
where a cell's mean is far from ``c`` against its spread. Without PSUs the SEs
subtract per stratum ``(sum z)^2 / n_h`` from ``sum z^2``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from toolkit._validation import as_list, check_option
from toolkit.disclosure import DEFAULT_MIN_CELL
from toolkit.errors import DesignError
from toolkit.survey.engines._sources import FIRST_STEP, MEMORY_ONLY, Source, margin_columns, open_source, unique
from toolkit.survey.linearization import LONELY, CalibrationPlan


@dataclass(frozen=True)
class Cells:
    """What a collapsed design's rows (cells of respondents) carry beside weight and value.

    ``n`` respondents, ``npos`` with a non-zero weight, ``ww`` the cell's ``sum w^2 / (sum w)^2``,
    ``mirror`` per variable the unweighted mean; :meth:`within` the spread inside the cell.

    Examples
    --------
    >>> import numpy as np
    >>> c = Cells(np.array([2.0]), np.array([2.0]), np.array([0.5]), {}, {("y", "y"): np.array([0.25])})
    >>> c.within("y", "y").tolist()
    [0.25]
    """

    n: np.ndarray
    npos: np.ndarray
    ww: np.ndarray
    mirror: dict
    _within: dict
    first_step: dict | None = None  # proportion level -> glm.fit's first-step sums per domain (logit CIs)
    _squared: dict | None = None  # without PSUs: ("first", a) and (a, b) -> first() and second()

    def within(self, a: str, b: str) -> np.ndarray:
        """Per unit of weight, ``sum w (a - a_cell)(b - b_cell) / sum w`` inside each cell."""
        return self._within[(a, b) if (a, b) in self._within else (b, a)]

    def first(self, a: str) -> np.ndarray:
        """``sum w^2 (a - a_cell) / (sum w)^2`` inside each cell (designs without PSUs)."""
        return self._squared[("first", a)]

    def second(self, a: str, b: str) -> np.ndarray:
        """``sum w^2 (a - a_cell)(b - b_cell) / (sum w)^2`` inside each cell (designs without PSUs)."""
        return self._squared[(a, b) if (a, b) in self._squared else (b, a)]


class EngineDesign:
    """A :class:`~toolkit.survey.Design` over rows that stay in DuckDB or dask (see the module notes).

    Made by ``survey.Design(path, ..., engine="duckdb")`` or ``survey.Design(dask_frame, ...)``;
    the parameters are :class:`~toolkit.survey.Design`'s. Supported: ``mean``, ``total``,
    ``ratio``, ``proportion``, ``glm``, ``rake``, ``poststratify``, ``degf``, ``weights``; strata, one or
    several PSU columns or none (every respondent its own PSU), fpc, every ``lonely_psu`` and
    ``adjust_domain_lonely``. Not supported (a :class:`~toolkit.errors.DesignError` says so): fpc
    without weights, ``poststratify`` with zero weights, ``quantile``, ``trim``, ``update``,
    ``variance_by_stage`` and ``weight_summary``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2], "p": [1, 1, 2, 3]})
    >>> d = EngineDesign(df, weights="w", psu="p", engine="memory")
    >>> round(float(d.mean("y", min_cell=0)["estimate"].iloc[0]), 4)
    2.8333
    """

    memory_class = None  # toolkit.survey.Design, set by toolkit.survey (no import cycle)

    def __init__(self, data, *, weights: str | None = None, strata: str | None = None,
                 psu: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None,
                 lonely_psu: str = "fail", adjust_domain_lonely: bool = False, min_cell: int = DEFAULT_MIN_CELL,
                 engine: str | None = None):
        self.source: Source = data if isinstance(data, Source) else open_source(data, engine)
        self.engine = self.source.name
        self.weights_col, self.strata_col = weights, strata
        self.psu_cols, self.fpc_cols = as_list(psu, "psu"), as_list(fpc, "fpc")
        self.lonely_psu = check_option(lonely_psu, "lonely_psu", LONELY)
        self.adjust_domain_lonely, self.min_cell = bool(adjust_domain_lonely), min_cell
        if self.fpc_cols and weights is None:
            raise DesignError(f"engine={self.engine!r}: fpc without weights= (weights derived from the fpc) is "
                              f"not supported; pass weights= or {MEMORY_ONLY}")
        missing = [c for c in [weights, strata, *self.psu_cols, *self.fpc_cols]
                   if c is not None and c not in self.source.dtypes]
        if missing:
            raise DesignError(f"design column(s) {', '.join(map(repr, missing))} not found in the data "
                              f"(available: {', '.join(map(str, list(self.source.dtypes)[:20]))})")
        self.steps: tuple = ()
        self.rake_result = None
        self._factors = None  # (steps, margins, cells, factor) behind row_factor
        self._centre: dict = {}  # column -> its mean, the centre of second moments (see _centres)
        self._check_weights()
        self._base = self.collapse()
        self.n = int(self._base.cells.n.sum())
        self.strata_labels = self._base.strata_labels

    # ---------------------------------------------------------------- collapsing
    def _check_weights(self) -> None:
        w = self.weights_col
        if w is None:
            return
        if not pd.api.types.is_numeric_dtype(self.source.dtypes[w]):
            raise DesignError(f"weights column {w!r} must be numeric")
        bad = self.source.grouped([], [], {"missing": (("missing", w),), "negative": (("negative", w),)})
        if bad["missing"].iloc[0] or bad["negative"].iloc[0]:
            raise DesignError(f"weights column {w!r} has {int(bad['missing'].iloc[0])} missing and "
                              f"{int(bad['negative'].iloc[0])} negative value(s); weights must be non-negative "
                              "numbers")

    def _structure(self) -> list[str]:
        return unique([self.strata_col, *self.psu_cols, *self.fpc_cols])

    def collapse(self, *, numeric: Sequence[str] = (), keys: Sequence[str] = (), pairs: Sequence[tuple] = (),
                 nulls: Sequence[str] | None = None, _loud: bool = False):
        """The in-memory :class:`~toolkit.survey.Design` of this design's cells (see the module notes).

        ``numeric`` are the variables whose cell means are kept, ``keys`` further columns that
        define cells (domains, a proportion's variable), ``pairs`` the variable pairs whose
        within-cell co-spread is kept, ``nulls`` the columns whose missingness splits cells
        (default ``numeric``). Calibration steps so far are replayed on the cells.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3], "p": [1, 1, 2]})
        >>> EngineDesign(df, psu="p", engine="memory").collapse(numeric=["y"]).data["y"].tolist()
        [1.5, 3.0]
        """
        numeric = unique(numeric)
        unknown = [c for c in [*numeric, *keys] if c not in self.source.dtypes]
        if unknown:
            raise DesignError(f"column(s) {', '.join(map(repr, unknown))} not found in the data "
                              f"(available: {', '.join(map(str, list(self.source.dtypes)[:20]))})")
        nulls = numeric if nulls is None else unique(nulls)
        w = () if self.weights_col is None else (self.weights_col,)
        sums = {"__n": (), "__npos": (("nonzero", self.weights_col),) if w else (), "__w": w, "__ww": w + w}
        for v in numeric:
            sums[f"__wy:{v}"], sums[f"__y:{v}"] = w + (v,), (v,)
        pairs = unique([(v, v) for v in numeric] + [tuple(p) for p in pairs])
        centre = self._centres(unique([v for pair in pairs for v in pair]))
        for a, b in pairs:  # second moments around a value near the mean keep their digits
            sa, sb = ("shift", a, centre[a]), ("shift", b, centre[b])
            sums[f"__wab:{a}:{b}"] = w + (sa, sb)
            if not self.psu_cols:  # every respondent its own PSU: squared influence values need w^2 moments
                sums[f"__wwa:{a}"], sums[f"__wwa:{b}"], sums[f"__wwab:{a}:{b}"] = w + w + (sa,), w + w + (sb,), \
                    w + w + (sa, sb)
        cell_keys = unique([*self._structure(), *keys, *margin_columns(self.steps)])
        table = self.source.grouped(cell_keys, list(nulls), sums)
        return self._replay(self._design(table, cell_keys, numeric, pairs, nulls, centre), _loud)

    def _centres(self, columns: list[str]) -> dict:
        """A value near each column's mean, its mean over respondents (one pass for the new ones, kept)."""
        todo = [c for c in columns if c not in self._centre]
        if todo:
            sums = {"__n": ()}
            for c in todo:
                sums[f"__m:{c}"], sums[f"__s:{c}"] = (("missing", c),), (c,)
            t = self.source.grouped([], [], sums).iloc[0]
            for c in todo:
                k = t["__n"] - t[f"__m:{c}"]
                mean = t[f"__s:{c}"] / k if k > 0 else 0.0
                self._centre[c] = float(mean) if np.isfinite(mean) else 0.0
        return {c: self._centre[c] for c in columns}

    def _design(self, table: pd.DataFrame, cell_keys, numeric, pairs, nulls, centre):
        W, n = table["__w"].to_numpy(), table["__n"].to_numpy()
        pos = W > 0
        Wd = np.where(pos, W, 1.0)
        frame = {k: table[k] for k in cell_keys}
        mirror = {}
        for v in numeric:
            na = table[f"__na_{v}"].to_numpy(bool)
            unweighted = table[f"__y:{v}"].to_numpy() / np.where(n > 0, n, 1.0)
            frame[v] = np.where(na, np.nan, np.where(pos, table[f"__wy:{v}"].to_numpy() / Wd, unweighted))
            mirror[v] = np.where(na, np.nan, unweighted)
        for c in nulls:
            if c not in numeric and f"__na_{c}" in table:
                frame[f"__na_{c}"] = table[f"__na_{c}"].to_numpy(bool)
        within, squared = {}, None if self.psu_cols else {}
        ww = np.where(pos, table["__ww"] / Wd**2, 0.0)
        for a, b in pairs:  # the sums are around the centres: so are the cell means here
            ya, yb = np.nan_to_num(frame[a] - centre[a]), np.nan_to_num(frame[b] - centre[b])
            spread = table[f"__wab:{a}:{b}"].to_numpy() / Wd - ya * yb
            within[(a, b)] = np.where(pos, spread, 0.0)
            if squared is not None:  # sum w^2 (a - ya)(b - yb) / W^2 from the raw w^2 moments
                wa, wb = table[f"__wwa:{a}"].to_numpy() / Wd**2, table[f"__wwa:{b}"].to_numpy() / Wd**2
                for v, wv, yv in ((a, wa, ya), (b, wb, yb)):
                    squared[("first", v)] = np.where(pos, wv - yv * ww, 0.0)
                cross = table[f"__wwab:{a}:{b}"].to_numpy() / Wd**2 - ya * wb - yb * wa + ya * yb * ww
                squared[(a, b)] = np.where(pos, cross, 0.0)
        frame["__w"] = W
        data = pd.DataFrame(frame)
        d = object.__new__(self.memory_class)
        # set before the stages are built: without PSUs they count the cells' respondents
        d.cells = Cells(n.astype(float), table["__npos"].to_numpy(), ww, mirror, within, _squared=squared)
        d.__init__(data, weights="__w", strata=self.strata_col, psu=self.psu_cols or None,
                   fpc=self.fpc_cols or None, lonely_psu=self.lonely_psu,
                   adjust_domain_lonely=self.adjust_domain_lonely, min_cell=self.min_cell)
        return d

    def _replay(self, d, loud: bool):
        """The calibration steps on the cells; their warnings were given when the step was taken."""
        for i, step in enumerate(self.steps):
            with warnings.catch_warnings():
                if not (loud and i == len(self.steps) - 1):
                    warnings.simplefilter("ignore")
                if step[0] == "rake":
                    d = d.rake(step[1], max_iter=step[2], tol=step[3])
                else:
                    d = d.poststratify(step[1], step[2], partial=step[3])
        mixed = d.cells.npos < d.cells.n
        if d.plan is not None and mixed.any():
            # raking divides a respondent's influence by its raked weight (R's x / psw): 0 / 0 for a zero
            # weight, NaN in its margin cell's sums; a cell holding zero and non-zero weights gets the same NaN
            comps = [replace(c, v=np.where(mixed, np.nan, c.v)) if c.per_respondent else c
                     for c in d.plan.components]
            d.plan = CalibrationPlan(comps, list(d.plan.steps))
        return d

    # ----------------------------------------------------------------- estimators
    @property
    def degf(self) -> int:
        """Design degrees of freedom, as :attr:`toolkit.survey.Design.degf`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> d.degf
        1
        """
        return self._base.degf

    @property
    def weights(self) -> np.ndarray:
        """The weights in use, one per row in the engine's row order (Parquet files in name order, dask
        partitions in order), read in one pass: ``n`` floats in memory, the one column this makes.

        Examples
        --------
        >>> import pandas as pd
        >>> d = EngineDesign(pd.DataFrame({"c": list("aab"), "p": [1, 2, 3]}), psu="p", engine="memory")
        >>> d.rake({"c": {"a": 4, "b": 2}}).weights.tolist()
        [2.0, 2.0, 2.0]
        """
        cols = unique([self.weights_col, *margin_columns(self.steps)])

        def chunk(frame):
            w = np.ones(len(frame)) if self.weights_col is None else frame[self.weights_col].to_numpy(np.float64)
            return w * self.row_factor(frame)
        parts = self.source.chunks(cols, chunk) if cols else [np.ones(self.n)]
        return np.concatenate(parts)

    def row_factor(self, data: pd.DataFrame) -> np.ndarray:
        """Each row's calibration factor (its weight in use over its design weight), from the margin cells.

        Examples
        --------
        >>> import pandas as pd
        >>> d = EngineDesign(pd.DataFrame({"c": list("aab"), "p": [1, 2, 3]}), psu="p", engine="memory")
        >>> d.rake({"c": {"a": 4, "b": 2}}).row_factor(pd.DataFrame({"c": ["b", "a"]})).tolist()
        [2.0, 2.0]
        """
        if not self.steps:
            return np.ones(len(data))
        if self._factors is None or self._factors[0] != self.steps:
            margins = margin_columns(self.steps)
            d = self.collapse(keys=margins)
            base = d.data["__w"].to_numpy()
            ratio = np.divide(d.weights, base, out=np.ones_like(base), where=base > 0)
            cells = d.data[margins].assign(__f=ratio).drop_duplicates(margins)
            self._factors = (self.steps, margins, pd.MultiIndex.from_frame(cells[margins]), cells["__f"].to_numpy())
        _, margins, index, factor = self._factors
        return factor[index.get_indexer(pd.MultiIndex.from_frame(data[margins]))]

    def mean(self, variables, *, by=None, na_rm=False, conf_level=0.95, min_cell=None) -> pd.DataFrame:
        """:meth:`toolkit.survey.Design.mean` (R's ``svymean``), from cell sums.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> d.mean("y", by="c")[["c", "estimate"]]
           c  estimate
        0  a       2.0
        1  b       3.0
        """
        return self.collapse(numeric=as_list(variables, "variables"), keys=as_list(by)).mean(
            variables, by=by, na_rm=na_rm, conf_level=conf_level, min_cell=min_cell)

    def total(self, variables, *, by=None, na_rm=False, conf_level=0.95, min_cell=None) -> pd.DataFrame:
        """:meth:`toolkit.survey.Design.total` (R's ``svytotal``), from cell sums.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> float(d.total("y")["estimate"].iloc[0])
        10.0
        """
        return self.collapse(numeric=as_list(variables, "variables"), keys=as_list(by)).total(
            variables, by=by, na_rm=na_rm, conf_level=conf_level, min_cell=min_cell)

    def ratio(self, numerator, denominator, *, by=None, na_rm=False, conf_level=0.95,
              min_cell=None) -> pd.DataFrame:
        """:meth:`toolkit.survey.Design.ratio` (R's ``svyratio``), from cell sums.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> float(d.ratio("y", "x")["estimate"].iloc[0])
        0.8333...
        """
        d = self.collapse(numeric=[numerator, denominator], keys=as_list(by), pairs=[(numerator, denominator)])
        return d.ratio(numerator, denominator, by=by, na_rm=na_rm, conf_level=conf_level, min_cell=min_cell)

    def proportion(self, variable, *, by=None, na_rm=False, conf_level=0.95, ci_method="logit",
                   min_cell=None) -> pd.DataFrame:
        """:meth:`toolkit.survey.Design.proportion` (R's ``svyciprop``), from cell sums (the level is part of
        the cell).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> d.proportion("c", ci_method="wald")["estimate"].tolist()
        [0.5, 0.5]
        """
        d = self.collapse(keys=[variable, *as_list(by)])
        if ci_method in ("logit", "likelihood"):
            d.cells = replace(d.cells, first_step=self._first_step(d, variable, by, na_rm))
        return d.proportion(variable, by=by, na_rm=na_rm, conf_level=conf_level, ci_method=ci_method,
                            min_cell=min_cell)

    def _first_step(self, d, variable: str, by, na_rm: bool) -> dict:
        """What the logit interval's first IRLS step sums over respondents (not cells): one more pass with
        each cell's rescaling of the weights, ``w * calibration factor / domain mean weight``."""
        from toolkit.survey import estimators

        codes, levels = estimators._level_codes(d, variable)
        g, _, k, _, _ = estimators._domain_codes(d, by, codes >= 0, na_rm)
        inside = g >= 0
        gi = np.where(inside, g, 0)
        W = np.bincount(gi, weights=np.where(inside, d.weights, 0.0), minlength=k)
        n = np.bincount(gi, weights=np.where(inside, d.cells.n, 0.0), minlength=k)
        raw = d.data["__w"].to_numpy()
        factor = np.divide(d.weights, raw, out=np.zeros_like(raw), where=raw > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(inside, factor / (W / n)[gi], 0.0)
        keys = [c for c in d.data.columns if c != "__w"]
        sums = self.source.first_step(keys, d.data[keys].assign(__s=scale), self.weights_col)
        cells = d.data[keys].merge(sums, how="left", on=keys, validate="one_to_one").fillna(
            dict.fromkeys(FIRST_STEP, 0.0))
        out = {}
        for i in range(len(levels)):
            hit = codes == i
            out[i] = [np.bincount(gi, weights=np.where(inside, np.where(hit, cells[one], cells[zero]), 0.0),
                                  minlength=k) for zero, one in zip(FIRST_STEP[:3], FIRST_STEP[3:], strict=True)]
        return out

    def glm(self, formula: str, *, family: str = "gaussian", conf_level: float = 0.95, max_iter: int = 100,
            tol: float = 1e-12):
        """:meth:`toolkit.survey.Design.glm` (R's ``svyglm``): IRLS sums ``X'WX`` per chunk; see
        :mod:`toolkit.survey.engines.glm`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> df = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 5], "y": [1.0, 3, 2, 5, 4, 6], "p": [1, 1, 2, 2, 3, 3]})
        >>> EngineDesign(df, psu="p", engine="memory").glm("y ~ x").coef_.round(3).tolist()
        [1.286, 0.886]
        """
        from toolkit.survey.engines.glm import fit_engine_glm

        return fit_engine_glm(self, formula, family=family, conf_level=conf_level, max_iter=max_iter, tol=tol)

    # ------------------------------------------------------------------ weighting
    def rake(self, margins: Mapping, *, max_iter: int = 10, tol: float = 1.0) -> EngineDesign:
        """:meth:`toolkit.survey.Design.rake` (R's ``rake``) on the cross-classification of the margins.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> r = d.rake({"c": {"a": 30, "b": 70}})
        >>> float(r.total("y")["estimate"].iloc[0])
        270.0
        """
        if not isinstance(margins, Mapping) or not margins:
            raise DesignError("margins must be a non-empty mapping: column -> {level: count or share}")
        return self._with_steps(self.steps + (("rake", dict(margins), max_iter, tol),))

    def poststratify(self, variables, population: Mapping, *, partial: bool = False) -> EngineDesign:
        """:meth:`toolkit.survey.Design.poststratify` (R's ``postStratify``) on the post-strata's cells.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "c": list("abab"), "p": [1, 2, 1, 2]})
        >>> d = EngineDesign(df, psu="p", engine="memory", min_cell=0)
        >>> float(d.poststratify("c", {"a": 0.25, "b": 0.75}).mean("y")["estimate"].iloc[0])
        2.75
        """
        zero = int(self._base.cells.n.sum() - self._base.cells.npos.sum())
        if zero:  # R's post-stratification keeps a residual for them (their psw is 1), which cells do not hold
            raise DesignError(f"poststratify() with engine={self.engine!r} needs non-zero weights: {zero} "
                              f"respondent(s) weigh 0 (drop them, or rake instead); {MEMORY_ONLY}")
        return self._with_steps(self.steps + (("poststratify", variables, population, partial),))

    def _with_steps(self, steps: tuple) -> EngineDesign:
        """A copy with these calibration steps; the last one is checked (and warns) here, once."""
        new = object.__new__(EngineDesign)
        new.__dict__.update(self.__dict__)
        new.steps = steps
        new._base = new.collapse(_loud=True)
        new.rake_result = new._base.rake_result
        return new

    def __repr__(self) -> str:
        psus = self._base.stages[0].n_units if self.psu_cols else self.n
        return (f"Design(engine={self.engine!r}, n={self.n}, strata={len(self.strata_labels)}, "
                f"psu={psus}, degf={self.degf}{', calibrated' if self.steps else ''})")


def _unsupported(name: str, why: str, call: str):
    """A method of :class:`EngineDesign` that raises the DesignError naming itself and the way out."""
    def method(self, *args, **kwargs):
        raise DesignError(f"{name}() is not supported by engine={self.engine!r} ({why}); {MEMORY_ONLY}")
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"""Not supported by the engines: {why}. A :class:`~toolkit.errors.DesignError` says so.

    Examples
    --------
    >>> import pandas as pd
    >>> d = EngineDesign(pd.DataFrame({{"y": [1.0, 2, 3, 4], "p": [1, 2, 1, 2]}}), psu="p", engine="memory")
    >>> d.{call}
    Traceback (most recent call last):
    ...
    toolkit.errors.DesignError: {name}() is not supported by engine='memory' (...); use the in-memory engine ...
    """
    return method


for _name, _why, _call in [
    ("quantile", "a quantile needs the sorted values, not sums", 'quantile("y", 0.5)'),
    ("trim", "trimming changes single weights, which cells do not hold", "trim(upper=2)"),
    ("update", "add the column to the Parquet data or the dask frame instead", "update(z=1)"),
    ("variance_by_stage", "not implemented for cells", 'variance_by_stage("y")'),
    ("weight_summary", "it needs every single weight", "weight_summary()"),
]:
    setattr(EngineDesign, _name, _unsupported(_name, _why, _call))
