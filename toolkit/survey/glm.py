"""Survey-weighted generalised linear models (pseudo maximum likelihood).

Numerical method
----------------
Coefficients solve the weighted score equations ``sum_i w_i x_i (y_i - mu_i)
mu'_i / V(mu_i) = 0`` by IRLS in numpy (normal equations on ``X' W X``),
following ``glm.fit`` step for step: weights rescaled to mean 1 as
``svyglm``, the family's starting values, and the stopping rule
``|dev - dev_old| / (|dev| + 0.1) < tol``. ``tol`` is R's ``epsilon``; the
default 1e-12 is a fully converged fit (``svyglm``'s own default is 1e-8:
pass ``tol=1e-8`` to reproduce an unmodified ``svyglm`` call). The
covariance is R's ``svy.varcoef``: the influence values ``U A^{-1}``, with
``U`` the working residuals at the final fit times the last working weights
times ``x``, and ``A = X' W X``, go through the design linearisation (strata,
PSUs, fpc, calibration). Inference uses t on R's residual df, ``degf(design)
+ 1 - p``: p-values as ``summary.svyglm`` and intervals as
``confint(fit, ddf = fit$df.residual)``. The model matrix is patsy's (R's
treatment contrasts; rows with a missing value are dropped, as ``na.omit``),
built vectorised by :mod:`toolkit.survey._matrix`.

Families: ``gaussian`` (identity), ``binomial`` and ``quasibinomial`` (logit), ``poisson`` and
``quasipoisson`` (log); see :mod:`toolkit.survey._families`.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from toolkit._validation import as_list, check_conf_level, check_frame, check_option, renamed_attribute
from toolkit.errors import BoundaryWarning, ConvergenceWarning, ModelError
from toolkit.survey._families import _EPS, FAMILIES, _Family
from toolkit.survey._irls import BLOCK, binary_outcome, block_sums, deviance_rows, irls_loop
from toolkit.survey._matrix import fast_matrices
from toolkit._rows import row_patterns
from toolkit.survey._patterns import pattern_sums
from toolkit.survey.estimators import user_stacklevel
from toolkit.survey.linearization import Influence


_KNOWN = set(dir(builtins)) | {"C", "I", "Q", "np", "numpy", "center", "standardize", "scale",
                               "bs", "cr", "cc", "te", "Treatment", "Sum", "Diff", "Helmert",
                               "Poly", "log", "exp", "sqrt", "abs"}


def _names(formula: str, side: str = "both") -> tuple[list[str], patsy.ModelDesc]:
    """The names a formula uses (``side`` "rhs" for the predictors only)."""
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as e:
        raise ModelError(f"cannot parse formula {formula!r}: {e}") from None
    names: list[str] = []
    terms = desc.rhs_termlist if side == "rhs" else desc.lhs_termlist + desc.rhs_termlist
    for term in terms:
        for factor in term.factors:
            for node in ast.walk(ast.parse(factor.code, mode="eval")):
                if isinstance(node, ast.Name) and node.id not in names:
                    names.append(node.id)
    return names, desc


def _check_formula(formula: str, data: pd.DataFrame) -> list[str]:
    """The names a formula uses; ModelError naming any that is neither a column nor a function."""
    names, desc = _names(formula)
    unknown = [n for n in names if n not in data.columns and n not in _KNOWN]
    if unknown:
        raise ModelError(f"formula {formula!r} refers to unknown column(s): "
                         f"{', '.join(map(repr, unknown))}")
    if not desc.lhs_termlist:
        raise ModelError(f"formula {formula!r} has no outcome (left-hand side)")
    return names


def _design_matrices(formula: str, data: pd.DataFrame):
    """Outcome, model matrix (columns in formula order, as R), used rows, patsy info, order.

    Rows with a missing value in any formula variable are dropped (``na.omit``). The matrix is
    built vectorised (:mod:`toolkit.survey._matrix`); patsy builds what that does not cover.
    """
    names = _check_formula(formula, data)
    present = [n for n in names if n in data.columns]
    frame = data[present]
    keep = frame.notna().all(axis=1).to_numpy() if present else np.ones(len(data), bool)
    rows = np.flatnonzero(keep)
    used = frame if keep.all() else frame.iloc[rows]
    # glm() drops unused factor levels (drop.unused.levels = TRUE); so do we
    for c in present:
        if isinstance(used[c].dtype, pd.CategoricalDtype):
            used = used.assign(**{c: used[c].cat.remove_unused_categories()})
    try:
        fast = fast_matrices(formula, used)
        if fast is not None:
            y, X, info, order = fast
            return y, X, rows, info, order
        y, X = patsy.dmatrices(formula, used, NA_action="raise", return_type="matrix")
    except patsy.PatsyError as e:
        raise ModelError(f"cannot build the model matrix for {formula!r}: {e}") from None
    # patsy puts categorical terms first; R keeps the order the terms were written in
    info = X.design_info
    written = patsy.ModelDesc.from_formula(formula).rhs_termlist
    terms = [t for t in written if t in info.term_slices]
    terms += [t for t in info.terms if t not in terms]
    order = np.concatenate([np.arange(info.term_slices[t].start, info.term_slices[t].stop)
                            for t in terms]).astype(int)
    return np.asarray(y), np.asfortranarray(np.asarray(X)[:, order]), rows, info, order


def build_matrix(info, order: np.ndarray, newdata: pd.DataFrame) -> np.ndarray:
    """The model matrix of ``newdata`` in a fit's coding (patsy ``info``, columns in ``order``)."""
    try:
        X = patsy.build_design_matrices([info], newdata, NA_action="raise")[0]
        return np.asarray(X)[:, order]
    except patsy.PatsyError as e:
        raise ModelError(f"cannot build the model matrix for newdata: {e}") from None


