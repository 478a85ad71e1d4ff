"""The coding pane: signature pre-filled, Run → sandbox results table, Submit → a code answer."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Static, TextArea

from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup, Services
from prepai_cli.widgets.coding_pane import CodingPane
from tests.tui.helpers import Recorder, plain, scripted_services, wait_for

pytestmark = pytest.mark.anyio

QUESTION = "code-valid-brackets"
# Right for balanced input, wrong for crossed brackets like "([)]": some tests pass, some fail.
COUNTING = (
    "def is_valid_brackets(s: str) -> bool:\n"
    "    depth = 0\n"
    "    for ch in s:\n"
    "        depth += 1 if ch in '([{' else -1\n"
    "        if depth < 0:\n"
    "            return False\n"
    "    return depth == 0\n"
)


def coding_services(store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
                    tools: Any) -> Services:
    return scripted_services(store, bank, evaluator, clock, QUESTION, tools=tools)


async def test_run_shows_sandbox_results_and_submit_sends_code(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    from prepai_cli.agent.tools import LocalToolBox

    services = coding_services(store, bank, evaluator, clock, LocalToolBox(bank))
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="coding-round"))
    async with app.run_test(size=(100, 40), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        pane = app.screen.query_one(CodingPane)
        assert pane.display and app.screen.has_class("-coding")
        editor = pane.query_one(TextArea)
        assert editor.text.startswith("def is_valid_brackets(s: str) -> bool:")
        assert editor.language == "python"

        editor.load_text(COUNTING)
        editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(recorder.of(m.CodeRunFinished)))
        result = recorder.of(m.CodeRunFinished)[0].result
        assert result["verdict"] == "failed" and 0 < result["passed"] < result["total"]
        table = pane.query_one(DataTable)
        assert table.display and table.row_count == result["total"]
        outcomes = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert outcomes.count("pass") == result["passed"]
        assert f"{result['passed']}/{result['total']} tests pass" in plain(pane.query_one("#code-status", Static))

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)))
        final = recorder.of(m.CandidateFinal)[0]
        assert (final.kind, final.text, final.meta["language"]) == ("code", COUNTING, "python")


async def test_switching_language_loads_the_javascript_signature_and_keeps_the_draft(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    services = coding_services(store, bank, evaluator, clock, None)
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="coding-round"))
    async with app.run_test(size=(100, 40), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        pane = app.screen.query_one(CodingPane)
        pane.editor.load_text(COUNTING)
        await pilot.click("#language")
        assert pane.editor.language == "javascript"
        assert pane.editor.text.startswith("function is_valid_brackets(s) {")
        await pilot.pause(0.3)  # a button ignores clicks during its press animation
        await pilot.click("#language")
        assert pane.editor.text == COUNTING


async def test_without_tools_run_says_execution_is_unavailable(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    services = coding_services(store, bank, evaluator, clock, None)
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="coding-round"))
    async with app.run_test(size=(100, 40), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        pane = app.screen.query_one(CodingPane)
        pane.editor.focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "not available" in plain(pane.query_one("#code-status", Static))
        assert not recorder.of(m.CodeRunFinished)
