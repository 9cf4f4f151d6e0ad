"""Model cards for fitted exclusion-risk models, in Markdown and self-contained HTML.

The card follows Mitchell et al. (2019), *Model Cards for Model Reporting*
(model details, intended use, factors, metrics, evaluation data, training
data, quantitative analyses, ethical considerations, caveats), and names the
TRIPOD+AI items (Collins et al. 2024) each section answers: source of data,
participants, outcome, predictors, sample size, missing data, analysis
methods, performance with confidence intervals, fairness across groups,
limitations and intended use.

One set of sections is built from the fitted model and rendered by a jinja2
template per format; the HTML template has autoescaping on and carries its
own styles, so the page loads nothing from elsewhere. The card holds only
aggregate figures (every table already went through
:mod:`toolkit.disclosure`), never a respondent's id or risk.
"""

from __future__ import annotations

import datetime
import re
from importlib import resources

import jinja2
import markupsafe
import numpy as np
import pandas as pd

import toolkit
from toolkit._validation import check_option
from toolkit.risk.performance import category_key

FORMATS = ("markdown", "html")
_TEMPLATES = {"markdown": "model_card.md.j2", "html": "model_card.html.j2"}

__all__ = ["render_card", "FORMATS"]

PURPOSE = ("Estimate, for planning, how many residents in a group or a district are likely to have the "
           "outcome, so that a municipality can size assisted-digital support (citizen service desks, "
           "courses, outreach, paper alternatives) where it is needed. The model is applied to population "
           "cells (combinations of demographics from a population table), not to people.")
USERS = ("Municipal planners, analysts and digital-inclusion coordinators who publish group-level figures; "
         "researchers checking those figures.")
GROUP_LEVEL = (
    "Denmark has already seen where person-level risk scoring leads. Plesner (2022), *Denmark review study: "
    "the Danish digital journey and case studies*, section 7.3 (experiments with immature technologies), "
    "describes a predictive "
    "algorithm that was to generate risk profiles of potentially vulnerable children from data points such "
    "as place of residence, missed dentist's appointments, parents' divorce and mental-health diagnoses; it "
    "was heavily criticised for not being GDPR compliant and was abandoned. The municipality's model scored "
    "families from linked registers, with points for mental illness, missed doctor's and dentist's "
    "appointments and unemployment, and was paused in 2019 for "
    "lack of legal basis. This model therefore serves group-level planning only: it describes groups, its "
    "inputs are demographics a population table also holds, and it is never used to score, rank or select "
    "individual residents. Person-level output exists only as triage for the person being helped, with "
    "their consent, and is never linked to other records.")
NOT_INTENDED = [
    "scoring, ranking or flagging individual residents, or producing lists of people at risk;",
    "any decision about a person: eligibility, exemption from Digital Post, case selection, control or sanctions;",
    "linking predictions to respondent ids, registers or other records;",
    "inferring an individual's competence, health or circumstances from their demographics;",
    "use on a population or an outcome it was not fitted and validated for without new validation.",
]
LIMITATIONS = [
    "The predictors are demographics: the model separates groups moderately and says little about any one "
    "person within a group.",
    "Associations, not causes: an odds ratio does not say that changing a characteristic changes the risk.",
    "The outcome is self-reported in a survey; people who are most excluded may also be least likely to "
    "answer, which the weights correct only as far as the weighting variables reach.",
    "Respondents with a missing outcome or predictor are left out (complete cases).",
    "The in-sample AUC and calibration are optimistic; quote the cross-validated figures. Design-based "
    "intervals treat the predicted risks as fixed.",
    "Groups with few respondents are suppressed in every table (small-cell rule), and the figures of "
    "small groups that are shown are uncertain: read their intervals.",
]


def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float | np.floating) and not np.isfinite(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:.{digits}f}"
    return str(value)


def _interval(row, est: str, low: str, high: str, digits: int = 3) -> str:
    if row.get("suppressed", False):
        return "suppressed"
    if not np.isfinite(row[est]):
        return "not estimable"
    text = _fmt(row[est], digits)
    return f"{text} ({_fmt(row[low], digits)} to {_fmt(row[high], digits)})" if np.isfinite(row[low]) else text


def _table(caption: str, columns: list[str], rows: list[list]) -> dict:
    return {"caption": caption, "columns": columns, "rows": [[_fmt(v) for v in r] for r in rows]}


