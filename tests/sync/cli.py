"""Runs `prepai sync ...` in-process through Typer, with only the sync command registered."""

from __future__ import annotations

import typer
from typer.testing import CliRunner, Result

from prepai_cli.commands import sync as sync_command


def run_sync(*args: str) -> Result:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def root() -> None:
        """Test root so `sync` stays a sub-command, as in the real CLI."""

    sync_command.register(app)
    return CliRunner().invoke(app, ["sync", *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
