"""Where the candidate's audio comes from: a microphone, or a file standing in for one."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from prepai_cli.audio.decoding import load_speech, resample
from prepai_cli.audio.devices import NoAudioDevice, short_reason
from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW, AudioFrame


class AudioSource(Protocol):
    @property
    def finished(self) -> bool:
        """True once the source will never produce another frame (end of file)."""
        ...

    def read(self, timeout: float) -> AudioFrame | None:
        """The next frame, or None if none arrived within `timeout` seconds."""
        ...

    def set_floor(self, candidate_may_speak: bool) -> None:
        """Told when the interviewer takes and gives back the floor; a polite file waits, a microphone ignores it."""
        ...

    def close(self) -> None: ...


class FileSource:
    """An audio file played into the pipeline as if spoken into a microphone.

    `realtime` paces frames at the speed they would be spoken; otherwise they come as fast as they are read
    (audio time still advances by the file's duration, so VAD silences mean the same). A `polite` source stops
    while the interviewer holds the floor, like a candidate waiting for the question to end; an impolite one keeps
    talking, which is how tests trigger barge-in.
    """

    def __init__(self, samples: np.ndarray, *, realtime: bool = True, polite: bool = True, name: str = "file"):
        self._samples = np.asarray(samples, dtype=np.float32)
        self._realtime = realtime
        self._polite = polite
        self.name = name
        self._position = 0
        self._may_speak = threading.Event()
        self._may_speak.set()
        # Wall-clock time at which audio position `_anchor_pos` is due; re-anchored after each pause.
        self._anchor_wall: float | None = None
        self._anchor_pos = 0

    @classmethod
    def from_path(cls, path: Path, *, realtime: bool = True, polite: bool = True) -> "FileSource":
        return cls(load_speech(path), realtime=realtime, polite=polite, name=str(path))

    @property
    def duration_s(self) -> float:
        return len(self._samples) / SAMPLE_RATE

    @property
    def position_s(self) -> float:
        return self._position / SAMPLE_RATE

    @property
    def finished(self) -> bool:
        return self._position >= len(self._samples)

    def set_floor(self, candidate_may_speak: bool) -> None:
        if not self._polite:
            return
        if candidate_may_speak:
            self._anchor_wall = None
            self._may_speak.set()
        else:
            self._may_speak.clear()

    def read(self, timeout: float) -> AudioFrame | None:
        if self.finished:
            return None
        if not self._may_speak.wait(timeout):
            return None
        start = self._position
        if self._realtime:
            now = time.monotonic()
            if self._anchor_wall is None:
                self._anchor_wall, self._anchor_pos = now, start
            due = self._anchor_wall + (start - self._anchor_pos) / SAMPLE_RATE
            if due - now > timeout:
                time.sleep(timeout)
                return None
            if due > now:
                time.sleep(due - now)
        chunk = self._samples[start:start + WINDOW]
        if len(chunk) < WINDOW:
            chunk = np.pad(chunk, (0, WINDOW - len(chunk)))
        self._position = start + WINDOW
        return AudioFrame(chunk, SAMPLE_RATE, start / SAMPLE_RATE)

    def close(self) -> None:
        self._position = len(self._samples)


class MicrophoneSource:
    """sounddevice input; the audio callback only copies into a queue, so it never blocks the audio thread."""

    def __init__(self, device: str | int | None = None, max_queued_s: float = 5.0):
        import sounddevice

        self._sd = sounddevice
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=int(max_queued_s * SAMPLE_RATE / WINDOW))
        self._position = 0
        self.overflows = 0
        self._device_rate = SAMPLE_RATE
        self._stream: Any = None
        try:
            self._stream = self._open(device, SAMPLE_RATE)
        except (sounddevice.PortAudioError, ValueError, OSError) as first:
            # Some devices refuse 16 kHz; record at their native rate and convert per block instead.
            try:
                info = sounddevice.query_devices(device, kind="input")
                self._device_rate = int(info["default_samplerate"])
                self._stream = self._open(device, self._device_rate)
            except (sounddevice.PortAudioError, ValueError, OSError, TypeError, KeyError):
                raise NoAudioDevice(f"no usable microphone ({short_reason(first)})") from None
        self._stream.start()

    def _open(self, device: str | int | None, rate: int) -> Any:
        blocksize = int(round(WINDOW * rate / SAMPLE_RATE))
        return self._sd.InputStream(
            samplerate=rate, channels=1, dtype="float32", blocksize=blocksize, device=device,
            callback=self._callback, latency="low",
        )

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        block = indata[:, 0].copy()
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            # The consumer fell behind: drop the oldest audio rather than stall the audio thread.
            self.overflows += 1
            try:
                self._queue.get_nowait()
                self._queue.put_nowait(block)
            except (queue.Empty, queue.Full):
                pass

    @property
    def finished(self) -> bool:
        return self._stream is None

    def set_floor(self, candidate_may_speak: bool) -> None:
        """A microphone always listens: that is what makes barge-in possible."""

    def read(self, timeout: float) -> AudioFrame | None:
        try:
            block = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if self._device_rate != SAMPLE_RATE:
            block = resample(block, self._device_rate, SAMPLE_RATE)
        frame = AudioFrame(block, SAMPLE_RATE, self._position / SAMPLE_RATE)
        self._position += len(block)
        return frame

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except self._sd.PortAudioError:
                pass


def open_microphone(device: str | int | None = None) -> MicrophoneSource:
    """The default (or named) microphone; raises NoAudioDevice when there is none (containers, CI)."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio itself is missing
        raise NoAudioDevice(f"no usable microphone (PortAudio is not installed: {short_reason(exc)})") from None
    try:
        sounddevice.query_devices(device, kind="input")
    except (sounddevice.PortAudioError, ValueError) as exc:
        raise NoAudioDevice(f"no usable microphone ({short_reason(exc)})") from None
    return MicrophoneSource(device)
