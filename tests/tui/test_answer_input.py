"""Issue 18, items 1-3 and 5: the answer box and the code editor, driven as a user would, in a Pilot app."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events

from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup, Services
from prepai_cli.widgets.answer_box import AnswerBox
from prepai_cli.widgets.coding_pane import CodingPane
from prepai_cli.widgets.hint_bar import HintBar
from tests.tui.helpers import Recorder, burst, scripted_services, wait_for

pytestmark = pytest.mark.anyio


async def _asked(app: PrepAIApp, pilot: Any, recorder: Recorder) -> AnswerBox:
    await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
    box = app.screen.query_one("#typed", AnswerBox)
    box.focus()
    await pilot.pause()
    return box


async def test_typing_straight_after_enter_starts_the_next_answer(services: Services, store: SessionStore) -> None:
    """Item 1: `tmux send-keys "First answer" Enter "Second answer" Enter` stored one joined answer, twice."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        box = await _asked(app, pilot, recorder)
        burst(app, [*"First answer", "enter", *"Second answer", "enter"])
        await wait_for(pilot, lambda: len(recorder.of(m.CandidateFinal)) >= 2)
        await wait_for(pilot, lambda: len(recorder.of(m.AnswerRequested)) >= 3)
        await pilot.pause(0.3)
        assert [f.text for f in recorder.of(m.CandidateFinal)] == ["First answer", "Second answer"]
        assert box.text == ""
        session_id = app.screen.session.id
    answers = [t.text for t in store.turns(session_id) if t.role == "candidate"]
    assert answers == ["First answer", "Second answer"]


async def test_the_answer_box_is_multi_line_and_shows_the_whole_answer(services: Services) -> None:
    """Item 2: Enter sends, ctrl+j / shift+enter break the line, a long answer is all in view."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        box = await _asked(app, pilot, recorder)
        assert box.size.width >= 60, "the answer box spans the transcript, not a 25-column strip"
        await pilot.press(*"Situation: a launch slipped", "ctrl+j", *"Action: I re-planned", "shift+enter",
                          *"Result: shipped on time")
        assert box.text == "Situation: a launch slipped\nAction: I re-planned\nResult: shipped on time"
        long_line = " ".join(["I measured the latency before and after the change"] * 5)
        await pilot.press("ctrl+j", *long_line)
        await pilot.pause()
        assert box.max_scroll_y == 0, "part of the answer is scrolled out of the box"
        assert box.size.height >= 5
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)))
        final = recorder.of(m.CandidateFinal)[0]
        assert final.text == ("Situation: a launch slipped\nAction: I re-planned\nResult: shipped on time\n"
                              + long_line)
        assert final.kind == "answer"


async def test_a_pasted_code_block_is_kept_whole_and_sent_as_code(services: Services) -> None:
    """Item 2: a multi-line paste kept only its first line, so a ```python block became the answer '```python'."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        box = await _asked(app, pilot, recorder)
        pasted = "```python\r\ndef two_sum(nums, target):\r\n    seen = {}\r\n    return []\r\n```"
        paste = events.Paste(pasted)
        paste.set_sender(app)
        app._driver.send_message(paste)  # the way a terminal's bracketed paste arrives
        await pilot.pause()
        assert box.text == pasted.replace("\r\n", "\n")
        assert not recorder.of(m.CandidateFinal), "a paste must not send the answer"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)))
        final = recorder.of(m.CandidateFinal)[0]
        assert final.kind == "code"
        assert final.text == "def two_sum(nums, target):\n    seen = {}\n    return []"


def _coding_app(store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock) -> PrepAIApp:
    services = scripted_services(store, bank, evaluator, clock, "code-valid-brackets")
    return PrepAIApp(services, setup=InterviewSetup(type="coding-round"))


async def _editor_focused(app: PrepAIApp, pilot: Any) -> CodingPane:
    """Waits until the coding question is asked and the editor has the focus, as the user then sees it."""
    await wait_for(pilot, lambda: app.screen.has_class("-coding"))
    pane = app.screen.query_one(CodingPane)
    await wait_for(pilot, lambda: app.screen.focused is pane.editor)
    return pane


async def test_a_coding_question_puts_the_cursor_in_the_editor_body(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    """Item 3: the editor was five Tabs away with no key shown, the cursor at 1:0, and Enter did not indent."""
    recorder = Recorder()
    app = _coding_app(store, bank, evaluator, clock)
    async with app.run_test(size=(100, 30), message_hook=recorder) as pilot:
        pane = await _editor_focused(app, pilot)
        await wait_for(pilot, lambda: pane.editor.cursor_location != (0, 0))
        editor = pane.editor
        row, column = editor.cursor_location
        assert editor.document[row] == "    " and column == 4, "the cursor starts in the function's body"
        assert "f4" in {binding.key for binding in (b.binding for b in app.screen.active_bindings.values())
                        if binding.show}
        await pilot.press(*"stack = []", "enter", *"for ch in s:", "enter", *"if ch in pairs:", "enter")
        assert editor.document[editor.cursor_location[0]] == " " * 12
        await pilot.press(*"return False", "enter")
        assert editor.cursor_location == (editor.cursor_location[0], 12)
        assert "    for ch in s:\n        if ch in pairs:\n            return False" in editor.text
        # Esc leaves the editor (tab indents there); the shown key comes back to it.
        await pilot.press("escape")
        assert app.screen.focused is not editor
        await pilot.press("f4")
        assert app.screen.focused is editor
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)))
        assert recorder.of(m.CandidateFinal)[0].kind == "code"


async def test_javascript_editor_indents_after_a_brace(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    app = _coding_app(store, bank, evaluator, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _editor_focused(app, pilot)
        pane.action_toggle_language()
        await pilot.pause()
        editor = pane.editor
        assert pane.language == "javascript" and app.screen.focused is editor
        assert editor.cursor_location == (1, 2)
        await pilot.press(*"for (const ch of s) {", "enter")
        assert editor.document[editor.cursor_location[0]] == "    "


async def test_a_new_question_clears_the_previous_hint(services: Services) -> None:
    """Item 5: the previous question's hint stayed on screen after the next question started."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral", questions=3))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        box = await _asked(app, pilot, recorder)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(s.kind == "hint" for s in recorder.of(m.SegmentStarted)))
        await wait_for(pilot, lambda: bool(app.screen.query_one(HintBar).hint))
        questions = lambda: [s for s in recorder.of(m.SegmentStarted) if s.kind == "question"]  # noqa: E731
        # Skip through follow-ups until the second main question is asked.
        for _ in range(8):
            if len(questions()) >= 2:
                break
            asked = len(recorder.of(m.AnswerRequested))
            box.focus()
            await pilot.press(*"I do not know", "enter")
            await wait_for(pilot, lambda: len(recorder.of(m.AnswerRequested)) > asked)
        assert len(questions()) >= 2
        await pilot.pause()
        # Any hint shown now was given for the second question, not carried over from the first.
        hints_since = [s for s in recorder.messages[recorder.messages.index(questions()[1]):]
                       if isinstance(s, m.SegmentStarted) and s.kind == "hint"]
        if not hints_since:
            assert app.screen.query_one(HintBar).hint == ""
