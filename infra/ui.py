"""What the deploy steps tell the person running them; the CLI implements it with rich, tests record it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from infra.models import PlannedChange, StackEvent


class Progress(Protocol):
    def update(self, description: str) -> None: ...


class DeployUI(Protocol):
    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def show_changes(self, stack_name: str, changes: list[PlannedChange]) -> None: ...

    def confirm(self, question: str) -> bool: ...

    def stack_event(self, event: StackEvent) -> None: ...

    def progress(self, description: str) -> AbstractContextManager[Progress]: ...
