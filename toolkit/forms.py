"""Build forms from an instrument: XLSForm for KoboToolbox/ODK, printable HTML, codebooks.

Everything is derived from the one YAML definition, so the web form, the
paper form and the codebook cannot drift apart. Every output carries the
instrument id and version.

* :func:`xlsform_sheets` / :func:`write_xlsform` - sheets ``survey``, ``choices``,
  ``settings``; one group per section (Kobo exports get paths like
  ``skills/prac_03``); ``relevant`` from the skip rules, ``required`` and
  ``constraint``.
* :func:`paper_html` - numbered questions with tick boxes, skip instructions
  in words ("If No, go to question 14") and a print stylesheet.
* :func:`codebook_markdown` and :meth:`Instrument.codebook` (CSV).
* :func:`build` - writes any of these into a folder, all or nothing.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, check_option, renamed_keywords
from toolkit.errors import OutputError
from toolkit.instrument import Instrument, Item, available_instruments
from toolkit.privacy import protect_formulas

FORMATS = ("xlsform", "html", "codebook")
LANGUAGE_NAMES = {"en": "English", "da": "Dansk"}

# text key -> (English, Danish)
_PHRASES = {
    "question": ("question", "spørgsmål"),
    "answer_only_if": ("Answer only if", "Besvares kun hvis"),
    "if": ("If", "Hvis"),
    "go_to": ("go to question", "gå til spørgsmål"),
    "go_to_end": ("go to the end of the questionnaire", "gå til slutningen af skemaet"),
    "tick_one": ("Tick one box.", "Sæt ét kryds."),
    "tick_all": ("Tick all boxes that apply.", "Sæt kryds ved alle, der passer."),
    "write": ("Write your answer.", "Skriv dit svar."),
    "number": ("Write a number", "Skriv et tal"),
    "version": ("version", "version"),
    "instrument": ("instrument", "skema"),
    "end": ("Thank you for your answers.", "Tak for dine svar."),
    "intro": ("Tick one box per question unless the question says otherwise. Arrows (→) tell you which question "
              "to answer next.",
              "Sæt ét kryds ved hvert spørgsmål, medmindre andet er angivet. Pile (→) viser, hvilket spørgsmål du "
              "skal besvare næste gang."),
    "between": ("between", "mellem"),
    "and": ("and", "og"),
    "codebook": ("Codebook", "Kodebog"),
    "asked_if": ("asked if", "stilles hvis"),
    "missing": ("Missing codes", "Koder for manglende svar"),
    "key": ("key", "facit"),
    "constraint_multiple": ("{answers} cannot be combined with other answers.",
                            "{answers} kan ikke kombineres med andre svar."),
    "constraint_range": ("Enter a number from {lo} to {hi}.", "Skriv et tal fra {lo} til {hi}."),
}
_TEXT = {lang: {key: texts[i] for key, texts in _PHRASES.items()} for i, lang in enumerate(("en", "da"))}


def _t(lang: str) -> dict[str, str]:
    return _TEXT.get(lang, _TEXT["en"])


def _lang_column(lang: str) -> str:
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


@renamed_keywords(inst="instrument")
def check_languages(instrument: Instrument | str, languages: Iterable[str] | None) -> list[str]:
    """The languages to build (all of the instrument's by default); one it lacks raises OptionError.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    languages : iterable of str, optional
        Language codes; None means every language of the instrument.

    Returns
    -------
    list of str
        The languages, each once, in the order given.

    Examples
    --------
    >>> check_languages("dis-full", None)
    ['en', 'da']
    >>> check_languages("dis-full", ["fr"])
    Traceback (most recent call last):
    ...
    toolkit.errors.OptionError: language of instrument 'dis-full' must be one of 'en', 'da'; got 'fr'
    """
    instrument = as_instrument(instrument)
    langs = list(dict.fromkeys(languages or instrument.languages))
    for lang in langs:
        check_option(lang, f"language of instrument {instrument.id!r}", instrument.languages)
    return langs


# --------------------------------------------------------------------------- XLSForm
def _xls_type(item: Item) -> str:
    if item.type == "multiple":
        return f"select_multiple {item.response_set}"
    if item.response_set is not None:
        return f"select_one {item.response_set}"
    return {"numeric": "integer", "text": "text"}[item.type]


def _constraint(instrument: Instrument, item: Item) -> tuple[str | None, dict[str, str]]:
    if item.type == "numeric" and (item.min is not None or item.max is not None):
        parts = ([f". >= {item.min:g}"] if item.min is not None else []) + (
            [f". <= {item.max:g}"] if item.max is not None else [])
        msg = {lang: _t(lang)["constraint_range"].format(lo=f"{item.min:g}", hi=f"{item.max:g}")
               for lang in instrument.languages}
        return " and ".join(parts), msg
    if item.type == "multiple":
        # missing codes and answers such as "None of these" stand alone
        rs = instrument.response_sets[item.response_set]
        alone = [*item.exclusive, *instrument.missing_codes]
        any_alone = " or ".join(f"selected(., '{c}')" for c in alone)
        messages = {}
        for lang in instrument.languages:
            labels = [f"'{rs.label(c, lang)}'" for c in alone]
            messages[lang] = _t(lang)["constraint_multiple"].format(
                answers=", ".join(labels[:-1]) + f" {_t(lang)['and']} " + labels[-1])
        return f"not(({any_alone}) and count-selected(.) > 1)", messages
    return None, {}


@renamed_keywords(inst="instrument")
def xlsform_sheets(instrument: Instrument | str, *, default_language: str = "en") -> dict[str, pd.DataFrame]:
    """The three XLSForm sheets as DataFrames: survey, choices, settings.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    default_language : str
        The language a form shows first (``settings.default_language``).

    Returns
    -------
    dict of str -> pd.DataFrame
        ``survey`` (one group per section, then the items), ``choices`` and ``settings``.

    Examples
    --------
    >>> sheets = xlsform_sheets("dis-screener")
    >>> sheets["survey"].set_index("name").loc["prac_02", ["type", "required"]].tolist()
    ['select_one describes_me', 'yes']
    >>> sheets["settings"]["version"].item()
    '1.0.0'
    """
    instrument = as_instrument(instrument)
    (default_language,) = check_languages(instrument, [default_language])
    langs = instrument.languages
    label = {lang: f"label::{_lang_column(lang)}" for lang in langs}
    hint = {lang: f"hint::{_lang_column(lang)}" for lang in langs}
    cmsg = {lang: f"constraint_message::{_lang_column(lang)}" for lang in langs}
    rows: list[dict[str, str]] = [
        # the version travels with every submission, so every export says which form produced it
        {"type": "calculate", "name": "instrument_version", "calculation": f"'{instrument.version}'"},
    ]
    for section in instrument.sections:
        rows.append({"type": "begin_group", "name": section.id,
                     **{label[lang]: section.label[lang] for lang in langs}})
        for iid in section.item_ids:
            item = instrument.item(iid)
            constraint, messages = _constraint(instrument, item)
            row = {
                "type": _xls_type(item),
                "name": item.id,
                **{label[lang]: item.text[lang] for lang in langs},
                "required": "yes" if item.required else "",
                "relevant": item.rule.xlsform() if item.rule is not None else "",
                "constraint": constraint or "",
                "appearance": "likert" if item.type == "likert" else "",
            }
            if item.hint:
                row.update({hint[lang]: item.hint[lang] for lang in langs})
            row.update({cmsg[lang]: messages[lang] for lang in messages})
            rows.append(row)
        rows.append({"type": "end_group", "name": section.id})
    columns = ["type", "name", *label.values(), *hint.values(), "required", "relevant", "constraint",
               *cmsg.values(), "appearance", "calculation"]
    survey = pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns)

    used = list(dict.fromkeys(it.response_set for it in instrument.items if it.response_set))
    choices = pd.DataFrame(
        [{"list_name": name, "name": str(c.code), **{label[lang]: c.label[lang] for lang in langs}}
         for name in used for c in (*instrument.response_sets[name].codes, *instrument.response_sets[name].missing)],
        columns=["list_name", "name", *label.values()],
    )
    settings = pd.DataFrame([{
        "form_title": instrument.title[default_language],
        "form_id": instrument.id.replace("-", "_"),
        "version": instrument.version,
        "default_language": _lang_column(default_language),
        "allow_choice_duplicates": "no",
    }])
    return {"survey": survey, "choices": choices, "settings": settings}


@renamed_keywords(inst="instrument")
def write_xlsform(instrument: Instrument | str, path: str | os.PathLike, *, default_language: str = "en") -> Path:
    """Write the XLSForm ``.xlsx`` (convertible with pyxform, importable in KoboToolbox).

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    path : str or path-like
        The ``.xlsx`` file to write.
    default_language : str
        See :func:`xlsform_sheets`.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_xlsform("dis-screener", Path(tmp) / "screener.xlsx")
    ...     sorted(pd.read_excel(path, sheet_name=None, engine="calamine"))
    ['choices', 'settings', 'survey']
    """
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, sheet in xlsform_sheets(instrument, default_language=default_language).items():
            sheet.to_excel(writer, sheet_name=name, index=False)
    return path


# --------------------------------------------------------------------------- paper form
_PAPER = jinja2.Template("""<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ title }} ({{ instrument.id }} {{ instrument.version }})</title>
<meta name="generator" content="Digital Inclusion Toolkit: {{ instrument.id }} {{ instrument.version }}">
<style>
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 12pt; line-height: 1.4; max-width: 48em;
       margin: 2em auto; color: #000; }
