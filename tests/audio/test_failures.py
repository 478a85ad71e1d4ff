"""A broken recognizer or voice ends the spoken interview with one clear line instead of hanging it."""

from __future__ import annotations

import numpy as np
import pytest

from prepai_cli.audio.duplex import Duplex
from prepai_cli.audio.playback import Player
from prepai_cli.audio.sinks import NullSink
from prepai_cli.audio.sources import FileSource
from prepai_cli.audio.speech_out import SpeechOutput
from prepai_cli.audio.stt import Transcript
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import ConsoleOutput
from prepai_cli.interview.io import AnswerContext
from prepai_cli.interview.voice import VoiceInput, VoiceOutput
from tests.audio.conftest import silence


class _CorruptModel:
    def transcribe(self, audio: np.ndarray, **options: object) -> Transcript:
        raise RuntimeError("model.bin is truncated")


class _MuteVoice:
    sample_rate = 22050

    def synthesize(self, text: str) -> np.ndarray:
        raise RuntimeError("voice model failed to run")


def test_recognizer_failure_is_one_clear_error(speak, piper, store) -> None:
    samples = np.concatenate([silence(0.3), speak("I would use a queue."), silence(1.0)])
    speech = SpeechOutput(piper, Player(NullSink(piper.sample_rate, realtime=False)))
    duplex = Duplex(FileSource(samples, realtime=False), _CorruptModel(), speech)
    session = store.create_session("behavioral", "offline", "tester")
    try:
        with pytest.raises(PrepAIError, match="speech recognition failed: model.bin is truncated"):
            VoiceInput(duplex, ConsoleOutput().console, store, session.id).next_answer(
                AnswerContext(prompt_text="", question_id=None, segment_kind=None))
    finally:
        duplex.close()


def test_voice_failure_is_one_clear_error(speak, recognizer) -> None:
    voice = _MuteVoice()
    speech = SpeechOutput(voice, Player(NullSink(voice.sample_rate, realtime=False)))
    duplex = Duplex(FileSource(silence(1.0), realtime=False), recognizer, speech)
    output = VoiceOutput(duplex, ConsoleOutput())
    try:
        output.begin_segment("question", {})
        output.write("Tell me about yourself.")
        with pytest.raises(PrepAIError, match="the interviewer's voice failed: voice model failed to run"):
            output.end_turn()
    finally:
        duplex.close()
