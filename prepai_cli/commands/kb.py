"""`prepai kb`: search the interview knowledge base, or export it for a Bedrock Knowledge Base."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console


def register(app: typer.Typer) -> None:
    kb_app = typer.Typer(help="Interview tips, company notes and the question bank, searchable offline.",
                         no_args_is_help=True)

    @kb_app.command("search")
    def search(
        query: str = typer.Argument(..., help="What to look for."),
        type: str = typer.Option(None, "--type", help="Limit to one interview type (plus general notes)."),
        top_k: int = typer.Option(5, "--top-k", "-k", min=1, max=20, help="Number of results."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Search the knowledge base (BM25 over notes and questions)."""
        if type:
            load_bank().interview_type(type)  # a clear error for an unknown type
        from prepai_cli.agent.tools import kb  # bm25s and numpy load only for this command

        hits = kb.search(query, interview_type=type, top_k=top_k)
        if as_json:
            console.print_json(json.dumps([h.model_dump(mode="json") for h in hits]))
            return
        if not hits:
            console.print("No matches. Try other words.")
            return
        table = Table(show_lines=True)
        table.add_column("score", justify="right")
        table.add_column("document")
        table.add_column("snippet")
        for hit in hits:
            table.add_row(f"{hit.score:.2f}", f"[bold]{hit.title}[/]\n[dim]{hit.doc_id} · {hit.type}[/]", hit.snippet)
        console.print(table)

    @kb_app.command("export")
    def export(dest: Path = typer.Argument(..., help="Folder to write the markdown files into.")) -> None:
        """Write the knowledge base as markdown per interview type, with Bedrock metadata sidecars."""
        from prepai_cli.agent.tools import kb
        from prepai_cli.errors import PrepAIError
        from prepai_cli.paths import os_error_words

        if dest.exists() and not dest.is_dir():
            raise PrepAIError(f"{dest} is a file; kb export writes a folder of markdown files: give a folder name")
        try:
            written = kb.export_default(dest)
        except OSError as exc:
            raise PrepAIError(f"cannot write the knowledge base to {dest}: {os_error_words(exc)}") from None
        console.print(f"Wrote {len(written)} documents to {dest}")

    app.add_typer(kb_app, name="kb")
