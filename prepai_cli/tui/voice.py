"""The voice pipeline (prepai_cli.audio + interview.voice) adapted to the TUI.

Three things the console voice mode does not need: partial transcripts go to the transcript pane instead of a
rich Live line, the input level feeds the meter, and mute / push-to-talk gate the audio before voice activity
detection sees it (a gated window is silence, so the endpointer ends the answer as if the candidate stopped).
"""

from __future__ import annotations

import io
import math
import threading
from pathlib import Path

import numpy as np
from rich.console import Console

from prepai_cli.audio.duplex import Duplex
from prepai_cli.audio.frames import AudioFrame
from prepai_cli.audio.sources import AudioSource
from prepai_cli.audio.stack import VoiceOptions, build_voice_stack, open_source
from prepai_cli.domain import Session
from prepai_cli.interview.console import ConsoleOutput
from prepai_cli.interview.voice import VoiceInput, VoiceOutput
from prepai_cli.store import SessionStore
from prepai_cli.tui.bridge import VoiceFeed
from prepai_cli.tui.services import Progress, VoiceFactory, VoiceIO

# The meter spans -60..0 dBFS: quieter than -60 dB is room noise, speech sits around -30..-10.
_FLOOR_DB = -60.0


def level_of(samples: np.ndarray) -> float:
    """Loudness of a window as 0..1 on a dB scale, which is how loudness is perceived."""
    if samples.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 0.0:
        return 0.0
    return max(0.0, min(1.0, (20 * math.log10(rms) - _FLOOR_DB) / -_FLOOR_DB))


class GatedSource:
    """Passes audio through, reporting its level; while muted, or in push-to-talk with space not pressed, the
    candidate's audio is replaced by silence so nothing they say is heard."""

    def __init__(self, source: AudioSource, feed: VoiceFeed) -> None:
        self._source = source
        self._feed = feed
        self._lock = threading.Lock()
        self.muted = False
        self.push_to_talk = False
        self.talking = False

    @property
    def open(self) -> bool:
        with self._lock:
            return not self.muted and (not self.push_to_talk or self.talking)

    @property
    def finished(self) -> bool:
        return self._source.finished

    def read(self, timeout: float) -> AudioFrame | None:
        frame = self._source.read(timeout)
        if frame is None:
            return None
        if not self.open:
            self._feed.level(0.0)
            return AudioFrame(np.zeros_like(frame.samples), frame.sample_rate, frame.start_s)
        self._feed.level(level_of(frame.samples))
        return frame

    def set_floor(self, candidate_may_speak: bool) -> None:
        self._source.set_floor(candidate_may_speak)

    def close(self) -> None:
        self._source.close()


class _TuiAnswerView:
    def __init__(self, feed: VoiceFeed, gate: GatedSource) -> None:
        self.feed = feed
        self.gate = gate

    def listening(self) -> None:
        self.feed.state("listening" if self.gate.open else "muted")

    def partial(self, text: str) -> None:
        self.feed.partial(text)

    def final(self, text: str) -> None:
        pass  # the runner's stored turn reaches the transcript as the final text

    def stopped(self) -> None:
        pass


class TuiVoiceInput(VoiceInput):
    """VoiceInput whose partials and state go to the TUI, with the voice panel's mute and push-to-talk."""

    def __init__(self, duplex: Duplex, store: SessionStore, session_id: str, feed: VoiceFeed,
                 gate: GatedSource) -> None:
        # InputFailed reaches TuiInput's listener, which says so in the transcript and falls back to typing.
        super().__init__(duplex, None, store, session_id, view=_TuiAnswerView(feed, gate))
        self.gate = gate

    def set_muted(self, muted: bool) -> None:
        self.gate.muted = muted

    def set_push_to_talk(self, enabled: bool) -> None:
        self.gate.push_to_talk = enabled
        self.gate.talking = False

    def set_talking(self, talking: bool) -> None:
        self.gate.talking = talking


def voice_factory(options: VoiceOptions, store: SessionStore) -> VoiceFactory:
    """Opens the input, then loads Whisper, Piper and the VAD (on the caller's worker thread)."""

    def build(session: Session, feed: VoiceFeed, progress: Progress) -> VoiceIO:
        where = f"audio file {Path(options.input_path).name}" if options.input_path else "the microphone"
        progress(f"Opening {where}", 0.0)
        source = open_source(options)  # NoAudioDevice here becomes the panel's "no voice input" reason
        gate = GatedSource(source, feed)
        progress("Loading speech recognition and the interviewer's voice", 0.2)
        try:
            stack = build_voice_stack(options, gate, Console(file=io.StringIO()))
        except BaseException:
            source.close()
            raise
        progress("Voice ready", 1.0)
        quiet = ConsoleOutput(Console(file=io.StringIO()))
        return VoiceIO(
            input=TuiVoiceInput(stack.duplex, store, session.id, feed, gate),
            output=VoiceOutput(stack.duplex, quiet),
            label=where, live=options.input_path is None, close=stack.close,
            stop_speaking=stack.duplex.speech.cancel,
        )

    return build
