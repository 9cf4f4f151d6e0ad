"""Variances from per-stratum moments of unit totals, and over cells of one-respondent PSUs.

Numerical method
----------------
Stage 1 of :mod:`toolkit.survey.linearization` needs per stratum ``h`` the
centred sum of squares of its unit totals, ``sum_i t_i t_i' - s1 s1' / n_h``
with ``s1`` their sum: :func:`moment_variance` (the variances) and
:func:`moment_covariance` (the whole matrix) take the two sums per stratum and
apply ``lonely_psu`` as :func:`~toolkit.survey.linearization.stage_variance`
does. An engine's design without PSUs (:mod:`toolkit.survey.engines`) has cells
of respondents for units, every respondent its own PSU; the squares of the
respondents' influence values inside a cell follow from the cell total and a
few cell sums of ``w^2`` products (:func:`cell_moments`), so no respondent is
needed.
"""

from __future__ import annotations

import numpy as np


def moment_variance(s1: np.ndarray, s2: np.ndarray, stage, lonely_psu: str,
                    present: np.ndarray | None = None, domain_lonely: np.ndarray | None = None,
                    centred: np.ndarray | None = None) -> np.ndarray:
    """:func:`stage_variance` with ``diag`` from per-stratum sums of the unit totals ``s1`` and of their
    squares ``s2`` (strata x p): the centred sum of squares is ``s2 - s1^2 / n_h`` unless given.

    Examples
    --------
    >>> from toolkit.survey.linearization import Stage
    >>> one = Stage(np.array([0, 1]), 2, np.array([0, 0]), 1, np.array([2.0]), np.array([2.0]),
    ...             np.array([False]))
    >>> moment_variance(np.array([[4.0]]), np.array([[10.0]]), one, "fail").tolist()
    [4.0]
    """
    if centred is None:
        centred = s2 - s1 * s1 / stage.n_per_stratum[:, None]
    centred = centred.copy()
    scale = stage.scale
    factor = 1.0
    if lonely_psu == "adjust":
        centred[stage.lonely] = s2[stage.lonely]
        if domain_lonely is not None:
            centred = np.where(domain_lonely, s2, centred)
    elif lonely_psu == "average" and domain_lonely is not None and domain_lonely.any():
        factor = np.where(domain_lonely.any(0), np.nan, 1.0)
    if lonely_psu == "average" and stage.lonely.any():
        scale = np.where(stage.lonely, 0.0, scale)
        if present is None:
            present = np.ones(s1.shape, bool)
        h_all, h_lonely = present.sum(0), (present & stage.lonely[:, None]).sum(0)
        factor = factor * h_all / (h_all - h_lonely)
    return (centred * scale[:, None]).sum(0) * factor


def moment_covariance(s1: np.ndarray, s2: np.ndarray, stage, lonely_psu: str,
                      present: np.ndarray | None = None, domain_lonely: np.ndarray | None = None) -> np.ndarray:
    """:func:`~toolkit.survey.linearization.stage_variance` (the ``(p, p)`` matrix) from per-stratum sums of the
    unit totals ``s1`` (strata x p) and of their cross-products ``s2`` (strata x p x p).

    A column centred at its stratum mean contributes ``- s1_j s1_k / n_h``; ``adjust`` leaves lonely strata
    (and, with ``domain_lonely``, a domain's single PSU) uncentred, and a pair with one centred column loses
    the same term, ``sum (t_j - m_j) t_k = s2_jk - s1_j s1_k / n_h``.

    Examples
    --------
    >>> from toolkit.survey.linearization import Stage
    >>> one = Stage(np.array([0, 1]), 2, np.array([0, 0]), 1, np.array([2.0]), np.array([2.0]),
    ...             np.array([False]))
    >>> moment_covariance(np.array([[4.0]]), np.array([[[10.0]]]), one, "fail").tolist()
    [[4.0]]
    """
    u = np.ones(s1.shape)  # 1: centred at the stratum mean
    if lonely_psu == "adjust":
        u[stage.lonely] = 0.0
        if domain_lonely is not None:
            u = np.where(domain_lonely, 0.0, u)
    pair = u[:, :, None] + u[:, None, :] - u[:, :, None] * u[:, None, :]
    centred = s2 - pair * s1[:, :, None] * s1[:, None, :] / stage.n_per_stratum[:, None, None]
    scale, factor = stage.scale, 1.0
    if lonely_psu == "average" and domain_lonely is not None and domain_lonely.any():
        bad = domain_lonely.any(0)
        factor = np.where(bad[:, None] | bad[None, :], np.nan, 1.0)
    if lonely_psu == "average" and stage.lonely.any():
        scale = np.where(stage.lonely, 0.0, scale)
        if present is None:
            present = np.ones(s1.shape, bool)
        h_all, h_lonely = present.sum(0), (present & stage.lonely[:, None]).sum(0)
        f = np.sqrt(h_all / (h_all - h_lonely))
        factor = factor * np.outer(f, f)
    return np.einsum("h,hjk->jk", scale, centred) * factor


