"""Silero VAD (the ONNX model shipped inside faster-whisper), run in streaming 512-sample steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW
from prepai_cli.errors import PrepAIError

# The model looks at the last 64 samples of the previous window as well (Silero v5+ streaming contract).
_CONTEXT = 64


def silero_model_path() -> Path:
    try:
        from faster_whisper.utils import get_assets_path
    except ImportError as exc:
        raise PrepAIError("faster-whisper is not installed; run: pip install faster-whisper") from exc
    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class SileroVad:
    """Speech probability per 32 ms window, carrying the recurrent state between calls."""

    def __init__(self, model_path: Path | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread: a 32 ms step takes well under a millisecond, and Whisper needs the cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        path = model_path or silero_model_path()
        if not path.exists():
            raise PrepAIError(f"the voice activity model is missing: {path}; reinstall faster-whisper")
        self._session = onnxruntime.InferenceSession(str(path), sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def __call__(self, window: np.ndarray) -> float:
        if len(window) != WINDOW:
            raise ValueError(f"Silero VAD needs {WINDOW}-sample windows at {SAMPLE_RATE} Hz, got {len(window)}")
        x = np.concatenate([self._context, window.astype(np.float32, copy=False)])[None, :]
        prob, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = window[-_CONTEXT:].astype(np.float32, copy=True)
        return float(np.asarray(prob).reshape(-1)[0])
