"""A long silence after a question gets a check-in (issue 13), measured in audio time so load cannot change it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from prepai_cli.audio.duplex import AnswerAudio, DuplexConfig, InputEnded, Silence
from prepai_cli.cli import app
from prepai_cli.store import SessionStore
from tests.audio.conftest import silence, write_wav
from tests.audio.harness import make_duplex

ANSWER_A = "In my last role I profiled the slow database queries and added a cache, which halved the latency."
ANSWER_B = "I set up a meeting with my teammate, we listened to each other and agreed on a small benchmark."


@pytest.mark.slow
def test_a_long_silence_gets_a_check_in_and_speech_in_the_wait_does_not(speak, audio_dir: Path,
                                                                        prepai_home: Path) -> None:
    # 24 s of silence after the first question (past the 20 s default), an answer; then 12 s of silence (under
    # it), another answer, and the file ends.
    samples = np.concatenate([silence(24.0), speak(ANSWER_A), silence(12.0), speak(ANSWER_B), silence(3.0)])
    wav = write_wav(audio_dir / "silence-then-answers.wav", samples)
    result = CliRunner().invoke(app, ["interview", "--type", "behavioral", "--input", str(wav), "--fast",
                                      "--no-tui", "--mute"])
    assert result.exit_code == 0, (result.output, result.exception)
    store = SessionStore(prepai_home / "sessions.db", prepai_home / "sessions")
    [session] = store.list_sessions()
    turns = store.turns(session.id)
    store.close()
    candidate = [t for t in turns if t.role == "candidate"]
    transcript = [(t.role, t.kind, t.text[:60]) for t in turns]
    assert [bool(t.meta.get("silence")) for t in candidate] == [True, False, False], transcript
    silent = candidate[0]
    assert silent.text == "" and 20.0 <= silent.meta["silence_s"] < 21.0, silent.meta
    after = turns[silent.index + 1]
    assert after.role == "interviewer" and after.kind == "check_in", transcript
    assert "take your time" in after.text.lower()
    assert "latency" in candidate[1].text.lower() and "benchmark" in candidate[2].text.lower()


@pytest.mark.slow
def test_speech_during_the_wait_restarts_it_in_audio_time(speak, recognizer, piper) -> None:
    # Speech 15 s into a 20 s wait: no Silence before the answer. After the interviewer's turn the wait starts
    # again, and the Silence comes 20 audio seconds after that floor, not 20 s after the first one.
    samples = np.concatenate([silence(15.0), speak(ANSWER_A), silence(26.0)])
    duplex = make_duplex(samples, recognizer, piper, config=DuplexConfig(silence_checkin_s=20.0))
    events: list[object] = []
    positions: list[float] = []
    try:
        duplex.interviewer_ends()
        while True:
            event = duplex.next_event(timeout=60)
            assert event is not None, events
            events.append(event)
            if isinstance(event, AnswerAudio):
                duplex.interviewer_begins()
                floor_at = duplex.source.position_s
                duplex.interviewer_ends()
            if isinstance(event, Silence):
                positions.append(duplex.source.position_s)
                assert duplex.still_silent(event)
                duplex.interviewer_begins()  # the check-in: a Silence left in the queue is stale after it
                assert not duplex.still_silent(event)
                duplex.interviewer_ends()
            if isinstance(event, InputEnded):
                break
    finally:
        duplex.close()
    kinds = [type(e).__name__ for e in events if not type(e).__name__.startswith(("Partial", "Provisional"))]
    assert kinds == ["AnswerAudio", "Silence", "InputEnded"], kinds
    [checkin] = [e for e in events if isinstance(e, Silence)]
    assert 20.0 <= checkin.waited_s < 20.2
    # Counted from where the floor came back after the answer (the file paused there), not from the start.
    assert checkin.floor_s >= 15.0 and abs(checkin.floor_s - floor_at) < 0.2, (checkin.floor_s, floor_at)
    assert positions[0] - checkin.floor_s >= 20.0


@pytest.mark.slow
def test_no_check_in_when_switched_off(speak, recognizer, piper) -> None:
    samples = np.concatenate([silence(30.0), speak(ANSWER_B), silence(2.0)])
    duplex = make_duplex(samples, recognizer, piper, config=DuplexConfig(silence_checkin_s=0))
    events: list[object] = []
    try:
        duplex.interviewer_ends()
        while not events or not isinstance(events[-1], InputEnded):
            event = duplex.next_event(timeout=60)
            assert event is not None, events
            events.append(event)
            if isinstance(event, AnswerAudio):
                duplex.interviewer_begins()
                duplex.interviewer_ends()
    finally:
        duplex.close()
    assert not any(isinstance(e, Silence) for e in events)
    assert any(isinstance(e, AnswerAudio) and "benchmark" in e.transcript.text.lower() for e in events)
