"""Design-based survey estimation: a small, exact numpy core checked against R's ``survey``.

``Design`` holds weights, strata, clusters and fpc and gives means, totals,
ratios and proportions (overall or by domain) with linearised SEs, raking,
post-stratification, trimming and survey GLMs. Numbers agree with R's
``survey`` 4.1 (``svydesign``, ``svymean``, ``svytotal``, ``svyratio``,
``svyciprop``, ``svyquantile``, ``svyby``, ``rake``, ``postStratify``,
``trimWeights``, ``svyglm``); the fixtures and the R scripts that made them are in
``tests/results/survey_*``. This package knows nothing about questionnaires.

What is supported, and matched to R to 1e-8 or better in the tests:

* designs: stratified, one-stage cluster, and multistage (ultimate cluster
  without fpc; with one fpc per stage, R's multistage variance, split by
  stage with ``variance_by_stage``); clusters nested in strata; fpc as
  population sizes or sampling fractions; ``lonely_psu`` fail / remove /
  adjust / average / certainty, and ``adjust_domain_lonely``
  (``options(survey.adjust.domain.lonely)``);
* estimates: mean, total, ratio, proportion (every ``svyciprop`` interval),
  quantile (``svyquantile``: every ``interval.type`` and ``qrule``), overall
  or by one or more domains, with ``na_rm``, design effects and small-cell
  suppression (every table goes through :mod:`toolkit.disclosure`: a cell
  under ``min_cell`` respondents shows neither its estimate nor its count);
* calibration: ``rake`` (with R's stopping rule and raking variance),
  ``poststratify`` (also ``partial=True``), ``trim``, and weight diagnostics;
* models: gaussian, binomial and quasibinomial (logit), poisson and
  quasipoisson (log) survey GLMs with linearised sandwich covariance and t
  inference on ``degf - p + 1``.

Warnings (``toolkit.errors``) flag raking margins whose totals disagree,
separated logit fits, NaN design effects and ignored post-strata.

Not supported: replicate weights, PPS without replacement (Brewer/Overton),
GREG calibration (``calibrate``) and two-phase designs.

Examples
--------
>>> import pandas as pd
>>> from toolkit import survey
>>> df = pd.DataFrame({"y": [2.0, 4, 6, 8], "w": [1.0, 1, 2, 2], "psu": [1, 2, 3, 4]})
>>> survey.Design(df, weights="w", psu="psu").mean("y", min_cell=0)[["estimate", "n"]]
   estimate  n
0  5.666667  4
"""

from toolkit.survey.design import Design
from toolkit.survey.engines import EngineDesign
from toolkit.survey.glm import SurveyGLM
from toolkit.survey.weighting import RakeResult

# the two kinds of design make each other: wired here so neither module imports the other
Design.engine_class, EngineDesign.memory_class = EngineDesign, Design

__all__ = ["Design", "SurveyGLM", "RakeResult"]
