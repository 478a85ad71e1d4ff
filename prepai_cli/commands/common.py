"""Things several commands need: settings, the store, consoles."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from prepai_cli import paths
from prepai_cli.store import SessionStore

# soft_wrap: long lines (paths, ids, one-line summaries) are left to the terminal to wrap, so they stay whole
# when output is piped or grepped; tables and panels still fit the width.
console = Console(highlight=False, soft_wrap=True)


def open_store() -> SessionStore:
    return SessionStore(paths.database_file(), paths.sessions_dir())


def aws_overrides(**flags: Any) -> dict[str, Any] | None:
    """CLI flags for the `aws` settings section; None when none were given, so config and env values stay."""
    given = {k: v for k, v in flags.items() if v is not None}
    return given or None
