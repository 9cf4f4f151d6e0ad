"""Scale scores, reliability and item analysis (agreeing with R's ``psych``).

* :mod:`toolkit.scales.coefficients` -- :func:`alpha`, :func:`omega`,
  :func:`item_analysis` on a DataFrame of items, and :func:`reliability`
  for every scale of an instrument.
* :mod:`toolkit.scales.scoring` -- :func:`score_items`,
  :func:`score_knowledge`, :func:`confidence_gap` and :func:`score` for an
  instrument.
* :mod:`toolkit.scales.dif` -- :func:`dif`, Mantel-Haenszel DIF with ETS
  A/B/C classes.
"""

from toolkit.scales.coefficients import alpha, item_analysis, minres_loadings, omega, reliability
from toolkit.scales.dif import dif
from toolkit.scales.scoring import confidence_gap, scale_items, score, score_items, score_knowledge

__all__ = [
    "alpha", "omega", "item_analysis", "minres_loadings", "reliability", "scale_items",
    "score_items", "score_knowledge", "confidence_gap", "score", "dif",
]
