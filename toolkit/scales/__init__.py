"""Scale scores, reliability and item analysis (agreeing with R's ``psych``).

* :mod:`toolkit.scales.coefficients` -- :func:`alpha`, :func:`omega`,
  :func:`item_analysis` on a DataFrame of items.
"""

from toolkit.scales.coefficients import alpha, item_analysis, minres_loadings, omega

__all__ = ["alpha", "omega", "item_analysis", "minres_loadings"]
