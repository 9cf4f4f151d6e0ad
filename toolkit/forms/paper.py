"""The printable paper form: numbered questions with tick boxes, skip instructions in words, a print stylesheet."""

from __future__ import annotations

import jinja2
import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, renamed_keywords
from toolkit.forms.languages import one_language
from toolkit.instrument import Instrument

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
def paper_html(instrument: Instrument | str, *, lang: str | None = None) -> str:
    """The printable paper form in one language, as an HTML string.

    Questions are numbered in questionnaire order; skip rules become
    instructions in words ("If “No”, go to question 7") that agree with the
    XLSForm ``relevant`` expressions.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    lang : str, optional
        One of the instrument's languages (default English, or the
        instrument's first language if it has no English).

    Returns
    -------
    str
        A complete HTML page with a print stylesheet.

    Examples
    --------
    >>> page = paper_html("dis-full", lang="en")
    >>> "If “No”, go to question 7." in page and "@media print" in page
    True
    """
    instrument, lang, t = one_language(instrument, lang)
    numbers = question_numbers(instrument)
    routes = _routes(instrument, numbers)

    def describe_var(var: str, _lang: str) -> str:
        return f"{t['question']} {numbers[var]}" if var in numbers else var

    def describe_value(var: str, value, _lang: str) -> str:
        rs = instrument.response_set_of(var) if var in numbers else None
        if rs is not None and isinstance(value, int):
            return _quote(rs.label(value, lang=lang))
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
                f" {t['between']} {item.min:g} {t['and']} {item.max:g}." if None not in (item.min, item.max) else "."),
                "text": t["write"]}.get(item.type, t["tick_one"])
            condition = None
            if item.rule is not None:
                words = item.rule.words(lang=lang, describe_var=describe_var, describe_value=describe_value)
                condition = f"{t['answer_only_if']} {words}."
            questions.append({
                "number": numbers[iid], "type": item.type, "text": item.text[lang],
                "hint": item.hint[lang] if item.hint else None, "howto": howto, "condition": condition,
                "options": options, "routes": route_lines,
            })
        sections.append({"id": section.id, "label": section.label[lang], "questions": questions})
    return _PAPER.render(instrument=instrument, lang=lang, t=t, title=instrument.title[lang], sections=sections)


__all__ = ["paper_html", "question_numbers"]
