"""Plays synthesized sentences on a sink, block by block, so playback can stop mid-sentence."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from prepai_cli.audio.sinks import AudioSink


@dataclass
class Clip:
    """One synthesized sentence; the player fills in how much of it was heard."""

    pcm: np.ndarray  # int16 at the sink's sample rate
    played_samples: int = 0
    started_at: float | None = None  # monotonic time its first block went to the sink
    done: bool = False  # fully played, or dropped by a cancel
    cancelled: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def played_fraction(self) -> float:
        return self.played_samples / len(self.pcm) if len(self.pcm) else 1.0


class Player:
    """A thread that writes clips to the sink in ~40 ms blocks; a cancelled clip stops at the next block."""

    def __init__(self, sink: AudioSink, block_ms: int = 40):
        self.sink = sink
        self._block = max(1, int(sink.sample_rate * block_ms / 1000))
        self._queue: queue.Queue[Clip | None] = queue.Queue()
        self._playing = threading.Event()
        self.first_audio = threading.Event()  # set once the first block has gone out
        self._last_audio_at = 0.0
        self._thread = threading.Thread(target=self._run, name="player", daemon=True)
        self._thread.start()

    @property
    def playing(self) -> bool:
        """True while audio is going out (the echo guard raises the VAD threshold meanwhile)."""
        return self._playing.is_set()

    def audible_within(self, seconds: float) -> bool:
        """Playing now or a moment ago: a room's echo outlasts the last block by a few hundred milliseconds."""
        return self.playing or time.monotonic() - self._last_audio_at < seconds

    def enqueue(self, clip: Clip) -> None:
        self._queue.put(clip)

    def abort(self) -> None:
        """Silences the sink now; the caller has marked the clips to drop as cancelled."""
        self.sink.abort()

    def drain(self) -> None:
        self.sink.drain()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=2)
        self.sink.close()

    def _run(self) -> None:
        while True:
            clip = self._queue.get()
            if clip is None:
                return
            try:
                self._play(clip)
            finally:
                clip.done = True
                clip.finished.set()
                if self._queue.empty():
                    self._playing.clear()

    def _play(self, clip: Clip) -> None:
        for start in range(0, len(clip.pcm), self._block):
            if clip.cancelled:
                return
            self._playing.set()
            if clip.started_at is None:
                clip.started_at = time.monotonic()
            block = clip.pcm[start:start + self._block]
            self.sink.write(block)
            self.first_audio.set()
            self._last_audio_at = time.monotonic()
            clip.played_samples = start + len(block)
