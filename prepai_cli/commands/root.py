"""The `prepai` Typer app: every command group registered (each lives in its own module here)."""

from __future__ import annotations

from typing import Any

import typer
from typer import core as typer_core

from prepai_cli import __version__

app = typer.Typer(
    name="prepai",
    help="PrepAI: practise job interviews out loud with an AI interviewer, in your terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"prepai {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print PrepAI's version and exit.", is_eager=True,
                                 callback=_show_version),
) -> None:
    """PrepAI: practise job interviews out loud with an AI interviewer, in your terminal."""


def _classic_help_forms() -> None:
    """Typer 0.29 writes '<bool>' after every plain flag (which takes no value) and '{session_id}' for a required
    argument in usage lines; show the forms users know instead: a bare `--flag` and `SESSION_ID`."""
    show_type = typer_core.TyperOption.display_type_rich

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.is_flag and self.metavar is None else show_type(self, ctx)

    def usage_display_name(self: Any) -> str:
        name = self.metavar or self.name.upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    typer_core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    typer_core.TyperArgument._usage_display_name = usage_display_name  # type: ignore[method-assign]


def _register_commands() -> None:
    from prepai_cli.commands import registered_modules

    for module in registered_modules():
        module.register(app)


_classic_help_forms()
_register_commands()
