"""Words on the figures: UI strings in English and Danish, and labels taken from the instrument."""

from __future__ import annotations

import re
import textwrap

import pandas as pd

from toolkit._validation import check_option

LANGUAGES = ("en", "da")

#: key -> (English, Danish)
UI = {
    "share": ("Share of residents", "Andel af borgerne"),
    "share_short": ("Share", "Andel"),
    "count": ("Residents", "Borgere"),
    "district": ("District", "Bydel"),
    "age_band": ("Age band", "Aldersgruppe"),
    "gender": ("Gender", "Køn"),
    "education": ("Education", "Uddannelse"),
    "home_lang": ("Language at home", "Sprog derhjemme"),
    "overall": ("All residents", "Alle borgere"),
    "suppressed": ("suppressed (n < {min_cell})", "skjult (n < {min_cell})"),
    "suppressed_short": ("suppressed", "skjult"),
    "unreliable": ("unreliable (CV > {cv})", "usikker (CV > {cv})"),
    "reliable": ("estimate with {conf} % CI", "estimat med {conf} %-konfidensinterval"),
    "missing": ("Missing answers", "Manglende svar"),
    "answers": ("Answers", "Svar"),
    "likert_title": ("Answers by domain (weighted shares)", "Svar efter område (vægtede andele)"),
    "likert_other_title": ("Attitudes (weighted shares)", "Holdninger (vægtede andele)"),
    "reverse": ("(R)", "(omvendt)"),
    "level": ("Level", "Niveau"),
    "low": ("Low", "Lav"),
    "basic": ("Basic", "Basal"),
    "above_basic": ("Above basic", "Over basal"),
    "competence_title": ("Competence levels by {by}", "Kompetenceniveau efter {by}"),
    "mean_gap": ("Mean confidence gap (SD)", "Gennemsnitlig selvtillidskløft (SD)"),
    "gap_note": ("self-report above knowledge ->", "selvvurdering over viden ->"),
    "underconfident": ("Underconfident", "Undervurderer sig selv"),
    "aligned": ("Aligned", "Stemmer overens"),
    "overconfident": ("Overconfident", "Overvurderer sig selv"),
    "gap_title": ("Self-report against knowledge", "Selvvurdering over for viden"),
    "exclusion_title": ("Digital exclusion by {by}", "Digital eksklusion efter {by}"),
    "projection_title": ("Residents who {outcome}: projected numbers", "Borgere, der {outcome}: fremskrevne antal"),
    "projection_y": ("Projected number of residents", "Fremskrevet antal borgere"),
    "direct": ("Direct (survey)", "Direkte (survey)"),
    "model": ("Model", "Model"),
    "fay_herriot": ("Fay-Herriot", "Fay-Herriot"),
    "preferred": ("preferred", "foretrukket"),
    "method": ("Method", "Metode"),
    "map_value": ("Estimate", "Estimat"),
    "map_width": ("Width of the {conf} % CI", "Bredde af {conf} %-konfidensintervallet"),
    "map_wide": ("hatched: wide interval", "skraveret: bredt interval"),
    "odds_ratio": ("Odds ratio ({conf} % CI, log scale)", "Oddsratio ({conf} %-KI, logaritmisk skala)"),
    "forest_title": ("Who needs help: odds ratios", "Hvem har brug for hjælp: oddsratioer"),
    "reference": ("reference", "reference"),
    "calibration_title": ("Calibration of the risk model", "Kalibrering af risikomodellen"),
    "predicted": ("Predicted risk", "Forudsagt risiko"),
    "observed": ("Observed share", "Observeret andel"),
    "in_sample": ("in sample", "i stikprøven"),
    "cross_validated": ("cross-validated", "krydsvalideret"),
    "by_group": ("By group", "Efter gruppe"),
    "overall_bins": ("Overall, by decile of predicted risk", "Samlet, efter decil af forudsagt risiko"),
    "smd": ("Standardised mean difference from the population", "Standardiseret forskel fra befolkningen"),
    "love_title": ("Balance of the auxiliaries", "Balance i hjælpevariablene"),
    "design": ("design weights", "designvægte"),
    "raked": ("raked weights", "rakede vægte"),
    "weight": ("Weight relative to the mean", "Vægt i forhold til gennemsnittet"),
    "respondents": ("Respondents", "Respondenter"),
    "weights_title": ("Distribution of the weights", "Fordeling af vægtene"),
    "deff": ("Kish design effect of weighting", "Kish-designeffekt af vægtningen"),
    "neff": ("Effective sample size", "Effektiv stikprøvestørrelse"),
    "deff_title": ("Design effect and effective sample size", "Designeffekt og effektiv stikprøvestørrelse"),
    "reliability": ("Reliability (alpha or KR-20, {conf} % CI)", "Reliabilitet (alfa eller KR-20, {conf} %-KI)"),
    "omega": ("omega total", "omega total"),
    "r_drop": ("Item-rest correlation", "Korrelation mellem item og resten af skalaen"),
    "quality_title": ("Reliability and item analysis", "Reliabilitet og itemanalyse"),
    "missing_title": ("Missing answers by item", "Manglende svar efter spørgsmål"),
    "missing_share": ("Share missing", "Andel manglende"),
    "dont_know": ("Don't know", "Ved ikke"),
    "refused": ("Refused", "Vil ikke svare"),
    "dont_understand": ("Don't understand", "Forstår ikke"),
    "not_applicable": ("Not applicable", "Ikke relevant"),
    "no_answer": ("No answer", "Intet svar"),
    "not_asked": ("Not asked (skip)", "Ikke stillet (spring)"),
    "triage_title": ("Suggested support", "Foreslået støtte"),
    "offline_alternative": ("Offline alternative", "Alternativ uden internet"),
    "assisted_digital": ("Assisted digital", "Hjælp til det digitale"),
    "skills_training": ("Skills training", "Kursus eller træning"),
    "occasional_advice": ("Occasional advice", "Råd en gang imellem"),
    "independent": ("Independent", "Klarer sig selv"),
    "self_report": ("self-report", "selvvurderet"),
    "knowledge": ("knowledge", "viden"),
}


