"""The ``ditk`` command line: thin typer wrappers around the toolkit's modules.

Every command parses its arguments, calls one module and prints. User
mistakes (any :class:`toolkit.errors.ToolkitError`) print one line to stderr
and exit with code 2, without a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from toolkit.errors import ToolkitError

app = typer.Typer(
    help="Digital Inclusion Toolkit: questionnaires, cleaning, scales, survey estimates.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn toolkit errors into a one-line message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ToolkitError as exc:
            stderr.print(f"Error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(code=2) from None

    return wrapper


@app.callback()
def main() -> None:
    """Digital Inclusion Toolkit."""


questionnaire_app = typer.Typer(help="Questionnaires: build web, paper and codebook forms.", no_args_is_help=True)
app.add_typer(questionnaire_app, name="questionnaire")


@questionnaire_app.command("build")
@user_errors
def questionnaire_build(
    instrument: str = typer.Argument(..., help="Bundled id (dis-full, dis-screener), 'all', or a YAML path."),
    format: str = typer.Option("all", "--format", "-f", help="xlsform, html, codebook or all."),
    lang: list[str] | None = typer.Option(None, "--lang", "-l", help="Language(s) for paper forms and "
                                          "Markdown codebooks (default: all)."),
    out: str = typer.Option("built-forms", "--out", "-o", help="Output folder (created if needed)."),
) -> None:
    """Build XLSForm (KoboToolbox/ODK), printable HTML and codebooks from an instrument."""
    from toolkit import forms

    for path in forms.build(instrument, format, lang, out):
        typer.echo(str(path))
