"""Scale scores, reliability and item analysis (agreeing with R's ``psych`` 2.2.9).

* :mod:`toolkit.scales.coefficients` -- :func:`alpha`, :func:`item_analysis`
  on a DataFrame of items; :mod:`toolkit.scales.omega` -- :func:`omega`
  (one factor, or psych's Schmid-Leiman hierarchy with ``n_factors=k``), on
  the factor models of :mod:`toolkit.scales.factor`; for an instrument
  :func:`reliability` (one row per scale; also ``toolkit.reliability``) and
  :func:`item_statistics` (one row per item of every scale).
* :mod:`toolkit.scales.scoring` -- :func:`score_items`,
  :func:`score_knowledge`, :func:`confidence_gap`, :func:`scale_items` and
  :func:`score` (every scale of an instrument, with levels and
  confidence gaps; also ``toolkit.score``).
* :mod:`toolkit.scales.dif` -- :func:`dif`: Mantel-Haenszel DIF of knowledge
  items with ETS A/B/C classes.

Choices made here, in one place:

* An instrument argument is an :class:`~toolkit.instrument.Instrument`, a
  bundled id (``"dis-full"``) or the path to a YAML file, as in
  :func:`toolkit.clean`.
* Missing data: alpha, omega and item analysis are pairwise by default, as
  psych is (``missing="listwise"`` drops incomplete rows first).
* ``<scale>_level`` is ``Scale.classify`` (one ordered category,
  low < basic < above_basic, from ``vocabulary.classify_levels``).
* Weights (a column, array or survey Design): item and scale means and SDs,
  and the standardisation behind the confidence gap, are weighted;
  reliability coefficients stay unweighted unless ``weighted=True``.
* "Don't know" on a knowledge item is incorrect; refused, "don't
  understand" and not asked are missing. Raw code 88 and cleaned data (NaN
  plus ``<item>_missing == "dont_know"``) are both understood.
* Confidence gap: ``|gap| > 1`` SD flags over- or underconfidence.
* DIF matches on the total score of the item's own knowledge scale, with
  iterative purification (see :mod:`toolkit.scales.dif` for why not the
  rest score).
"""

from toolkit.scales.coefficients import alpha, item_analysis, item_statistics, minres_loadings, reliability
from toolkit.scales.omega import Omega, omega
from toolkit.scales.dif import dif
from toolkit.scales.scoring import confidence_gap, scale_items, score, score_items, score_knowledge

__all__ = [
    "alpha", "omega", "Omega", "item_analysis", "item_statistics", "minres_loadings", "reliability", "scale_items",
    "score_items", "score_knowledge", "confidence_gap", "score", "dif",
]
