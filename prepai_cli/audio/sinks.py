"""Where the interviewer's voice goes: the speaker, a WAV recording, or nowhere.

A sink receives int16 blocks of a few tens of milliseconds. `write` returns when the block has started playing
(a speaker blocks on its buffer, a paced recording sleeps as long as the block lasts), so the player can stop
between blocks and a barge-in cuts the sentence where it was.
"""

from __future__ import annotations

import collections
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile

from prepai_cli import privacy
from prepai_cli.audio.decoding import resample
from prepai_cli.audio.devices import NoAudioDevice, short_reason
from prepai_cli.errors import PrepAIError


class AudioSink(Protocol):
    sample_rate: int
    # True when the sound reaches a room the microphone can hear (the VAD then needs an echo guard).
    audible: bool

    def write(self, block: np.ndarray) -> None: ...

    def abort(self) -> None:
        """Drop whatever is buffered and fall silent at once (barge-in)."""
        ...

    def drain(self) -> None:
        """Return once everything written has been heard."""
        ...

    def close(self) -> None: ...


class _Pacer:
    """Makes a sink that has no hardware clock take as long as the audio it plays."""

    def __init__(self, sample_rate: int):
        self._rate = sample_rate
        self._due = 0.0

    def wait_turn(self, samples: int) -> None:
        now = time.monotonic()
        if self._due > now:
            time.sleep(self._due - now)
            now = self._due
        self._due = max(now, self._due) + samples / self._rate

    def drain(self) -> None:
        remaining = self._due - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def abort(self) -> None:
        self._due = 0.0


class NullSink:
    audible = False

    def __init__(self, sample_rate: int, realtime: bool = True):
        self.sample_rate = sample_rate
        self._pacer = _Pacer(sample_rate) if realtime else None

    def write(self, block: np.ndarray) -> None:
        if self._pacer is not None:
            self._pacer.wait_turn(len(block))

    def abort(self) -> None:
        if self._pacer is not None:
            self._pacer.abort()

    def drain(self) -> None:
        if self._pacer is not None:
            self._pacer.drain()

    def close(self) -> None:
        pass


class WavFileSink:
    """Records what was played, in audio time: a cut-off sentence stops mid-word in the file too."""

    audible = False

    def __init__(self, path: Path, sample_rate: int, realtime: bool = True, gap_s: float = 0.3):
        self.sample_rate = sample_rate
        self.path = path
        self._pacer = _Pacer(sample_rate) if realtime else None
        self._gap = np.zeros(int(gap_s * sample_rate), dtype=np.int16)
        self._pending_gap = False
        try:
            privacy.private_dir(path.parent)
            self._file = soundfile.SoundFile(str(path), "w", samplerate=sample_rate, channels=1, subtype="PCM_16")
            privacy.private_file(path)
        except (OSError, soundfile.LibsndfileError, RuntimeError) as exc:
            raise PrepAIError(f"cannot write audio to {path}: {short_reason(exc)}") from None
        self._lock = threading.Lock()

    def write(self, block: np.ndarray) -> None:
        if self._pacer is not None:
            self._pacer.wait_turn(len(block))
        with self._lock:
            if self._file.closed:
                return
            if self._pending_gap:
                # A short silence between turns keeps the recording listenable; it is not real elapsed time.
                self._file.write(self._gap)
                self._pending_gap = False
            self._file.write(block)

    def abort(self) -> None:
        if self._pacer is not None:
            self._pacer.abort()

    def drain(self) -> None:
        if self._pacer is not None:
            self._pacer.drain()
        with self._lock:
            self._pending_gap = True

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


class TeeSink:
    """Plays on the first sink (which sets the pace) and records on the others."""

    def __init__(self, primary: AudioSink, *recorders: AudioSink):
        self.primary = primary
        self.recorders = recorders
        self.sample_rate = primary.sample_rate
        self.audible = primary.audible

    def write(self, block: np.ndarray) -> None:
        self.primary.write(block)
        for sink in self.recorders:
            sink.write(block)

    def abort(self) -> None:
        for sink in (self.primary, *self.recorders):
            sink.abort()

    def drain(self) -> None:
        for sink in (self.primary, *self.recorders):
            sink.drain()

    def close(self) -> None:
        for sink in (self.primary, *self.recorders):
            sink.close()


class SpeakerSink:
    """A sounddevice OutputStream whose callback pulls from a queue; aborting just empties the queue."""

    audible = True

    def __init__(self, sample_rate: int, device: str | int | None = None, buffer_s: float = 0.12):
        try:
            import sounddevice
        except OSError as exc:
            raise NoAudioDevice(f"no usable speaker (PortAudio is not installed: {short_reason(exc)})") from None
        self._sd = sounddevice
        self.sample_rate = sample_rate
        self._device_rate = sample_rate
        self._blocks: collections.deque[np.ndarray] = collections.deque()
        self._current = np.zeros(0, dtype=np.int16)
        self._queued = 0
        self._cond = threading.Condition()
        # Keep only a little audio queued ahead so abort() silences the speaker within ~buffer_s.
        self._max_queued = int(buffer_s * sample_rate)
        self._stream: Any = None
        try:
            self._stream = self._open(device, sample_rate)
        except (sounddevice.PortAudioError, ValueError, OSError) as first:
            try:
                info = sounddevice.query_devices(device, kind="output")
                self._device_rate = int(info["default_samplerate"])
                self._stream = self._open(device, self._device_rate)
            except (sounddevice.PortAudioError, ValueError, OSError, TypeError, KeyError):
                raise NoAudioDevice(f"no usable speaker ({short_reason(first)})") from None
        self._stream.start()

    def _open(self, device: str | int | None, rate: int) -> Any:
        return self._sd.OutputStream(samplerate=rate, channels=1, dtype="int16", device=device,
                                     callback=self._callback, latency="low")

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._cond:
            while filled < frames:
                if len(self._current) == 0:
                    if not self._blocks:
                        break
                    self._current = self._blocks.popleft()
                take = min(frames - filled, len(self._current))
                out[filled:filled + take] = self._current[:take]
                self._current = self._current[take:]
                filled += take
            self._queued -= filled
            self._cond.notify_all()
        out[filled:] = 0

    def write(self, block: np.ndarray) -> None:
        if self._device_rate != self.sample_rate:
            block = (resample(block.astype(np.float32) / 32768.0, self.sample_rate, self._device_rate)
                     * 32767).astype(np.int16)
        with self._cond:
            while self._queued > self._max_queued and self._stream is not None:
                self._cond.wait(0.05)
            self._blocks.append(block)
            self._queued += len(block)

    def abort(self) -> None:
        with self._cond:
            self._blocks.clear()
            self._current = np.zeros(0, dtype=np.int16)
            self._queued = 0
            self._cond.notify_all()

    def drain(self) -> None:
        with self._cond:
            while self._queued > 0 and self._stream is not None:
                self._cond.wait(0.05)
        # The device's own buffer still holds a few milliseconds after the queue empties.
        time.sleep(0.05)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except self._sd.PortAudioError:
                pass


def open_speaker(sample_rate: int, device: str | int | None = None) -> SpeakerSink:
    """The default (or named) speaker; raises NoAudioDevice when there is none."""
    try:
        import sounddevice
    except OSError as exc:
        raise NoAudioDevice(f"no usable speaker (PortAudio is not installed: {short_reason(exc)})") from None
    try:
        sounddevice.query_devices(device, kind="output")
    except (sounddevice.PortAudioError, ValueError) as exc:
        raise NoAudioDevice(f"no usable speaker ({short_reason(exc)})") from None
    return SpeakerSink(sample_rate, device)
