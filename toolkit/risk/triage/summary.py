"""A printable summary of one triage result, addressed to the respondent, in English or Danish.

The page says what might help, why (the reasons of the triage, in the chosen
language) and that it is a suggestion, not a decision. It carries no
identifier: only a name the helper passes explicitly, and nothing that links
it to other records. HTML is rendered by jinja2 with autoescaping.

Examples
--------
>>> import pandas as pd
>>> row = pd.Series({"category": "independent", "domain": pd.NA, "reasons": "", "rule_ids": "independent"})
>>> print(triage_summary(row, lang="da").splitlines()[0])
Det kan hjælpe dig
"""

from __future__ import annotations

import jinja2
import pandas as pd

from toolkit._validation import as_instrument, check_option
from toolkit.errors import OptionError
from toolkit.risk.triage.rules import CATEGORIES, PHRASES, default_rules_path, load_rules

_PAGE = {
    "en": {
        "title": "What might help you",
        "name": "Prepared for: {name}",
        "intro": "Based on your answers to the questions about digital contact with public authorities, "
                 "this is what we suggest.",
        "headline": "Our suggestion: {category}",
        "why": "Why we suggest this",
        "footer": "This is a suggestion, not a decision. You decide what help you want.",
    },
    "da": {
        "title": "Det kan hjælpe dig",
        "name": "Udarbejdet til: {name}",
        "intro": "Ud fra dine svar på spørgsmålene om digital kontakt med det offentlige foreslår vi følgende.",
        "headline": "Vores forslag: {category}",
        "why": "Derfor foreslår vi det",
        "footer": "Dette er et forslag, ikke en afgørelse. Du bestemmer selv, hvilken hjælp du vil have.",
    },
}

#: Per category and language: (short name, what it means for the respondent).
_ADVICE = {
    "en": {
        "offline_alternative": ("a way to do things without the internet",
                                "You can get letters from public authorities on paper and contact them by phone or "
                                "in person. If you are not yet exempt from Digital Post, you can ask about it at the "
                                "citizen service (Borgerservice)."),
        "assisted_digital": ("help from someone who does the task with you",
                             "Someone sits down with you and does the task together with you, for example at the "
                             "citizen service, the library or an IT volunteer. You can also give someone you trust "
                             "a power of attorney to help you."),
        "skills_training": ("a short course or some practice",
                            "Practise with a guide, for example at the library or in a local association. "
                            "It may help most to practise {domain}"),
        "occasional_advice": ("knowing where to ask",
                              "You manage most things yourself. It helps to know where to ask when something is new "
                              "or difficult: the library, the citizen service or an IT volunteer."),
        "independent": ("you seem to manage on your own",
                        "You seem to manage digital contact with public authorities yourself. If that changes, "
                        "help is always available at the library and at the citizen service."),
    },
    "da": {
        "offline_alternative": ("en måde at klare tingene på uden internettet",
                                "Du kan få breve fra det offentlige på papir og kontakte myndighederne på telefon "
                                "eller ved at møde op. Hvis du ikke allerede er fritaget for Digital Post, kan du "
                                "spørge om det i Borgerservice."),
        "assisted_digital": ("hjælp fra en, der løser opgaven sammen med dig",
                             "En person sætter sig sammen med dig og løser opgaven med dig, for eksempel i "
                             "Borgerservice, på biblioteket eller hos en it-frivillig. Du kan også give en, du "
                             "stoler på, fuldmagt til at hjælpe dig."),
        "skills_training": ("et kort kursus eller lidt øvelse",
                            "Øv dig sammen med en underviser, for eksempel på biblioteket eller i en lokal "
                            "forening. Det kan især være en god idé at øve {domain}"),
        "occasional_advice": ("at vide, hvor du kan spørge",
                              "Du klarer det meste selv. Det er en god hjælp at vide, hvor du kan spørge, når noget "
                              "er nyt eller svært: på biblioteket, i Borgerservice eller hos en it-frivillig."),
        "independent": ("det ser ud til, at du klarer dig selv",
                        "Det ser ud til, at du selv klarer din digitale kontakt med det offentlige. Hvis det "
                        "ændrer sig, kan du altid få hjælp på biblioteket og i Borgerservice."),
    },
}

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("toolkit.risk", "templates"), autoescape=True)


def _one_row(row) -> pd.Series:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise OptionError(f"row must be one row of a triage result; got {len(row)} rows")
        row = row.iloc[0]
    if not isinstance(row, pd.Series) or not {"category", "rule_ids"} <= set(row.index):
        raise OptionError("row must be one row of toolkit.risk.triage(...) (with category and rule_ids)")
    check_option(row["category"], "category", CATEGORIES)
    return row


