"""Builds the voice pipeline around a file source for tests."""

from __future__ import annotations

import time
from pathlib import Path

import jiwer
import numpy as np

from prepai_cli.audio.duplex import AnswerAudio, Duplex, DuplexConfig, InputEnded, InputEvent, PartialText
from prepai_cli.audio.playback import Player
from prepai_cli.audio.sinks import AudioSink, NullSink
from prepai_cli.audio.sources import FileSource
from prepai_cli.audio.speech_out import SpeechOutput
from prepai_cli.audio.stt import WhisperRecognizer
from prepai_cli.audio.tts import PiperSynthesizer


def make_duplex(samples: np.ndarray, recognizer: WhisperRecognizer, piper: PiperSynthesizer, *,
                realtime: bool = False, polite: bool = True, sink: AudioSink | None = None,
                config: DuplexConfig | None = None) -> Duplex:
    source = FileSource(samples, realtime=realtime, polite=polite)
    speech = SpeechOutput(piper, Player(sink or NullSink(piper.sample_rate, realtime=False)))
    return Duplex(source, recognizer, speech, config or DuplexConfig())


def collect(duplex: Duplex, timeout_s: float = 120.0,
            endpoints_s: list[float] | None = None) -> list[tuple[float, InputEvent]]:
    """Runs a file through as a polite candidate would answer a silent interviewer; (time received, event).

    `endpoints_s` gets, per answer, how far into the file the endpoint came: audio time, the same under any load
    (a polite file source stops at the endpoint until the interviewer has had its turn)."""
    events: list[tuple[float, InputEvent]] = []
    duplex.interviewer_ends()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        event = duplex.next_event(timeout=0.1)
        if event is None:
            continue
        events.append((time.monotonic(), event))
        if isinstance(event, InputEnded):
            return events
        if isinstance(event, AnswerAudio):
            if endpoints_s is not None and isinstance(duplex.source, FileSource):
                endpoints_s.append(duplex.source.position_s)
            duplex.interviewer_begins()
            duplex.interviewer_ends()
    raise AssertionError(f"the pipeline did not finish within {timeout_s} s; got {events}")


def answers(events: list[tuple[float, InputEvent]]) -> list[AnswerAudio]:
    return [e for _, e in events if isinstance(e, AnswerAudio)]


def partials(events: list[tuple[float, InputEvent]]) -> list[PartialText]:
    return [e for _, e in events if isinstance(e, PartialText)]


def wer(reference: str, hypothesis: str) -> float:
    clean = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                           jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return float(jiwer.wer(reference, hypothesis, reference_transform=clean, hypothesis_transform=clean))


def read_duration(path: Path) -> float:
    import soundfile

    info = soundfile.info(str(path))
    return info.frames / info.samplerate
