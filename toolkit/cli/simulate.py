"""``ditk simulate``: a synthetic survey with known truth, written to files (:func:`toolkit.simulate.survey`).

Each ``--rate`` is a ``kind=number`` pair; the simulator checks the kinds and ranges:

>>> _parse_rates(["duplicate=0.05", "pii = 0"])
{'duplicate': 0.05, 'pii': 0.0}
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import _output

__all__ = ["simulate_command"]


@_output.user_errors
def simulate_command(
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
    """Simulate a survey with known truth and write it (see toolkit.simulate).

    Prints each file written, one per line: the responses first, then the
    population, truth and artefacts files asked for.

    Parameters
    ----------
    instrument : str
        A bundled id or a path to a YAML instrument.
    n, seed, clean
        As for :func:`toolkit.simulate.survey`.
    format : str
        ``csv``, ``xlsx``, ``sav`` or ``kobo``.
    out : str
        The responses file.
    population, truth, artefacts : str, optional
        Also write these tables.
    rate : list of str, optional
        Messiness rates as ``kind=number``.

    Examples
    --------
    >>> from tempfile import TemporaryDirectory
    >>> from typer.testing import CliRunner
    >>> from toolkit.cli import app
    >>> with TemporaryDirectory() as tmp:
    ...     result = CliRunner().invoke(app, ["simulate", "-i", "dis-screener", "--n", "50",
    ...                                       "--out", f"{tmp}/r.csv", "--truth", f"{tmp}/t.json"])
    >>> result.exit_code, [Path(line).name for line in result.stdout.splitlines()]
    (0, ['r.csv', 't.json'])
    """
    from toolkit._validation import check_option
    from toolkit.simulate.export import FORMATS

    check_option(format, "--format", FORMATS)
    written = _run_simulate(instrument, n=n, seed=seed, clean=clean, rates=_parse_rates(rate or []), format=format,
                            out=out, population=population, truth=truth, artefacts=artefacts)
    _output.print_paths(written)


def _parse_rates(specs: list[str]) -> dict[str, float]:
    """``["duplicate=0.05"]`` -> ``{"duplicate": 0.05}``; the simulator checks the kinds and ranges."""
    from toolkit.errors import OptionError

    rates = {}
    for spec in specs:
        kind, _, value = spec.partition("=")
        try:
            rates[kind.strip()] = float(value)
        except ValueError:
            raise OptionError(f"--rate {spec!r}: expected kind=number, e.g. duplicate=0.05") from None
    return rates


def _run_simulate(instrument: str, *, n: int, seed: int, clean: bool, rates: dict[str, float], format: str,
                  out: str, population: str | None, truth: str | None, artefacts: str | None) -> list[Path]:
    """Simulate, then write the responses and every extra table asked for; the paths written."""
    from toolkit import simulate

    sim = simulate.survey(instrument, n=n, seed=seed, clean=clean, rates=rates or None)
    written = [sim.write(out, format=format)]
    for path, writer in ((population, sim.write_population), (truth, sim.write_truth),
                         (artefacts, sim.write_artefacts)):
        if path:
            written.append(writer(path))
    return written
