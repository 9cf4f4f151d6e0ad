"""Exclusion risk: outcomes, the inclusion index, triage, the risk model and small-area estimates.

* :class:`FayHerriot` -- area-level small-area estimation (EBLUPs with
  Prasad–Rao / Datta–Lahiri MSE), matching R's ``metafor::rma`` likelihood and
  ``sae::mseFH``.
* :func:`project` -- district shares and counts: the demographic model's
  projection, the direct estimate and their Fay–Herriot composite, side by side.
"""

from toolkit.risk.fay_herriot import FayHerriot
from toolkit.risk.project import project

__all__ = ["FayHerriot", "project"]