def check_lang(lang: str) -> str:
    """``lang`` checked against the figure languages (the one message of ``check_option``)."""
    check_option(lang, "lang", LANGUAGES)
    return lang


def ui(key: str, lang: str, **fields) -> str:
    """A UI string in ``lang``; unknown keys come back humanised (``skills_training`` -> "Skills training")."""
    pair = UI.get(key)
    text = pair[LANGUAGES.index(lang)] if pair else str(key).replace("_", " ").capitalize()
    return text.format(**fields) if fields else text


def number(value: float, lang: str) -> str:
    """A whole number with thousands separators: 1,877 in English, 1.877 in Danish."""
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "da" else text


def wrap(text: str, width: int = 40) -> str:
    """Text wrapped onto lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def outcome_label(instrument, outcome: str, lang: str) -> str:
    """The outcome's label from the instrument, or its id."""
    spec = instrument.outcomes.get(outcome)
    return spec.label.get(lang, outcome) if spec is not None else outcome


def code_label(instrument, variable: str, value, lang: str) -> str:
    """The response-set label of ``value`` for ``variable`` (``education`` 2.0 -> "Upper secondary school")."""
    rs = instrument.response_set_of(variable) if variable in instrument.item_ids else None
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if rs is not None and pd.notna(number) and float(number).is_integer():
        for code in [*rs.codes, *rs.missing]:
            if code.code == int(number):
                return code.label.get(lang, str(value))
    return f"{number:g}" if pd.notna(number) else str(value)


def variable_label(variable: str, lang: str) -> str:
    """A grouping variable's name for an axis (``age_band`` -> "Age band")."""
    return ui(variable, lang)


def domain_label(instrument, domain: str, lang: str) -> str:
    """The domain's label from the instrument, or its id."""
    spec = instrument.domains.get(domain)
    return spec.label.get(lang, domain) if spec is not None else str(domain)


def scale_label(instrument, scale: str, lang: str) -> str:
    """"<domain>: self-report" for a scale, or its id."""
    spec = instrument.scales.get(scale)
    if spec is None:
        return str(scale)
    return f"{domain_label(instrument, spec.domain, lang)}: {ui(spec.kind, lang)}"


def term_parts(term: str) -> tuple[str, str] | None:
    """(variable, level) of a patsy term such as ``C(education)[T.2.0]``; None for the intercept."""
    match = re.fullmatch(r"C\((\w+)\)\[T\.(.+)\]", str(term))
    return (match.group(1), match.group(2)) if match else None
