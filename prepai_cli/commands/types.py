from __future__ import annotations

import json

import typer
from rich.table import Table

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console


def register(app: typer.Typer) -> None:
    @app.command("types")
    def types_command(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """List the interview types you can practise."""
        bank = load_bank()
        rows = []
        for slug in bank.slugs:
            t = bank.interview_type(slug)
            rows.append({"slug": slug, "title": t.title, "description": t.description,
                         "questions": len(bank.questions(slug)), "default_questions": t.default_questions,
                         "default_minutes": t.default_minutes})
        if as_json:
            console.print_json(json.dumps(rows))
            return
        table = Table(title="Interview types", show_lines=False)
        table.add_column("type", style="bold cyan", no_wrap=True)
        table.add_column("what it practises")
        table.add_column("bank", justify="right")
        for row in rows:
            table.add_row(row["slug"], row["description"], str(row["questions"]))
        table.add_section()
        table.add_row(f"{len(rows)} types", "questions in the bank", str(sum(row["questions"] for row in rows)),
                      style="bold")
        console.print(table)
        console.print("Start one with: [bold]prepai interview --type SLUG[/]")