def _outcome_text(model, lang: str) -> list[str]:
    inst = model.instrument_
    outcome = inst.outcomes.get(model.outcome) if inst is not None else None
    if outcome is None:
        return [f"Column `{model.outcome}` of the data: 1 if the respondent has the outcome, 0 if not."]
    label = outcome.label.get(lang) or outcome.label.get("en", model.outcome)
    text = [f"{label} (`{model.outcome}`), defined by the rule `{outcome.rule}` of instrument "
            f"{inst.id} version {inst.version}."]
    if outcome.description:
        text.append(outcome.description.get(lang) or outcome.description.get("en", ""))
    return text


def _weighting_text(model) -> str:
    d = model._design
    parts = [f"weights from column `{d.weights_col}`" if d.weights_col else "equal weights"]
    if d.strata_col:
        parts.append(f"{len(d.strata_labels)} strata (`{d.strata_col}`)")
    if d.psu_cols:
        parts.append(f"clusters `{', '.join(d.psu_cols)}`")
    if d.plan is not None:
        parts.append("weights calibrated (raked) to population margins")
    return "Survey design: " + "; ".join(parts) + f"; {d.degf} design degrees of freedom."


def _data_section(model, lang: str, source: str | None) -> dict:
    predictors = [[p, "categorical" if p in model.categorical_ else "numeric",
                   ", ".join(map(category_key, model.levels_.get(p, []))),
                   model.table_.loc[model.table_["variable"] == p, "reference"].dropna().iloc[0]
                   if p in model.categorical_ else ""] for p in model.predictors]
    return {"title": "Data, outcome and predictors (TRIPOD+AI 5-8, 11)",
            "paragraphs": [f"Source: {source or 'not recorded'}.",
                           f"Respondents in the fit: {model.n_} of {model._design.n} "
                           "(those with the outcome and every predictor; the others are left out).",
                           _weighting_text(model), "Outcome:", *_outcome_text(model, lang)],
            "tables": [_table("Predictors (categorical ones as treatment contrasts against the reference level)",
                              ["predictor", "type", "levels", "reference"], predictors)]}


def _model_section(model) -> dict:
    rows = [[r["term"] if pd.isna(r["level"]) else f"{r['variable']} = {r['level']} (vs {r['reference']})",
             _interval(r, "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"),
             "< 0.001" if r["p"] < 0.001 else _fmt(r["p"])] for _, r in model.table_.iterrows()]
    return {"title": "Model (TRIPOD+AI 12, 16)",
            "paragraphs": [f"Survey-weighted logistic regression (R's svyglm, quasibinomial) `{model.formula_}`, "
                           "fitted by pseudo-maximum likelihood with design-based (linearised) standard errors.",
                           "Average marginal effects are in `marginal_effects_`."],
            "tables": [_table(f"Odds ratios ({model.conf_level:.0%} CI)", ["term", "odds ratio (CI)", "p"], rows)]}


def _performance_section(model) -> dict:
    level = f"{model.conf_level:.0%}"
    disc = [[r["predictions"], r["n"], _interval(r, "estimate", "ci_low", "ci_high")]
            for _, r in model.discrimination_.iterrows()]
    tables = [_table(f"AUC with design-based {level} CI", ["predictions", "n", "AUC (CI)"], disc)]
    if len(model.calibration_by_group_):
        cv = model.calibration_by_group_[model.calibration_by_group_["predictions"] == "cross_validated"]
        rows = [[r["variable"], category_key(r["level"]), r["n"], _interval(r, "auc", "auc_ci_low", "auc_ci_high"),
                 _interval(r, "citl", "citl_ci_low", "citl_ci_high"),
                 _interval(r, "slope", "slope_ci_low", "slope_ci_high"),
                 "suppressed" if r["suppressed"] else _fmt(r["brier"])] for _, r in cv.iterrows()]
        tables.append(_table("By group, cross-validated predictions",
                             ["group", "level", "n", "AUC (CI)", "calibration in the large (CI)",
                              "calibration slope (CI)", "Brier"], rows))
    return {"title": "Performance overall and by group (TRIPOD+AI 12e, 23a)",
            "paragraphs": [f"Discrimination is the design-weighted AUC; its {level} interval is linearised "
                           "through the survey design (strata, clusters, calibration), not bootstrapped. The "
                           f"cross-validated figures come from {model.cv_folds} folds of whole PSUs dealt out "
                           "within strata, refitting the model on the other folds each time.",
                           "A group whose AUC or calibration stands apart from the others is a group for "
                           "which the model's planning figures are less trustworthy."],
            "tables": tables}


