"""Every word of the report that does not come from the instrument, in English and Danish.

Labels of outcomes, groups and scales come from the instrument; what is here
is the report's own text: headings, explanations, column names and the plain
sentence for each of the bundled outcomes. A string with ``{name}`` fields is
formatted by the caller.
"""

from __future__ import annotations

LANGUAGES = ("en", "da")

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Digital inclusion report",
        "lead": "{title}: results from {n} respondents (instrument {instrument}, version {version}).",
        "contents": "Contents",
        "summary_h": "Summary",
        "summary_raked": "Key figures from {n} survey respondents, weighted to match the population table "
                         "(raking) so that they describe all residents.",
        "summary_design": "Key figures from {n} survey respondents, weighted by the sampling design only.",
        "ci_explained": "The range in brackets is the {conf} confidence interval (CI): the true share lies "
                        "within it with {conf} confidence.",
        "sentence": "About {pct} of residents ({conf} CI {ci}) {phrase}.",
        "sentence_generic": "{label}: about {pct} of residents ({conf} CI {ci}).",
        "sentence_suppressed": "{label}: {suppressed}.",
        "no_population": "Raking and projection were skipped: no population table was given. The estimates use "
                         "the design weights only, and there are no district projections.",
        "unstable": "Pseudonyms are not stable across runs: no key was set in the environment variable {env}, so "
                    "a random key was drawn for this run. The pseudonyms in cleaned.parquet and flags.csv "
                    "cannot be linked to those of another run.",
        "unreliable_note": "† Unreliable: the coefficient of variation is above {cv}, so the sampling error is "
                           "large relative to the estimate. Use with caution.",
        "suppressed": "suppressed (n\u00a0<\u00a0{min_cell})",
        "suppressed_note": "Cells based on fewer than {min_cell} respondents are suppressed to protect privacy, "
                           "and so are cells from which a suppressed one could be worked out.",
        "methods_h": "Method",
        "design": "Each respondent carries the design weight in the column {weights}; strata: {strata}; "
                  "clusters (PSU): {psu}. Standard errors are linearised (Taylor series), as in R's survey "
                  "package.",
        "design_equal": "Respondents carry equal weights; strata: {strata}; clusters (PSU): {psu}. Standard "
                        "errors are linearised (Taylor series), as in R's survey package.",
        "none": "none",
        "raking": "The weights were raked (iterative proportional fitting) to the margins of the population "
                  "table: {margins}. Where a respondent lacked a raking variable, it was imputed from a random "
                  "respondent of the same district (hot-deck; {imputed} cells).",
        "shares": "Shares are design-based proportions with logit confidence intervals at the {conf} level, "
                  "as R's svyciprop.",
        "rules": "A figure whose coefficient of variation (standard error divided by the estimate) is above "
                 "{cv} is marked †. Cells based on fewer than {min_cell} respondents are suppressed.",
        "reliability_h": "Reliability of the scales",
        "reliability": "Cronbach's alpha for the self-report scales and KR-20 for the knowledge tests; 0.7 or "
                       "more is usually taken as acceptable for group comparisons.",
        "model_method": "A survey-weighted logistic regression of “{outcome}” on {predictors}. It serves "
                        "planning at group level only and never scores individual residents.",
        "projection_method": "District figures come in three versions: the direct survey estimate, the model "
                             "estimate (the model applied to the district's population) and a Fay–Herriot "
                             "combination of the two. The preferred figure is marked ✓.",
        "weighting_h": "Weighting diagnostics",
        "weighting": "A design effect of weighting near 1 and a Kish effective sample size near n mean that "
                     "the weights cost little precision.",
        "quality_h": "Data quality",
        "quality": "{rows_read} rows were read and {rows_analysed} analysed; {duplicates} duplicate submissions "
                   "were left out. Flagged respondents stay in the analysis. Every changed cell is listed in "
                   "cleaning_log.csv and the quality flags of every respondent in flags.csv.",
        "changes_h": "Changes made by cleaning",
        "flags_h": "Quality flags",
        "estimates_h": "Estimates by group",
        "estimates": "Share of residents with each outcome and its {conf} confidence interval. The n, "
                     "standard error and coefficient of variation of every cell are in tables.xlsx.",
        "all_residents": "All residents",
        "projection_h": "Projection to districts",
        "projection_skipped": "No projection: no population table was given.",
        "figures_h": "Figures",
        "map_h": "Map",
        "map_none": "No map: no district GeoJSON was given.",
        "map_source": "District boundaries from {name}.",
        "model_h": "Risk model",
        "model_card_language": "",
        "model_none": "No risk model was fitted.",
        "model_table": "Odds ratios of the survey-weighted logistic regression of “{outcome}”, with {conf} "
                       "confidence intervals. An odds ratio above 1 means a higher risk than the reference group.",
        "triage_h": "Support needs (triage)",
        "triage": "Number of respondents in each support category.",
        "about_h": "About this report",
        "toolkit_version": "Toolkit version",
        "instrument_version": "Instrument",
        "input_sha256": "SHA-256 of the input file",
        "input_unknown": "not recorded (the input was not a file)",
        "settings": "Settings",
        "settings_text": "confidence level {conf}; small-cell threshold {min_cell}; CV threshold {cv}",
        "files": "Files",
        "files_text": "tables.xlsx (every table), cleaned.parquet, cleaning_log.csv, flags.csv",
        "generated": "Made with the Digital Inclusion Toolkit.",
    },
    "da": {
        "title": "Rapport om digital inklusion",
        "lead": "{title}: resultater fra {n} besvarelser (spørgeskema {instrument}, version {version}).",
        "contents": "Indhold",
        "summary_h": "Sammenfatning",
        "summary_raked": "De vigtigste tal fra {n} besvarelser, vægtet så de svarer til befolkningstabellen "
                         "(raking) og dermed beskriver alle borgere.",
        "summary_design": "De vigtigste tal fra {n} besvarelser, kun vægtet efter stikprøvedesignet.",
        "ci_explained": "Intervallet i parentes er {conf}-konfidensintervallet (KI): den sande andel ligger inden "
                        "for det med {conf} sikkerhed.",
        "sentence": "Omkring {pct} af borgerne ({conf}-KI {ci}) {phrase}.",
        "sentence_generic": "{label}: omkring {pct} af borgerne ({conf}-KI {ci}).",
        "sentence_suppressed": "{label}: {suppressed}.",
        "no_population": "Raking og fremskrivning er sprunget over: der blev ikke angivet nogen befolkningstabel. "
                         "Estimaterne bruger kun designvægtene, og der er ingen fremskrivning til bydele.",
        "unstable": "Pseudonymerne er ikke stabile på tværs af kørsler: der var ingen nøgle i miljøvariablen "
                    "{env}, så der blev trukket en tilfældig nøgle til denne kørsel. Pseudonymerne i "
                    "cleaned.parquet og flags.csv kan ikke kobles til dem fra en anden kørsel.",
        "unreliable_note": "† Usikkert: variationskoefficienten er over {cv}, så den statistiske usikkerhed er "
                           "stor i forhold til estimatet. Brug tallet med forsigtighed.",
        "suppressed": "skjult (n\u00a0<\u00a0{min_cell})",
        "suppressed_note": "Celler med færre end {min_cell} respondenter er skjult af hensyn til "
                           "fortroligheden, og det samme gælder celler, som en skjult celle ellers kunne "
                           "regnes ud fra.",
        "methods_h": "Metode",
        "design": "Hver respondent har designvægten i kolonnen {weights}; strata: {strata}; klynger (PSU): {psu}. "
                  "Standardfejlene er beregnet ved linearisering (Taylor-rækker) som i R-pakken survey.",
        "design_equal": "Alle respondenter vægtes ens; strata: {strata}; klynger (PSU): {psu}. Standardfejlene "
                        "er beregnet ved linearisering (Taylor-rækker) som i R-pakken survey.",
        "none": "ingen",
        "raking": "Vægtene er kalibreret med raking (iterativ proportional tilpasning) til befolkningstabellens "
                  "marginaler: {margins}. Manglede en respondent en raking-variabel, blev værdien hentet fra en "
                  "tilfældig respondent i samme bydel (hot-deck; {imputed} celler).",
        "shares": "Andelene er designbaserede andele med logit-konfidensintervaller på {conf}-niveau, som "
                  "svyciprop i R.",
        "rules": "Et tal, hvis variationskoefficient (standardfejlen divideret med estimatet) er over {cv}, er "
                 "markeret med †. Celler med færre end {min_cell} respondenter er skjult.",
        "reliability_h": "Skalaernes reliabilitet",
        "reliability": "Cronbachs alfa for selvvurderingsskalaerne og KR-20 for videnstestene; 0,7 eller mere "
                       "regnes normalt for acceptabelt ved sammenligning af grupper.",
        "model_method": "En surveyvægtet logistisk regression af “{outcome}” på {predictors}. Den bruges kun til "
                        "planlægning på gruppeniveau og giver aldrig enkelte borgere en score.",
        "projection_method": "Tallene for bydelene findes i tre udgaver: det direkte estimat fra undersøgelsen, "
                             "modelestimatet (modellen anvendt på bydelens befolkning) og en Fay–Herriot-"
                             "kombination af de to. Det foretrukne tal er markeret med ✓.",
        "weighting_h": "Vægtning",
        "weighting": "En designeffekt af vægtningen tæt på 1 og en effektiv stikprøvestørrelse (Kish) tæt på n "
                     "betyder, at vægtene kun koster lidt præcision.",
        "quality_h": "Datakvalitet",
        "quality": "{rows_read} rækker blev indlæst og {rows_analysed} analyseret; {duplicates} dobbelte "
                   "besvarelser blev udeladt. Markerede respondenter indgår stadig i analysen. Alle ændrede "
                   "celler står i cleaning_log.csv og alle respondenters kvalitetsmarkeringer i flags.csv.",
        "changes_h": "Ændringer ved datarensningen",
        "flags_h": "Kvalitetsmarkeringer",
        "estimates_h": "Estimater efter gruppe",
        "estimates": "Andelen af borgere med hvert udfald og dens {conf}-konfidensinterval. Antal, standardfejl "
                     "og variationskoefficient for hver celle står i tables.xlsx.",
        "all_residents": "Alle borgere",
        "projection_h": "Fremskrivning til bydele",
        "projection_skipped": "Ingen fremskrivning: der blev ikke angivet nogen befolkningstabel.",
        "figures_h": "Figurer",
        "map_h": "Kort",
        "map_none": "Intet kort: der blev ikke angivet nogen GeoJSON-fil med bydelene.",
        "map_source": "Bydelsgrænser fra {name}.",
        "model_h": "Risikomodel",
        "model_card_language": "Modelkortet nedenfor findes indtil videre kun på engelsk.",
        "model_none": "Der er ikke tilpasset nogen risikomodel.",
        "model_table": "Oddsratioer fra den surveyvægtede logistiske regression af “{outcome}” med "
                       "{conf}-konfidensintervaller. En oddsratio over 1 betyder en højere risiko end i "
                       "referencegruppen.",
        "triage_h": "Støttebehov (triage)",
        "triage": "Antal respondenter i hver støttekategori.",
        "about_h": "Om rapporten",
        "toolkit_version": "Værktøjets version",
        "instrument_version": "Spørgeskema",
        "input_sha256": "SHA-256 af inputfilen",
        "input_unknown": "ikke registreret (input var ikke en fil)",
        "settings": "Indstillinger",
        "settings_text": "konfidensniveau {conf}; grænse for små celler {min_cell}; grænse for "
                         "variationskoefficient {cv}",
        "files": "Filer",
        "files_text": "tables.xlsx (alle tabeller), cleaned.parquet, cleaning_log.csv, flags.csv",
        "generated": "Lavet med Digital Inclusion Toolkit.",
    },
}

