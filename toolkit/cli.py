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


@app.command("simulate")
@user_errors
def simulate(
    instrument: str = typer.Option("dis-full", "--instrument", "-i", help="Bundled id or a YAML path."),
    n: int = typer.Option(2000, "--n", help="Respondents (before duplicate submissions)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives byte-identical files."),
    format: str = typer.Option("csv", "--format", "-f", help="csv, xlsx, sav or kobo."),
    out: str = typer.Option(..., "--out", "-o", help="Responses file to write."),
    clean: bool = typer.Option(False, "--clean", help="No messiness (no corrupted cells, no duplicates)."),
    population: str | None = typer.Option(None, "--population", help="Also write population.csv here."),
    truth: str | None = typer.Option(None, "--truth", help="Also write truth.json here."),
    artefacts: str | None = typer.Option(None, "--artefacts", help="Also write the artefacts table (CSV)."),
) -> None:
    """Simulate a survey with known truth and write it (see toolkit.simulate)."""
    from toolkit import simulate as sim_module
    from toolkit.errors import OutputError
    from toolkit.simulate.export import FORMATS

    if format not in FORMATS:
        raise OutputError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    sim = sim_module.survey(instrument, n=n, seed=seed, clean=clean)
    typer.echo(str(sim.write(out, format)))
    for path, writer in ((population, sim.write_population), (truth, sim.write_truth),
                         (artefacts, sim.write_artefacts)):
        if path:
            typer.echo(str(writer(path)))
