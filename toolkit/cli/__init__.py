"""The ``ditk`` command line: thin typer wrappers around the toolkit's modules.

One module per command (:mod:`.questionnaire`, :mod:`.simulate`,
:mod:`.clean`, :mod:`.report`, :mod:`.demo`): each parses its options, makes one call into the toolkit and
hands the result to :mod:`._output`, where all printing lives. User mistakes
(any :class:`toolkit.errors.ToolkitError`) print one line to stderr and exit
with code 2, without a traceback. The command modules import the toolkit
inside their functions, so ``ditk --help`` loads neither pandas nor the
toolkit's stages.

Examples
--------
>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["--help"])
>>> result.exit_code, all(name in result.stdout for name in ("questionnaire", "simulate", "clean", "report", "demo"))
(0, True)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer

from toolkit.cli.clean import clean_command
from toolkit.cli.demo import demo_command
from toolkit.cli.questionnaire import questionnaire_build, questionnaire_check
from toolkit.cli.report import report_command
from toolkit.cli.simulate import simulate_command

__all__ = ["app"]

app = typer.Typer(
    help="Digital Inclusion Toolkit: questionnaires, cleaning, scales, survey estimates.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
questionnaire_app = typer.Typer(help="Questionnaires: build web, paper and codebook forms; check an instrument.",
                                no_args_is_help=True)
app.add_typer(questionnaire_app, name="questionnaire")


@app.callback()
def _main() -> None:
    """Digital Inclusion Toolkit."""


def _register(group: typer.Typer, name: str, command: Callable[..., Any]) -> None:
    """Add ``command`` to ``group``; its help is the docstring's first paragraph (the rest is for readers)."""
    group.command(name, help=inspect.getdoc(command).split("\n\n")[0])(command)


_register(questionnaire_app, "build", questionnaire_build)
_register(questionnaire_app, "check", questionnaire_check)
_register(app, "simulate", simulate_command)
_register(app, "clean", clean_command)
_register(app, "report", report_command)
_register(app, "demo", demo_command)
