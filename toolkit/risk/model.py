"""The exclusion-risk model: who is likely to need help, as a survey-weighted logistic regression.

:class:`ExclusionRiskModel` fits ``logit P(outcome) = x'β`` through
:meth:`toolkit.survey.Design.glm` (R's ``svyglm``, design-based sandwich
SEs) on demographics that a population table also has, so the model can be
applied to population cells for planning (how many residents of a district
are likely to need help), never to score individual residents.

Choices made here, in one place:

* **Predictors.** Column names. A predictor is categorical when its column is
  not numeric (strings, categories, booleans), when it is listed in
  ``categorical=``, when it is a coded (single-choice) item of the
  ``instrument``, or when it is one of the default predictors (their codes are
  categories in the population table too). A categorical predictor enters as
  ``C(x)``: R's treatment contrasts, whose **reference level** is the first
  level in sorted order (the first category of a pandas ``Categorical``), the
  level every odds ratio compares with (``table_["reference"]``).
* **Rows.** Respondents with a missing outcome or predictor are left out of
  the fit (R's ``na.omit``); the design keeps them, so SEs are those of a
  domain, as ``svyglm`` on a subset design.
* **Validation.** Figures of :mod:`toolkit.risk.performance`: the
  design-weighted AUC with a linearised design-based interval, in-sample and
  cross-validated (``cv_folds`` folds of whole PSUs, dealt out within strata;
  the model is refitted with the design weights on each training part and
  predicts the held-out part), and calibration (in the large, slope, Brier,
  a table by decile of predicted risk), overall and by group (``by``). Each
  table has a ``predictions`` column, ``in_sample`` or ``cross_validated``.
  A risk depends on the row's covariate pattern only, so scores are computed
  once per pattern, and each fold's refit (coefficients only) runs on the
  patterns' sums of weight and cases: the coefficients of a refit on the rows.
* **Output.** :meth:`~ExclusionRiskModel.predict_proba` returns bare
  probabilities in the order of the profiles, with no index and no
  identifier; no method returns a per-respondent list. Every published table
  goes through :mod:`toolkit.disclosure`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit import disclosure, survey
from toolkit._validation import as_instrument, as_list, check_conf_level, check_frame
from toolkit.errors import ConvergenceWarning, ModelError
from toolkit.instrument.vocabulary import CODED_TYPES
from toolkit.risk import performance
from toolkit.survey._pattern_fit import pattern_logit
from toolkit._rows import row_patterns

#: Demographics the bundled survey and ``population.csv`` share (age_band derived from age).
DEFAULT_PREDICTORS = ("age_band", "gender", "education", "home_lang")
#: Groups whose calibration is reported separately (``calibration_by_group_``).
DEFAULT_GROUPS = ("age_band", "gender", "home_lang")
PREDICTIONS = ("in_sample", "cross_validated")
_RISK = {"in_sample": "_risk_in_sample_", "cross_validated": "_risk_cross_validated_"}

__all__ = ["ExclusionRiskModel", "DEFAULT_PREDICTORS", "DEFAULT_GROUPS", "PREDICTIONS"]


def _outcome_values(data: pd.DataFrame, outcome: str) -> np.ndarray:
    """The outcome as 0.0 / 1.0 / NaN; ModelError naming the column otherwise."""
    col = data[outcome]
    if pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean":
        col = col.astype("Float64")
    values = pd.to_numeric(col, errors="coerce").to_numpy(np.float64, na_value=np.nan)
    bad = (col.notna().to_numpy() & np.isnan(values)) | (np.isfinite(values) & (values != 0) & (values != 1))
    if bad.any():
        shown = ", ".join(map(repr, pd.unique(col[bad])[:5].tolist()))
        raise ModelError(f"outcome column {outcome!r} must hold 0/1 (or True/False) and missing values; "
                         f"it has {shown}")
    if np.nansum(values) == 0 or np.nansum(1 - values) == 0:
        raise ModelError(f"outcome column {outcome!r} needs both 0s and 1s to fit a risk model")
    return values


class ExclusionRiskModel:
    """Survey-weighted logistic regression of an exclusion outcome on demographics, for group-level planning.

    Wraps :meth:`toolkit.survey.Design.glm` (R's ``svyglm(..., family =
    quasibinomial)``) and validates the fit by design-weighted discrimination
    and calibration, overall and by group; see the module notes.

    Parameters
    ----------
    outcome : str, default "needs_help"
        The 0/1 outcome column (booleans and missing values allowed).
    predictors : list of str, optional
        Predictor columns; default :data:`DEFAULT_PREDICTORS`.
    categorical : list of str, optional
        Numeric predictors to treat as categories, beyond those found automatically.
    instrument : Instrument, str or path, optional
        The questionnaire: its coded items are categorical, and its outcome
        label and rule go into the model card.
    by : list of str, default :data:`DEFAULT_GROUPS`
        Groups with their own calibration figures; those absent from the data are skipped.
    cv_folds : int, default 5
        Folds of the cross-validated AUC and calibration.
    random_state : int, default 0
        Seed of the fold assignment.
    conf_level : float, default 0.95
    min_cell : int, optional
        Small-cell threshold of the published tables; default the design's.
    max_iter : int, default 100
        Largest number of IRLS iterations.

    Attributes
    ----------
    glm_ : toolkit.survey.SurveyGLM
        The fitted model (coefficients ``glm_.coef_``, covariance ``glm_.vcov_``).
    formula_ : str
    categorical_ : list of str
        The predictors entered as categories.
    levels_ : dict
        Categorical predictor -> its levels in the fit, reference first.
    table_ : pandas.DataFrame
        One row per coefficient: term, variable, level, reference, coef, se,
        t, p, ci_low, ci_high, odds_ratio, odds_ratio_ci_low, odds_ratio_ci_high.
    marginal_effects_ : pandas.DataFrame
        Average marginal effects on the probability scale (``SurveyGLM.marginal_effects``).
    n_ : int
        Respondents in the fit.
    discrimination_ : pandas.DataFrame
        AUC with design-based CI, one row per kind of prediction.
    auc_, cv_auc_ : float
        The in-sample and the cross-validated AUC.
    calibration_ : pandas.DataFrame
        observed, expected, citl, slope, brier (with CIs), per kind of prediction.
    calibration_table_ : pandas.DataFrame
        Observed against predicted by decile of predicted risk, per kind of prediction.
    calibration_by_group_ : pandas.DataFrame
        AUC and calibration per level of each ``by`` column, per kind of prediction.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> data = pd.DataFrame({"age_band": rng.choice(["18-44", "45-74", "75+"], 400),
    ...                      "lang": rng.choice(["da", "other"], 400)})
    >>> risk = 0.1 + 0.3 * (data["age_band"] == "75+") + 0.2 * (data["lang"] == "other")
    >>> data["needs_help"] = rng.random(400) < risk
    >>> model = ExclusionRiskModel(predictors=["age_band", "lang"], by=["lang"]).fit(data)
    >>> model.levels_["age_band"][0], bool(model.auc_ > 0.6)
    ('18-44', True)
    >>> model.predict_proba(pd.DataFrame({"age_band": ["75+"], "lang": ["other"]})).round(2)
    array([0.62])
    """

    def __init__(self, *, outcome: str = "needs_help", predictors: Sequence[str] | None = None,
                 categorical: Sequence[str] | None = None, instrument=None, by: Sequence[str] = DEFAULT_GROUPS,
                 cv_folds: int = 5, random_state: int | None = 0, conf_level: float = 0.95,
                 min_cell: int | None = None, max_iter: int = 100):
        self.outcome = outcome
        self.predictors = list(DEFAULT_PREDICTORS) if predictors is None else as_list(predictors, "predictors")
        self.categorical = categorical
        self.instrument = instrument
        self.by = by
        self.cv_folds = cv_folds
        self.random_state = random_state
        self.conf_level = conf_level
        self.min_cell = min_cell
        self.max_iter = max_iter

    # ------------------------------------------------------------------ fitting
    def fit(self, data: pd.DataFrame, *, design: survey.Design | None = None) -> ExclusionRiskModel:
        """Fit the model to survey responses and validate it.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per respondent, with the outcome and the predictors.
        design : toolkit.survey.Design, optional
            The survey design built on ``data`` (raked or not); without it every
            respondent weighs the same and is their own PSU.

        Returns
        -------
        ExclusionRiskModel
            ``self``, fitted.

        Raises
        ------
        ModelError
            When the outcome is missing from ``data`` or not 0/1, or the model cannot be fitted.

        Warns
        -----
        ConvergenceWarning
            When the fit did not converge (the message names the model).

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
        >>> ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data).n_
        40
        """
        return self._fit(data, design)

    def _fit(self, data: pd.DataFrame, design: survey.Design | None) -> ExclusionRiskModel:
        check_conf_level(self.conf_level)
        design = self._check_inputs(data, design)
        y = _outcome_values(data, self.outcome)
        self.instrument_ = None if self.instrument is None else as_instrument(self.instrument)
        self.categorical_ = self._categorical(data)
        self.formula_ = f"{self.outcome} ~ " + " + ".join(
            f"C({p})" if p in self.categorical_ else p for p in self.predictors)
        # private: the design's data hold respondent rows, which no result of the model exposes
        self._design = design.update(**{self.outcome: y})
        self.glm_ = self._glm(self._design)
        used = self._complete(self._design.data)
        self.n_ = int(used.sum())
        self.levels_ = {p: sorted(pd.unique(data.loc[used, p]).tolist(), key=performance._sort_key)
                        if not isinstance(data[p].dtype, pd.CategoricalDtype)
                        else [c for c in data[p].cat.categories if (data.loc[used, p] == c).any()]
                        for p in self.categorical_}
        self.table_ = self._coef_table()
        self.marginal_effects_ = self.glm_.marginal_effects()
        self._validate(used)
        self._design.drop_caches()  # a fitted model is kept (projection): its design's caches are made on demand
        return self

    def _check_inputs(self, data: pd.DataFrame, design) -> survey.Design:
        check_frame(data, "data", error=ModelError)
        if self.outcome not in data.columns:
            hint = (" (evaluate it first, e.g. from the instrument's outcome rule)"
                    if self.instrument is not None else "")
            raise ModelError(f"outcome column {self.outcome!r} is not in the data{hint}")
        check_frame(data, "data", columns=self.predictors, error=ModelError)
        empty = [c for c in self.predictors if not data[c].notna().any()]
        if empty:
            raise ModelError(f"predictor column(s) {', '.join(map(repr, empty))} hold no value (all missing); "
                             "leave them out of predictors=")
        odd = [c for c in [self.outcome, *self.predictors] if not str(c).isidentifier()]
        if odd:  # patsy reads formula terms as Python names
            raise ModelError(f"column name(s) {', '.join(map(repr, odd))} cannot enter a model formula; rename "
                             "them to plain names (letters, digits and underscores)")
        if design is None:
            return survey.Design(data, min_cell=disclosure.DEFAULT_MIN_CELL if self.min_cell is None
                                 else self.min_cell)
        if not isinstance(design, survey.Design):
            raise ModelError(f"design must be a toolkit.survey.Design, got {type(design).__name__}")
        if design.n != len(data) or not design.data.index.equals(data.index):
            raise ModelError(f"the design must be built on the data it is fitted to: it has {design.n} rows, "
                             f"the data {len(data)} (or their index differs)")
        return design

    def _categorical(self, data: pd.DataFrame) -> list[str]:
        listed = set(as_list(self.categorical, "categorical"))
        unknown = listed - set(self.predictors)
        if unknown:
            raise ModelError(f"categorical names column(s) that are not predictors: {', '.join(map(repr, unknown))}")
        coded = set()
        if self.instrument_ is not None:
            coded = {it.id for it in self.instrument_.items if it.type in CODED_TYPES}
        return [p for p in self.predictors
                if p in listed or p in coded or p in DEFAULT_PREDICTORS
                or not pd.api.types.is_numeric_dtype(data[p]) or pd.api.types.is_bool_dtype(data[p])]

    def _glm(self, design: survey.Design):
        """``design.glm`` with its convergence warning re-issued under the model's name."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fit = design.glm(self.formula_, family="binomial", conf_level=self.conf_level, max_iter=self.max_iter)
        for w in caught:
            if issubclass(w.category, ConvergenceWarning):
                warnings.warn(f"{self!r}: the logistic regression did not converge in {self.max_iter} iterations "
                              "(sparse groups or separation?); its estimates are not reliable",
                              ConvergenceWarning, stacklevel=3)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return fit

    def _complete(self, data: pd.DataFrame) -> np.ndarray:
        return data[[self.outcome, *self.predictors]].notna().all(axis=1).to_numpy()

    def _coef_table(self) -> pd.DataFrame:
        table = self.glm_.table.copy()
        variable, level, reference = [], [], []
        for term in table["term"]:
            var = next((p for p in self.predictors if term.startswith(f"C({p})[") or term == p), term)
            variable.append(var)
            shown = {str(lev): performance.category_key(lev) for lev in self.levels_.get(var, [])}
            level.append(shown.get(term[len(f"C({var})[T."):-1]) if var in self.categorical_ else None)
            reference.append(performance.category_key(self.levels_[var][0]) if var in self.categorical_ else None)
        table.insert(1, "variable", variable)
        table.insert(2, "level", level)
        table.insert(3, "reference", reference)
        return table

    # --------------------------------------------------------------- validation
    def _validate(self, used: np.ndarray) -> None:
        frame = self._design.data.loc[used, self.predictors]
        codes, first = row_patterns(frame)  # a risk depends on the covariate pattern only
        patterns = frame.iloc[first]
        risks = {"in_sample": self._risk(self.glm_.predict(patterns)["estimate"].to_numpy(), codes, used),
                 "cross_validated": self._cv_risk(used, codes, patterns)}
        checked = self._design.update(**{_RISK[k]: v for k, v in risks.items()})
        groups = [g for g in as_list(self.by, "by") if g in checked.data.columns]
        options = {"conf_level": self.conf_level, "min_cell": self.min_cell}
        # both kinds of prediction score the same rows: their figures share the design's passes
        args = (checked, self.outcome, [_RISK[kind] for kind in PREDICTIONS])
        disc, cal = performance._discriminations(*args, **options), performance._calibrations(*args, **options)
        table = [performance.calibration_table(checked, self.outcome, _RISK[kind], **options) for kind in PREDICTIONS]
        disc, cal, table = ([t.assign(predictions=kind) for t, kind in zip(tables, PREDICTIONS, strict=True)]
                            for tables in (disc, cal, table))
        by_group = []
        if groups:
            # the same rows, counts and suppression in both (one rule on the same groups)
            cal_by = performance._calibrations(*args, by=groups, **options)
            for kind, d, c in zip(PREDICTIONS, performance._discriminations(*args, by=groups, **options), cal_by,
                                  strict=True):
                merged = d.merge(c.drop(columns=["n", "suppressed", "note"]), on=["variable", "level"])
                by_group.append(merged.assign(predictions=kind))
        self.discrimination_ = _front(pd.concat(disc, ignore_index=True).drop(columns=["variable", "level"]))
        self.calibration_ = _front(pd.concat(cal, ignore_index=True).drop(columns=["variable", "level"]))
        self.calibration_table_ = _front(pd.concat(table, ignore_index=True))
        self.calibration_by_group_ = (_by_group_frame(by_group) if by_group else pd.DataFrame())
        self.auc_, self.cv_auc_ = (float(self.discrimination_["estimate"].iloc[i]) for i in (0, 1))

    def _risk(self, per_pattern: np.ndarray, codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Predicted risk of each of the fitted ``rows`` (their pattern's), NaN elsewhere."""
        out = np.full(self._design.n, np.nan)
        out[rows] = per_pattern[codes]
        return out

    def _cv_risk(self, used: np.ndarray, codes: np.ndarray, patterns: pd.DataFrame) -> np.ndarray:
        """Out-of-fold risk: refit on k-1 folds with the design weights, predict the held-out fold.

        A refit needs coefficients only: :func:`~toolkit.survey._pattern_fit.pattern_logit` fits them on
        the covariate patterns, as ``Design(train, weights=...).glm(...)`` would on the rows."""
        folds = performance.cv_folds(self._design, k=self.cv_folds, random_state=self.random_state)[used]
        y = self._design.data[self.outcome].to_numpy(np.float64)[used]
        w = np.asarray(self._design.weights, np.float64)[used]
        out = np.full(len(y), np.nan)
        for fold in range(self.cv_folds):
            train, test = folds != fold, folds == fold
            fit = pattern_logit(self.formula_, patterns, codes[train], y[train], w[train], max_iter=self.max_iter)
            try:  # every pattern: a level the training part lacks is in the held-out fold
                out[test] = fit.predict(patterns)[codes[test]]
            except ModelError as e:
                raise ModelError(f"cross-validation fold {fold + 1} of {self.cv_folds} holds a category its "
                                 f"training part lacks ({e}); use fewer folds (cv_folds=) or merge rare "
                                 "categories") from None
        return self._risk(out, np.arange(len(y)), used)

    # --------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "glm_"):
            raise ModelError(f"{self!r} is not fitted yet; call fit(data, design=...) first")

    def _profiles(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """The predictor columns of ``profiles`` in the fit's coding; ModelError for missing or unseen values."""
        check_frame(profiles, "profiles", columns=self.predictors, error=ModelError)
        frame = profiles[self.predictors].reset_index(drop=True)
        for col in self.predictors:
            missing = frame[col].isna()
            if missing.any():
                raise ModelError(f"profiles column {col!r} has {int(missing.sum())} missing value(s); "
                                 "every profile needs a value of every predictor")
            if col not in self.categorical_:
                continue
            known = {performance.category_key(level): level for level in self.levels_[col]}
            keys = frame[col].map(performance.category_key)
            unseen = sorted(set(keys) - set(known))
            if unseen:
                raise ModelError(f"profiles column {col!r} has category {unseen[0]!r}, which the model never saw "
                                 f"(it knows {', '.join(known)})" + (f"; also {', '.join(unseen[1:6])}"
                                                                    if len(unseen) > 1 else ""))
            frame[col] = pd.Series([known[k] for k in keys], dtype=object if not isinstance(
                self._design.data[col].dtype, pd.CategoricalDtype) else self._design.data[col].dtype)
        return frame

    def predict_proba(self, profiles: pd.DataFrame) -> np.ndarray:
        """Probability of the outcome for each profile, in the order of the rows, with no identifier.

        A profile is a combination of predictor values, such as a population
        cell (``population.csv``); other columns are ignored and never
        returned. The result is a bare array, so it cannot carry an index of
        respondent ids.

        Parameters
        ----------
        profiles : pandas.DataFrame
            One row per profile with every predictor column.

        Returns
        -------
        numpy.ndarray
            One probability per row.

        Raises
        ------
        ModelError
            When a predictor is missing or a category was not in the fitted data.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
        >>> model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data)
        >>> model.predict_proba(pd.DataFrame({"x": ["a", "b"]})).round(2)
        array([0.6, 0.6])
        """
        self._check_fitted()
        frame = self._profiles(profiles)
        return self.glm_.predict(frame, type="response")["estimate"].to_numpy(np.float64)

    # ----------------------------------------------------------------- reporting
    def summary(self) -> pd.DataFrame:
        """One row per headline figure: n, AUC (in-sample and cross-validated), calibration.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
        >>> s = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data).summary()
        >>> s["figure"].tolist()[:3]
        ['respondents', 'auc', 'cv_auc']
        """
        self._check_fitted()
        cal = self.calibration_.set_index("predictions")
        rows = [("respondents", float(self.n_), np.nan, np.nan)]
        for name, kind in (("auc", "in_sample"), ("cv_auc", "cross_validated")):
            row = self.discrimination_.set_index("predictions").loc[kind]
            rows.append((name, row["estimate"], row["ci_low"], row["ci_high"]))
        for figure in ("citl", "slope"):
            row = cal.loc["cross_validated"]
            rows.append((f"cv_{figure}", row[figure], row[f"{figure}_ci_low"], row[f"{figure}_ci_high"]))
        brier = cal.loc["cross_validated"]
        rows.append(("cv_brier", brier["brier"], np.nan, np.nan))
        return pd.DataFrame(rows, columns=["figure", "estimate", "ci_low", "ci_high"])

    def card(self, *, lang: str = "en", format: str = "markdown", source: str | None = None) -> str:
        """The model card (Mitchell et al. 2019; TRIPOD+AI items), as Markdown or self-contained HTML.

        See :func:`toolkit.risk.model_card.render_card` for the parameters.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
        >>> model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data)
        >>> model.card().splitlines()[0]
        '# Model card: exclusion-risk model for y'
        """
        from toolkit.risk.model_card import render_card

        self._check_fitted()
        return render_card(self, lang=lang, format=format, source=source)

    def card_html(self, *, lang: str = "en", source: str | None = None) -> str:
        """The model card as one self-contained HTML page: ``card(format="html")``.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
        >>> model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data)
        >>> model.card_html().startswith("<!DOCTYPE html>")
        True
        """
        return self.card(lang=lang, format="html", source=source)

    def __repr__(self) -> str:
        return f"ExclusionRiskModel(outcome={self.outcome!r}, predictors={self.predictors!r})"


def _front(table: pd.DataFrame) -> pd.DataFrame:
    """``predictions`` as the first column."""
    return table[["predictions", *[c for c in table.columns if c != "predictions"]]]


def _by_group_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Discrimination and calibration per group in one table, the AUC columns named as such."""
    table = pd.concat(parts, ignore_index=True).rename(columns={
        "estimate": "auc", "se": "auc_se", "ci_low": "auc_ci_low", "ci_high": "auc_ci_high"})
    return _front(table)
