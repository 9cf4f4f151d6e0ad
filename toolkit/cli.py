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
    rate: list[str] | None = typer.Option(None, "--rate", help="Messiness rate as kind=value, e.g. "
                                          "--rate duplicate=0.05 (repeatable; kinds in toolkit.simulate.messiness)."),
) -> None:
    """Simulate a survey with known truth and write it (see toolkit.simulate)."""
    from toolkit import simulate as sim_module
    from toolkit.errors import OptionError
    from toolkit.simulate.export import FORMATS

    if format not in FORMATS:
        raise OptionError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    rates = {}
    for spec in rate or []:
        kind, _, value = spec.partition("=")
        try:
            rates[kind.strip()] = float(value)
        except ValueError:
            raise OptionError(f"--rate {spec!r}: expected kind=number, e.g. duplicate=0.05") from None
    sim = sim_module.survey(instrument, n=n, seed=seed, clean=clean, rates=rates or None)
    typer.echo(str(sim.write(out, format)))
    for path, writer in ((population, sim.write_population), (truth, sim.write_truth),
                         (artefacts, sim.write_artefacts)):
        if path:
            typer.echo(str(writer(path)))


@app.command("clean")
@user_errors
def clean_command(
    input: str = typer.Argument(..., help="Responses: CSV/TSV, XLSX, SPSS .sav, Stata .dta, Parquet, Kobo/ODK CSV."),
    instrument: str = typer.Option("dis-full", "--instrument", "-i", help="Bundled id or a YAML path."),
    out: str = typer.Option(..., "--out", "-o", help="Cleaned data: .parquet, .csv or .xlsx."),
    log: str | None = typer.Option(None, "--log", help="Also write the change log (.csv/.xlsx/.parquet)."),
    flags: str | None = typer.Option(None, "--flags", help="Also write the quality flags (.csv/.xlsx/.parquet)."),
    pseudonym_key_env: str = typer.Option("DITK_PSEUDONYM_KEY", "--pseudonym-key-env",
                                          help="Environment variable holding the pseudonymisation key."),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)."),
    strict: bool = typer.Option(False, "--strict", help="Stop on any invalid value instead of cleaning it."),
) -> None:
    """Read a survey export, clean it against the instrument and write data, log and flags."""
    from pathlib import Path

    from rich.progress import Progress

    from toolkit.cleaning import clean
    from toolkit.errors import OutputError, SchemaErrors
    from toolkit.instrument import load_instrument
    from toolkit.io import check_writable, read_responses, write_table

    targets = [Path(p) for p in (out, log, flags) if p]
    for target in targets:
        check_writable(target)
        if Path(input).exists() and target.resolve() == Path(input).resolve():
            raise OutputError(f"refusing to overwrite the input file {input}")
    inst = load_instrument(instrument)
    big = Path(input).is_file() and Path(input).stat().st_size > 5_000_000
    with Progress(console=stderr, transient=True, disable=not big) as bar:
        task = bar.add_task("reading", total=None)
        raw = read_responses(input, inst, sheet=sheet)
        bar.update(task, description="cleaning", total=1.0, completed=0.0)
        try:
            res = clean(raw, inst, strict=strict, pseudonym_key_env=pseudonym_key_env,
                        progress=lambda step, done: bar.update(task, description=f"cleaning: {step}", completed=done))
        except SchemaErrors as exc:
            if log:  # strict mode: the failure cases are what the user needs to see
                write_table(exc.failure_cases, log)
                raise exc.with_hint(f"every case written to {log}") from None
            raise exc.with_hint("add --log FILE to write every case") from None
        bar.update(task, description="writing", total=None)
        write_table(res.data, out)
        if log:
            write_table(res.log, log)
        if flags:
            write_table(res.flags, flags)
    info = res.read
    rows = res.counts("rows")
    typer.echo(f"Instrument {inst.id} version {inst.version}")
    typer.echo(f"Read {rows['input']} rows from {input} ({info.get('format')}"
               + (f", encoding {info['encoding']}, delimiter {info['delimiter']!r}" if info.get("encoding") else "")
               + ")")
    unknown = info.get("unknown_columns", [])
    typer.echo(f"Unknown columns kept: {', '.join(unknown) if unknown else 'none'}")
    changes = {k: v for k, v in res.counts("rule").items() if v}
    typer.echo("Changes by rule: " + (", ".join(f"{k} {v}" for k, v in changes.items()) if changes else "none"))
    flag_counts = res.counts("flag")
    flagged = flag_counts.pop("flagged")
    typer.echo(f"Flags: {flagged} respondents flagged ("
               + ", ".join(f"{k} {v}" for k, v in flag_counts.items()) + ")")
    typer.echo(f"Wrote {rows['output']} rows to {out}" + "".join(f", {p}" for p in (log, flags) if p))