def _calibration_section(model) -> dict:
    rows = [[r["predictions"], _fmt(r["observed"]), _fmt(r["expected"]),
             _interval(r, "citl", "citl_ci_low", "citl_ci_high"),
             _interval(r, "slope", "slope_ci_low", "slope_ci_high"), _fmt(r["brier"])]
            for _, r in model.calibration_.iterrows()]
    table = model.calibration_table_[model.calibration_table_["predictions"] == "cross_validated"]
    deciles = [[r["bin"], r["n"], _fmt(r["predicted"]), _interval(r, "observed", "ci_low", "ci_high")]
               for _, r in table.iterrows()]
    return {"title": "Calibration (TRIPOD+AI 12e, 23a)",
            "paragraphs": ["Calibration in the large is the weighted mean outcome minus the mean predicted risk "
                           "(0 is perfect); the calibration slope is that of a survey-weighted logistic "
                           "recalibration on the logit of the predicted risk (1 is perfect, below 1 means "
                           "predictions too extreme)."],
            "tables": [_table("Overall", ["predictions", "observed", "expected", "calibration in the large (CI)",
                                          "slope (CI)", "Brier"], rows),
                       _table("By decile of predicted risk, cross-validated",
                              ["decile", "n", "mean predicted", "observed (CI)"], deciles)]}


def _context(model, lang: str, source: str | None) -> dict:
    sections = [
        {"title": "Model details", "paragraphs": [
            f"Exclusion-risk model for `{model.outcome}`, fitted {datetime.date.today().isoformat()} with the "
            f"Digital Inclusion Toolkit {toolkit.__version__} (`toolkit.risk.ExclusionRiskModel`)."]},
        {"title": "Intended use (TRIPOD+AI 3, 4)", "paragraphs": [f"Purpose: {PURPOSE}", f"Intended users: {USERS}"]},
        {"title": "Why group-level planning only", "paragraphs": [GROUP_LEVEL]},
        _data_section(model, lang, source), _model_section(model), _performance_section(model),
        _calibration_section(model),
        {"title": "Limitations (TRIPOD+AI 26)", "bullets": LIMITATIONS},
        {"title": "Uses that are not intended", "bullets": NOT_INTENDED},
    ]
    return {"title": f"Model card: exclusion-risk model for {model.outcome}", "sections": sections,
            "references": ["Mitchell M. et al. (2019). Model Cards for Model Reporting. FAT* '19.",
                           "Plesner U. (2022). Denmark review study: the Danish digital journey and case "
                           "studies. SA-EU Strategic Partnership Dialogue Facility.",
                           "Collins G.S. et al. (2024). TRIPOD+AI statement. BMJ 385:e078378."]}


def _inline_html(text) -> markupsafe.Markup:
    """The Markdown inline marks the card uses (`code`, *emphasis*) as HTML, after escaping the text."""
    html = str(markupsafe.escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    return markupsafe.Markup(re.sub(r"\*([^*\s][^*]*)\*", r"<em>\1</em>", html))


def _environment(fmt: str) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["inline"] = _inline_html
    return env


def render_card(model, *, lang: str = "en", format: str = "markdown", source: str | None = None) -> str:
    """Render the model card of a fitted :class:`~toolkit.risk.model.ExclusionRiskModel`.

    Parameters
    ----------
    model : ExclusionRiskModel
        A fitted model.
    lang : str, default "en"
        Language of the instrument's outcome label and description (the
        card's own text is English).
    format : {"markdown", "html"}
        Markdown text, or one self-contained HTML page (jinja2, autoescaped).
    source : str, optional
        Where the data came from (a survey and its fieldwork dates, say).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.risk.model import ExclusionRiskModel
    >>> data = pd.DataFrame({"x": ["a", "b"] * 20, "y": [0, 1, 1, 0, 1] * 8})
    >>> model = ExclusionRiskModel(outcome="y", predictors=["x"], by=["x"], cv_folds=2).fit(data)
    >>> "## Uses that are not intended" in render_card(model)
    True
    """
    check_option(format, "format", FORMATS)
    languages = model.instrument_.languages if model.instrument_ is not None else ("en",)
    check_option(lang, "lang", languages)
    text = resources.files("toolkit.risk").joinpath("templates", _TEMPLATES[format]).read_text("utf-8")
    return _environment(format).from_string(text).render(**_context(model, lang, source))
