"""``ditk questionnaire build``: web, paper and codebook forms from an instrument (:func:`toolkit.forms.build`).

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

__all__ = ["questionnaire_build"]


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
    failure leaves no half-written folder.

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
    from toolkit import forms

    _output.print_paths(forms.build(instrument, formats=format, languages=lang, out=out))