header { border-bottom: 2px solid #000; margin-bottom: 1em; }
.meta { font-size: 9pt; color: #444; }
h2 { font-size: 14pt; margin-top: 1.5em; border-bottom: 1px solid #888; }
.q { margin: 0.9em 0; page-break-inside: avoid; break-inside: avoid; }
.qtext { font-weight: bold; }
.num { display: inline-block; min-width: 2.2em; }
.hint, .howto { font-size: 10pt; font-style: italic; color: #333; margin-left: 2.2em; }
.cond { font-size: 10pt; font-style: italic; margin-left: 2.2em; border-left: 3px solid #888; padding-left: 0.4em; }
ul.opts { list-style: none; margin: 0.3em 0 0 2.2em; padding: 0; }
ul.opts li { margin: 0.15em 0; }
ul.opts li.miss { font-size: 10pt; color: #333; }
.box { display: inline-block; width: 0.9em; height: 0.9em; border: 1.5px solid #000; margin-right: 0.5em;
       vertical-align: -0.1em; }
.code { font-size: 8pt; color: #666; margin-left: 0.4em; }
.route { font-weight: bold; margin-left: 0.5em; }
.routes { margin-left: 2.2em; font-weight: bold; font-size: 10pt; }
.write { margin-left: 2.2em; border-bottom: 1px solid #000; height: 1.6em; width: 8em; }
.lines { margin-left: 2.2em; }
.lines div { border-bottom: 1px solid #000; height: 1.8em; }
footer { margin-top: 2em; border-top: 1px solid #000; font-size: 9pt; }
@page { size: A4; margin: 15mm 15mm 18mm 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .code { color: #999; }
}
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="meta">{{ t.instrument }} {{ instrument.id }}, {{ t.version }} {{ instrument.version }}</p>
<p>{{ t.intro }}</p>
</header>
{% for section in sections %}
<section id="{{ section.id }}">
<h2>{{ section.label }}</h2>
{% for q in section.questions %}
<div class="q" id="q{{ q.number }}">
<div class="qtext"><span class="num">{{ q.number }}.</span>{{ q.text }}</div>
{% if q.condition %}<div class="cond">{{ q.condition }}</div>{% endif %}
{% if q.hint %}<div class="hint">{{ q.hint }}</div>{% endif %}
{% if q.howto %}<div class="howto">{{ q.howto }}</div>{% endif %}
{% if q.options %}
<ul class="opts">
{% for o in q.options %}<li{% if o.missing %} class="miss"{% endif %}><span class="box"></span>{{ o.label -}}
    <span class="code">{{ o.code }}</span>
    {%- if o.route %}<span class="route">→ {{ o.route }}</span>{% endif %}</li>
{% endfor %}</ul>
{% elif q.type == "numeric" %}<div class="write"></div>
{% else %}<div class="lines"><div></div><div></div><div></div></div>
{% endif %}
{% for r in q.routes %}<div class="routes">{{ r }}</div>{% endfor %}
</div>
{% endfor %}
</section>
{% endfor %}
<footer><p>{{ t.end }}</p><p class="meta">{{ instrument.id }} {{ instrument.version }} ({{ lang }})</p></footer>
</body>
</html>
""", autoescape=True, trim_blocks=True, lstrip_blocks=True)


@renamed_keywords(inst="instrument")
def question_numbers(instrument: Instrument | str) -> dict[str, int]:
    """Paper-form question number of each item (1, 2, ... in questionnaire order).

    Parameters
    ----------
    instrument : Instrument, bundled id or path

    Returns
    -------
    dict of item id -> int

    Examples
    --------
    >>> numbers = question_numbers("dis-full")
    >>> numbers["devices"], numbers["eid"]
    (1, 7)
    """
    return {iid: n for n, iid in enumerate(as_instrument(instrument).item_ids, start=1)}


def _routes(instrument: Instrument, numbers: dict[str, int]) -> dict[str, dict[int, int | None]]:
    """For each gate question: answer code -> the question to go to (None = end of the form).

    A gate is a question followed by a run of questions whose skip rules refer
    to it alone. The rules are evaluated on one row per answer code, so the
    routing in words always agrees with the XLSForm ``relevant`` expressions.
    """
    items, routes = instrument.items, {}
    for i, gate in enumerate(items):
        if gate.response_set is None or gate.type == "multiple":
            continue
        j = i + 1
        while j < len(items) and items[j].rule is not None and items[j].rule.variables() == {gate.id}:
            j += 1
        block = items[i + 1:j]
        if not block:
            continue
        rs = instrument.response_sets[gate.response_set]
        codes = [c.code for c in (*rs.codes, *rs.missing)]
        frame = pd.DataFrame({gate.id: np.array(codes, dtype=float)})
        asked = np.column_stack([instrument.relevant(frame, it.id).to_numpy() for it in block])
        target = numbers[items[j].id] if j < len(items) else None
        routes[gate.id] = {code: target for code, skip in zip(codes, ~asked.any(axis=1), strict=True) if skip}
    return routes


def _quote(text: str) -> str:
    return f"“{text}”"


@renamed_keywords(inst="instrument")
def paper_html(instrument: Instrument | str, lang: str = "en") -> str:
    """The printable paper form in one language, as an HTML string.

    Questions are numbered in questionnaire order; skip rules become
    instructions in words ("If “No”, go to question 7") that agree with the
    XLSForm ``relevant`` expressions.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    lang : str
        One of the instrument's languages.

    Returns
    -------
    str
        A complete HTML page with a print stylesheet.

    Examples
    --------
    >>> page = paper_html("dis-full", "en")
    >>> "If “No”, go to question 7." in page and "@media print" in page
    True
    """
    instrument = as_instrument(instrument)
    (lang,) = check_languages(instrument, [lang])
    t = _t(lang)
    numbers = question_numbers(instrument)
    routes = _routes(instrument, numbers)

    def describe_var(var: str, _lang: str) -> str:
        return f"{t['question']} {numbers[var]}" if var in numbers else var

    def describe_value(var: str, value, _lang: str) -> str:
        rs = instrument.response_set_of(var) if var in numbers else None
        if rs is not None and isinstance(value, int):
            return _quote(rs.label(value, lang))
        return str(value)

    def go(target: int | None) -> str:
        return f"{t['go_to']} {target}" if target is not None else t["go_to_end"]

    sections = []
    for section in instrument.sections:
        questions = []
        for iid in section.item_ids:
            item = instrument.item(iid)
            rs = instrument.response_set_of(iid)
            item_routes = routes.get(iid, {})
            options, route_lines = [], []
            if rs is not None:
                options = [{"label": c.label[lang], "code": c.code, "missing": c in rs.missing,
                            "route": go(item_routes[c.code]) if c.code in item_routes else None}
                           for c in (*rs.codes, *rs.missing)]
                by_target: dict[int | None, list[str]] = {}
                for c in rs.codes:
                    if c.code in item_routes:
                        by_target.setdefault(item_routes[c.code], []).append(_quote(c.label[lang]))
                for target, labels in by_target.items():
                    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" {t['and']} " + labels[-1]
                    route_lines.append(f"{t['if']} {joined}, {go(target)}.")
            howto = {"multiple": t["tick_all"], "numeric": t["number"] + (
                f" {t['between']} {item.min:g} {t['and']} {item.max:g}." if item.min is not None else "."),
                "text": t["write"]}.get(item.type, t["tick_one"])
            condition = None
            if item.rule is not None:
                condition = f"{t['answer_only_if']} {item.rule.words(lang, describe_var, describe_value)}."
            questions.append({
                "number": numbers[iid], "type": item.type, "text": item.text[lang],
                "hint": item.hint[lang] if item.hint else None, "howto": howto, "condition": condition,
                "options": options, "routes": route_lines,
            })
        sections.append({"id": section.id, "label": section.label[lang], "questions": questions})
    return _PAPER.render(instrument=instrument, lang=lang, t=t, title=instrument.title[lang], sections=sections)


# --------------------------------------------------------------------------- codebook
def _md(text) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


@renamed_keywords(inst="instrument")
def codebook_markdown(instrument: Instrument | str, lang: str = "en") -> str:
    """The codebook as a Markdown document in one language.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    lang : str
        One of the instrument's languages.

    Returns
    -------
    str
        One table of items per section, then the scales and the outcomes.

    Examples
    --------
    >>> md = codebook_markdown("dis-screener", "da")
    >>> "| bure_k4 |" in md and "Kodebog" in md
    True
    """
    instrument = as_instrument(instrument)
    (lang,) = check_languages(instrument, [lang])
    t = _t(lang)
    cb = instrument.codebook()
    missing = "; ".join(f"{c.code} = {c.label[lang]}" for c in instrument.missing)
    lines = [
        f"# {t['codebook']}: {instrument.title[lang]}",
        "",
        f"{t['instrument']} `{instrument.id}`, {t['version']} `{instrument.version}`. {t['missing']}: {missing}.",
        "",
    ]
    header = ["variable", "question", "type", "codes", "domain", "reverse", "scale", t["key"], t["asked_if"]]
    for section in instrument.sections:
        lines += [f"## {_md(section.label[lang])} (`{section.id}`)", "",
                  "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in cb[cb["section"] == section.id].itertuples(index=False):
            rd = row._asdict()
            cells = [rd["variable"], rd[f"label_{lang}"], rd["type"], rd[f"codes_{lang}"], rd["domain"],
                     "yes" if rd["reverse"] else "", rd["scale"],
                     "" if pd.isna(rd["correct"]) else rd["correct"], rd["relevant"]]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines.append("")
    lines += ["## Scales", "", "| scale | domain | kind | method | items | min_valid | levels |",
              "|---|---|---|---|---|---|---|"]
    for s in instrument.scales.values():
        levels = ", ".join(f"{k} ≥ {v:g}" for k, v in s.levels.items())
        lines.append(f"| {s.id} | {s.domain or ''} | {s.kind} | {s.method} | {' '.join(s.items)} | "
                     f"{s.min_valid} | {levels} |")
    lines += ["", "## Outcomes", "", "| outcome | label | rule |", "|---|---|---|"]
    for o in instrument.outcomes.values():
        lines.append(f"| {o.id} | {_md(o.label[lang])} | `{_md(o.rule)}` |")
    return "\n".join(lines) + "\n"


@renamed_keywords(inst="instrument")
def codebook_csv(instrument: Instrument | str) -> str:
    """The codebook as CSV text (all languages; text protected against spreadsheet formulas).

    The last two columns, ``instrument`` and ``instrument_version``, say which
    form the file describes once it travels on its own.

    Parameters
    ----------
    instrument : Instrument, bundled id or path

    Returns
    -------
    str
        :meth:`Instrument.codebook` as CSV.

    Examples
    --------
    >>> text = codebook_csv("dis-screener")
    >>> text.splitlines()[0].split(",")[:4]
    ['variable', 'section', 'kobo_path', 'domain']
    """
    instrument = as_instrument(instrument)
    book = instrument.codebook().assign(instrument=instrument.id, instrument_version=instrument.version)
    return protect_formulas(book).to_csv(index=False)


# --------------------------------------------------------------------------- build
def _check_formats(formats: str | Sequence[str]) -> list[str]:
    wanted = [formats] if isinstance(formats, str) else list(formats)
    for fmt in wanted or [""]:
        check_option(fmt, "form format", (*FORMATS, "all"))
    return list(FORMATS) if "all" in wanted else list(dict.fromkeys(wanted))


def _render(instrument: Instrument, formats: list[str], langs: list[str]) -> dict[str, str | None]:
    """File name -> text content (None for the XLSForm, written separately)."""
    files: dict[str, str | None] = {}
    if "xlsform" in formats:
        files[f"{instrument.id}.xlsx"] = None
    if "html" in formats:
        for lang in langs:
            files[f"{instrument.id}.{lang}.html"] = paper_html(instrument, lang)
    if "codebook" in formats:
        files[f"{instrument.id}.codebook.csv"] = codebook_csv(instrument)
        for lang in langs:
            files[f"{instrument.id}.codebook.{lang}.md"] = codebook_markdown(instrument, lang)
    return files


def build(instruments: str | Instrument | Sequence[str | Instrument], formats: str | Sequence[str] = "all",
          languages: Sequence[str] | None = None, out: str | os.PathLike = "built-forms") -> list[Path]:
    """Build forms for one or more instruments into ``out``, all or nothing.

    Parameters
    ----------
    instruments : id, path, Instrument, "all", or a list of these
        ``"all"`` builds every bundled instrument.
    formats : "xlsform", "html", "codebook", "all", or a list
    languages : list of language codes, optional
        For the paper forms and Markdown codebooks (the XLSForm and the CSV
        codebook always hold every language). Default: all of them.
    out : folder
        Created if needed. Files are written to a temporary folder beside it
        and moved in only when every file is complete, so a failure leaves
        nothing half-written.

    Returns
    -------
    list of Path, the files written.

    Raises
    ------
    UnknownInstrumentError
        Unknown instrument (the message lists the bundled ones).
    OptionError
        A language the instrument lacks or an unknown format (the message lists the choices).
    OutputError
        ``out`` cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in build("dis-screener", "codebook", ["en"], d)]
    ['dis-screener.codebook.csv', 'dis-screener.codebook.en.md']
    """
    if isinstance(instruments, str | Instrument):
        instruments = [instruments]
    expanded: list[str | Instrument] = []
    for i in instruments:
        expanded.extend(available_instruments() if i == "all" else [i])
    insts = [as_instrument(i) for i in expanded]
    fmts = _check_formats(formats)
    plans = [(instrument, _render(instrument, fmts, check_languages(instrument, languages))) for instrument in insts]
    return _publish(plans, Path(out))


def _publish(plans: list[tuple[Instrument, dict[str, str | None]]], out: Path) -> list[Path]:
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".ditk-build-", dir=out))
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None
    written = []
    try:
        for instrument, files in plans:
            for name, text in files.items():
                target = tmp / name
                if text is None:
                    write_xlsform(instrument, target)
                else:
                    target.write_text(text, encoding="utf-8")
        for _, files in plans:
            for name in files:
                os.replace(tmp / name, out / name)
                written.append(out / name)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise OutputError(f"cannot write forms to {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not written:
            shutil.rmtree(out, ignore_errors=True)
    return written


__all__ = ["FORMATS", "build", "xlsform_sheets", "write_xlsform", "paper_html", "codebook_markdown",
           "codebook_csv", "question_numbers", "check_languages"]
