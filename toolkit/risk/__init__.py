"""Exclusion risk: outcomes, the inclusion index, triage, the risk model and small-area estimates.

* :func:`outcomes` -- the instrument's declared outcomes per respondent (missing
  where the answers cannot decide, never silently False).
* :func:`inclusion_index`, :func:`band_shares`, :func:`index_sensitivity` -- the
  0-100 Digital Inclusion Index declared in the instrument, its ADII-style bands
  with design-based shares, and a Monte Carlo over its methodological choices.
* :func:`triage`, :func:`triage_summary`, :func:`validate_screener` -- one
  support recommendation per respondent with its reasons, a printable page
  for the person being helped, and the screener checked against the full survey.
* :class:`ExclusionRiskModel` -- a survey-weighted logistic model of an outcome
  on demographics, validated (design-based AUC, calibration overall and by
  group) and documented by a model card; for group-level planning only.
* :class:`FayHerriot` -- area-level small-area estimation (EBLUPs with
  Prasad–Rao / Datta–Lahiri MSE), matching R's ``metafor::rma`` likelihood and
  ``sae::mseFH``.
* :func:`project` -- district shares and counts: the demographic model's
  projection, the direct estimate and their Fay–Herriot composite, side by side.
"""

from toolkit.risk.fay_herriot import FayHerriot
from toolkit.risk.index import InclusionIndex, band_shares, inclusion_index
from toolkit.risk.model import ExclusionRiskModel
from toolkit.risk.outcomes import outcomes
from toolkit.risk.project import project
from toolkit.risk.sensitivity import IndexSensitivity, index_sensitivity
from toolkit.risk.triage import ScreenerValidation, load_rules, triage, triage_summary, validate_screener

__all__ = ["outcomes", "inclusion_index", "InclusionIndex", "band_shares", "index_sensitivity", "IndexSensitivity",
           "triage", "triage_summary", "validate_screener", "ScreenerValidation", "load_rules",
           "ExclusionRiskModel", "FayHerriot", "project"]
