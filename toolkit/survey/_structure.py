"""How a :class:`~toolkit.survey.Design` builds its stages: strata, units per stage and fpc.

A mixin of :class:`~toolkit.survey.Design`, kept apart so the class reads as
its estimators; the rules (``survey:::as.fpc``, nesting, lonely PSUs) are
described in :mod:`toolkit.survey.design`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit._validation import as_list
from toolkit.errors import DesignError
from toolkit.survey.linearization import Stage, dense_codes, first_rows

_CERTAIN = 1e-7  # survey:::onestrat treats a stratum with f below this as fully sampled


def _codes(columns: list) -> np.ndarray:
    """Integer codes (0..k-1, in sorted order) of the distinct combinations of ``columns``."""
    code = np.zeros(len(columns[0]), np.int64)
    for col in columns:
        c, labels = pd.factorize(col, sort=True)
        code = code * len(labels) + c
    return dense_codes(code).astype(np.int64)


def first_bad(values: pd.Series, mask: np.ndarray, limit: int = 5) -> str:
    """The first row labels where ``mask`` is true, for error messages.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> first_bad(pd.Series([1, 2, 3]), np.array([False, True, True]))
    '1, 2'
    """
    rows = values.index[mask][:limit]
    return ", ".join(f"{r!r}" for r in rows) + (" ..." if mask.sum() > limit else "")


class DesignStructure:
    """Stage building for :class:`~toolkit.survey.Design` (a mixin; see the module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import survey
    >>> isinstance(survey.Design(pd.DataFrame({"y": [1.0, 2.0]})), DesignStructure)
    True
    """

    def _check_no_na(self, data: pd.DataFrame, cols: list[str], role: str) -> None:
        for c in cols:
            na = data[c].isna().to_numpy()
            if na.any():
                raise DesignError(f"{role} column {c!r} has {na.sum()} missing value(s) at rows "
                                  f"{first_bad(data[c], na)}")

    def _build_stages(self, data: pd.DataFrame) -> None:
        self._check_no_na(data, as_list(self.strata_col), "strata")
        self._check_no_na(data, self.psu_cols, "psu")
        self._check_no_na(data, self.fpc_cols, "fpc")
        strat, units = self._units(data)
        self.strata = strat
        self.psu = units[0]
        fpcs = self._read_fpc(data)
        n_stages = len(units) if fpcs is not None and len(fpcs) == len(units) else 1
        stages: list[Stage] = []
        parent, parent_n_strata, mult_row = strat, len(self.strata_labels), np.ones(self.n)
        for s in range(n_stages):
            stage, pop_row = self._stage(data, s, units[s], parent, parent_n_strata, mult_row,
                                         None if fpcs is None else fpcs[s])
            stages.append(stage)
            # the next stage's strata are this stage's units; weigh by n/N of this stage
            row_n = stage.n_per_stratum[parent]
            mult_row = mult_row * np.where(np.isfinite(pop_row), row_n / pop_row, 1.0)
            parent, parent_n_strata = units[s], stage.n_units
        self.stages = stages
        # selection probability of each row when every stage has an fpc (R's weights from fpc)
        self._fpc_prob = mult_row if fpcs is not None and n_stages == len(units) else None

    def _units(self, data: pd.DataFrame) -> tuple[np.ndarray, list[np.ndarray]]:
        """Stratum code of every row and its unit code at each stage (units nested in strata)."""
        if self.strata_col is None:
            strat = np.zeros(self.n, np.int64)
            self.strata_labels = np.array(["1"], dtype=object)
        else:
            strat, labels = pd.factorize(data[self.strata_col], sort=True)
            strat = strat.astype(np.int64)
            self.strata_labels = np.asarray(labels, dtype=object)
        key: list = [strat]
        units = []
        for col in self.psu_cols or [None]:
            if col is None:
                units.append(np.arange(self.n, dtype=np.int64))
                continue
            key.append(data[col].to_numpy())
            units.append(_codes(key))
        return strat, units

    def _stage(self, data: pd.DataFrame, s: int, unit: np.ndarray, parent: np.ndarray, parent_n_strata: int,
               mult_row: np.ndarray, fpc: np.ndarray | None) -> tuple[Stage, np.ndarray]:
        """Stage ``s``: its units within their parent strata, the variance scale and the lonely units."""
        n = self.n
        n_units = int(unit.max()) + 1 if n else 0
        unit_stratum = parent[first_rows(unit, n_units)]
        # a collapsed design without PSUs (engines): its units are cells of respondents, each its own PSU
        cells = self.cells if not self.psu_cols else None
        unit_n = None if cells is None else cells.n
        n_per = np.bincount(unit_stratum, weights=unit_n, minlength=parent_n_strata).astype(float)
        row_n = n_per[parent]
        if fpc is None:
            f_row, pop_row = np.ones(n), np.full(n, np.inf)
        else:
            pop_row = self._popsize(fpc, row_n, parent, s)
            f_row = (pop_row - row_n) / pop_row
        f = np.zeros(parent_n_strata)
        f[parent] = f_row
        mult = np.zeros(parent_n_strata)
        mult[parent] = mult_row
        scale = np.where(n_per > 1, f * n_per / np.maximum(n_per - 1, 1), f) * mult
        scale[f < _CERTAIN] = 0.0
        lonely = (n_per == 1) & (f >= _CERTAIN)
        if self.lonely_psu == "fail" and lonely.any():
            bad = np.flatnonzero(lonely)[0]
            label = (self.strata_labels[bad] if s == 0
                     else f"PSU {data[self.psu_cols[s - 1]].to_numpy()[parent == bad][0]!r}")
            raise DesignError(
                f"Stratum ({label}) has only one PSU at stage {s + 1} "
                f"({int(lonely.sum())} such stratum/strata); choose lonely_psu="
                "'remove', 'adjust', 'average' or 'certainty'")
        return Stage(unit, n_units, unit_stratum, parent_n_strata, n_per, scale, lonely, unit_n,
                     None if cells is None else cells.ww), pop_row

    def _fpc_weights(self) -> np.ndarray:
        """Weights implied by the fpc when none are given: 1 / product of the stages' n/N, as R."""
        if self._fpc_prob is None:
            raise DesignError(f"weights are needed: one fpc column ({self.fpc_cols[0]!r}) for "
                              f"{len(self.psu_cols)} psu columns does not give the selection "
                              "probabilities; pass weights= or one fpc column per stage")
        return 1.0 / self._fpc_prob

    def _read_fpc(self, data: pd.DataFrame) -> list[np.ndarray] | None:
        if not self.fpc_cols:
            return None
        vals = []
        for c in self.fpc_cols:
            try:
                vals.append(pd.to_numeric(data[c], errors="raise").to_numpy(np.float64))
            except (TypeError, ValueError):
                raise DesignError(f"fpc column {c!r} must be numeric") from None
        allv = np.concatenate(vals)
        self._fpc_is_popsize = bool((allv > 1).any())
        if self._fpc_is_popsize and (allv < 1).any():
            raise DesignError(f"fpc column(s) {', '.join(map(repr, self.fpc_cols))} mix values above "
                              "and below 1: give all population sizes (>= 1) or all sampling "
                              "fractions (<= 1)")
        for c, v in zip(self.fpc_cols, vals, strict=True):
            bad = v <= 0
            if bad.any():
                raise DesignError(f"fpc column {c!r} has {bad.sum()} zero or negative value(s) at rows "
                                  f"{first_bad(data[c], bad)} (expected population sizes or sampling "
                                  "fractions above 0)")
        return vals

    def _popsize(self, fpc: np.ndarray, row_n: np.ndarray, parent: np.ndarray, stage: int) -> np.ndarray:
        pop = fpc if self._fpc_is_popsize else row_n / fpc
        col = self.fpc_cols[stage]
        varies = pd.Series(pop).groupby(parent).nunique().to_numpy() > 1
        if varies.any():
            raise DesignError(f"fpc column {col!r} varies within a stratum at stage {stage + 1} "
                              "(it must be constant per stratum)")
        if (pop < row_n).any():
            raise DesignError(f"fpc column {col!r} implies more than 100% sampling at stage "
                              f"{stage + 1} (population size below the number of sampled units)")
        return pop
