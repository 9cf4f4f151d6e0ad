"""GLM families of :mod:`toolkit.survey.glm`: links, variance functions and deviances as R's ``family``.

A quasi family (``quasibinomial``, ``quasipoisson``) has the variance function,
link and estimating equations of its likelihood family, so the fit and the
sandwich SEs are the same; ``svyglm`` reports both alike.

Examples
--------
>>> import numpy as np
>>> FAMILIES["quasibinomial"].base, float(FAMILIES["binomial"].linkinv(np.array([0.0]))[0])
('binomial', 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, xlogy

_EPS = np.finfo(float).eps
_THRESH = 30.0  # R's logit link treats |eta| > 30 as saturated
_LOG_EPS = float(np.log(_EPS))


@dataclass(frozen=True)
class _Family:
    name: str
    link: str
    exp_name: str | None

    @property
    def base(self) -> str:
        """The variance function's family: a quasi family fits as its likelihood family."""
        return self.name.removeprefix("quasi")

    def linkinv(self, eta):
        """R's ``linkinv``: the logit clamps ``eta`` to +-30, the log floors at eps."""
        if self.link == "logit":
            if eta.max() > _THRESH or eta.min() < -_THRESH:  # R: exp(eta) becomes eps or 1/eps
                eta = np.where(eta < -_THRESH, _LOG_EPS, np.where(eta > _THRESH, -_LOG_EPS, eta))
            return expit(eta)
        if self.link == "log":
            return np.maximum(np.exp(eta), _EPS)
        return eta

    def mu_eta(self, eta, mu=None):
        """d mu / d eta (``mu`` may be passed to save recomputing it)."""
        if self.link == "identity":
            return np.ones_like(eta)
        mu = self.linkinv(eta) if mu is None else mu
        if self.link == "log":
            return mu
        d = mu * (1 - mu)
        return np.where(np.abs(eta) > _THRESH, _EPS, d) if np.abs(eta).max() > _THRESH else d

    def variance(self, mu):
        if self.base == "binomial":
            return mu * (1 - mu)
        if self.base == "poisson":
            return mu
        return np.ones_like(mu)

    def deviance(self, y, mu, w):
        """The deviance R's ``dev.resids`` sums."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.base == "binomial":
                return 2 * np.dot(w, xlogy(y, y) - xlogy(y, mu) + xlogy(1 - y, 1 - y) - xlogy(1 - y, 1 - mu))
            if self.base == "poisson":
                return 2 * np.dot(w, xlogy(y, y) - xlogy(y, mu) - (y - mu))
        r = y - mu
        return np.dot(w, r * r)

    def working(self, eta, mu, y, w):
        """IRLS working weights ``w mu'^2 / V`` and response ``eta + (y - mu) / mu'``.

        For the canonical links ``mu' = V`` unless R's clamps bite, which saves
        passes over the data."""
        if self.link == "identity":
            return w, y
        if self.link == "logit" and (eta.max() > _THRESH or eta.min() < -_THRESH):
            d, v = self.mu_eta(eta, mu), self.variance(mu)
            return w * d * d / v, eta + (y - mu) / d
        v = mu * (1 - mu) if self.link == "logit" else mu
        return w * v, eta + (y - mu) / v

    def start(self, y, w):
        """``glm.fit``'s ``mustart`` mapped to the linear predictor."""
        if self.base == "binomial":
            return logit((w * y + 0.5) / (w + 1))
        if self.base == "poisson":
            return np.log(y + 0.1)
        return y


FAMILIES = {
    "gaussian": _Family("gaussian", "identity", None),
    "binomial": _Family("binomial", "logit", "odds_ratio"),
    "poisson": _Family("poisson", "log", "rate_ratio"),
    "quasibinomial": _Family("quasibinomial", "logit", "odds_ratio"),
    "quasipoisson": _Family("quasipoisson", "log", "rate_ratio"),
}