def _coef_table(terms, coef, vcov, df_resid, conf_level, exp_name) -> pd.DataFrame:
    """The tidy coefficient table of ``summary.svyglm`` and ``confint(ddf = df.residual)``."""
    se = np.sqrt(np.diag(vcov))
    t = coef / se
    df = df_resid if df_resid > 0 else np.nan
    q = stats.t.ppf(0.5 + conf_level / 2, df)
    tab = pd.DataFrame({"term": terms, "coef": coef, "se": se, "t": t, "p": 2 * stats.t.sf(np.abs(t), df),
                        "ci_low": coef - q * se, "ci_high": coef + q * se})
    if exp_name:
        tab[exp_name] = np.exp(tab["coef"])
        tab[f"{exp_name}_ci_low"], tab[f"{exp_name}_ci_high"] = np.exp(tab["ci_low"]), np.exp(tab["ci_high"])
    return tab


@dataclass(frozen=True, eq=False)
class SurveyGLM:
    """A fitted survey GLM, as returned by R's ``svyglm``; read-only.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per term: term, coef, se, t, p, ci_low, ci_high, and for
        logit/log links the exponentiated coefficient and its interval
        (``odds_ratio`` / ``rate_ratio``).
    coef_ : numpy.ndarray
        Coefficients, in the order of ``terms`` (``coef(fit)``).
    vcov_ : numpy.ndarray
        Their linearised covariance (``vcov(fit)``).
    df_resid_ : float
        Residual degrees of freedom, ``degf - p + 1`` (``fit$df.residual``).
    n_iter_, converged_ : int, bool
        IRLS iterations and whether ``tol`` was reached.
    dispersion_ : float
        ``summary(fit)$dispersion``: the design-weighted variance (``svyvar``) of
        the Pearson residuals, for every family (R reports it for binomial and
        poisson too; the SEs never use it).
    terms : list of str
        Column names of the model matrix.
    conf_level : float
        Confidence level of the intervals in ``table``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit import survey
    >>> fit = survey.Design(pd.DataFrame({"x": np.arange(5.0), "y": [2.0, 5, 6, 7, 10]})).glm("y ~ x")
    >>> fit.terms, fit.coef_.round(6).tolist(), fit.converged_
    (['Intercept', 'x'], [2.4, 1.8], True)
    """

    design: object = field(repr=False)
    formula: str
    family: _Family
    terms: list
    coef_: np.ndarray = field(repr=False)
    vcov_: np.ndarray = field(repr=False)
    df_resid_: float
    n_iter_: int
    converged_: bool
    table: pd.DataFrame = field(repr=False)
    _design_info: object = field(repr=False)
    _order: np.ndarray = field(repr=False)
    _rows: np.ndarray = field(repr=False)
    conf_level: float = field(default=0.95, kw_only=True)
    dispersion_: float = field(default=np.nan, kw_only=True)

    def __post_init__(self) -> None:
        for fitted in (self.coef_, self.vcov_):  # read-only like the rest of the fit
            fitted.setflags(write=False)

    df_resid = renamed_attribute("SurveyGLM", "df_resid", "df_resid_")
    n_iter = renamed_attribute("SurveyGLM", "n_iter", "n_iter_")
    converged = renamed_attribute("SurveyGLM", "converged", "converged_")
    level = renamed_attribute("SurveyGLM", "level", "conf_level")

    def summary(self) -> pd.DataFrame:
        """The coefficient table (a copy of :attr:`table`), as ``summary(svyglm)`` prints it.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from toolkit import survey
        >>> fit = survey.Design(pd.DataFrame({"x": np.arange(6.0), "y": [1.0, 2, 2, 4, 5, 5]})).glm("y ~ x")
        >>> list(fit.summary().columns)
        ['term', 'coef', 'se', 't', 'p', 'ci_low', 'ci_high']
        """
        return self.table.copy()

    def _needed(self, newdata: pd.DataFrame) -> list[str]:
        """The columns of the data the right-hand side uses, checked to be in ``newdata``."""
        needed = [c for c in _names(self.formula, "rhs")[0] if c in self.design.data.columns]
        check_frame(newdata, "newdata", columns=needed, error=ModelError)
        return needed

    def _matrix(self, newdata: pd.DataFrame) -> np.ndarray:
        self._needed(newdata)
        return build_matrix(self._design_info, self._order, newdata)

    def model_matrix(self, newdata: pd.DataFrame) -> np.ndarray:
        """The model matrix of ``newdata`` in the fit's coding, one column per coefficient.

        As R's ``model.matrix(fit, newdata)``: categorical terms keep the fit's
        levels and reference, so ``X @ coef_`` is the linear predictor.

        Examples
        --------
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "g": ["a", "b", "a", "b"], "w": 1.0})
        >>> fit = survey.Design(df, weights="w").glm("y ~ C(g)")
        >>> fit.model_matrix(pd.DataFrame({"g": ["b"]})).tolist()
        [[1.0, 1.0]]
        """
        return self._matrix(newdata)

    def predict(self, newdata: pd.DataFrame, *, type: str = "response") -> pd.DataFrame:
        """Predictions with delta-method SEs, as R's ``predict.svyglm``.

        ``type="response"`` gives the mean (probability, rate), ``"link"`` the
        linear predictor. Returns a DataFrame with estimate and se.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1.0, 3, 2, 5, 4, 6, 8, 7]})
        >>> fit = survey.Design(df).glm("y ~ x")
        >>> fit.predict(pd.DataFrame({"x": [0.0, 10.0]}))["estimate"].round(3).tolist()
        [1.25, 10.536]
        """
        check_option(type, "type", ("response", "link"))
        # once per covariate pattern (a prediction depends on the row's covariates only), expanded to the rows
        self._needed(newdata)
        # every column the formula names (an engine's fit holds cells, not all its variables, as data)
        codes, first = row_patterns(newdata[[c for c in _names(self.formula, "rhs")[0] if c in newdata.columns]])
        X = self._matrix(newdata.iloc[first])
        eta = X @ self.coef_
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.vcov_, X))
        if type == "response":
            eta, se = self.family.linkinv(eta), se * self.family.mu_eta(eta)
        return pd.DataFrame({"estimate": eta[codes], "se": se[codes]}, index=newdata.index)

    def marginal_effects(self, *, variables: str | list[str] | None = None, eps: float = 1e-6) -> pd.DataFrame:
        """Average marginal effects on the response scale, design-weighted.

        Numeric variables: the weighted mean of ``d mu / d x`` (central
        difference). Categorical variables: the weighted mean change of ``mu``
        from the reference level to each other level. SEs by the delta method
        from the linearised coefficient covariance (the sample of covariates
        is held fixed), as R's ``marginaleffects::avg_slopes(wts=)`` does.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from toolkit import survey
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1.0, 3, 2, 5, 4, 6, 8, 7]})
        >>> ame = survey.Design(df).glm("y ~ x").marginal_effects()
        >>> ame[["variable", "contrast"]].iloc[0].tolist(), round(float(ame["estimate"].iloc[0]), 3)
        (['x', 'dy/dx'], 0.929)
        """
        if self.design.cells is not None:
            raise ModelError("marginal_effects() needs the rows of the fit: fit the model with the in-memory "
                             "engine (a pandas DataFrame) for it")
        data = self.design.data[self._needed(self.design.data)].iloc[self._rows]
        w = self.design.weights[self._rows]
        # every average below is over the rows' covariate patterns, each weighing its rows' share of the weight
        codes, first = row_patterns(data)
        w = pattern_sums(codes, len(first), w / w.sum())
        factors = self._factors(data)
        if variables is not None:
            chosen = as_list(variables, "variables")
            unknown = [v for v in chosen if v not in factors]
            if unknown:
                raise ModelError(f"not a model variable: {', '.join(map(repr, unknown))}")
            factors = {v: factors[v] for v in chosen}

        def avg(frame):
            X = self._matrix(frame)
            eta = X @ self.coef_
            mu = self.family.linkinv(eta)
            return w @ mu, (w * self.family.mu_eta(eta)) @ X

        patterns = data.iloc[first]
        rows = []
        for var, categorical in factors.items():
            if categorical:
                col = patterns[var]
                levels = ([c for c in col.cat.categories if (col == c).any()]
                          if isinstance(col.dtype, pd.CategoricalDtype)
                          else sorted(col.dropna().unique().tolist()))
                base = avg(patterns.assign(**{var: levels[0]}))
                for lev in levels[1:]:
                    other = avg(patterns.assign(**{var: lev}))
                    rows.append((var, f"{lev} - {levels[0]}", other[0] - base[0], other[1] - base[1]))
            else:
                h = eps * max(1.0, float(np.abs(data[var]).mean()))
                up = avg(patterns.assign(**{var: patterns[var] + h}))
                down = avg(patterns.assign(**{var: patterns[var] - h}))
                rows.append((var, "dy/dx", (up[0] - down[0]) / (2 * h), (up[1] - down[1]) / (2 * h)))
        z = stats.norm.ppf(0.5 + self.conf_level / 2)
        out = []
        for var, contrast, est, grad in rows:
            se = float(np.sqrt(grad @ self.vcov_ @ grad))
            out.append({"variable": var, "contrast": contrast, "estimate": est, "se": se,
                        "ci_low": est - z * se, "ci_high": est + z * se})
        return pd.DataFrame(out)

    def _factors(self, data: pd.DataFrame) -> dict[str, bool]:
        """Model variable -> whether it enters as a category."""
        factors = {}
        for term in self._design_info.terms:
            for f in term.factors:
                code = f.code
                inner = code[2:-1].split(",")[0].strip() if code.startswith("C(") else code
                if inner in data.columns:
                    factors[inner] = code.startswith("C(") or not pd.api.types.is_numeric_dtype(data[inner])
        return factors

    def __repr__(self) -> str:
        return f"SurveyGLM({self.formula!r}, family={self.family.name!r}, df_resid_={self.df_resid_})"


