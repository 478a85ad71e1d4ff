"""Small modal questions: yes/no, and what quitting mid-interview should do."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

QuitChoice = Literal["end", "save", "cancel"]

_DIALOG_CSS = """
{name} { align: center middle; background: $background 60%; }
{name} #dialog { width: 60; max-width: 100%; height: auto; padding: 1 2; border: thick $primary; background: $surface; }
{name} #question { margin-bottom: 1; }
{name} Horizontal { height: auto; align-horizontal: right; }
{name} Button { margin-left: 1; }
"""


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = _DIALOG_CSS.replace("{name}", "ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal():
                yield Button(f"{self.no} (n)", id="no")
                yield Button(f"{self.yes} (y)", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class QuitScreen(ModalScreen[QuitChoice]):
    """Ctrl-C / q during an interview: nothing is lost either way, the choice is about what happens next."""

    DEFAULT_CSS = _DIALOG_CSS.replace("{name}", "QuitScreen")
    BINDINGS = [
        Binding("e", "choose('end')", "End", show=False),
        Binding("s", "choose('save')", "Save", show=False),
        Binding("escape,c", "choose('cancel')", "Cancel", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                "Leave the interview?\n\n"
                "End: the interviewer wraps up and you get your report.\n"
                "Save & quit: everything so far is saved; resume later with prepai interview --resume.",
                id="question",
            )
            with Horizontal():
                yield Button("Cancel (c)", id="cancel")
                yield Button("Save & quit (s)", id="save", variant="warning")
                yield Button("End (e)", id="end", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_choose(self, choice: QuitChoice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)  # type: ignore[arg-type]  # button ids are the QuitChoice values
