"""Design-based survey estimation: a small, exact numpy core checked against R's ``survey``.

``Design`` holds weights, strata, clusters and fpc and gives means, totals,
ratios and proportions (overall or by domain) with linearised SEs, raking,
post-stratification, trimming and survey GLMs. Numbers agree with R's
``survey`` 4.1 (``svydesign``, ``svymean``, ``svytotal``, ``svyratio``,
``svyciprop``, ``svyby``, ``rake``, ``postStratify``, ``trimWeights``,
``svyglm``); the fixtures and the R scripts that made them are in
``tests/results/survey_*``. This package knows nothing about questionnaires.

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
from toolkit.survey.glm import SurveyGLM
from toolkit.survey.weighting import RakeResult

__all__ = ["Design", "SurveyGLM", "RakeResult"]