def _irls(Xt, y, w, fam: _Family, max_iter: int, tol: float, threads: int = 2):
    """:func:`irls_loop` over row blocks of ``Xt``, the model matrix transposed, ``(p, n)`` C-ordered.

    Each pass evaluates the deviance and the next ``X'WX`` and ``X'Wz`` block by block; block
    results are added in block order, so the fit does not depend on the number of threads."""
    n = len(y)
    deviance = deviance_rows(fam, binary_outcome(fam, y))
    blocks = [slice(s, min(s + BLOCK, n)) for s in range(0, n, BLOCK)]
    start = None

    def sweep(coef):
        nonlocal start
        if coef is None:
            start = fam.start(y, w)
        ww_out = np.empty(n)

        def block(sl):
            dev, A, b, ww_out[sl] = block_sums(Xt[:, sl], y[sl], w[sl], fam, deviance,
                                               start[sl] if coef is None else coef @ Xt[:, sl])
            return dev, A, b
        parts = [block(sl) for sl in blocks] if pool is None else list(pool.map(block, blocks))
        return (sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts), ww_out)

    pool = ThreadPoolExecutor(threads) if threads > 1 and len(blocks) > 1 else None
    try:
        return irls_loop(sweep, max_iter, tol)
    finally:
        if pool is not None:
            pool.shutdown()


