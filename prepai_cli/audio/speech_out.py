"""The interviewer's voice: sentences go to a synthesis thread, then to the player, while the next is generated."""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from prepai_cli.audio.playback import Clip, Player
from prepai_cli.audio.text_normalize import normalize_for_speech
from prepai_cli.audio.tts import Synthesizer
from prepai_cli.errors import PrepAIError

# A sentence counts as heard once this much of it has played (Delivery.spoken is sentence-accurate).
HEARD_FRACTION = 0.5
# Sentences synthesized ahead of time (a speculative reply) wait here until said or pushed out.
_PREPARED_MAX = 24
# Phrases that open most replies; synthesized while idle so the first sentence of a reply plays at once.
STOCK_PHRASES = ("Good.", "Nice.", "That's solid.", "Great.", "Okay.", "Thanks.", "Got it.", "Alright.",
                 "Next question.", "Here's the last question.", "No problem. Here's a hint.", "Take your time.")


@dataclass
class Sentence:
    segment: int
    text: str  # as generated (what Delivery.spoken reports)
    spoken: str  # normalized for the voice
    queued_at: float = field(default_factory=time.monotonic)
    clip: Clip | None = None
    ready: threading.Event = field(default_factory=threading.Event)  # synthesized, or dropped
    prepared: bool = False  # played from a synthesis made ahead (a speculative reply)

    @property
    def heard(self) -> bool:
        return self.clip is not None and self.clip.started_at is not None and self.clip.played_fraction >= HEARD_FRACTION


class SpeechOutput:
    def __init__(self, synthesizer: Synthesizer, player: Player,
                 normalize: Callable[[str], str] = normalize_for_speech):
        self._synth = synthesizer
        self.player = player
        self._normalize = normalize
        self._queue: queue.Queue[tuple[int, Sentence] | str | None] = queue.Queue()
        self._prepared: OrderedDict[str, Any] = OrderedDict()
        self.prepared_hits = 0  # sentences that played from a prepared synthesis
        # Sentences to say go first: preparing ahead waits while any is queued (it must never delay the reply).
        self._says_queued = 0
        self._deferred: list[str] = []
        self._lock = threading.Lock()
        self._generation = 0
        self.sentences: list[Sentence] = []
        self.error: Exception | None = None
        self._warm = list(STOCK_PHRASES)
        self._may_warm: Callable[[], bool] = lambda: True
        self._thread = threading.Thread(target=self._run, name="synthesis", daemon=True)
        self._thread.start()

    def set_warm_gate(self, may_warm: Callable[[], bool]) -> None:
        """Stock phrases are synthesized only while this says the CPU is not needed for the candidate."""
        self._may_warm = may_warm

    def start_turn(self) -> None:
        with self._lock:
            self.sentences = []

    def say(self, segment: int, text: str) -> None:
        spoken = self._normalize(text)
        if not spoken:
            return
        sentence = Sentence(segment, text, spoken)
        with self._lock:
            self.sentences.append(sentence)
            generation = self._generation
            self._says_queued += 1
        self._queue.put((generation, sentence))

    def prepare(self, text: str) -> None:
        """Synthesizes a sentence that may be said soon (a reply made ahead of the endpoint), without playing it;
        `say()` of the same text then plays at once."""
        spoken = self._normalize(text)
        if spoken:
            self._queue.put(spoken)

    def cancel(self) -> None:
        """Stops playback now (barge-in) and drops every sentence not yet played."""
        with self._lock:
            self._generation += 1
            for sentence in self.sentences:
                if sentence.clip is not None:
                    sentence.clip.cancelled = True
                else:
                    sentence.ready.set()
        self.player.abort()

    def wait_played(self) -> None:
        """Blocks until every sentence of the turn was played or dropped."""
        with self._lock:
            sentences = list(self.sentences)
        for sentence in sentences:
            sentence.ready.wait()
            if sentence.clip is not None:
                sentence.clip.finished.wait()
        if self.error is not None:
            error, self.error = self.error, None
            raise PrepAIError(f"the interviewer's voice failed: {error}")
        if not any(s.clip is not None and s.clip.cancelled for s in sentences):
            self.player.drain()

    @property
    def first_audio_at(self) -> float | None:
        return self.first_audio_of(lambda sentence: True)

    def first_audio_of(self, wanted: Callable[[Sentence], bool]) -> float | None:
        """When the first of this turn's wanted sentences started playing (None: none has)."""
        with self._lock:
            starts = [s.clip.started_at for s in self.sentences
                      if wanted(s) and s.clip is not None and s.clip.started_at]
        return min(starts) if starts else None

    def first_of(self, wanted: Callable[[Sentence], bool]) -> Sentence | None:
        with self._lock:
            return next((s for s in self.sentences if wanted(s)), None)

    @property
    def first_sentence_at(self) -> float | None:
        with self._lock:
            return self.sentences[0].queued_at if self.sentences else None

    def close(self) -> None:
        self.cancel()
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=0.01 if self._deferred else 0.2)
            except queue.Empty:
                if self._deferred:
                    self._prepare_one(self._deferred.pop(0))
                elif self._warm and self._may_warm():
                    self._warm_one()
                continue
            if item is None:
                return
            if isinstance(item, str):
                with self._lock:
                    busy = self._says_queued > 0
                if busy:
                    self._deferred.append(item)
                else:
                    self._prepare_one(item)
                continue
            generation, sentence = item
            with self._lock:
                self._says_queued -= 1
            with self._lock:
                stale = generation != self._generation
            if stale:
                sentence.ready.set()
                continue
            try:
                with self._lock:
                    ready = self._prepared.pop(sentence.spoken, None)
                    self.prepared_hits += ready is not None
                    sentence.prepared = ready is not None
                pcm = ready if ready is not None else self._synth.synthesize(sentence.spoken)
            except Exception as exc:  # reported by wait_played() on the interview's thread
                self.error = exc
                sentence.ready.set()
                continue
            with self._lock:
                # Checked under the lock cancel() takes, so a clip is either dropped here or marked cancelled there.
                if generation == self._generation:
                    sentence.clip = Clip(pcm)
                    self.player.enqueue(sentence.clip)
            sentence.ready.set()

    def _prepare_one(self, spoken: str) -> None:
        with self._lock:
            # Already made, or already said (the reply was confirmed before its preparation came up).
            if spoken in self._prepared or any(s.spoken == spoken for s in self.sentences):
                return
        try:
            pcm = self._synth.synthesize(spoken)
        except Exception:  # a real say() of the sentence will report the failure
            return
        with self._lock:
            self._prepared[spoken] = pcm
            while len(self._prepared) > _PREPARED_MAX:
                self._prepared.popitem(last=False)

    def _warm_one(self) -> None:
        try:
            self._synth.synthesize(self._normalize(self._warm.pop(0)))
        except Exception:  # warming is only an optimisation; a real sentence will report the failure
            self._warm.clear()
