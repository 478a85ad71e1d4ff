"""`prepai models list|pull`: the opt-in speech models."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from prepai_cli import paths
from prepai_cli.commands.common import console


def register(app: typer.Typer) -> None:
    models_app = typer.Typer(help="Speech recognition models: list them, download bigger ones.", no_args_is_help=True)
    app.add_typer(models_app, name="models")

    @models_app.command("list")
    def list_models() -> None:
        """Show the speech models and which are installed."""
        # Imported here: the speech stack (numpy, ctranslate2) should not slow down every other command.
        from prepai_cli.audio.model_store import is_installed, load_manifest
        from prepai_cli.audio.stt import BUNDLED_MODEL, resolve_model_dir

        manifest = load_manifest()
        table = Table(show_edge=False, header_style="bold")
        for column in ("name", "status", "size", "description"):
            table.add_column(column)
        bundled = resolve_model_dir(BUNDLED_MODEL, paths.models_dir())
        size_mb = sum(f.stat().st_size for f in bundled.iterdir() if f.is_file()) / 1e6
        table.add_row(BUNDLED_MODEL, "bundled", f"{size_mb:.0f} MB", "Whisper tiny, English only (the default; fastest)")
        for name, entry in manifest.models.items():
            status = "installed" if is_installed(name, entry, paths.models_dir()) else "not downloaded"
            table.add_row(name, status, f"~{entry.approx_mb} MB", entry.description)
        console.print(table)
        console.print(f"[dim]Models folder: {paths.models_dir()} · use one with: prepai interview --stt-model NAME[/]")

    @models_app.command("pull")
    def pull_model(name: str = typer.Argument(..., help="base.en or small")) -> None:
        """Download a speech model and verify its checksums."""
        from prepai_cli.audio.model_store import load_manifest, pull

        manifest = load_manifest()
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                      console=console, transient=True) as progress:
            tasks: dict[str, int] = {}

            def report(file: str, done: int, total: int | None) -> None:
                if file not in tasks:
                    tasks[file] = progress.add_task(f"{name}/{file}", total=total)
                progress.update(tasks[file], completed=done, total=total)

            folder = pull(name, manifest, paths.models_dir(), report)
        console.print(f"[green]Downloaded {name}[/] to {folder}. Use it with: prepai interview --stt-model {name}")