def _aliased(X: np.ndarray) -> list[int]:
    """Columns that add nothing to the span of the columns before them."""
    return aliased_columns(X.T @ X)


def aliased_columns(xtx: np.ndarray) -> list[int]:
    """Columns that add nothing to the span of the columns before them, from ``X'X``.

    Examples
    --------
    >>> aliased_columns(np.array([[2.0, 2.0], [2.0, 2.0]]))
    [1]
    """
    scale = np.sqrt(np.diag(xtx))
    if (scale == 0).any():
        return [int(j) for j in np.flatnonzero(scale == 0)]
    corr = xtx / np.outer(scale, scale)
    out, kept = [], []
    for j in range(len(corr)):
        if np.linalg.matrix_rank(corr[np.ix_(kept + [j], kept + [j])], tol=1e-10) <= len(kept):
            out.append(j)
        else:
            kept.append(j)
    return out


def fit_glm(design, formula: str, *, family: str = "gaussian", conf_level: float = 0.95,
            max_iter: int = 100, tol: float = 1e-12) -> SurveyGLM:
    """Fit a survey GLM on ``design``, as R's ``svyglm``; the engine of :meth:`Design.glm`.

    Parameters
    ----------
    design : Design
    formula : str
        patsy formula, ``"y ~ x1 + C(x2)"`` (R's ``factor(x2)`` is ``C(x2)``).
    family : {"gaussian", "binomial", "poisson", "quasibinomial", "quasipoisson"}
        Identity, logit and log links. A quasi family gives the same fit and
        SEs as its likelihood family, as in ``svyglm`` (whose sandwich SEs
        never use a dispersion); R's only difference is that binomial warns
        about non-integer successes.
    conf_level : float, default 0.95
        Level of the intervals in the coefficient table.
    max_iter : int, default 100
        Largest number of IRLS iterations (R's ``maxit``).
    tol : float, default 1e-12
        R's ``epsilon``; ``svyglm`` defaults to 1e-8.

    Returns
    -------
    SurveyGLM

    Warns
    -----
    ConvergenceWarning
        When IRLS did not converge in ``max_iter`` iterations.
    BoundaryWarning
        When a logit model fits probabilities numerically 0 or 1 (R's
        ``glm.fit`` warning): the outcome is separated or quasi-separated and
        the coefficients and SEs of the terms named are not to be trusted.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit import survey
    >>> data = pd.DataFrame({"x": np.arange(6.0), "n": [1.0, 0, 2, 3, 3, 6]})
    >>> fit = fit_glm(survey.Design(data), "n ~ x", family="poisson")
    >>> fit.table["term"].tolist(), bool(fit.table["rate_ratio"].iloc[1] > 1)
    (['Intercept', 'x'], True)
    """
    fam = FAMILIES[check_option(family, "family", tuple(FAMILIES))]
    conf_level = check_conf_level(conf_level)
    y, X, rows, info, order = _model_frame(formula, design.data, fam)
    every_row = len(rows) == design.n
    w = design.weights if every_row else design.weights[rows]
    w = w / design.weights.mean()  # svyglm(rescale = TRUE): prior weights with mean 1
    Xt = np.ascontiguousarray(X.T)
    beta, ww, xtwx, n_iter, converged = _irls(Xt, y, w, fam, max_iter, tol)
    if not converged:
        warnings.warn(f"IRLS for {formula!r} did not converge in {max_iter} iterations",
                      ConvergenceWarning, stacklevel=4)
    eta = beta @ Xt
    mu = fam.linkinv(eta)
    terms = [info.column_names[i] for i in order]
    if fam.link == "logit":
        _check_separation(formula, mu, X, beta, terms)
    vcov, df_resid = _sandwich(design, Xt, y, eta, mu, ww, xtwx, fam, rows)
    dw = design.weights[rows]
    return SurveyGLM(design, formula, fam, terms, beta, vcov, df_resid, n_iter, converged,
                     _coef_table(terms, beta, vcov, df_resid, conf_level, fam.exp_name), info, order, rows,
                     conf_level=conf_level, dispersion_=_dispersion(fam, y, mu, dw))


