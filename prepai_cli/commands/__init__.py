"""Command groups; each module has `register(app)`."""

from __future__ import annotations

import importlib
from types import ModuleType

# Order is the order of `prepai --help`.
COMMAND_MODULES = ("interview", "types", "sessions", "report", "progress", "evaluate", "models", "code", "cv", "kb", "sync", "doctor", "infra", "config_cmd")


def registered_modules() -> list[ModuleType]:
    return [importlib.import_module(f"prepai_cli.commands.{name}") for name in COMMAND_MODULES]
