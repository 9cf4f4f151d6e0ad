"""``ditk questionnaire build`` (web, paper and codebook forms, :func:`toolkit.forms.build`) and
``ditk questionnaire check`` (validate an instrument file, :func:`toolkit.load_instrument`).

Examples
--------
>>> from typer.testing import CliRunner
>>> from toolkit.cli import app
>>> "xlsform, html, codebook or all" in CliRunner().invoke(app, ["questionnaire", "build", "--help"]).stdout
True
"""

from __future__ import annotations

import typer

from toolkit.cli import _output

__all__ = ["questionnaire_build", "questionnaire_check"]


@_output.user_errors
def questionnaire_build(
    instrument: str = typer.Argument(..., help="Bundled id (dis-full, dis-screener), 'all', or a YAML path."),
    format: str = typer.Option("all", "--format", "-f", help="xlsform, html, codebook or all."),
    lang: list[str] | None = typer.Option(None, "--lang", "-l", help="Language(s) for paper forms and "
                                          "Markdown codebooks (default: all)."),
    out: str = typer.Option("built-forms", "--out", "-o", help="Output folder (created if needed)."),
) -> None:
    """Build XLSForm (KoboToolbox/ODK), printable HTML and codebooks from an instrument.

    Prints each file written, one per line. The build is all or nothing: a
    failure leaves no half-written folder. A language without the forms' own
    phrases (any but English and Danish) gets a ``Note:`` on stderr: its
    instructions print in English.

    Parameters
    ----------
    instrument : str
        A bundled id, ``all`` or a path to a YAML instrument.
    format : str
        ``xlsform``, ``html``, ``codebook`` or ``all``.
    lang : list of str, optional
        Languages of the paper forms and Markdown codebooks (default: every one).
    out : str
        The output folder.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from typer.testing import CliRunner
    >>> from toolkit.cli import app
    >>> with TemporaryDirectory() as tmp:
    ...     result = CliRunner().invoke(app, ["questionnaire", "build", "dis-screener", "--format", "html",
    ...                                       "--lang", "en", "--out", tmp])
    >>> result.exit_code, Path(result.stdout.strip()).name
    (0, 'dis-screener.en.html')
    """
    import warnings

    from toolkit import forms
    from toolkit.errors import ToolkitWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ToolkitWarning)
        paths = forms.build(instrument, formats=format, languages=lang, out=out)
    _output.print_paths(paths)
    for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, ToolkitWarning)):
        _output.print_note(message)  # e.g. a language whose form instructions print in English
    for w in caught:
        if not issubclass(w.category, ToolkitWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@_output.user_errors
def questionnaire_check(
    file: str = typer.Argument(..., help="An instrument file (YAML) or a bundled id."),
) -> None:
    """Validate an instrument and print every problem it has.

    A valid instrument prints one line to stdout (its id, version, items,
    scales and languages) and exits with 0. An invalid one prints every
    problem to stderr, one per line as ``file: item: field: message``, and
    exits with 2.

    Parameters
    ----------
    file : str
        The instrument: a YAML file (or any format :func:`toolkit.load_instrument` reads) or a bundled id.

    Examples
    --------
    >>> from typer.testing import CliRunner
    >>> from toolkit.cli import app
    >>> result = CliRunner().invoke(app, ["questionnaire", "check", "dis-screener"])
    >>> result.exit_code, result.stdout
    (0, 'dis-screener: valid instrument dis-screener 1.0.0: 15 items, 8 scales, languages en, da\\n')
    """
    from toolkit import load_instrument

    inst = load_instrument(file)
    typer.echo(f"{file}: valid instrument {inst.id} {inst.version}: {len(inst.items)} items, "
               f"{len(inst.scales)} scale{'s' if len(inst.scales) != 1 else ''}, "
               f"language{'s' if len(inst.languages) != 1 else ''} {', '.join(inst.languages)}")
