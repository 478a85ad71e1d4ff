from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.errors import PrepAIError
from prepai_cli.report.build import Report, build_report


def render_terminal(report: Report) -> None:
    score = "n/a" if report.overall_score is None else f"{report.overall_score:.1f}/10"
    console.print(f"[bold]Report for {report.session_id}[/] · {report.type} · {report.status} · overall {score}")
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("question")
    table.add_column("score", justify="right")
    table.add_column("missed")
    for q in report.questions:
        table.add_row(str(q.number), q.question, "-" if q.score is None else f"{q.score:.1f}",
                      "\n".join(q.missed) or "-")
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        session_id: str = typer.Argument(..., help="Session id (see `prepai sessions list`)."),
        format: str = typer.Option("terminal", "--format", "-f", help="terminal or json."),
        output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of the terminal."),
    ) -> None:
        """Score an interview: each question, your answers and what they covered."""
        if format not in {"terminal", "json"}:
            raise PrepAIError(f"unknown report format {format!r}; use terminal or json")
        store = open_store()
        session = store.get_session(session_id)
        built = build_report(session, store.turns(session_id), load_bank())
        if format == "json":
            text = built.model_dump_json(indent=2)
            if output:
                output.write_text(text + "\n", encoding="utf-8")
                console.print(f"Wrote {output}")
            else:
                print(text)
            return
        render_terminal(built)
