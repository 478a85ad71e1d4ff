"""Streaming transcription of one utterance at a time on a worker thread.

The listener (audio side) never decodes: it submits jobs and gets results through a callback. There is a single
job slot: a newer partial replaces a pending one (only the freshest text is worth showing), and a final request
is never replaced by a partial.
"""

from __future__ import annotations

import re

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol

import numpy as np

from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.audio.stt import DecodeCancelled, Transcript, Word

JobKind = Literal["partial", "final"]
# Answers longer than this are transcribed window by window, cut at the quietest moment near the window's end,
# so a long answer's final transcription only has to decode its last window.
WINDOW_S = 28.0
_CUT_SEARCH_S = 4.0
_PARTIAL_PROMPT_CHARS = 300


class Recognizer(Protocol):
    def transcribe(self, audio: np.ndarray, *, prompt: str = "", beam_size: int | None = None,
                   word_timestamps: bool = False, cancelled: Callable[[], bool] | None = None) -> Transcript: ...


class Utterance:
    """The audio of one candidate turn, appended by the listener and read by the transcriber."""

    def __init__(self, utterance_id: int, start_s: float, initial: list[np.ndarray]):
        self.id = utterance_id
        self.start_s = start_s  # audio time of the first buffered sample (pre-roll included)
        self._chunks = list(initial)
        self._length = sum(len(c) for c in initial)
        self._lock = threading.Lock()
        # Filled by the transcriber: windows already transcribed for good.
        self.committed_samples = 0
        self.committed: list[Transcript] = []

    def append(self, samples: np.ndarray) -> None:
        with self._lock:
            self._chunks.append(samples)
            self._length += len(samples)

    @property
    def length(self) -> int:
        with self._lock:
            return self._length

    def audio(self, end: int | None = None) -> np.ndarray:
        with self._lock:
            joined = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)
            self._chunks = [joined]
        return joined if end is None else joined[:end]


@dataclass
class Job:
    utterance: Utterance
    kind: JobKind
    key: float | None = None  # for finals: the speech end they were started for
    end_sample: int | None = None  # transcribe up to here (None: everything buffered when the job runs)
    speculative: bool = False  # started before the endpoint was certain
    stale: Callable[[], bool] = lambda: False  # e.g. the candidate resumed speaking after a speculative start
    started_at: float | None = None  # monotonic time the transcriber took the job up


@dataclass
class TranscriberStats:
    decodes: int = 0
    audio_s: float = 0.0
    decode_s: float = 0.0
    finals: list[float] = field(default_factory=list)  # decode seconds of each final

    @property
    def real_time_factor(self) -> float:
        return self.decode_s / self.audio_s if self.audio_s else 0.0


