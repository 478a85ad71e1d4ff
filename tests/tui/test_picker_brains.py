"""The picker offers a local model server it found, and the interview runs on the brain picked."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Select, Static

from prepai_cli.bank import QuestionBank
from prepai_cli.screens.interview import InterviewScreen
from prepai_cli.screens.picker import PickerScreen
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import BrainChoice
from tests.tui.helpers import Recorder, ScriptedBrain, make_services, wait_for

pytestmark = pytest.mark.anyio


async def test_picker_offers_the_local_brain_and_starts_it(store: SessionStore, bank: QuestionBank, evaluator: Any,
                                                           clock: FrozenClock) -> None:
    built: list[str] = []

    def local_brain() -> ScriptedBrain:
        built.append("local")
        return ScriptedBrain("gsde-two-sum", "Find two numbers that add up to a target.")

    services = make_services(store, bank, evaluator, clock)
    services.brain_choices = [BrainChoice("local", "local: llama3.2:3b on Ollama", local_brain)]
    recorder = Recorder()
    app = PrepAIApp(services)
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        assert isinstance(app.screen, PickerScreen)
        choice = app.screen.query_one("#brain-choice", Select)
        assert choice.value == "offline" and not app.screen.query("#brain")
        choice.value = "local"
        await pilot.pause()
        app.screen.action_start()
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
    (session,) = store.list_sessions()
    assert session.brain == "local" and built == ["local"]
    assert any(t.text == "Find two numbers that add up to a target." for t in store.turns(session.id))


async def test_picker_without_local_servers_shows_the_brain_as_before(store: SessionStore, bank: QuestionBank,
                                                                      evaluator: Any, clock: FrozenClock) -> None:
    app = PrepAIApp(make_services(store, bank, evaluator, clock))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#brain-choice")
        assert "Brain: offline" in str(app.screen.query_one("#brain", Static).render())
