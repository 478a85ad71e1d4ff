"""Semantic end of turn: Pipecat's Smart Turn v3.2 says from the sound of the last words whether the candidate is done.

Silence alone cannot tell "…which gives linear time." from "…so I would, um" followed by a thinking pause; this
model hears intonation and an unfinished phrase. It is asked once per pause, ~200 ms into the silence, and its
answer decides how long the endpointer waits (see endpointing.py). The model file is vendored (models/README.md).

Input contract (Pipecat's `LocalSmartTurnAnalyzerV3`): the turn's audio from shortly before speech began, including
the silence so far, at 16 kHz; keep the last 8 s, zero-pad at the front to 8 s; Whisper's log-mel features
(`WhisperFeatureExtractor(chunk_length=8)`, waveform normalized to zero mean and unit variance first) → (1, 80, 800);
the output is the sigmoid probability that the turn is complete.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import numpy as np

from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.errors import PrepAIError

MODEL_PATH = Path(__file__).resolve().parent / "models" / "smart-turn-v3.2-cpu.onnx"
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
WINDOW_S = 8
_N_FFT = 400
_HOP = 160
_N_MELS = 80


def _slaney_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    linear = 3.0 * hz / 200.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) * 27.0 / np.log(6.4), linear)


def _slaney_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp((mel - 15.0) * np.log(6.4) / 27.0), 200.0 * mel / 3.0)


def _mel_filters() -> np.ndarray:
    """(80, 201) Slaney-normalized triangular filters from 0 Hz to 8 kHz, as Whisper (and librosa) build them."""
    edges = _slaney_hz(np.linspace(_slaney_mel(np.array(0.0)), _slaney_mel(np.array(SAMPLE_RATE / 2)), _N_MELS + 2))
    bins = np.linspace(0, SAMPLE_RATE // 2, _N_FFT // 2 + 1)
    slopes = edges[None, :] - bins[:, None]
    down = -slopes[:, :-2] / np.diff(edges)[:-1]
    up = slopes[:, 2:] / np.diff(edges)[1:]
    filters = np.maximum(0.0, np.minimum(down, up)) * (2.0 / (edges[2:] - edges[:-2]))[None, :]
    return filters.T


_FILTERS = _mel_filters()
_HANN = np.hanning(_N_FFT + 1)[:-1]  # periodic, like torch.hann_window


def log_mel_features(audio: np.ndarray) -> np.ndarray:
    """(80, 800) float32 Whisper log-mel of exactly 8 s of 16 kHz audio (pad or cut first: see `fit_window`)."""
    x = np.asarray(audio, dtype=np.float32)
    n = WINDOW_S * SAMPLE_RATE
    x = np.pad(x, (0, n - len(x))) if len(x) < n else x[:n]
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), (_N_FFT // 2, _N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP]
    power = np.abs(np.fft.rfft(frames * _HANN, axis=-1)) ** 2  # (801, 201)
    mel = np.log10(np.maximum(1e-10, _FILTERS @ power.T))[:, :-1]
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)


def fit_window(audio: np.ndarray) -> np.ndarray:
    """The last 8 s, zero-padded at the front (the model was trained on turns ending at the right edge)."""
    n = WINDOW_S * SAMPLE_RATE
    audio = np.asarray(audio, dtype=np.float32)
    return audio[-n:] if len(audio) >= n else np.pad(audio, (n - len(audio), 0))


class SmartTurn:
    """One ONNX session on one thread (measured faster than two on a shared 2-core machine); thread-safe."""

    def __init__(self, model_path: Path = MODEL_PATH, *, threads: int = 1):
        import onnxruntime

        if not model_path.exists():
            raise PrepAIError(f"the end-of-turn model is missing: {model_path}; reinstall prepai")
        data = model_path.read_bytes()
        if model_path == MODEL_PATH and hashlib.sha256(data).hexdigest() != MODEL_SHA256:
            raise PrepAIError(f"the end-of-turn model {model_path} is corrupt (checksum mismatch); reinstall prepai")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(data, sess_options=options,
                                                         providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise PrepAIError(f"cannot load the end-of-turn model: {str(exc).splitlines()[0]}") from exc
        self._lock = threading.Lock()
        self.calls = 0
        self.seconds = 0.0

    def probability(self, audio: np.ndarray) -> float:
        """Probability in [0, 1] that the speaker has finished, from the turn's audio up to now (16 kHz)."""
        started = time.perf_counter()
        features = log_mel_features(fit_window(audio))[None, :, :]
        with self._lock:
            out = self._session.run(None, {"input_features": features})
            self.calls += 1
            self.seconds += time.perf_counter() - started
        return float(np.asarray(out[0]).reshape(-1)[0])


class TurnVerdicts:
    """Runs the end-of-turn model on its own thread, one pause at a time, and keeps the answers by pause.

    The model loads on that thread too (~0.2 s), so building the voice pipeline does not wait for it. If it cannot
    load, every verdict stays None and the endpointer falls back to silence and the words' shape.
    """

    def __init__(self, model: SmartTurn | None = None, *, loader=SmartTurn):
        self._model = model
        self._loader = loader
        self._cond = threading.Condition()
        self._pending: tuple[object, np.ndarray] | None = None
        self._running: object = None
        self._results: dict[object, float] = {}
        self.failed: str | None = None
        self._stopped = False
        self.latencies_s: list[float] = []
        self.answered_at: dict[object, float] = {}  # monotonic time each verdict came in (the latency breakdown)
        self._thread = threading.Thread(target=self._run, name="turn-model", daemon=True)
        self._thread.start()

    def submit(self, key: object, audio: np.ndarray) -> None:
        with self._cond:
            self._pending = (key, audio)  # only the newest pause matters
            self._cond.notify_all()

    def coming(self, key: object) -> bool:
        """Asked about `key` and still working on it (False once answered, or if the model failed)."""
        with self._cond:
            return (self.failed is None and key not in self._results
                    and ((self._pending is not None and self._pending[0] == key) or self._running == key))

    def get(self, key: object) -> float | None:
        with self._cond:
            return self._results.get(key)

    def wait(self, key: object, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while key not in self._results and self.failed is None and not self._stopped:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self._results.get(key)

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _run(self) -> None:
        if self._model is None:
            try:
                self._model = self._loader()
            except Exception as exc:  # the endpointer carries on without the model
                with self._cond:
                    self.failed = str(exc)
                    self._cond.notify_all()
                return
        try:
            self._model.probability(np.zeros(SAMPLE_RATE, dtype=np.float32))  # the first run is slower: do it now
        except Exception as exc:
            with self._cond:
                self.failed = str(exc)
                self._cond.notify_all()
            return
        while True:
            with self._cond:
                while self._pending is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                (key, audio), self._pending = self._pending, None
                self._running = key
            started = time.perf_counter()
            try:
                probability = self._model.probability(audio)
            except Exception as exc:
                with self._cond:
                    self.failed = str(exc)
                    self._cond.notify_all()
                return
            with self._cond:
                self.latencies_s.append(time.perf_counter() - started)
                self._results[key] = probability
                self.answered_at[key] = time.monotonic()
                self._running = None
                if len(self._results) > 64:
                    self._results.pop(next(iter(self._results)))
                    self.answered_at.pop(next(iter(self.answered_at)))
                self._cond.notify_all()