def _reason_texts(instrument, rules, lang: str) -> dict[str, str]:
    if instrument is not None:
        return load_rules(rules, instrument).reason_texts(lang)
    texts: dict[str, str] = {}
    for iid in ("dis-full", "dis-screener"):
        texts.update(load_rules(rules or default_rules_path(), iid).reason_texts(lang))
    return texts


def _reasons(row: pd.Series, texts: dict[str, str], domain: str, lang: str) -> list[str]:
    """The reasons in ``lang`` from the rule ids (the row's own text if an id is not in the rules)."""
    out = []
    unsure = PHRASES["domain_unknown"][lang]
    for rid in filter(None, str(row["rule_ids"]).split("; ")):
        base = rid.removeprefix("unknown:")
        if base in PHRASES and base == rid:
            out.append(PHRASES[rid][lang])
        elif base in texts:
            text = texts[base].format(domain=domain if base == rid else unsure)
            out.append(PHRASES["unknown"][lang].format(reason=text) if base != rid else text)
        else:
            return [r for r in str(row.get("reasons", "")).split("; ") if r]
    return out


def _page(row: pd.Series, instrument, rules, lang: str, name: str | None) -> dict:
    words = _PAGE[lang]
    shown = as_instrument(instrument or "dis-screener")
    domain = row.get("domain")
    label = description = PHRASES["domain_unknown"][lang]
    if isinstance(domain, str) and domain in shown.domains:
        label = shown.domains[domain].label[lang]
        label = label[:1].lower() + label[1:]
        description = shown.domains[domain].description[lang]
        description = description[:1].lower() + description[1:]
    short, advice = _ADVICE[lang][row["category"]]
    return {
        "title": words["title"],
        "name": words["name"].format(name=name) if name else "",
        "intro": words["intro"],
        "headline": words["headline"].format(category=short),
        "advice": advice.format(domain=description),
        "why": words["why"],
        "reasons": _reasons(row, _reason_texts(instrument, rules, lang), label, lang),
        "footer": words["footer"],
    }


def triage_summary(row, instrument=None, *, lang: str = "en", rules=None, name: str | None = None,
                   output: str = "text") -> str:
    """A printable page for one respondent: what might help them, and why.

    Parameters
    ----------
    row : pd.Series or one-row pd.DataFrame
        One row of :func:`toolkit.risk.triage.triage`.
    instrument : Instrument, str or path, optional
        The instrument the triage used (its domain names and the rules' reason
        texts); default the bundled rules of both ``dis-full`` and ``dis-screener``.
    lang : {"en", "da"}
        Language of the page (independent of the language the triage used).
    rules : path or dict, optional
        The rules the triage used, if not the bundled ones.
    name : str, optional
        How to address the person, if the helper wants it on the page. Nothing
        else that identifies them is ever printed.
    output : {"text", "html"}
        Plain text, or a standalone HTML page (autoescaped).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"category": "skills_training", "domain": "navigation",
    ...                  "reasons": "...", "rule_ids": "low_domain"})
    >>> print(triage_summary(row))  # doctest: +NORMALIZE_WHITESPACE
    What might help you
    <BLANKLINE>
    Based on your answers to the questions about digital contact with public authorities, this is what we suggest.
    <BLANKLINE>
    Our suggestion: a short course or some practice
    Practise with a guide, for example at the library or in a local association. It may help most to practise
    finding the right page, judging whether a source can be trusted and spotting scams.
    <BLANKLINE>
    Why we suggest this:
    - low competence in one domain: information navigation
    <BLANKLINE>
    This is a suggestion, not a decision. You decide what help you want.
    >>> "&lt;b&gt;" in triage_summary(row, name="<b>Ann</b>", output="html")
    True
    """
    row = _one_row(row)
    check_option(lang, "lang", tuple(_PAGE))
    check_option(output, "output", ("text", "html"))
    page = _page(row, instrument, rules, lang, name)
    if output == "html":
        return _ENV.get_template("triage_summary.html").render(page=page, lang=lang)
    lines = [page["title"], ""] + ([page["name"], ""] if page["name"] else [])
    lines += [page["intro"], "", page["headline"], page["advice"], "", page["why"] + ":"]
    lines += [f"- {r}" for r in page["reasons"]] + ["", page["footer"]]
    return "\n".join(lines)
