"""Sessions screen: lists newest first, opens a report, resumes an unfinished interview, deletes after asking."""

from __future__ import annotations

import pytest

from prepai_cli.domain import NewTurn
from prepai_cli.screens.confirm import ConfirmScreen
from prepai_cli.screens.interview import InterviewScreen
from prepai_cli.screens.report import ReportLoaded, ReportScreen
from prepai_cli.screens.sessions import SessionsScreen
from prepai_cli.store import SessionNotFound, SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.services import Services
from tests.tui.helpers import Recorder, wait_for

pytestmark = pytest.mark.anyio


def seed(store: SessionStore) -> tuple[str, str]:
    ended = store.create_session("google-sde", "offline", "tester", {"questions": 2})
    store.add_turn(ended.id, NewTurn(role="interviewer", kind="question", text="Two sum?", question_id="gsde-two-sum",
                                     meta={"number": 1, "of": 2}))
    store.add_turn(ended.id, NewTurn(role="candidate", kind="answer", text="A hash map, one pass, O(n).",
                                     evaluation={"score": 6.5, "covered": [], "missed": []}))
    store.set_status(ended.id, "ended")
    paused = store.create_session("behavioral", "offline", "tester", {})
    store.add_turn(paused.id, NewTurn(role="interviewer", kind="intro", text="Hello there, welcome."))
    store.set_status(paused.id, "abandoned")
    return ended.id, paused.id


async def test_lists_opens_report_and_deletes_after_confirming(services: Services, store: SessionStore) -> None:
    ended_id, paused_id = seed(store)
    recorder = Recorder()
    app = PrepAIApp(services, show_sessions=True)
    async with app.run_test(size=(100, 30), message_hook=recorder) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        assert [s.id for s in screen.sessions] == [paused_id, ended_id]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: bool(recorder.of(ReportLoaded)))
        assert isinstance(app.screen, ReportScreen) and app.screen.session_id == ended_id
        assert recorder.of(ReportLoaded)[0].report.questions[0].score == 6.5
        await pilot.press("escape")
        assert app.screen is screen

        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert store.has_session(ended_id)
        await pilot.press("d", "y")
        await pilot.pause()
        with pytest.raises(SessionNotFound):
            store.get_session(ended_id)
        assert [s.id for s in screen.sessions] == [paused_id]


async def test_resume_continues_a_paused_interview(services: Services, store: SessionStore) -> None:
    _, paused_id = seed(store)
    recorder = Recorder()
    app = PrepAIApp(services, show_sessions=True)
    async with app.run_test(size=(100, 30), message_hook=recorder) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        assert app.screen.session.id == paused_id
        assert store.get_session(paused_id).status == "active"
