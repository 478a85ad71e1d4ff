"""Pilot tests: pick → interview → answer → End → report, asserting on the app's messages and widgets."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from prepai_cli.bank import QuestionBank
from prepai_cli.screens.interview import InterviewScreen
from prepai_cli.screens.picker import PickerScreen
from prepai_cli.screens.report import ReportLoaded, ReportScreen
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup, Services
from prepai_cli.widgets.answer_box import AnswerBox
from prepai_cli.widgets.hint_bar import HintBar
from prepai_cli.widgets.session_header import SessionHeader
from prepai_cli.widgets.transcript import TranscriptPane
from prepai_cli.widgets.voice_panel import VoicePanel
from tests.tui.helpers import PartialsVoice, Recorder, make_services, partials_voice_factory, plain, wait_for

pytestmark = pytest.mark.anyio

GOOD_TWO_SUM = (
    "I would use a hash map from value to index. For each number I check whether target minus the number is "
    "already in the map; if so I return both indices, otherwise I store the number. That is one pass, O(n) time "
    "and O(n) extra space, compared with O(n squared) for checking every pair."
)


def transcript_text(app: PrepAIApp) -> str:
    pane = app.screen.query_one(TranscriptPane)
    return "\n".join(f"{e.speaker}: {e.body}" for e in pane.entries)


async def test_pick_type_answer_end_and_see_scores(services: Services, store: SessionStore) -> None:
    recorder = Recorder()
    app = PrepAIApp(services)
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("down", "up", "enter")  # google-sde is first; moving away and back exercises the list
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))

        questions = [s for s in recorder.of(m.SegmentStarted) if s.kind == "question"]
        assert questions and questions[0].meta["number"] == 1
        question_id = questions[0].meta["question_id"]
        header = app.screen.query_one(SessionHeader)
        assert header.question == (1, questions[0].meta["of"])
        streamed = "".join(t.text for t in recorder.of(m.InterviewerText))
        question_text = services.bank.question(question_id).text.strip()
        assert question_text in streamed
        assert question_text in transcript_text(app)
        # No microphone was given: the panel says so and typing is the mode.
        panel = app.screen.query_one(VoicePanel)
        assert panel.voice_available is False
        assert "type your answers" in plain(panel.query_one("#voice-note", Static)).lower()

        await pilot.click("#typed")
        typed = GOOD_TWO_SUM[:59]
        await pilot.press(*typed, "enter")
        await wait_for(pilot, lambda: len(recorder.of(m.AnswerRequested)) >= 2)
        finals = recorder.of(m.CandidateFinal)
        assert [(f.text, f.kind, f.source) for f in finals] == [(typed, "answer", "typed")]
        assert "You · typed: " + typed in transcript_text(app)

        await pilot.press("f10")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await wait_for(pilot, lambda: bool(recorder.of(ReportLoaded)))
        finished = recorder.of(m.InterviewFinished)
        assert len(finished) == 1 and finished[0].finished
        report = recorder.of(ReportLoaded)[0].report
        assert report.questions and report.questions[0].score is not None
        summary = plain(app.screen.query_one("#summary", Static))
        assert "Overall" in summary and f"{report.overall_score:.1f}/10" in summary
        table = plain(app.screen.query_one("#questions", Static))
        assert f"{report.questions[0].score:.1f}/10" in table
    session = store.get_session(finished[0].session.id)
    assert session.status == "ended"
    assert app.return_value is None or app.return_value.id == session.id


async def test_partials_stream_then_the_final_replaces_them(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    created: list[PartialsVoice] = []
    answer = "I would sort the array and then use two pointers from both ends"
    services = make_services(store, bank, evaluator, clock,
                             voice_factory=partials_voice_factory([answer], created))
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde", questions=2))
    seen_partial_entries: list[str] = []

    def hook(message: Any) -> None:
        recorder(message)

    async with app.run_test(size=(100, 32), message_hook=hook) as pilot:
        pane = app.screen.query_one(TranscriptPane)

        def partial_visible() -> bool:
            live = [e for e in pane.entries if e.partial]
            if live:
                seen_partial_entries.append(live[0].body)
            return bool(recorder.of(m.CandidateFinal))

        await wait_for(pilot, partial_visible)
        await wait_for(pilot, lambda: len(recorder.of(m.AnswerRequested)) >= 2 or bool(recorder.of(m.InterviewFinished)))
        partial_texts = [p.text for p in recorder.of(m.CandidatePartial)]
        # Merged when the UI lags, so maybe fewer messages than partials sent, but always in order and the
        # newest wins.
        assert partial_texts and set(partial_texts) <= set(created[0].partials_sent)
        assert partial_texts == sorted(partial_texts, key=len)
        assert seen_partial_entries, "a partial was never shown in the transcript"
        candidate_entries = [e for e in pane.entries if e.role == "candidate"]
        assert len(candidate_entries) == 1, "the final must replace the partial, not add a second entry"
        assert candidate_entries[0].body == answer and not candidate_entries[0].partial
        assert not candidate_entries[0].has_class("-partial")
        assert app.screen.query_one(VoicePanel).voice_available is True


async def test_ctrl_c_offers_to_save_and_the_session_can_be_resumed(services: Services, store: SessionStore) -> None:
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="behavioral"))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        await pilot.press("ctrl+c")
        await pilot.press("s")
        await wait_for(pilot, lambda: bool(recorder.of(m.InterviewFinished)))
    saved = app.return_value
    assert saved is not None and saved.status == "abandoned"
    turns_before = store.turns(saved.id)
    assert turns_before and turns_before[-1].kind == "question"

    resumed = Recorder()
    app2 = PrepAIApp(services, resume=saved.id)
    async with app2.run_test(size=(80, 24), message_hook=resumed) as pilot:
        await wait_for(pilot, lambda: bool(resumed.of(m.AnswerRequested)))
        notices = [n.text for n in resumed.of(m.Notice)]
        assert any("Welcome back" in n for n in notices)
        assert turns_before[-1].text in transcript_text(app2)
        assert store.get_session(saved.id).status == "active"


async def test_hint_goes_to_the_hint_bar(services: Services) -> None:
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(s.kind == "hint" for s in recorder.of(m.SegmentStarted)))
        await wait_for(pilot, lambda: len(recorder.of(m.AnswerRequested)) >= 2)
        hint_bar = app.screen.query_one(HintBar)
        question_id = next(s.meta["question_id"] for s in recorder.of(m.SegmentStarted) if s.kind == "question")
        first_hint = services.bank.question(question_id).hints[0]
        assert first_hint in hint_bar.hint


async def test_typed_input_keeps_q_and_space(services: Services) -> None:
    """q and space are bindings elsewhere; in the answer box they must type."""
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        box = app.screen.query_one("#typed", AnswerBox)
        box.focus()
        await pilot.press("q", "space", "q")
        assert box.text == "q q"
        assert isinstance(app.screen, InterviewScreen)


async def test_no_microphone_says_why_and_typing_takes_over(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    from prepai_cli.audio.devices import NoAudioDevice

    def no_microphone(*_: Any) -> Any:
        raise NoAudioDevice("no input device found")

    services = make_services(store, bank, evaluator, clock, voice_factory=no_microphone)
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.AnswerRequested)))
        ready = recorder.of(m.InterviewReady)[0]
        assert (ready.voice, ready.voice_error) == (False, "no input device found")
        note = plain(app.screen.query_one("#voice-note", Static))
        assert "no input device found" in note and "type your answers" in note.lower()
        assert app.screen.focused is app.screen.query_one("#typed", AnswerBox)


class BrokenVoice:
    def next_answer(self, context: Any) -> Any:
        raise RuntimeError("speech model is corrupt")


async def test_voice_failing_mid_interview_falls_back_to_typing(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock,
) -> None:
    from prepai_cli.tui.services import VoiceIO

    services = make_services(store, bank, evaluator, clock,
                             voice_factory=lambda *_: VoiceIO(input=BrokenVoice(), label="test", live=False))
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: any("Voice input stopped" in n.text for n in recorder.of(m.Notice)))
        app.screen.query_one("#typed", AnswerBox).focus()
        await pilot.press(*"a hash map", "enter")
        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)))
        assert recorder.of(m.CandidateFinal)[0].source == "typed"


async def test_answers_file_drives_the_interview_to_the_report(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock, tmp_path: Any,
) -> None:
    from prepai_cli.tui.scripted import scripted_answers

    answers = tmp_path / "answers.txt"
    answers.write_text(GOOD_TWO_SUM + "\n\nI would ask about constraints first, then test edge cases.\n",
                       encoding="utf-8")
    services = make_services(store, bank, evaluator, clock, voice_factory=scripted_answers(answers))
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde", questions=2))
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(ReportLoaded)), timeout=30)
        finals = [f.text for f in recorder.of(m.CandidateFinal)]
        assert finals[0] == GOOD_TWO_SUM and len(finals) == 2
        assert recorder.of(m.InterviewFinished)[0].finished
