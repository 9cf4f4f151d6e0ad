"""Survey designs out of core (DuckDB over Parquet) and on a cluster (dask), with in-memory results.

``survey.Design("big.parquet", weights=..., strata=..., psu=..., engine="duckdb")``
and ``survey.Design(dask_frame, ...)`` return an :class:`EngineDesign`. Every
design-based estimate reduces to sums over cells of respondents (stratum x PSU
x domain x level x raking margin), which the engine computes with ``GROUP BY``
(DuckDB SQL over ``read_parquet``; pandas per dask partition, added up); the
numpy core of :mod:`toolkit.survey` finishes from those sums
(:mod:`toolkit.survey.engines.design`). A GLM's IRLS reduces to ``X'WX`` and
``X'Wz`` per iteration and its sandwich to per-PSU score sums, computed chunk
by chunk (:mod:`toolkit.survey.engines.glm`). The one reduction interface with
its three implementations (pandas, DuckDB, dask) is
:mod:`toolkit.survey.engines._sources`.

=====================  ==========  ==========  ==========
method                 memory      duckdb      dask
=====================  ==========  ==========  ==========
mean, total, ratio     yes         yes         yes
proportion             yes         yes         yes
glm                    yes         yes         yes
rake, poststratify     yes         yes         yes
quantile, trim         yes         no          no
update                 yes         no          no
variance_by_stage      yes         no          no
weight_summary         yes         no          no
no psu (SRS rows)      yes         no          no
=====================  ==========  ==========  ==========

DuckDB and dask are the optional ``scale`` extra; they are imported only when
an engine is used.

Examples
--------
>>> import pandas as pd
>>> from toolkit import survey
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "p": [1, 1, 2, 2]})
>>> survey.Design(df, psu="p", engine="memory").mean("y", min_cell=0)["estimate"].tolist()
[2.5]
"""

from toolkit.survey.engines._sources import duckdb_connection
from toolkit.survey.engines.design import EngineDesign

__all__ = ["EngineDesign", "duckdb_connection"]
