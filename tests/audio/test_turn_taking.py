"""VAD endpointing, streaming partials and barge-in on real synthesized speech."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from prepai_cli.audio.decoding import load_speech
from prepai_cli.audio.duplex import Duplex, PartialText
from prepai_cli.audio.frames import AudioFrame
from prepai_cli.audio.playback import Player
from prepai_cli.audio.sinks import TeeSink, WavFileSink
from prepai_cli.audio.sources import FileSource
from prepai_cli.audio.speech_out import SpeechOutput
from prepai_cli.interview.console import ConsoleOutput
from prepai_cli.interview.voice import VoiceInput, VoiceOutput
from prepai_cli.interview.io import AnswerContext
from tests.audio.conftest import silence
from tests.audio.harness import answers, collect, make_duplex, partials, read_duration, wer

pytestmark = pytest.mark.slow


def test_pauses_between_answers_split_them_into_turns(three_answers, recognizer, piper) -> None:
    duplex = make_duplex(load_speech(three_answers.path), recognizer, piper)
    try:
        got = answers(collect(duplex))
    finally:
        duplex.close()
    assert len(got) == len(three_answers.texts)
    for answer, script in zip(got, three_answers.texts):
        assert wer(script, answer.transcript.text) <= 0.35, answer.transcript.text
        assert answer.speech_segments, "each answer records its speech stretches"
        assert not answer.forced_end


def test_short_pause_inside_an_answer_does_not_end_the_turn(paused_answer, recognizer, piper) -> None:
    duplex = make_duplex(load_speech(paused_answer.path), recognizer, piper)
    try:
        got = answers(collect(duplex))
    finally:
        duplex.close()
    assert len(got) == 1
    assert wer(paused_answer.texts[0], got[0].transcript.text) <= 0.3, got[0].transcript.text
    assert len(got[0].speech_segments) >= 2, "the pause is inside the turn, so the turn has two speech stretches"


def test_partials_appear_while_the_candidate_is_still_speaking(speak, recognizer, piper) -> None:
    text = "I would keep a sliding window over the array and move the left edge whenever the sum gets too large."
    samples = np.concatenate([silence(0.3), speak(text), silence(1.2)])
    duplex = make_duplex(samples, recognizer, piper, realtime=True)
    try:
        events = collect(duplex)
    finally:
        duplex.close()
    answer = answers(events)[0]
    first_partial_at = next(t for t, e in events if isinstance(e, PartialText))
    assert first_partial_at < answer.timing.speech_end, "a partial transcript arrived before the speech ended"
    assert answer.partials >= 1 and answer.time_to_first_partial_s is not None
    assert partials(events)[0].text.strip()


class _StartsWithTheInterviewer(FileSource):
    """A candidate who starts counting when the interviewer's voice is first heard, not when the test starts:
    on a loaded machine the first sentence may take a second to synthesize, and the barge-in must still come
    ~1.5 s into the interviewer's audio."""

    def __init__(self, samples: np.ndarray, heard: threading.Event):
        super().__init__(samples, realtime=True, polite=False)
        self._heard = heard

    def read(self, timeout: float) -> AudioFrame | None:
        if not self._heard.wait(timeout):
            return None
        return super().read(timeout)


class _Clock:
    """Records when blocks reach the sink, to check how fast a barge-in silences playback."""

    audible = False

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.writes: list[float] = []

    def write(self, block: np.ndarray) -> None:
        self.writes.append(time.monotonic())

    def abort(self) -> None:
        pass

    def drain(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_barge_in_stops_playback_and_becomes_the_next_answer(speak, recognizer, piper, tmp_path: Path, store) -> None:
    reply = "We had a long question for you. " * 2 + (
        "Tell me about the hardest bug you fixed, how you found it, and what you changed afterwards. "
        "Take your time, and walk me through it step by step, including what you measured.")
    candidate = "Sorry to interrupt, I think I already know which bug I want to talk about."
    samples = np.concatenate([silence(1.5), speak(candidate), silence(1.5)])
    out = tmp_path / "interviewer.wav"
    clock = _Clock(piper.sample_rate)
    sink = TeeSink(WavFileSink(out, piper.sample_rate, realtime=True), clock)
    player = Player(sink)
    duplex = Duplex(_StartsWithTheInterviewer(samples, player.first_audio), recognizer,
                    SpeechOutput(piper, player))
    session = store.create_session("behavioral", "offline", "tester")
    output = VoiceOutput(duplex, ConsoleOutput())
    barged_at: list[float] = []
    threading.Thread(target=lambda: (duplex.barged_in.wait(30), barged_at.append(time.monotonic())),
                     daemon=True).start()
    try:
        output.begin_segment("question", {})
        output.write(reply)
        delivery = output.end_turn()
        answer = VoiceInput(duplex, ConsoleOutput().console, store, session.id).next_answer(
            AnswerContext(prompt_text=reply, question_id=None, segment_kind="question"))
    finally:
        duplex.close()
        duplex.speech.player.close()
    assert delivery.interrupted
    assert delivery.spoken is not None and len(delivery.spoken[0]) < len(reply.strip())
    full = sum(len(piper.synthesize(s)) for s in reply.split(". ")) / piper.sample_rate
    assert 0.5 < read_duration(out) < full / 2, "the recording stops where the candidate cut in"
    assert barged_at and clock.writes
    assert max(clock.writes) - barged_at[0] <= 0.2, "playback stopped within 200 ms of the barge-in"
    assert answer is not None and answer.meta.get("barged_in") is True
    assert wer(candidate, answer.text) <= 0.35, answer.text
    assert Path(answer.audio_path or "").exists()
    recorded, rate = soundfile.read(answer.audio_path)
    assert rate == 16000 and np.max(np.abs(recorded)) > 0.05
