"""Exclusion risk: outcomes, the inclusion index, triage, the risk model and small-area estimates.

* :func:`outcomes` -- the instrument's declared outcomes per respondent (missing
  where the answers cannot decide, never silently False).
* :func:`inclusion_index`, :func:`band_shares`, :func:`index_sensitivity` -- the
  0-100 Digital Inclusion Index declared in the instrument, its ADII-style bands
  with design-based shares, and a Monte Carlo over its methodological choices.
* :class:`FayHerriot` -- area-level small-area estimation (EBLUPs with
  Prasad–Rao / Datta–Lahiri MSE), matching R's ``metafor::rma`` likelihood and
  ``sae::mseFH``.
* :func:`project` -- district shares and counts: the demographic model's
  projection, the direct estimate and their Fay–Herriot composite, side by side.
"""

from toolkit.risk.fay_herriot import FayHerriot
from toolkit.risk.index import InclusionIndex, band_shares, inclusion_index
from toolkit.risk.outcomes import outcomes
from toolkit.risk.project import project
from toolkit.risk.sensitivity import IndexSensitivity, index_sensitivity

__all__ = ["outcomes", "inclusion_index", "InclusionIndex", "band_shares", "index_sensitivity", "IndexSensitivity",
           "FayHerriot", "project"]
