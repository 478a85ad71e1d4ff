"""Editor + sandbox results for coding questions. Run checks the code locally; Submit hands it to the interviewer."""

from __future__ import annotations

import json
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Static, TextArea

from prepai_cli.bank import Question

LANGUAGES = ("python", "javascript")


def starter_code(question: Question, language: str) -> str:
    """The problem's signature with an empty body, in the editor's language."""
    assert question.coding is not None
    if language == "javascript":
        return f"{question.coding.javascript_signature}\n  \n}}\n"
    return f"{question.coding.python_signature}\n    \n"


def body_location(code: str) -> tuple[int, int]:
    """Where typing starts in starter code: the end of the first indented blank line (the body)."""
    for row, line in enumerate(code.split("\n")):
        if line and not line.strip():
            return row, len(line)
    return 0, 0


# What opens a block, so the next line is indented one level deeper.
_OPENS_BLOCK = {"python": (":",), "javascript": ("{", "(", "[")}


class CodeEditor(TextArea):
    """A code editor whose Enter keeps the line's indentation, one level deeper after a block opener."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key != "enter" or self.read_only:
            return  # TextArea's own handler runs next
        event.stop()
        event.prevent_default()
        row, column = self.cursor_location
        before = self.document[row][:column]
        indent = before[: len(before) - len(before.lstrip())]
        if before.rstrip().endswith(_OPENS_BLOCK.get(self.language or "", ())):
            indent += " " * self.indent_width
        start, end = self.selection
        self._replace_via_keyboard("\n" + indent, start, end)


def _short(value: Any, limit: int = 24) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CodingPane(Vertical):
    DEFAULT_CSS = """
    CodingPane { height: 1fr; border-top: hkey $primary; }
    CodingPane #code-bar { height: 1; }
    CodingPane #code-bar Button { margin-left: 1; width: auto; min-width: 0; }
    CodingPane #code-title { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; padding-left: 1; }
    CodingPane TextArea { height: 1fr; min-height: 5; }
    CodingPane #code-status { height: auto; max-height: 2; }
    CodingPane DataTable { height: auto; max-height: 8; }
    """

    BINDINGS = [
        ("ctrl+r", "run", "Run"),
        ("ctrl+s", "submit", "Submit"),
    ]

    class RunRequested(Message):
        def __init__(self, code: str, language: str, question_id: str) -> None:
            super().__init__()
            self.code = code
            self.language = language
            self.question_id = question_id

    class SubmitRequested(Message):
        def __init__(self, code: str, language: str, question_id: str) -> None:
            super().__init__()
            self.code = code
            self.language = language
            self.question_id = question_id

    def __init__(self, *, can_run: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_run = can_run
        self.question: Question | None = None
        self.language = "python"

    def compose(self) -> ComposeResult:
        with Horizontal(id="code-bar"):
            yield Static("Code", id="code-title")
            yield Button("Python", id="language", compact=True)
            yield Button("Run ^r", id="run", compact=True, variant="primary")
            yield Button("Submit ^s", id="submit", compact=True, variant="success")
        # One editor per language, shown one at a time, so each language keeps its own draft and undo history.
        for language in LANGUAGES:
            editor = CodeEditor.code_editor("", language=language, id=f"editor-{language}", soft_wrap=False)
            editor.indent_width = 4 if language == "python" else 2
            yield editor
        yield Static(id="code-status")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "result", "args", "expected", "actual")
        table.display = False
        self._set_language(self.language)
        if not self.can_run:
            self._status("Code execution is not available in this installation: Run is off, Submit still works.")

    @property
    def editor(self) -> TextArea:
        return self.query_one(f"#editor-{self.language}", TextArea)

    def load_question(self, question: Question) -> None:
        """Fills the editor with the problem's signature, unless it is the problem already loaded."""
        if self.question is not None and self.question.id == question.id:
            return
        self.question = question
        for language in LANGUAGES:
            editor = self.query_one(f"#editor-{language}", TextArea)
            code = starter_code(question, language)
            editor.load_text(code)
            # Typing starts in the function's body, indented. Placed once the pane is laid out: while it is still
            # hidden the editor has no width, and moving the cursor there scrolls the signature's start out of view.
            self.call_after_refresh(editor.move_cursor, body_location(code))
        self._set_language(self.language)
        self.query_one("#code-title", Static).update(f"Code · {question.coding.function_name if question.coding else question.id}")
        self.query_one(DataTable).clear()
        self.query_one(DataTable).display = False
        if self.can_run:
            self._status("Write your solution here: ctrl+r runs the tests, ctrl+s submits it to the interviewer, "
                         "esc leaves the editor, f4 comes back.")

    def focus_editor(self) -> None:
        self.editor.focus()

    def _set_language(self, language: str) -> None:
        had_focus = self.editor.has_focus if self.is_mounted else False
        self.language = language
        for name in LANGUAGES:
            self.query_one(f"#editor-{name}", TextArea).display = name == language
        if had_focus:
            self.editor.focus()
        self.query_one("#language", Button).label = "Python" if language == "python" else "JavaScript"

    def action_toggle_language(self) -> None:
        if self.question is not None:
            self._set_language("javascript" if self.language == "python" else "python")

    def action_run(self) -> None:
        if self.question is None:
            return
        if not self.can_run:
            self._status("Code execution is not available in this installation (the sandbox tools are not installed).")
            return
        self._status("Running your code against the tests…")
        self.query_one("#run", Button).disabled = True
        self.post_message(self.RunRequested(self.editor.text, self.language, self.question.id))

    def action_submit(self) -> None:
        if self.question is None or not self.editor.text.strip():
            return
        self.post_message(self.SubmitRequested(self.editor.text, self.language, self.question.id))
        self._status("Submitted to the interviewer.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"language": self.action_toggle_language, "run": self.action_run, "submit": self.action_submit}[
            str(event.button.id)
        ]()

    def show_result(self, result: dict[str, Any]) -> None:
        if "error" in result:  # the toolbox reports bad arguments and sandbox failures as data, never raises
            self.show_error(str(result["error"]))
            return
        self.query_one("#run", Button).disabled = False
        verdict = str(result.get("verdict", "?"))
        passed, total = result.get("passed", 0), result.get("total", 0)
        summary = f"{verdict.replace('_', ' ')}: {passed}/{total} tests pass"
        if result.get("message"):
            summary += f". {result['message']}"
        elif result.get("first_failure"):
            summary += f". {result['first_failure']}"
        self._status(summary)
        table = self.query_one(DataTable)
        table.clear()
        for i, test in enumerate(result.get("tests", []), start=1):
            outcome = "pass" if test.get("passed") else str(test.get("status", "fail"))
            actual = test.get("error") or test.get("actual")
            table.add_row(str(i), outcome, _short(test.get("args", "")), _short(test.get("expected")), _short(actual))
        table.display = bool(result.get("tests"))

    def show_error(self, error: str) -> None:
        self.query_one("#run", Button).disabled = False
        self._status(f"Could not run the code: {error}")

    def _status(self, text: str) -> None:
        self.query_one("#code-status", Static).update(text)