def _dispersion(fam: _Family, y, mu, dw) -> float:
    """``summary.svyglm``'s dispersion: ``svyvar`` of the Pearson residuals over the rows used (every
    family). ``residuals.svyglm`` divides the prior weights out again: ``(y - mu) / sqrt(V(mu))``."""
    r = (y - mu) / np.sqrt(fam.variance(mu))
    n = np.count_nonzero(dw)
    rbar = np.dot(dw, r) / dw.sum()
    return float(n / (n - 1) * np.dot(dw, (r - rbar) ** 2) / dw.sum()) if n > 1 else np.nan


def _check_separation(formula: str, mu, X, beta, terms) -> None:
    """R's glm.fit test for fitted probabilities numerically 0 or 1, as a BoundaryWarning naming the
    term whose coefficient moves the linear predictor most (coefficient times the SD of its column)."""
    edge = (mu > 1 - 10 * _EPS) | (mu < 10 * _EPS)
    if edge.any():
        separation_warning(formula, int(edge.sum()), X.std(axis=0), beta, terms)


def separation_warning(formula: str, n_edge: int, sd: np.ndarray, beta, terms) -> None:
    """The BoundaryWarning of :func:`_check_separation`, from the count of edge rows and the column SDs."""
    spread = np.abs(beta) * sd
    worst = terms[int(np.argmax(spread))]
    warnings.warn(f"{formula!r}: fitted probabilities numerically 0 or 1 for {n_edge} row(s): the "
                  f"outcome is separated or quasi-separated (largest effect: {worst!r}, coefficient "
                  f"{beta[terms.index(worst)]:.4g}); coefficients and SEs are not reliable",
                  BoundaryWarning, stacklevel=user_stacklevel())


