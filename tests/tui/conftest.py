"""TUI fixtures: a frozen clock, the offline brain with the real evaluator, and no cursor blink."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import Services
from tests.tui.helpers import make_services

FROZEN_AT = datetime(2026, 1, 15, 10, 30, 0)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots depend on timing."""
    original_input = Input.__init__
    original_text_area = TextArea.__init__

    def input_init(self: Input, *args: Any, **kwargs: Any) -> None:
        original_input(self, *args, **kwargs)
        self.cursor_blink = False

    def text_area_init(self: TextArea, *args: Any, **kwargs: Any) -> None:
        original_text_area(self, *args, **kwargs)
        self.cursor_blink = False

    monkeypatch.setattr(Input, "__init__", input_init)
    monkeypatch.setattr(TextArea, "__init__", text_area_init)


@pytest.fixture(scope="session")
def evaluator() -> Any:
    from prepai_cli.agent.evaluator import AnswerEvaluator, Embedder

    return AnswerEvaluator(Embedder())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT, elapsed=0.0)


@pytest.fixture
def services(store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock) -> Iterator[Services]:
    yield make_services(store, bank, evaluator, clock)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio
