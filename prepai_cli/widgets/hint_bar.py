"""The interviewer's latest hint, kept in view after it scrolls out of the transcript."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

NO_HINT = "No hint yet. Stuck? Say or type “hint”, or press ctrl+g."


class HintBar(Static):
    DEFAULT_CSS = """
    HintBar { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hint = ""

    def on_mount(self) -> None:
        self._show()

    def set_hint(self, hint: str) -> None:
        self.hint = hint.strip()
        self._show()

    def _show(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.hint:
            line.append("Hint: ", style="bold yellow")
            line.append(self.hint)
        else:
            line.append(NO_HINT, style="dim")
        self.update(line)
