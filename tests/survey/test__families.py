"""toolkit.survey._families: quasi families share the link, variance and deviance of their base family."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.survey._families import FAMILIES


@pytest.mark.parametrize(("quasi", "base"), [("quasibinomial", "binomial"), ("quasipoisson", "poisson")])
def test_quasi_family_behaves_as_its_base(quasi, base):
    q, b = FAMILIES[quasi], FAMILIES[base]
    eta = np.linspace(-3, 3, 7)
    mu = b.linkinv(eta)
    y = (np.arange(7) % 2).astype(float)
    w = np.ones(7)
    assert q.base == base and q.link == b.link and q.exp_name == b.exp_name
    np.testing.assert_array_equal(q.linkinv(eta), mu)
    np.testing.assert_array_equal(q.variance(mu), b.variance(mu))
    assert q.deviance(y, mu, w) == b.deviance(y, mu, w)
    np.testing.assert_array_equal(q.start(y, w), b.start(y, w))


def test_logit_link_clamps_like_r():
    fam = FAMILIES["binomial"]
    assert fam.linkinv(np.array([40.0]))[0] == fam.linkinv(np.array([31.0]))[0] < 1.0