#: the plain-words ending of the summary sentence of each bundled outcome
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "offline": "have not used the internet in the last three months",
        "exempt": "are exempt from Digital Post",
        "needs_help": "needed help with digital public services in the last year",
        "low_practical": "have low practical-technical competence (using devices, apps and MitID)",
        "low_cognitive": "have low social and cognitive competence (reading and writing on screen)",
        "low_navigation": "have low competence in finding and judging information online",
        "low_bureaucratic": "have low bureaucratic competence (knowing how the public sector works)",
    },
    "da": {
        "offline": "har ikke brugt internettet inden for de seneste tre måneder",
        "exempt": "er fritaget for Digital Post",
        "needs_help": "har haft brug for hjælp til digitale offentlige løsninger inden for det seneste år",
        "low_practical": "har lav praktisk-teknisk kompetence (at bruge enheder, apps og MitID)",
        "low_cognitive": "har lav social og kognitiv kompetence (at læse og skrive på en skærm)",
        "low_navigation": "har lav kompetence i at finde og vurdere information på nettet",
        "low_bureaucratic": "har lav bureaukratisk kompetence (at kende til, hvordan det offentlige fungerer)",
    },
}

#: names of reporting groups (``by``) and of columns shown in the tables
NAMES: dict[str, dict[str, str]] = {
    "en": {
        "district": "District", "age_band": "Age band", "gender": "Gender", "education": "Education",
        "home_lang": "Language at home", "group": "Group", "outcome": "Outcome", "method": "Method",
        "share": "Share ({conf} CI)", "count": "Residents ({conf} CI)", "n": "Respondents",
        "population": "Population", "preferred": "Preferred", "direct": "Direct estimate",
        "model": "Model", "fay_herriot": "Fay–Herriot", "weighting": "Weights", "design": "Design weights",
        "raked": "Raked weights", "sum": "Sum", "min": "Smallest", "max": "Largest", "mean": "Mean",
        "cv": "Coefficient of variation", "max_min_ratio": "Largest / smallest",
        "kish_neff": "Effective n (Kish)", "deff_weighting": "Design effect of weighting",
        "converged": "Converged", "sweeps": "Sweeps", "max_margin_error": "Largest margin error",
        "scale": "Scale", "coefficient": "Coefficient", "value": "Value ({conf} CI)", "omega_total": "Omega",
        "n_items": "Items", "what": "What", "cells": "Count", "term": "Term", "odds_ratio": "Odds ratio ({conf} CI)",
        "p": "p", "intercept": "Intercept (reference group)", "category": "Category", "yes": "yes", "no": "no",
        "alpha": "alpha", "kr20": "KR-20",
        # cleaning totals: rows, rules, flags
        "input": "Rows read", "output": "Rows after cleaning", "dropped": "Rows dropped",
        "label_to_code": "Answer labels turned into codes", "decimal_comma": "Decimal commas read as numbers",
        "recode_multiple": "Multiple-choice answers put in order",
        "missing_code": "Missing-answer codes (don't know, refused) set to missing",
        "out_of_range": "Values outside the allowed range removed", "invalid_value": "Unreadable values removed",
        "not_asked": "Answers to questions not asked (skip rules) removed", "pii_cpr": "CPR numbers removed",
        "pii_email": "E-mail addresses removed", "pii_phone": "Phone numbers removed",
        "pseudonymise": "Respondent ids pseudonymised", "drop_flagged": "Flagged rows dropped",
        "duplicate_id": "Duplicate submissions (same id)", "duplicate_answers": "Same answers as another submission",
        "speeder": "Completed implausibly fast", "straightlining": "Same answer down a whole grid",
        "too_many_missing": "Too many unanswered questions", "failed_check": "Failed an attention check",
        "flagged": "Respondents with at least one flag",
        # triage categories
        "offline_alternative": "Needs an offline route (paper, phone, in person)",
        "assisted_digital": "Assisted digital: someone does the task with them",
        "skills_training": "Skills training in one domain", "occasional_advice": "Occasional advice",
        "independent": "Manages alone",
    },
    "da": {
        "district": "Bydel", "age_band": "Aldersgruppe", "gender": "Køn", "education": "Uddannelse",
        "home_lang": "Sprog i hjemmet", "group": "Gruppe", "outcome": "Udfald", "method": "Metode",
        "share": "Andel ({conf}-KI)", "count": "Borgere ({conf}-KI)", "n": "Respondenter",
        "population": "Befolkning", "preferred": "Foretrukket", "direct": "Direkte estimat",
        "model": "Model", "fay_herriot": "Fay–Herriot", "weighting": "Vægte", "design": "Designvægte",
        "raked": "Kalibrerede vægte", "sum": "Sum", "min": "Mindste", "max": "Største", "mean": "Gennemsnit",
        "cv": "Variationskoefficient", "max_min_ratio": "Største / mindste",
        "kish_neff": "Effektivt n (Kish)", "deff_weighting": "Designeffekt af vægtningen",
        "converged": "Konvergeret", "sweeps": "Gennemløb", "max_margin_error": "Største afvigelse fra marginal",
        "scale": "Skala", "coefficient": "Koefficient", "value": "Værdi ({conf}-KI)", "omega_total": "Omega",
        "n_items": "Spørgsmål", "what": "Hvad", "cells": "Antal", "term": "Led",
        "odds_ratio": "Oddsratio ({conf}-KI)", "p": "p", "intercept": "Konstant (referencegruppe)",
        "category": "Kategori", "yes": "ja", "no": "nej", "alpha": "alfa", "kr20": "KR-20",
        "input": "Rækker indlæst", "output": "Rækker efter rensning", "dropped": "Rækker udeladt",
        "label_to_code": "Svartekster omsat til koder", "decimal_comma": "Decimalkommaer læst som tal",
        "recode_multiple": "Flervalgssvar sat i rækkefølge",
        "missing_code": "Koder for manglende svar (ved ikke, vil ikke svare) sat til manglende",
        "out_of_range": "Værdier uden for det tilladte interval fjernet", "invalid_value": "Ulæselige værdier fjernet",
        "not_asked": "Svar på spørgsmål, der ikke blev stillet (springregler), fjernet",
        "pii_cpr": "CPR-numre fjernet", "pii_email": "E-mailadresser fjernet", "pii_phone": "Telefonnumre fjernet",
        "pseudonymise": "Respondent-id'er pseudonymiseret", "drop_flagged": "Markerede rækker udeladt",
        "duplicate_id": "Dobbelte besvarelser (samme id)", "duplicate_answers": "Samme svar som en anden besvarelse",
        "speeder": "Usandsynligt hurtigt besvaret", "straightlining": "Samme svar i et helt spørgsmålsbatteri",
        "too_many_missing": "For mange ubesvarede spørgsmål", "failed_check": "Fejlet et kontrolspørgsmål",
        "flagged": "Respondenter med mindst én markering",
        "offline_alternative": "Har brug for en analog vej (papir, telefon, personligt fremmøde)",
        "assisted_digital": "Assisteret digital: en anden løser opgaven sammen med dem",
        "skills_training": "Undervisning inden for ét kompetenceområde", "occasional_advice": "Vejledning efter behov",
        "independent": "Klarer sig selv",
    },
}
