"""A DeployUI that records what the deploy steps said, and answers prompts from a script."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from infra.models import PlannedChange, StackEvent


class _Progress:
    def __init__(self, log: list[str]) -> None:
        self._log = log

    def update(self, description: str) -> None:
        self._log.append(description)


class RecordingUI:
    def __init__(self, answers: list[bool] | None = None) -> None:
        self.answers = list(answers or [])
        self.messages: list[str] = []
        self.warnings: list[str] = []
        self.questions: list[str] = []
        self.changes: list[PlannedChange] = []
        self.events: list[StackEvent] = []
        self.progress_log: list[str] = []

    def info(self, message: str) -> None:
        self.messages.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def show_changes(self, stack_name: str, changes: list[PlannedChange]) -> None:
        self.changes = list(changes)

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answers.pop(0)

    def stack_event(self, event: StackEvent) -> None:
        self.events.append(event)

    @contextmanager
    def progress(self, description: str) -> Iterator[_Progress]:
        self.progress_log.append(description)
        yield _Progress(self.progress_log)
