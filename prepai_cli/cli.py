"""The `prepai` command line. Each command group lives in prepai_cli/commands/."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from prepai_cli import privacy
from prepai_cli.errors import PrepAIError
from prepai_cli.paths import data_home

app = typer.Typer(
    name="prepai",
    help="PrepAI: practise job interviews out loud with an AI interviewer, in your terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _register_commands() -> None:
    from prepai_cli.commands import registered_modules

    for module in registered_modules():
        module.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    err = Console(stderr=True, highlight=False)
    # Interview data is private: whatever this process creates is 0600/0700, and older installs are tightened.
    privacy.restrict_umask()
    privacy.tighten(data_home())
    try:
        app(args=argv, prog_name="prepai")
    except PrepAIError as exc:
        # The message may contain brackets (paths, lists), so it is printed without markup.
        err.print("[bold red]error:[/] ", end="")
        err.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