class StreamingTranscriber:
    def __init__(self, recognizer: Recognizer, on_result: Callable[[Job, Transcript], None],
                 final_beam_size: int = 5, partial_beam_size: int = 1,
                 on_error: Callable[[BaseException], None] = lambda exc: None):
        self._recognizer = recognizer
        self._on_result = on_result
        self._on_error = on_error
        self._final_beam = final_beam_size
        self._partial_beam = partial_beam_size
        self._prompt = ""
        self._pending: Job | None = None
        self._running: Job | None = None
        self._cond = threading.Condition()
        self._stopped = False
        self.stats = TranscriberStats()
        self._thread = threading.Thread(target=self._run, name="transcriber", daemon=True)
        self._thread.start()

    def set_prompt(self, prompt: str) -> None:
        with self._cond:
            self._prompt = prompt

    def submit(self, job: Job) -> None:
        with self._cond:
            if job.kind == "partial" and self._pending is not None and self._pending.kind == "final":
                return
            self._pending = job
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and self._running is None

    def final_in_flight(self, utterance: Utterance, key: float) -> bool:
        with self._cond:
            return any(j is not None and j.kind == "final" and j.utterance is utterance and j.key == key
                       for j in (self._pending, self._running))

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                job, self._pending = self._pending, None
                self._running = job
                job.started_at = time.monotonic()
                prompt = self._prompt
            assert job is not None
            try:
                transcript = self._transcribe(job, prompt)
            except DecodeCancelled:
                with self._cond:
                    self._running = None
                continue
            except Exception as exc:  # reported to the interview (one line), instead of dying silently here
                with self._cond:
                    self._running = None
                    self._stopped = True
                self._on_error(exc)
                return
            with self._cond:
                self._running = None
            self._on_result(job, transcript)

    def _transcribe(self, job: Job, prompt: str) -> Transcript:
        utterance = job.utterance
        audio = utterance.audio(job.end_sample)
        final = job.kind == "final"
        self._commit_long_windows(utterance, audio, prompt)
        committed_text = " ".join(t.text for t in utterance.committed if t.text)
        # Partials are only shown: the question and the primer (the prompt's end) bias them enough, and a
        # shorter prompt makes them quicker to give way to the final.
        base = prompt if final else prompt[-_PARTIAL_PROMPT_CHARS:]
        tail_prompt = f"{base} {committed_text[-300:]}".strip()
        offset = utterance.committed_samples
        tail = self._recognizer.transcribe(
            audio[offset:], prompt=tail_prompt, beam_size=self._final_beam if final else self._partial_beam,
            word_timestamps=final, cancelled=lambda: self._superseded(job),
        )
        self._count(tail, final)
        shift = offset / SAMPLE_RATE
        words = [w for t in utterance.committed for w in t.words]
        words += [Word(w.text, w.start + shift, w.end + shift, w.probability) for w in tail.words]
        text = " ".join(t for t in (committed_text, tail.text) if t).strip()
        audio_s = len(audio) / SAMPLE_RATE
        text, words = collapse_repeats(text, words, audio_s)
        return Transcript(text, tuple(words), audio_s, tail.decode_s)

    def _superseded(self, job: Job) -> bool:
        if job.stale():
            return True
        with self._cond:
            # A partial gives way to a waiting final: the final is what the reply waits for.
            return job.kind == "partial" and self._pending is not None and self._pending.kind == "final"

    def _commit_long_windows(self, utterance: Utterance, audio: np.ndarray, prompt: str) -> None:
        window = int(WINDOW_S * SAMPLE_RATE)
        while len(audio) - utterance.committed_samples > window:
            start = utterance.committed_samples
            cut = _quietest_cut(audio, start + window - int(_CUT_SEARCH_S * SAMPLE_RATE), start + window)
            context = " ".join(t.text for t in utterance.committed if t.text)[-300:]
            piece = self._recognizer.transcribe(audio[start:cut], prompt=f"{prompt} {context}".strip(),
                                                beam_size=self._final_beam, word_timestamps=True)
            self._count(piece, final=False)
            shift = start / SAMPLE_RATE
            utterance.committed.append(Transcript(
                piece.text, tuple(Word(w.text, w.start + shift, w.end + shift, w.probability) for w in piece.words),
                piece.audio_s, piece.decode_s,
            ))
            utterance.committed_samples = cut

    def _count(self, transcript: Transcript, final: bool) -> None:
        self.stats.decodes += 1
        self.stats.audio_s += transcript.audio_s
        self.stats.decode_s += transcript.decode_s
        if final:
            self.stats.finals.append(transcript.decode_s)


# Faster than anyone speaks: tiny.en with a long prompt sometimes writes a short utterance twice ("Sorry, could you
# repeat the question? Sorry, could you repeat the question?" from 1.7 s of audio).
_MAX_WORDS_PER_S = 4.5
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9' ]", "", text.lower()).strip()


def collapse_repeats(text: str, words: list[Word], audio_s: float) -> tuple[str, list[Word]]:
    """Drops a sentence written twice in a row when the transcript has more words than the audio could hold."""
    count = len(text.split())
    if audio_s <= 0 or count / audio_s <= _MAX_WORDS_PER_S:
        return text, words
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in sentences:
        if kept and _norm(sentence) == _norm(kept[-1]) and _norm(sentence):
            dropped.append(sentence)
        else:
            kept.append(sentence)
    if not dropped:
        return text, words
    out_words = list(words)
    tokens = [_norm(w.text) for w in out_words]
    for sentence in dropped:
        n = len(sentence.split())
        # The repeated words: the last run of n words that repeats the n before it.
        for i in range(len(tokens) - 2 * n, -1, -1):
            if n and tokens[i:i + n] == tokens[i + n:i + 2 * n]:
                del out_words[i + n:i + 2 * n]
                del tokens[i + n:i + 2 * n]
                break
    return " ".join(kept), out_words


def _quietest_cut(audio: np.ndarray, lo: int, hi: int, hop: int = 1600) -> int:
    """The start of the quietest 100 ms in [lo, hi): the likeliest place between two words."""
    best, best_energy = hi, float("inf")
    for position in range(max(0, lo), hi - hop, hop // 2):
        energy = float(np.mean(audio[position:position + hop] ** 2))
        if energy < best_energy:
            best, best_energy = position + hop // 2, energy
    return best
