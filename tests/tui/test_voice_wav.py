"""The real voice pipeline in the TUI: a WAV file stands in for the microphone (Whisper, VAD, Piper muted).

Partials must show in the transcript while the answer is being spoken, then be replaced by the final text; the
interviewer's next words follow, and when the file ends the interview closes and the report opens.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.audio.stack import VoiceOptions
from prepai_cli.bank import QuestionBank
from prepai_cli.screens.report import ReportLoaded
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import InterviewSetup
from prepai_cli.tui.voice import voice_factory
from prepai_cli.widgets.transcript import TranscriptPane
from prepai_cli.widgets.voice_panel import VoicePanel
from tests.tui.helpers import Recorder, ScriptedBrain, make_services, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ANSWER = ("I would use a hash map from each value to its index, and for every number look up the target minus "
          "that number, which takes linear time overall.")


@pytest.fixture
def answer_wav(tmp_path: Path) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required for the voice tests: apt-get install espeak-ng")
    path = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), ANSWER], check=True)
    return path


async def test_wav_answer_streams_partials_then_final_then_report(
    answer_wav: Path, store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = VoiceOptions(input_path=answer_wav, mute=True, models_dir=tmp_path / "models", cpu_threads=1)
    services = make_services(store, bank, evaluator, clock, voice_factory=voice_factory(options, store))
    # Real time is needed for partials, and a muted interviewer still "speaks" in real time: keep its lines short.
    services.brain_factory = lambda: ScriptedBrain("gsde-two-sum", "Two sum: how?", topic="arrays")
    recorder = Recorder()
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    shown_partials: list[str] = []
    # Recorded as the pane shows them, not by polling it: on a loaded machine a poll can miss a partial that the
    # final replaced in between.
    show_partial = TranscriptPane.show_partial

    def recording_show_partial(self: TranscriptPane, text: str, *args: Any, **kwargs: Any) -> Any:
        shown_partials.append(text)
        return show_partial(self, text, *args, **kwargs)

    monkeypatch.setattr(TranscriptPane, "show_partial", recording_show_partial)
    async with app.run_test(size=(100, 32), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(m.InterviewReady)), timeout=90)
        ready = recorder.of(m.InterviewReady)[0]
        assert ready.voice, ready.voice_error
        assert app.screen.query_one(VoicePanel).voice_available

        await wait_for(pilot, lambda: bool(recorder.of(m.CandidateFinal)), timeout=120)
        final = recorder.of(m.CandidateFinal)[0]
        assert final.source == "voice" and final.kind == "answer"
        assert "hash map" in final.text.lower()
        partials = [p.text for p in recorder.of(m.CandidatePartial)]
        assert partials, "no partial transcript arrived before the final one"
        assert shown_partials, "partials were never shown in the transcript"
        assert recorder.messages.index(recorder.of(m.CandidatePartial)[0]) < recorder.messages.index(final)
        assert any(level.level > 0.2 for level in recorder.of(m.InputLevel))

        await wait_for(pilot, lambda: bool(recorder.of(ReportLoaded)), timeout=60)
        # After the answer the interviewer spoke again (feedback, follow-up or closing) before the report.
        after = recorder.messages[recorder.messages.index(final):]
        assert any(isinstance(x, m.InterviewerText) and x.text.strip() for x in after)
        report = recorder.of(ReportLoaded)[0].report
        answers = [a for q in report.questions for a in q.answers]
        assert answers and "hash map" in answers[0].text.lower() and answers[0].delivery is not None
