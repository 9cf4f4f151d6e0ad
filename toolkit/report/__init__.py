"""The report: Results -> a self-contained report.html and tables.xlsx, in English or Danish.

:func:`write_report` renders what :func:`toolkit.pipeline.run` returned,
computing nothing: a one-page summary of the key figures with their
confidence intervals in plain words, the method, weighting diagnostics, data
quality, the tables by group, the projection to districts, the map and
figures, the risk model, and the versions and SHA-256 of the input. Only
group-level tables reach it; every text is HTML-escaped (jinja2 autoescape).
Beside the page it writes ``tables.xlsx`` (one sheet per table),
``cleaned.parquet``, ``cleaning_log.csv`` and ``flags.csv``, each safely
(temporary file, then rename). :func:`pictures` draws the figures beforehand,
one at a time.

Examples
--------
>>> from toolkit.report import FILES
>>> FILES["report"], FILES["tables"]
('report.html', 'tables.xlsx')
"""

from toolkit.report._figures import Picture, pictures
from toolkit.report._files import FILES
from toolkit.report.triage import TRIAGE_FILE, triage_distribution, write_triage_table
from toolkit.report.write import render_html, write_report

__all__ = ["write_report", "render_html", "pictures", "Picture", "triage_distribution", "write_triage_table", "FILES",
           "TRIAGE_FILE"]
