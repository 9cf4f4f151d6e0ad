"""The languages of the forms: the phrases every form prints, in English and Danish, and the language check.

An instrument may be in any languages; its questions and answers are printed
in each of them. The phrases the forms add of their own (tick-box
instructions, skip directions, codebook headings, constraint messages) exist
in English and Danish only: a form in another language prints them in
English, and :func:`check_languages`, which every form goes through, says so
once in a :class:`~toolkit.errors.ToolkitWarning`.

Examples
--------
>>> phrases("da")["go_to"]
'gå til spørgsmål'
>>> lang_column("da")
'Dansk (da)'
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Iterator

from toolkit._validation import as_instrument, check_option, renamed_keywords
from toolkit.errors import ToolkitWarning
from toolkit.instrument import Instrument

#: Names of languages in XLSForm column headers (``label::Norsk bokmål (nb)``); others show their code.
LANGUAGE_NAMES = {"en": "English", "da": "Dansk", "nb": "Norsk bokmål", "nn": "Norsk nynorsk", "sv": "Svenska",
                  "de": "Deutsch", "fr": "Français", "es": "Español", "nl": "Nederlands", "fi": "Suomi",
                  "pl": "Polski", "pt": "Português", "it": "Italiano"}
#: Languages with their own printed phrases; every other language prints the English ones.
PHRASE_LANGUAGES = ("en", "da")

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
_TEXT = {lang: {key: texts[i] for key, texts in _PHRASES.items()} for i, lang in enumerate(PHRASE_LANGUAGES)}


def phrases(lang: str) -> dict[str, str]:
    """The printed phrases in ``lang`` (English for a language without its own).

    Examples
    --------
    >>> phrases("en")["tick_one"], phrases("fr")["tick_one"]
    ('Tick one box.', 'Tick one box.')
    """
    return _TEXT.get(lang, _TEXT["en"])


def lang_column(lang: str) -> str:
    """The XLSForm column suffix of a language, e.g. ``English (en)``.

    Examples
    --------
    >>> lang_column("en"), lang_column("nb"), lang_column("se")
    ('English (en)', 'Norsk bokmål (nb)', 'se (se)')
    """
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


@renamed_keywords(inst="instrument")
def check_languages(instrument: Instrument | str, languages: Iterable[str] | None) -> list[str]:
    """The languages to build (all of the instrument's by default); one it lacks raises OptionError.

    A language without the forms' own phrases (any but English and Danish)
    gets a :class:`~toolkit.errors.ToolkitWarning` saying its instructions
    print in English; its questions and answers print in that language.

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
    english = [lang for lang in langs if lang not in PHRASE_LANGUAGES]
    if english:
        warnings.warn(f"the forms of {instrument.id!r} print their own instructions (tick boxes, skip directions, "
                      f"headings) in English for {', '.join(english)}: the toolkit has them only in "
                      f"{', '.join(PHRASE_LANGUAGES)}; questions and answers are in {', '.join(english)}",
                      ToolkitWarning, stacklevel=2)
    return langs


_NOTE = r"the forms of .* print their own instructions"  # the start of the warning check_languages gives


@contextlib.contextmanager
def english_noted() -> Iterator[None]:
    """Within this block the English-instructions warning stays quiet (a build that gave it once).

    Examples
    --------
    >>> with english_noted(), warnings.catch_warnings():
    ...     warnings.simplefilter("error")
    ...     _ = phrases("nb")
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NOTE, category=ToolkitWarning)
        yield


def default_language(instrument: Instrument) -> str:
    """The language a form shows when none is asked for: English if the instrument has it, else its first.

    Examples
    --------
    >>> default_language(as_instrument("dis-full"))
    'en'
    """
    return "en" if "en" in instrument.languages else instrument.languages[0]


def one_language(instrument: Instrument | str, lang: str | None) -> tuple[Instrument, str, dict[str, str]]:
    """The instrument, its language ``lang`` (checked; None: the default language) and the phrases.

    Examples
    --------
    >>> instrument, lang, t = one_language("dis-full", "da")
    >>> instrument.id, lang, t["if"]
    ('dis-full', 'da', 'Hvis')
    """
    instrument = as_instrument(instrument)
    (lang,) = check_languages(instrument, [lang or default_language(instrument)])
    return instrument, lang, phrases(lang)


__all__ = ["LANGUAGE_NAMES", "PHRASE_LANGUAGES", "phrases", "lang_column", "check_languages", "default_language",
           "one_language"]
