"""The typed-answer box: several lines, Enter sends, shift/ctrl+Enter (or ctrl+j) and pastes keep their newlines."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

# Keys that break the line instead of sending. Most terminals report ctrl+Enter as ctrl+j (a bare line feed);
# terminals with the kitty keyboard protocol report shift+enter and ctrl+enter as themselves.
NEWLINE_KEYS = frozenset({"shift+enter", "ctrl+enter", "ctrl+j", "alt+enter"})


class AnswerBox(TextArea):
    """Posts `AnswerBox.Submitted` with the whole text when Enter is pressed.

    The text is taken and the box cleared inside the Enter key's own handler, before the next key is read: keys
    typed straight after Enter (a fast typist, a terminal burst) start the next answer instead of joining this one,
    and an answer is sent exactly once.
    """

    DEFAULT_CSS = """
    AnswerBox { height: auto; min-height: 2; max-height: 12; background: $boost; }
    """

    class Submitted(Message):
        def __init__(self, box: "AnswerBox", text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

        @property
        def control(self) -> "AnswerBox":
            return self.box

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__("", soft_wrap=True, tab_behavior="focus", show_line_numbers=False, placeholder=placeholder,
                         id=id, compact=True)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text
            if text.strip():
                self.clear()
                self.post_message(self.Submitted(self, text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
        # Any other key: TextArea's own handler runs next (Textual calls each class's handler along the MRO).

    async def _on_paste(self, event: events.Paste) -> None:
        # Terminals send pasted line breaks as \r or \r\n; a paste is text to edit, never a submit.
        event.stop()
        event.prevent_default()  # instead of TextArea's handler, which would keep the \r
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        if result := self._replace_via_keyboard(text, *self.selection):
            self.move_cursor(result.end_location)
            self.focus()
