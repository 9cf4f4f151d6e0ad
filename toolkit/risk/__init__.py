"""Exclusion risk: outcomes, the inclusion index, triage, the risk model and small-area estimates.

* :class:`FayHerriot` -- area-level small-area estimation (EBLUPs with
  Prasad–Rao / Datta–Lahiri MSE), matching R's ``metafor::rma`` likelihood and
  ``sae::mseFH``.
"""

from toolkit.risk.fay_herriot import FayHerriot

__all__ = ["FayHerriot"]
