from __future__ import annotations

import json

import typer
from rich.markup import escape

from prepai_cli import paths
from prepai_cli.commands.common import console
from prepai_cli.config import load_settings, set_config_value

config_app = typer.Typer(help="Show or change PrepAI's settings.", no_args_is_help=True)


@config_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print the effective settings as JSON.")) -> None:
    """Show the effective settings (file, environment and defaults combined)."""
    settings = load_settings()
    if as_json:
        console.print_json(settings.model_dump_json())
        return
    console.print(f"[dim]config file: {escape(str(paths.config_file()))}[/]")
    console.print(f"[dim]data folder: {escape(str(paths.data_home()))}[/]")

    def walk(prefix: str, data: dict) -> None:
        for key, value in data.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                console.print(f"{prefix}{key} = {json.dumps(value)}", markup=False)

    walk("", settings.model_dump(mode="json"))


# ignore_unknown_options: a negative VALUE (`config set audio.silence_ms -5`) is a value to validate, not an option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def set_value(
    key: str = typer.Argument(..., help="A setting, e.g. sync.bucket, brain, speech.stt_model (see `config show`)."),
    value: str = typer.Argument(..., help="Its new value; none removes it from the config file."),
) -> None:
    """Set KEY (e.g. sync.bucket, brain, speech.stt_model) to VALUE in the config file."""
    stored = set_config_value(key, value)
    console.print(f"{escape(key)} = {escape(json.dumps(stored))}  [dim]({escape(str(paths.config_file()))})[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
