"""The interview's top line: type, elapsed time, question n/N, brain and the End button."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Button, Static

from prepai_cli.tui.clock import format_elapsed


class SessionHeader(Horizontal):
    DEFAULT_CSS = """
    SessionHeader { height: 1; background: $panel; }
    SessionHeader #header-text { width: 1fr; padding: 0 1; }
    SessionHeader Button { margin: 0 1 0 0; }
    """

    title: reactive[str] = reactive("")
    brain: reactive[str] = reactive("")
    elapsed: reactive[float] = reactive(0.0)
    question: reactive[tuple[int, int] | None] = reactive(None)

    def compose(self) -> ComposeResult:
        yield Static(id="header-text")
        yield Button("End", id="end", variant="error", compact=True)

    def on_mount(self) -> None:
        self._show()

    def watch_title(self) -> None:
        self._show()

    def watch_brain(self) -> None:
        self._show()

    def watch_elapsed(self) -> None:
        self._show()

    def watch_question(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(self.title or "Interview", style="bold")
        line.append(f"  ⏱ {format_elapsed(self.elapsed)}")
        if self.question is not None:
            line.append(f"  Q {self.question[0]}/{self.question[1]}")
        if self.brain:
            line.append(f"  brain: {self.brain}", style="dim")
        self.query_one("#header-text", Static).update(line)
