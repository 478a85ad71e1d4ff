"""Things several commands need: settings, the store, consoles."""

from __future__ import annotations

from rich.console import Console

from prepai_cli import paths
from prepai_cli.store import SessionStore

console = Console(highlight=False)


def open_store() -> SessionStore:
    return SessionStore(paths.database_file(), paths.sessions_dir())
