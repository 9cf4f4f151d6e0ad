"""Codebooks: Markdown per language, CSV with every language (from :meth:`Instrument.codebook`)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, renamed_keywords
from toolkit.forms.languages import one_language, phrases
from toolkit.instrument import Instrument
from toolkit.privacy import protect_formulas


def _md(text) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _own_missing(instrument: Instrument, lang: str) -> dict[str, str]:
    """Item -> its response set's missing codes in words, for items whose set overrides the instrument's."""
    out = {}
    for it in instrument.items:
        rs = instrument.response_set_of(it.id)
        if rs is not None and rs.missing != instrument.missing:
            out[it.id] = f"{phrases(lang)['missing']}: " + (
                "; ".join(f"{c.code}={c.label[lang]}" for c in rs.missing) or "-")
    return out


@renamed_keywords(inst="instrument")
def codebook_markdown(instrument: Instrument | str, *, lang: str | None = None) -> str:
    """The codebook as a Markdown document in one language.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    lang : str, optional
        The language of the document (one of the instrument's; default English,
        or the instrument's first language if it has no English).

    Returns
    -------
    str
        One table of items per section, then the scales and the outcomes.

    Examples
    --------
    >>> md = codebook_markdown("dis-screener", lang="da")
    >>> md.splitlines()[0].startswith("# Kodebog: "), "| bure_k4 |" in md
    (True, True)
    """
    instrument, lang, t = one_language(instrument, lang)
    cb = instrument.codebook()
    missing = "; ".join(f"{c.code} = {c.label[lang]}" for c in instrument.missing) or "-"
    own = _own_missing(instrument, lang)
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
            codes = "; ".join(c for c in (rd[f"codes_{lang}"], own.get(rd["variable"])) if isinstance(c, str) and c)
            cells = [rd["variable"], rd[f"label_{lang}"], rd["type"], codes, rd["domain"],
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
    if not instrument.outcomes:
        return "\n".join(lines) + "\n"
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


__all__ = ["codebook_markdown", "codebook_csv"]
