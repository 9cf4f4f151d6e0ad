"""The GLM model matrix, built column by column in numpy with patsy as the reference.

``patsy.dmatrices`` codes categorical terms with a Python loop per element,
which was three quarters of a survey GLM's time at 1M rows. This module asks
patsy for the coding only: it runs patsy on a *probe*, a few rows that hold
every level of every categorical variable, and reads the terms, column names,
levels and contrasts from patsy's ``DesignInfo``. The full matrix is then
built vectorised: numeric columns are copied, treatment-coded categoricals are
filled from integer level codes. The result is patsy's matrix exactly (same
columns, names and values); formulas outside the subset handled here
(transformations such as ``np.log(x)``, interactions, explicit contrasts,
factor outcomes) return ``None`` and the caller falls back to patsy.

The same :class:`MatrixPlan` builds the matrix of any chunk of rows, so the
out-of-core engines code every partition identically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy

_C = re.compile(r"^C\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def categorical_columns(formula: str, dtypes: dict) -> list[str] | None:
    """Columns a formula codes as categorical (``C(x)``, or a non-numeric or boolean column).

    ``dtypes`` maps column name to dtype. ``None`` when the formula is outside the subset this
    module builds (then patsy builds the whole matrix).

    Examples
    --------
    >>> import numpy as np
    >>> categorical_columns("y ~ x + C(g) + h", {"y": np.dtype(float), "x": np.dtype(float),
    ...                                          "g": np.dtype(int), "h": np.dtype(object)})
    ['g', 'h']
    >>> categorical_columns("y ~ np.log(x)", {"y": np.dtype(float), "x": np.dtype(float)}) is None
    True
    """
    desc = patsy.ModelDesc.from_formula(formula)
    if len(desc.lhs_termlist) != 1 or len(desc.lhs_termlist[0].factors) != 1:
        return None
    out_code = desc.lhs_termlist[0].factors[0].code
    if out_code not in dtypes or not _numeric(dtypes[out_code]):
        return None
    cats: list[str] = []
    for term in desc.rhs_termlist:
        if len(term.factors) > 1:
            return None
        for factor in term.factors:
            code = factor.code
            m = _C.match(code)
            if m and m.group(1) in dtypes:
                name = m.group(1)
            elif _NAME.match(code) and code in dtypes:
                if _numeric(dtypes[code]):
                    continue
                name = code
            else:
                return None
            if name not in cats:
                cats.append(name)
    return cats


def _numeric(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def probe_rows(frame: pd.DataFrame, categorical: list[str]) -> np.ndarray:
    """Positions of a few rows of ``frame`` that hold every level of every ``categorical`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> probe_rows(pd.DataFrame({"g": list("aabab"), "h": list("xxxxy")}), ["g", "h"]).tolist()
    [0, 1, 2, 4]
    """
    rows = [np.arange(min(2, len(frame)))]
    for c in categorical:
        codes = pd.factorize(frame[c])[0]
        first = np.zeros(codes.max(initial=-1) + 1, np.int64)
        rows_back = np.flatnonzero(codes >= 0)[::-1]
        first[codes[rows_back]] = rows_back  # O(n): the first row of every level
        rows.append(first)
    return np.unique(np.concatenate(rows))


@dataclass(frozen=True)
class MatrixPlan:
    """How to build a formula's outcome and model matrix from columns (see the module notes).

    ``columns`` lists, in patsy's column order, one ``(kind, source, levels, reduced)`` per term:
    ``kind`` is "intercept", "numeric" or "categorical"; a reduced categorical drops its first
    level (treatment contrast). ``order`` puts patsy's columns in the order the terms were
    written, as R does.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"y": [1.0, 2, 3], "g": ["b", "a", "b"]})
    >>> plan = MatrixPlan.from_probe("y ~ C(g)", data, ["g"])
    >>> plan.names, plan.build(data)[1].tolist()
    (['Intercept', 'C(g)[T.b]'], [[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    """

    outcome: str
    columns: tuple
    info: object
    order: np.ndarray
    width: int

    def __getstate__(self) -> dict:
        """Pickled without patsy's DesignInfo (patsy cannot pickle it): enough to build chunks elsewhere."""
        return {**self.__dict__, "info": None}

    @property
    def names(self) -> list[str]:
        """Column names in the order of the built matrix."""
        return [self.info.column_names[i] for i in self.order]

    @classmethod
    def from_probe(cls, formula: str, probe: pd.DataFrame, categorical: list[str]) -> MatrixPlan | None:
        """The plan patsy's coding of ``probe`` implies; ``None`` if a term is outside the subset."""
        y, X = patsy.dmatrices(formula, probe, NA_action="raise", return_type="matrix")
        if y.shape[1] != 1:
            return None
        info = X.design_info
        columns = []
        for term in info.terms:
            sl = info.term_slices[term]
            width = sl.stop - sl.start
            if not term.factors:
                columns.append(("intercept", None, None, False))
                continue
            factor = term.factors[0]
            fi = info.factor_infos[factor]
            code = factor.code
            if fi.type == "numerical":
                if not _NAME.match(code) or width != 1:
                    return None
                columns.append(("numeric", code, None, False))
                continue
            m = _C.match(code)
            name = m.group(1) if m else code
            levels = list(fi.categories)
            if name not in categorical or width not in (len(levels), len(levels) - 1):
                return None
            columns.append(("categorical", name, levels, width == len(levels) - 1))
        written = patsy.ModelDesc.from_formula(formula).rhs_termlist
        terms = [t for t in written if t in info.term_slices]
        terms += [t for t in info.terms if t not in terms]
        order = np.concatenate([np.arange(info.term_slices[t].start, info.term_slices[t].stop)
                                for t in terms]).astype(int)
        outcome = y.design_info.terms[0].factors[0].code
        return cls(outcome, tuple(columns), info, order, len(info.column_names))

    def build(self, frame: pd.DataFrame, coded=()) -> tuple[np.ndarray, np.ndarray]:
        """``(y, X)``: the outcome ``(n, 1)`` and the Fortran-ordered model matrix of ``frame``'s rows.

        Categorical columns named in ``coded`` hold level positions already (an engine matched the levels)."""
        n = len(frame)
        dest = np.empty(self.width, np.int64)
        dest[self.order] = np.arange(self.width)  # patsy's column i lands at dest[i] (R's order)
        X = np.empty((n, self.width), order="F")
        j = 0
        for kind, source, levels, reduced in self.columns:
            if kind == "intercept":
                X[:, dest[j]] = 1.0
                j += 1
            elif kind == "numeric":
                X[:, dest[j]] = frame[source].to_numpy(np.float64)
                j += 1
            else:
                codes = (frame[source].to_numpy(np.int64) if source in coded
                         else level_codes(frame[source], levels))
                if (codes < 0).any():
                    bad = frame[source].to_numpy()[codes < 0][0]
                    raise ValueError(f"column {source!r} has level {bad!r} the model was not built with")
                for level in range(int(reduced), len(levels)):
                    X[:, dest[j]] = codes == level
                    j += 1
        y = frame[[self.outcome]].to_numpy(np.float64)
        return y, X


def level_codes(values: pd.Series, levels: list) -> np.ndarray:
    """Position of each value among ``levels`` (-1: missing or not a level), in O(n).

    Examples
    --------
    >>> import pandas as pd
    >>> level_codes(pd.Series(["b", "a", None, "z"]), ["a", "b"]).tolist()
    [1, 0, -1, -1]
    """
    index = pd.Index(levels, dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    per_unique = index.get_indexer(pd.Index(uniques).astype(object))
    return np.where(codes >= 0, per_unique[np.maximum(codes, 0)], -1).astype(np.int64)


def fast_matrices(formula: str, used: pd.DataFrame):
    """``(y, X, info, order)`` for the complete rows ``used``, or ``None`` to let patsy build them.

    Examples
    --------
    >>> import pandas as pd
    >>> y, X, info, order = fast_matrices("y ~ x + C(g)", pd.DataFrame({"y": [1.0, 0, 1], "x": [0.5, 1, 2],
    ...                                                                 "g": ["a", "b", "b"]}))
    >>> info.column_names, X.tolist()
    (['Intercept', 'C(g)[T.b]', 'x'], [[1.0, 0.5, 0.0], [1.0, 1.0, 1.0], [1.0, 2.0, 1.0]])
    """
    categorical = categorical_columns(formula, dict(used.dtypes))
    if categorical is None or len(used) == 0:
        return None
    plan = MatrixPlan.from_probe(formula, used.iloc[probe_rows(used, categorical)], categorical)
    if plan is None:
        return None
    y, X = plan.build(used)
    return y, X, plan.info, plan.order
