from __future__ import annotations

import sys
from pathlib import Path

import typer

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.errors import PrepAIError
from prepai_cli.report.storage import FileFormat, current_report, render, store_format
from prepai_cli.report.terminal import render_terminal

FORMATS = ("terminal", "markdown", "html", "json")


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        session_id: str = typer.Argument(..., help="Session id (see `prepai sessions list`)."),
        format: str = typer.Option(None, "--format", "-f",
                                   help="terminal, markdown, html or json [default: terminal, or from --output's "
                                        "extension]."),
        output: Path = typer.Option(None, "--output", "-o",
                                    help="Write the report to this file (.md, .html or .json picks the format)."),
        regenerate: bool = typer.Option(False, "--regenerate", help="Rebuild even if the stored report is current."),
    ) -> None:
        """Score an interview: overall and per dimension, each question, delivery and what to work on.

        The report is also saved in the session's folder (report.json plus the requested format).
        """
        if format is None:
            format = _format_from_extension(output) if output is not None else "terminal"
        if format not in FORMATS:
            raise PrepAIError(f"unknown report format {format!r}; use one of: {', '.join(FORMATS)}")
        if output is not None and format == "terminal":
            raise PrepAIError("--output needs a file format: add --format markdown, html or json")
        if output is not None:
            _check_output(output)
        store = open_store()
        try:
            built, _ = current_report(store, session_id, load_bank(), force=regenerate)
            if format == "terminal":
                render_terminal(built, console)
                return
            file_format: FileFormat = format  # type: ignore[assignment]  # checked against FORMATS above
            if file_format != "json":
                store_format(store, built, file_format)
            text = render(built, file_format)
        finally:
            store.close()
        if output is None:
            sys.stdout.write(text)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise PrepAIError(f"cannot write the report to {output}: {exc.strerror}") from None
        console.print(f"Wrote {output}", markup=False)


_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def _format_from_extension(output: Path) -> str:
    try:
        return _EXTENSIONS[output.suffix.lower()]
    except KeyError:
        raise PrepAIError(f"cannot tell the report format from {output.name!r}: name it .md, .html or .json, "
                          "or add --format markdown, html or json") from None


def _check_output(output: Path) -> None:
    """Before any work: a folder that does not exist is a typo far more often than a wish to create it."""
    if output.is_dir():
        raise PrepAIError(f"--output {output} is a folder; give a file name, e.g. {output / 'report.md'}")
    if not output.parent.is_dir():
        raise PrepAIError(f"--output {output}: the folder {output.parent} does not exist; create it first")