def cell_moments(x, stage, lonely_psu: str, present=None, domain_lonely=None, diag: bool = True) -> np.ndarray:
    """The stage-1 variance over cells of respondents, every respondent its own PSU (``stage.unit_ww``).

    A respondent's influence value is ``w_i (T_c / W_c + sum_v b_v (v_i - v_c))``: its weight times a constant
    of its cell (level, domain and calibration cells are keys) plus slopes ``b_v`` in variables ``v`` that vary
    inside the cell, around the cell's weighted mean ``v_c``. So the squares in cell ``c`` sum to
    ``unit_ww_c T_c^2 + 2 T_c sum_v s_v f_v + sum_uv s_u s_v q_uv`` with ``T_c`` the cell total and, from
    ``x.spread = (slopes, first, second)``, ``s_v = W_c b_v`` (the slope of the cell's own influence value in
    ``v_c``, dense, cells x p), ``f_v = sum w^2 (v - v_c) / W_c^2`` and ``q_uv = sum w^2 (u - u_c)(v - v_c) /
    W_c^2`` per cell. ``n_per_stratum`` counts respondents. Only the variances (``diag``), unless the influence
    brings its own cell sums of cross-products (``x.gram``, :func:`_gram_sums`).

    Examples
    --------
    >>> from toolkit.survey.linearization import Influence, Stage
    >>> cells = Stage(np.array([0, 1]), 2, np.array([0, 0]), 1, np.array([4.0]), np.array([4 / 3]),
    ...               np.array([False]), np.array([2.0, 2.0]), np.array([0.5, 0.5]))
    >>> cell_moments(Influence(np.array([3.0, -3.0]), 1), cells, "fail").tolist()
    [12.0]
    """
    base = getattr(x, "x", x)  # a Residual (calibrated) wraps the influence
    totals = x.cell_sums(stage.unit, stage.n_units)
    h_n, p = stage.n_strata, totals.shape[1]
    key = (stage.unit_stratum[:, None] * p + np.arange(p)).ravel()
    s1 = np.bincount(key, weights=totals.ravel(), minlength=h_n * p).reshape(h_n, p)
    if getattr(base, "gram", None) is not None:
        squares = _gram_sums(x, base.gram, stage.unit_ww)
        pairs = (stage.unit_stratum[:, None] * p * p + np.arange(p * p)).ravel()
        s2 = np.bincount(pairs, weights=squares.ravel(), minlength=h_n * p * p).reshape(h_n, p, p)
        return moment_covariance(s1, s2, stage, lonely_psu, present, domain_lonely)
    if not diag:
        raise ValueError("cells of one-respondent PSUs give variances only (diag=True) without x.gram")
    squares = totals * totals * stage.unit_ww[:, None]
    if getattr(base, "spread", None) is not None:
        slopes, first, second = base.spread
        for i, si in enumerate(slopes):
            squares += 2 * totals * si * first[i][:, None]
            for j, sj in enumerate(slopes):
                squares += si * sj * second[i][j][:, None]
    s2 = np.bincount(key, weights=squares.ravel(), minlength=h_n * p).reshape(h_n, p)
    return moment_variance(s1, s2, stage, lonely_psu, present, domain_lonely)


def _gram_sums(x, gram: tuple, ww: np.ndarray) -> np.ndarray:
    """Per cell, the sum of ``z z'`` over its respondents (cells x p x p) from ``gram = (sum x x', sum w x, W)``
    (respondent influence ``x``, design weight ``w``, the cell's ``W = sum w``): calibration subtracts
    ``w_i r_c`` with ``r_c = sum_j psw_j / W * a_j[cell_j]`` (a ``Residual``'s sweeps), so
    ``sum z z' = sum x x' - (sum w x) r' - r (sum w x)' + ww W^2 r r'``."""
    xx, wx, W = gram
    out = xx.copy()
    if hasattr(x, "a"):
        share = np.divide(1.0, W, out=np.zeros_like(W), where=W > 0)
        r = sum(c.psw[:, None] * share[:, None] * a[c.cells]
                for c, a in zip(x.plan.components, x.a, strict=True) if a.any())
        if not np.isscalar(r):
            out -= wx[:, :, None] * r[:, None, :] + r[:, :, None] * wx[:, None, :]
            out += (ww * W * W)[:, None, None] * r[:, :, None] * r[:, None, :]
    return out
