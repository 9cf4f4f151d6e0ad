"""The survey design: weights, strata, clusters and finite population corrections.

Numerical method
----------------
The design mirrors R's ``svydesign(ids=, strata=, weights=, fpc=, nest=TRUE)``
(``survey`` 4.1). Clusters are always nested in strata. The stratum and
cluster codes are built once per design; every estimator then reduces to a
few ``np.bincount`` calls over them (see :mod:`toolkit.survey.linearization`).

* ``fpc`` follows ``survey:::as.fpc``: if any value is above 1 the values are
  population sizes (numbers of PSUs in the stratum), otherwise sampling
  fractions, and ``N = n / fraction``. Mixing values above and below 1 is an
  error, as in R. Without a weights column the weights are ``1 / prod(n/N)``
  over the stages, as ``svydesign`` derives them from the fpc.
* Several ``psu`` columns give a multistage design. Without ``fpc`` the
  variance is the with-replacement ultimate-cluster one (R's default in that
  case); with one ``fpc`` column per stage the later stages add their
  within-unit variance as ``survey:::multistage`` does (checked against R on
  ``apiclus2`` with ``fpc = ~fpc1 + fpc2``). A single ``fpc`` column with
  several ``psu`` columns corrects the first stage only and uses the
  ultimate-cluster variance (R refuses that combination).
* ``lonely_psu`` follows ``options(survey.lonely.psu)``; with ``"average"``
  later stages are treated like ``"remove"`` (R returns NA there).
* The degrees of freedom are the number of PSUs minus the number of strata
  with a non-zero weight in the (sub)population, as ``degf()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit._validation import as_list, check_frame, check_option, check_weights, renamed_attribute, renamed_keywords
from toolkit.disclosure import DEFAULT_MIN_CELL, DisclosurePolicy
from toolkit.errors import DataQualityWarning, DesignError
from toolkit.survey import estimators, weighting
from toolkit.survey._structure import DesignStructure
from toolkit.survey.linearization import (
    LONELY,
    CalibrationPlan,
    Influence,
    domains_of,
    single_psu_domains,
    stage_contributions,
    variance,
)

class Design(DesignStructure):
    """A stratified, clustered survey design with linearised variances (R's ``svydesign``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. Never modified.
    weights : str, optional
        Column of sampling weights (non-negative, no missing values). Without
        it the weights are the inverse selection probabilities implied by
        ``fpc`` (the product of every stage's ``n / N``), as ``svydesign``
        does; without weights and fpc every row weighs 1.
    strata : str, optional
        Stratum column. Missing strata are an error.
    psu : str or list of str, optional
        Cluster column(s), first stage first. Without it every row is its own
        PSU.
    fpc : str or list of str, optional
        Finite population correction per stage: population sizes or sampling
        fractions (R's rule, see module notes).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        What to do with a stratum that has a single PSU, as
        ``options(survey.lonely.psu)``.
    adjust_domain_lonely : bool, default False
        Apply ``lonely_psu`` also where a domain (``by=``, or the rows a model
        uses) holds only one of a stratum's PSUs, as
        ``options(survey.adjust.domain.lonely = TRUE)``: with ``"adjust"`` that
        PSU's total is centred at zero instead of the stratum mean, with
        ``"average"`` the variance is NaN (R's ``NA``); the other choices are
        unaffected, as in R. Applies to the first stage.
    min_cell : int, default :data:`toolkit.disclosure.DEFAULT_MIN_CELL` (5)
        Estimate tables go through :func:`toolkit.disclosure.suppress`: a cell
        with fewer respondents shows neither its estimate nor its count. 0 turns
        suppression off.
    engine : {"memory", "duckdb", "dask"}, optional
        Where the rows are reduced. A pandas DataFrame is "memory" (default). A
        Parquet file, folder or list of files is read out of core by DuckDB
        (``engine="duckdb"``, the default for a path), a dask dataframe is
        reduced on its cluster ("dask"); ``engine="dask"`` with a pandas frame
        splits it in two partitions. The engines return the same tables (to
        1e-10) and support ``mean``, ``total``, ``ratio``, ``proportion``,
        ``glm``, ``rake`` and ``poststratify`` with strata, PSUs (or none),
        several stages, fpc and every ``lonely_psu``; the rest raises a
        :class:`~toolkit.errors.DesignError` (see
        :class:`toolkit.survey.engines.EngineDesign`). Needs the ``scale`` extra.

    Attributes
    ----------
    degf : int
        Design degrees of freedom (R's ``degf``).
    weights : numpy.ndarray
        The weights in use (after any raking, post-stratification or trimming).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "w": [1.0, 2, 1, 2, 1, 2],
    ...                    "s": ["a", "a", "a", "b", "b", "b"]})
    >>> d = survey.Design(df, weights="w", strata="s")
    >>> d.degf
    4
    >>> round(float(d.mean("y", min_cell=0)["estimate"].iloc[0]), 4)
    3.6667
    """

    cells = None  # a collapsed design's cell statistics (toolkit.survey.engines); None: one row per respondent

    engine_class = None  # toolkit.survey.engines.EngineDesign, set by toolkit.survey (no import cycle)

    def __new__(cls, data=None, *args, engine: str | None = None, **kwargs):
        """A Parquet path or a dask dataframe (or ``engine="duckdb"/"dask"``) gives an engine design."""
        if engine not in (None, "memory") or not isinstance(data, pd.DataFrame | type(None)):
            return cls.engine_class(data, *args, engine=engine, **kwargs)
        return super().__new__(cls)

    def __init__(self, data: pd.DataFrame, *, weights: str | None = None, strata: str | None = None,
                 psu: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None,
                 lonely_psu: str = "fail", adjust_domain_lonely: bool = False, min_cell: int = DEFAULT_MIN_CELL,
                 engine: str | None = None):
        psu_cols, fpc_cols = as_list(psu, "psu"), as_list(fpc, "fpc")
        wanted = [c for c in [weights, strata, *psu_cols, *fpc_cols] if c is not None]
        check_frame(data, "data", columns=wanted, error=DesignError)
        check_option(lonely_psu, "lonely_psu", LONELY)
        if fpc_cols and psu_cols and len(fpc_cols) not in (1, len(psu_cols)):
            raise DesignError(f"fpc needs one column per stage: got {len(fpc_cols)} fpc for "
                              f"{len(psu_cols)} psu column(s)")
        if fpc_cols and not psu_cols and len(fpc_cols) != 1:
            raise DesignError("fpc needs exactly one column when there is no psu column")
        self.data = data
        self.weights_col, self.strata_col = weights, strata
        self.psu_cols, self.fpc_cols = psu_cols, fpc_cols
        self.lonely_psu, self.min_cell = lonely_psu, DisclosurePolicy(min_cell).min_cell
        self.adjust_domain_lonely = bool(adjust_domain_lonely)
        self.n = len(data)
        self.weights = np.ones(self.n) if weights is None else check_weights(weights, data, error=DesignError)
        self._build_stages(data)
        if weights is None and fpc_cols:
            self.weights = self._fpc_weights()
        self.plan: CalibrationPlan | None = None
        self.rake_result: weighting.RakeResult | None = None
        self._cache: dict = {}  # codes of grouping columns; data never change, so designs share it
        self._wcache: dict = {}  # things that depend on the weights too; one per design

    # ------------------------------------------------------------------ setup
    # ------------------------------------------------------------------ copies
    def _replace(self, weights: np.ndarray, plan: CalibrationPlan | None,
                 rake_result: weighting.RakeResult | None = None) -> Design:
        """A copy of this design with new weights (structure is shared, read-only)."""
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new.weights, new.plan, new.rake_result = weights, plan, rake_result
        new._wcache = {}
        return new

    def drop_caches(self) -> Design:
        """Let go of what the estimators cached on this design (group codes, atoms, calibration cross-sums).

        They are made again when an estimate needs them; a design kept for later (``Results.design``) holds
        a few hundred bytes per respondent less. The cache of grouping codes is shared with the designs
        made from this one (raked, updated), so theirs goes too. Returns the design.

        Examples
        --------
        >>> import pandas as pd
        >>> d = Design(pd.DataFrame({"y": [1.0, 2.0, 3.0], "g": ["a", "a", "b"]}), min_cell=0)
        >>> before = d.mean("y", by="g")["estimate"].tolist()
        >>> d.drop_caches().mean("y", by="g")["estimate"].tolist() == before
        True
        """
        self._cache.clear()
        self._wcache.clear()
        if self.plan is not None:
            self.plan._cross.clear()
        return self

    def update(self, **columns) -> Design:
        """A design with new or replaced columns, keeping weights, structure and calibration.

        Mirrors R's ``update.survey.design``. Each value is an array or Series
        with one entry per row (aligned by position; a categorical or other pandas
        array keeps its dtype), or a callable of the data.

        Examples
        --------
        >>> import pandas as pd
        >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2]}), weights="w")
        >>> round(float(d.update(y2=lambda df: df["y"] * 2).mean("y2", min_cell=0)["estimate"].iloc[0]), 4)
        5.6667
        """
        added = {}
        for name, value in columns.items():
            values = value(self.data) if callable(value) else value
            # by position, not by index; categoricals and other pandas arrays keep their dtype
            values = values.array if isinstance(values, pd.Series) else (
                values if isinstance(values, pd.api.extensions.ExtensionArray) else np.asarray(values))
            if values.shape[:1] != (self.n,):
                raise DesignError(f"update(): column {name!r} needs one value per row ({self.n}), "
                                  f"got shape {values.shape}")
            added[name] = values
        kept = self.data.drop(columns=[c for c in added if c in self.data.columns])
        data = pd.concat([kept, pd.DataFrame(added, index=self.data.index)], axis=1)  # one concat: no fragmentation
        new = self._replace(self.weights, self.plan, self.rake_result)
        new.data, new._cache = data, {}
        # what depends on the weights and structure alone holds for the new columns too (not what is
        # keyed by this design's group codes: shared, that would outlive the new design)
        new._wcache = {key: self._wcache[key] for key in ("atoms", "degf") if key in self._wcache}
        return new

    # ------------------------------------------------------------ variance core
    def _variance(self, x: Influence, members: np.ndarray | None = None, diag: bool = False) -> np.ndarray:
        """Covariance of ``x`` (``diag``: the variances only); ``members`` is each row's domain (-1: none)."""
        if members is None:
            members = x.col if getattr(x, "col", None) is not None else np.zeros(self.n, np.int64)
        if self.adjust_domain_lonely:
            self._warn_domain_lonely(x, members)
        return variance(x, self.stages, self.lonely_psu, self.plan, self.strata, members,
                        self.adjust_domain_lonely, diag)

    def _warn_domain_lonely(self, x: Influence, members: np.ndarray) -> None:
        """R warns "Stratum (h) has only one PSU at stage 1" for each such stratum of a domain; so do we."""
        lonely = single_psu_domains(self.stages[0], members, x.p, False, domains_of(x)).any(axis=1)
        if lonely.any():
            names = ", ".join(map(str, self.strata_labels[lonely][:5])) + (" ..." if lonely.sum() > 5 else "")
            warnings.warn(f"{int(lonely.sum())} stratum/strata ({names}) have only one PSU in a domain at stage 1; "
                          f"lonely_psu={self.lonely_psu!r} applies to them (adjust_domain_lonely=True)",
                          DataQualityWarning, stacklevel=estimators.user_stacklevel())

    def _degf(self, in_domain: np.ndarray | None = None, col: np.ndarray | None = None,
              p: int = 1) -> np.ndarray:
        """PSUs minus strata with non-zero weight, per domain column."""
        cells = self.stages[0].unit_n is not None  # cells of one-respondent PSUs: count their respondents
        if in_domain is None and not cells and (col is None or (p == 1 and (col == 0).all())):
            if "degf" not in self._wcache:
                if np.count_nonzero(self.weights) == self.n:  # every PSU and stratum counts
                    self._wcache["degf"] = np.array([float(self.stages[0].n_units - len(self.strata_labels))])
                else:
                    self._wcache["degf"] = self._degf(np.ones(self.n, bool))
            return self._wcache["degf"]
        pos = self.weights != 0
        if in_domain is not None:
            pos = pos & in_domain
        c = np.zeros(self.n, np.int64) if col is None else col
        pos = pos & (c >= 0)
        if cells:
            psus = np.bincount(c[pos], weights=self.cells.npos[pos], minlength=p)
        elif self.stages[0].n_units == self.n:  # every row its own PSU: the PSUs hit are the rows
            psus = np.bincount(c[pos], minlength=p)
        else:
            psus = (np.bincount(self.psu[pos] * p + c[pos], minlength=self.stages[0].n_units * p).reshape(-1, p)
                    > 0).sum(0)
        strat_hit = np.bincount(self.strata[pos] * p + c[pos], minlength=len(self.strata_labels) * p)
        return (psus - (strat_hit.reshape(-1, p) > 0).sum(0)).astype(float)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata, R's ``degf(design)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> survey.Design(pd.DataFrame({"s": list("aabb"), "p": [1, 2, 3, 4]}), strata="s", psu="p").degf
        2
        """
        return int(self._degf()[0])

    df = renamed_attribute("Design", "df", "degf")  # it clashed with the data frame's usual name

    # ------------------------------------------------------------- estimators
    @renamed_keywords(level="conf_level")
    def mean(self, variables: str | Sequence[str], *, by: str | Sequence[str] | None = None,
             na_rm: bool = False, conf_level: float = 0.95, min_cell: int | None = None) -> pd.DataFrame:
        """Weighted means with linearised SEs, as R's ``svymean`` (by domain ``svyby``).

        Parameters
        ----------
        variables : str or list of str
            Numeric (or boolean) column(s).
        by : str or list of str, optional
            Domain column(s): one row per domain. Outside-domain units count as
            zeros; the design is never subset (what ``svyby`` does).
        na_rm : bool, default False
            Drop rows with a missing value; without it a domain holding one is NaN, as R.
        conf_level : float, default 0.95
            Confidence level of the Wald interval.
        min_cell : int, optional
            Disclosure threshold for this table; default the design's ``min_cell``.

        Returns
        -------
        pandas.DataFrame
            One row per variable (and domain): estimate, se, ci_low, ci_high, df,
            n, deff (``deff=TRUE``), deff_kish, suppressed and note. A domain with
            fewer than ``min_cell`` respondents shows neither estimate nor n.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        >>> survey.Design(df).mean("y", by="g", min_cell=0)[["g", "estimate"]]
           g  estimate
        0  a       1.5
        1  b       3.5
        """
        return estimators.mean(self, variables, by=by, na_rm=na_rm, conf_level=conf_level, min_cell=min_cell)

    @renamed_keywords(level="conf_level")
    def total(self, variables: str | Sequence[str], *, by: str | Sequence[str] | None = None,
              na_rm: bool = False, conf_level: float = 0.95, min_cell: int | None = None) -> pd.DataFrame:
        """Weighted totals with linearised SEs, as R's ``svytotal``.

        The parameters and columns are those of :meth:`mean`; ``deff`` compares
        with the SRS variance of a total.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1], "w": [10.0, 10, 20, 20]})
        >>> float(survey.Design(df, weights="w").total("y", min_cell=0)["estimate"].iloc[0])
        50.0
        """
        return estimators.total(self, variables, by=by, na_rm=na_rm, conf_level=conf_level, min_cell=min_cell)

    @renamed_keywords(level="conf_level")
    def ratio(self, numerator: str, denominator: str, *, by: str | Sequence[str] | None = None,
              na_rm: bool = False, conf_level: float = 0.95, min_cell: int | None = None) -> pd.DataFrame:
        """Ratio of two weighted totals, as R's ``svyratio``.

        Rows with a missing numerator or denominator count as missing; the other
        parameters and the columns are those of :meth:`mean`, with numerator and
        denominator in place of variable.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 2, 2]})
        >>> float(survey.Design(df).ratio("y", "x", min_cell=0)["estimate"].iloc[0])
        1.25
        """
        return estimators.ratio(self, numerator, denominator, by=by, na_rm=na_rm, conf_level=conf_level,
                                min_cell=min_cell)

    @renamed_keywords(level="conf_level", ci="ci_method")
    def proportion(self, variable: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
                   conf_level: float = 0.95, ci_method: str = "logit",
                   min_cell: int | None = None) -> pd.DataFrame:
        """Share of each level of ``variable``, one row per level (and domain).

        CIs are R's ``svyciprop`` on the domain's design df: ``ci_method`` is
        one of its methods, ``"logit"`` (default; NaN when the share is 0 or 1),
        ``"likelihood"``, ``"asin"``, ``"beta"``, ``"mean"``, ``"xlogit"`` (see
        :mod:`toolkit.survey.ciprop`), or ``"wald"``, normal Wald intervals as
        ``confint(svymean(~factor(x)))``. ``n`` is the
        domain's number of respondents. A row is suppressed when ``n < min_cell``
        or when the level is held by 1 to ``min_cell - 1`` respondents; as the
        levels of a domain sum to 1, a domain with one such level loses its
        next-smallest level too (secondary suppression, see
        :mod:`toolkit.disclosure`). The other parameters are those of :meth:`mean`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"c": ["x", "y", "y", "y", "x", "y"]})
        >>> survey.Design(df).proportion("c", min_cell=0)[["level", "estimate"]].round(3)
          level  estimate
        0     x     0.333
        1     y     0.667
        """
        return estimators.proportion(self, variable, by=by, na_rm=na_rm, conf_level=conf_level,
                                     ci_method=ci_method, min_cell=min_cell)

    def quantile(self, variables: str | Sequence[str], q, *, by: str | Sequence[str] | None = None,
                 ci_method: str = "mean", qrule: str = "math", conf_level: float = 0.95, na_rm: bool = False,
                 min_cell: int | None = None) -> pd.DataFrame:
        """Weighted quantiles with design-based intervals, as R's ``svyquantile`` (survey 4.x).

        Parameters
        ----------
        variables : str or list of str
            Numeric column(s).
        q : float or list of float
            Quantiles in [0, 1].
        by : str or list of str, optional
            Domain column(s), as ``svyby(..., svyquantile)``.
        ci_method : {"mean", "beta", "xlogit", "asin", "score"}
            R's ``interval.type``: a Woodruff interval built on the share at or
            below the estimate (default ``"mean"``, as R), or the score interval.
        qrule : {"math", "school", "shahvaish", "hf1", ..., "hf9"}
            R's ``qrule``, the weighted quantile definition (default ``"math"``).
        conf_level : float, default 0.95
            Confidence level (R's ``alpha = 1 - conf_level``).
        na_rm : bool, default False
            Drop rows with a missing value; without it a domain holding one is NaN.
        min_cell : int, optional
            Disclosure threshold for this table; default the design's ``min_cell``.

        Returns
        -------
        pandas.DataFrame
            One row per variable, domain and quantile: quantile, estimate, se
            (interval width over ``2 t_df``, as R), ci_low, ci_high, df, n,
            suppressed and note. See :mod:`toolkit.survey.quantile`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> d = survey.Design(pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]}), min_cell=0)
        >>> d.quantile("y", [0.25, 0.5])[["quantile", "estimate"]]
           quantile  estimate
        0      0.25       3.0
        1      0.50       5.0
        """
        from toolkit.survey.quantile import quantile

        return quantile(self, variables, q, by=by, ci_method=ci_method, qrule=qrule, conf_level=conf_level,
                        na_rm=na_rm, min_cell=min_cell)

    def variance_by_stage(self, variables: str | Sequence[str], *, statistic: str = "mean",
                          na_rm: bool = False, min_cell: int | None = None) -> pd.DataFrame:
        """How much each sampling stage adds to the variance of a mean or total (R's multistage variance).

        With one fpc per stage the variance is ``survey:::multistage``'s sum:
        stage 1 between PSUs, each later stage within the units of the one
        before, scaled by the earlier stages' sampling fractions; R's
        ``svyrecvar(one.stage = TRUE)`` is the first row. Without per-stage
        fpc the design has one (ultimate-cluster) stage.

        Parameters
        ----------
        variables : str or list of str
            Numeric column(s).
        statistic : {"mean", "total"}
            The estimate whose variance is split.
        na_rm : bool, default False
            Drop rows with a missing value (else the variances are NaN).
        min_cell : int, optional
            Disclosure threshold; default the design's ``min_cell``.

        Returns
        -------
        pandas.DataFrame
            One row per variable and stage: variable, stage (1 = PSUs),
            variance, share (of the total variance), n, suppressed and note.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "ssu": [1, 2, 3, 4, 5, 6],
        ...                    "y": [1.0, 2, 4, 3, 6, 8], "N1": 10, "N2": 4})
        >>> d = survey.Design(df, psu=["psu", "ssu"], fpc=["N1", "N2"], min_cell=0)
        >>> d.variance_by_stage("y")[["stage", "share"]].round(3)
           stage  share
        0      1  0.986
        1      2  0.014
        """
        return estimators.variance_by_stage(self, variables, statistic=statistic, na_rm=na_rm, min_cell=min_cell)

    def _stage_variances(self, x: Influence) -> list[np.ndarray]:
        members = np.zeros(self.n, np.int64)
        return stage_contributions(x, self.stages, self.lonely_psu, self.plan, self.strata, members,
                                   self.adjust_domain_lonely)

    # -------------------------------------------------------------- weighting
    def rake(self, margins: Mapping, *, max_iter: int = 10, tol: float = 1.0) -> Design:
        """Rake (IPF) the weights to population margins, as R's ``rake``; see :func:`weighting.rake`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"sex": list("mmff"), "age": list("yoyo"), "y": [1.0, 2, 3, 4]})
        >>> r = survey.Design(df).rake({"sex": {"m": 60, "f": 40}, "age": {"y": 50, "o": 50}})
        >>> r.weights.round(6).tolist()
        [30.0, 30.0, 20.0, 20.0]
        """
        return weighting.rake(self, margins, max_iter=max_iter, tol=tol)

    def poststratify(self, variables: str | Sequence[str], population: Mapping, *, partial: bool = False) -> Design:
        """Post-stratify to known cell counts, as R's ``postStratify``; see :func:`weighting.poststratify`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> d = survey.Design(pd.DataFrame({"sex": list("mmmf"), "y": [1.0, 2, 3, 5]}), min_cell=0)
        >>> float(d.poststratify("sex", {"m": 0.5, "f": 0.5}).mean("y")["estimate"].iloc[0])
        3.5
        """
        return weighting.poststratify(self, variables, population, partial=partial)

    def trim(self, *, lower: float = -np.inf, upper: float = np.inf, strict: bool = False) -> Design:
        """Trim weights into ``[lower, upper]``, as R's ``trimWeights``; see :func:`weighting.trim`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> d = survey.Design(pd.DataFrame({"w": [2.0, 2, 2, 10]}), weights="w")
        >>> d.trim(lower=3).weights.tolist()
        [3.0, 3.0, 3.0, 7.0]
        """
        return weighting.trim(self, lower=lower, upper=upper, strict=strict)

    def weight_summary(self) -> pd.DataFrame:
        """Weight diagnostics (R has none built in); see :func:`weighting.weight_summary`.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 4, 4]})
        >>> survey.Design(df, weights="w").weight_summary()[["n", "sum", "max_min_ratio"]]
           n   sum  max_min_ratio
        0  5  12.0            4.0
        """
        return weighting.weight_summary(self)

    # ------------------------------------------------------------------ models
    @renamed_keywords(level="conf_level")
    def glm(self, formula: str, *, family: str = "gaussian", conf_level: float = 0.95,
            max_iter: int = 100, tol: float = 1e-12):
        """Survey-weighted GLM (pseudo-ML, sandwich SEs), as R's ``svyglm``; see :mod:`toolkit.survey.glm`.

        ``family`` is "gaussian", "binomial", "poisson", "quasibinomial" or
        "quasipoisson" (a quasi family fits and has the SEs of its base family,
        as in R; ``dispersion_`` is ``summary.svyglm``'s).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"x": np.arange(6.0), "y": [0.0, 1, 0, 1, 1, 1]})
        >>> fit = survey.Design(df).glm("y ~ x", family="binomial")
        >>> fit.coef_.shape, fit.converged_
        ((2,), True)
        """
        from toolkit.survey.glm import fit_glm

        return fit_glm(self, formula, family=family, conf_level=conf_level, max_iter=max_iter, tol=tol)

    def __repr__(self) -> str:
        parts = [f"n={self.n}", f"strata={len(self.strata_labels)}",
                 f"psu={self.stages[0].n_units}", f"stages={len(self.stages)}", f"degf={self.degf}"]
        if self.plan is not None:
            parts.append("calibrated")
        return f"Design({', '.join(parts)})"
