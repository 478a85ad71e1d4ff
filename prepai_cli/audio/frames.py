"""The one audio frame type that flows between sources, the VAD and the recognizer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Whisper and Silero both want 16 kHz mono; everything on the input side is converted to this once, at the source.
SAMPLE_RATE = 16000
# Silero VAD v6 takes exactly 512 samples per step at 16 kHz (32 ms); sources emit frames of this size.
WINDOW = 512


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """Mono float32 PCM in [-1, 1]; `start_s` is audio time (position in the stream, not wall-clock time)."""

    samples: np.ndarray
    sample_rate: int
    start_s: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
