"""Snapshot tests for every screen at 80×24, with frozen time and scripted content so they only change when the UI
does. Regenerate after an intended UI change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.pilot import Pilot

from prepai_cli.bank import QuestionBank
from prepai_cli.screens.report import ReportScreen
from prepai_cli.store import SessionStore
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup, Services
from prepai_cli.widgets.transcript import TranscriptPane
from tests.tui.helpers import scripted_services, seeded_session, wait_for

@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session times are shown in local time; pin the zone so snapshots match everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


scripted = scripted_services


def test_picker(snap_compare: Any, services: Services) -> None:
    assert snap_compare(PrepAIApp(services), terminal_size=(80, 24))


def test_picker_cv_grilling_shows_the_cv_field(snap_compare: Any, services: Services) -> None:
    async def choose_cv(pilot: Pilot[Any]) -> None:
        for _ in range(7):
            await pilot.press("down")

    assert snap_compare(PrepAIApp(services), terminal_size=(80, 24), run_before=choose_cv)


def test_interview_waiting_for_a_typed_answer(
    snap_compare: Any, store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    services = scripted(store, bank, evaluator, clock, "gsde-two-sum")
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))

    async def asked(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: any(e.role == "interviewer" and "target" in e.body
                                          for e in app.screen.query_one(TranscriptPane).entries))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=asked)


def test_coding_question_opens_the_editor(
    snap_compare: Any, store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    services = scripted(store, bank, evaluator, clock, "code-valid-brackets")
    app = PrepAIApp(services, setup=InterviewSetup(type="coding-round"))

    async def asked(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: app.screen.has_class("-coding"))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(100, 30), run_before=asked)


def test_quit_dialog(snap_compare: Any, store: SessionStore, bank: QuestionBank, evaluator: Any,
                     clock: FrozenClock) -> None:
    services = scripted(store, bank, evaluator, clock, "gsde-two-sum")
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))

    async def quit_asked(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: len(app.screen.query_one(TranscriptPane).entries) >= 2)
        await pilot.press("ctrl+c")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=quit_asked)


def test_report(snap_compare: Any, services: Services, store: SessionStore) -> None:
    session_id = seeded_session(store)
    app = PrepAIApp(services, resume=session_id)  # an ended session opens its report

    async def loaded(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.report is not None)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded)


def test_sessions(snap_compare: Any, services: Services, store: SessionStore) -> None:
    seeded_session(store, "20260115-103000-abc123")
    seeded_session(store, "20260116-090000-def456")
    assert snap_compare(PrepAIApp(services, show_sessions=True), terminal_size=(80, 24))
