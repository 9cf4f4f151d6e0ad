"""toolkit.scales.factor: minres, varimax, oblimin and Schmid-Leiman (psych parity is in test_omega)."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.scales.factor import minres, oblimin, schmid_leiman, varimax


def _two_factor_R():
    L = np.array([[0.8, 0.1], [0.7, 0.2], [0.75, 0.0], [0.1, 0.7], [0.2, 0.8], [0.0, 0.6]])
    R = L @ L.T
    np.fill_diagonal(R, 1.0)
    return R, L


@pytest.mark.parametrize("stop", ["optimum", "psych"])
def test_minres_recovers_an_exact_two_factor_structure(stop):
    R, L = _two_factor_R()
    got, converged = minres(R, 2, stop=stop)
    assert converged
    np.testing.assert_allclose(got @ got.T - np.diag(np.diag(got @ got.T)), L @ L.T - np.diag(np.diag(L @ L.T)),
                               atol=1e-3 if stop == "psych" else 1e-8)


def test_rotations_keep_the_common_part():
    R, L = _two_factor_R()
    unrotated, _ = minres(R, 2)
    v = varimax(unrotated)
    np.testing.assert_allclose(v @ v.T, unrotated @ unrotated.T, atol=1e-12)
    obl, phi, ok = oblimin(v)
    assert ok and np.allclose(np.diag(phi), 1.0)
    np.testing.assert_allclose(obl @ phi @ obl.T, unrotated @ unrotated.T, atol=1e-8)


def test_schmid_leiman_splits_h2_into_general_and_group_parts():
    g, s = np.full(9, 0.5), np.kron(np.eye(3), np.ones((3, 1))) * np.array([0.6, 0.5, 0.4])
    R = np.outer(g, g) + s @ s.T
    np.fill_diagonal(R, 1.0)
    sl = schmid_leiman(R, 3)
    np.testing.assert_allclose(sl["g"] ** 2 + (sl["group"] ** 2).sum(axis=1), sl["h2"], atol=1e-6)
    assert sl["converged"]
