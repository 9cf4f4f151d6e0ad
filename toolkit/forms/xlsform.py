"""The XLSForm for KoboToolbox/ODK: sheets ``survey``, ``choices`` and ``settings``.

One group per section (Kobo exports get paths like ``skills/prac_03``);
``relevant`` from the skip rules, ``required`` and ``constraint`` with messages
in every language.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from toolkit._validation import as_instrument, renamed_keywords
from toolkit.forms.languages import check_languages, default_language as _default, lang_column, phrases
from toolkit.instrument import Instrument, Item


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
        lo, hi = ("…" if v is None else f"{v:g}" for v in (item.min, item.max))  # a bound may be open
        msg = {lang: phrases(lang)["constraint_range"].format(lo=lo, hi=hi) for lang in instrument.languages}
        return " and ".join(parts), msg
    if item.type == "multiple":
        # missing codes and answers such as "None of these" stand alone
        rs = instrument.response_sets[item.response_set]
        alone = [*item.exclusive, *rs.missing_codes]
        if not alone:
            return None, {}
        any_alone = " or ".join(f"selected(., '{c}')" for c in alone)
        messages = {}
        for lang in instrument.languages:
            labels = [f"'{rs.label(c, lang=lang)}'" for c in alone]
            messages[lang] = phrases(lang)["constraint_multiple"].format(
                answers=", ".join(labels[:-1]) + f" {phrases(lang)['and']} " + labels[-1])
        return f"not(({any_alone}) and count-selected(.) > 1)", messages
    return None, {}


@renamed_keywords(inst="instrument")
def xlsform_sheets(instrument: Instrument | str, *, default_language: str | None = None) -> dict[str, pd.DataFrame]:
    """The three XLSForm sheets as DataFrames: survey, choices, settings.

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    default_language : str, optional
        The language a form shows first (``settings.default_language``); default
        English, or the instrument's first language if it has no English.

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
    default_language = check_languages(instrument, [default_language or _default(instrument),
                                                    *instrument.languages])[0]
    langs = instrument.languages
    label = {lang: f"label::{lang_column(lang)}" for lang in langs}
    hint = {lang: f"hint::{lang_column(lang)}" for lang in langs}
    cmsg = {lang: f"constraint_message::{lang_column(lang)}" for lang in langs}
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
        "default_language": lang_column(default_language),
        "allow_choice_duplicates": "no",
    }])
    return {"survey": survey, "choices": choices, "settings": settings}


@renamed_keywords(inst="instrument")
def write_xlsform(instrument: Instrument | str, path: str | os.PathLike, *,
                  default_language: str | None = None) -> Path:
    """Write the XLSForm ``.xlsx`` (convertible with pyxform, importable in KoboToolbox).

    Parameters
    ----------
    instrument : Instrument, bundled id or path
    path : str or path-like
        The ``.xlsx`` file to write.
    default_language : str, optional
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


__all__ = ["xlsform_sheets", "write_xlsform"]