def _model_frame(formula: str, data: pd.DataFrame, fam: _Family):
    """Outcome vector, model matrix, used rows, patsy info and column order; checks the outcome
    for the family and the matrix for aliased columns."""
    y, X, rows, info, order = _design_matrices(formula, data)
    if y.shape[1] == 2:  # a two-level factor outcome: the second level is "success", as R
        y = y[:, 1:]
    elif y.shape[1] != 1:
        raise ModelError(f"the outcome of {formula!r} must be a single numeric or two-level column")
    y = y[:, 0]
    check_model(formula, fam, y.min(initial=0.0), y.max(initial=0.0), _aliased(X),
                [info.column_names[i] for i in order])
    return y, X, rows, info, order


def check_model(formula: str, fam: _Family, y_min: float, y_max: float, aliased: list[int], terms: list) -> None:
    """ModelError for an outcome outside the family's range or an aliased model-matrix column.

    Examples
    --------
    >>> check_model("y ~ x", FAMILIES["poisson"], -1.0, 3.0, [], ["Intercept", "x"])
    Traceback (most recent call last):
    ...
    toolkit.errors.ModelError: poisson outcome of 'y ~ x' must be non-negative
    """
    if fam.base == "binomial" and (y_min < 0 or y_max > 1):
        raise ModelError(f"binomial outcome of {formula!r} must lie in [0, 1]")
    if fam.base == "poisson" and y_min < 0:
        raise ModelError(f"poisson outcome of {formula!r} must be non-negative")
    if aliased:
        names = [terms[j] for j in aliased]
        raise ModelError(f"the model matrix of {formula!r} is rank deficient: {', '.join(names)} "
                         "is a linear combination of earlier terms (or constant)")


def _sandwich(design, Xt, y, eta, mu, ww, xtwx, fam: _Family, rows):
    """R's ``svy.varcoef``: influence ``U A^-1`` (working residuals at the final fit times the
    last working weights) through the design linearisation; and the residual df."""
    ainv = np.linalg.inv(xtwx)
    infl_t = ainv.T @ (Xt * (ww * (y - mu) / fam.mu_eta(eta, mu)))
    p = Xt.shape[0]
    if len(rows) == design.n:
        infl, members, used = infl_t.T, None, None
    else:
        infl = np.zeros((design.n, p), order="F")
        infl[rows] = infl_t.T
        used = np.zeros(design.n, bool)
        used[rows] = True
        members = np.where(used, 0, -1)
    vcov = design._variance(Influence(infl, p), members)
    return vcov, float(design._degf(used)[0]) + 1 - p
