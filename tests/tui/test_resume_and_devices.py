"""Issue 18, items 4, 6 and 7 in the app: what a resumed interview shows, device failures in words, state words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from prepai_cli.bank import QuestionBank
from prepai_cli.domain import NewTurn
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup, Services
from prepai_cli.widgets.hint_bar import HintBar
from prepai_cli.widgets.session_header import SessionHeader
from prepai_cli.widgets.transcript import TranscriptPane
from tests.tui.helpers import Recorder, make_services, plain, wait_for

pytestmark = pytest.mark.anyio

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _paused_mid_question(store: SessionStore, bank: QuestionBank) -> tuple[str, Any, Any]:
    """Question 2 of 3 asked, answered once, then a hint: the candidate paused while working on it."""
    first, second = bank.questions("behavioral")[:2]
    session = store.create_session("behavioral", "offline", "tester", {"questions": 3})

    def add(role: str, kind: str, text: str, at: float, question: Any = None, **meta: Any) -> None:
        store.add_turn(session.id, NewTurn(
            role=role, kind=kind, text=text, started_at=START + timedelta(seconds=at),  # type: ignore[arg-type]
            ended_at=START + timedelta(seconds=at + 5), question_id=question.id if question else None, meta=meta,
        ))

    add("interviewer", "intro", "Hi, I'm your PrepAI interviewer.", 0)
    add("interviewer", "question", first.text.strip(), 10, first, number=1, of=3, topic=first.topic)
    add("candidate", "answer", "I raised it with data from our dashboards.", 40, first)
    add("interviewer", "question", second.text.strip(), 100, second, number=2, of=3, topic=second.topic)
    add("candidate", "answer", "I am not sure where to start.", 130, second)
    add("interviewer", "hint", second.hints[0], 160, second, hint_index=0)
    store.set_status(session.id, "abandoned")
    return session.id, first, second


async def test_resume_shows_the_question_its_number_and_the_time_so_far(
    services: Services, store: SessionStore, bank: QuestionBank, clock: FrozenClock,
) -> None:
    """Item 4: --resume showed only 'Welcome back' and the old hint, no question, no Q n/N, the timer at 00:00."""
    session_id, first, second = _paused_mid_question(store, bank)
    recorder = Recorder()
    app = PrepAIApp(services, resume=session_id)
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        pane = app.screen.query_one(TranscriptPane)
        bodies = [e.body for e in pane.entries]
        assert second.text.strip() in bodies, "the question being answered is on screen"
        assert first.text.strip() in bodies and "I am not sure where to start." in bodies
        labels = [e.speaker for e in pane.entries if e.role == "interviewer"]
        assert all(label.startswith("Interviewer") for label in labels)
        header = app.screen.query_one(SessionHeader)
        assert header.question == (2, 3)
        assert header.elapsed == 160  # the 2 min 40 s spoken before the pause, not 00:00
        assert second.hints[0] in app.screen.query_one(HintBar).hint
        assert any("Welcome back" in n.text for n in recorder.of(m.Notice))
        # The hint is shown once in the transcript (the runner repeats it), not twice.
        assert bodies.count(second.hints[0]) == 1


async def test_no_microphone_is_said_in_words_with_how_to_pick_a_device(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    """Item 6: 'No voice input (no usable microphone (Error querying device -1))'."""
    from prepai_cli.audio.devices import NoAudioDevice

    def no_microphone(*_: Any) -> Any:
        raise NoAudioDevice("no usable microphone (Error querying device -1)")

    services = make_services(store, bank, evaluator, clock, voice_factory=no_microphone)
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        note = " ".join(plain(app.screen.query_one("#voice-note", Static), width=200).split())
        assert "Error querying device" not in note and "-1" not in note
        assert "the computer reports no microphone" in note
        assert "does not speak" in note  # the speaker is off too, and the note says so
        assert "audio.input_device" in note and "audio.output_device" in note


async def test_sessions_screen_uses_the_cli_words_for_states(services: Services, store: SessionStore) -> None:
    """Item 7: the CLI said active/abandoned, the app unfinished/paused; now both use one set of words."""
    from prepai_cli.domain import STATUS_WORDS

    paused = store.create_session("behavioral", "offline", "tester")
    store.set_status(paused.id, "abandoned")
    app = PrepAIApp(services, show_sessions=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = table.get_row(paused.id)
        assert STATUS_WORDS["abandoned"] in row and "abandoned" not in row


async def test_cv_grilling_without_a_cv_says_so_in_the_app(services: Services) -> None:
    """Item 19: cv-grilling without --cv asked about 'the roles on your CV' with no warning."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="cv-grilling"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        notices = [e.body for e in app.screen.query_one(TranscriptPane).entries if e.role == "notice"]
        assert any("No CV given" in n and "--cv" in n for n in notices)


async def test_with_a_microphone_space_is_push_to_talk_not_a_space(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    """The answer box holds the focus while loading (so a paste is kept); a ready microphone takes it back."""
    from prepai_cli.tui.services import VoiceIO
    from prepai_cli.widgets.answer_box import AnswerBox
    from tests.tui.helpers import PartialsVoice

    voices: list[PartialsVoice] = []

    def live_voice(session: Any, feed: Any, progress: Any) -> VoiceIO:
        voices.append(PartialsVoice(feed, []))
        return VoiceIO(input=voices[-1], output=None, label="microphone", live=True)

    services = make_services(store, bank, evaluator, clock, voice_factory=live_voice)
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral"))
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.InterviewReady)) and bool(recorder.of(m.AnswerRequested)))
        await pilot.pause()
        box = app.screen.query_one("#typed", AnswerBox)
        assert not box.has_focus
        await pilot.press("f2", "space")  # push-to-talk on, then space starts talking
        assert box.text == ""
        assert app.screen._talking
        voices[0].released.set()
