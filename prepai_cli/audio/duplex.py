"""Turn-taking between the candidate's audio and the interviewer's voice.

One listener thread reads the source for the whole interview, runs the VAD and the endpointer, feeds the
transcriber, and watches for barge-in while the interviewer speaks. The interview adapters (VoiceInput,
VoiceOutput) only talk to this object.
"""

from __future__ import annotations

import collections
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Union

import numpy as np
from pydantic import BaseModel, Field

from prepai_cli.audio.endpointing import EndpointConfig, Endpointer, EndpointEvent
from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW
from prepai_cli.audio.sources import AudioSource
from prepai_cli.audio.speech_out import SpeechOutput
from prepai_cli.audio.stt import Transcript
from prepai_cli.audio.transcriber import Job, Recognizer, StreamingTranscriber, Utterance
from prepai_cli.audio.turn_model import TurnVerdicts
from prepai_cli.audio.vad import SileroVad
from prepai_cli.errors import PrepAIError

# Words after which a speaker is rarely done: a pause here is thinking, not the end of the answer.
_DANGLING = {"and", "but", "so", "because", "or", "um", "uh", "er", "erm", "the", "a", "an", "to", "of", "with",
             "like", "then", "which", "that", "if", "is", "was", "for", "in", "on", "my", "our", "we", "i",
             "basically", "also", "first", "second", "where", "when", "while", "although",
             # prepositions and determiners that do not end an English sentence
             "by", "about", "between", "per", "from", "into", "at", "as", "than", "via", "onto", "toward",
             "towards", "across", "its", "their", "your", "every", "whether"}


class DuplexConfig(BaseModel):
    endpoint: EndpointConfig = EndpointConfig()
    pre_roll_ms: int = Field(default=300, ge=0, le=2000)
    tail_pad_ms: int = Field(default=200, ge=0, le=1000)
    first_partial_s: float = Field(default=0.4, ge=0.1, le=5)
    partial_interval_s: float = Field(default=1.0, ge=0.2, le=5)
    # Echo guard: while the speaker plays, only confident, sustained speech counts as the candidate.
    echo_threshold: float = Field(default=0.85, ge=0.1, le=0.99)
    echo_tail_s: float = Field(default=0.3, ge=0, le=2)
    barge_in_min_ms: int = Field(default=224, ge=32, le=2000)
    # Fast file input: speech arrives instantly, but the silence that ends a turn is paced in real time, so the
    # endpoint wait (and the speculative transcription that overlaps it) is measured as a user would live it.
    pace_silence: bool = False
    final_beam_size: int = Field(default=5, ge=1, le=10)
    # Ask the end-of-turn model at each pause (endpointing.py). The listener waits for its answer, at most this
    # long: the answer decides how long the pause must be, and waiting makes file input behave the same whatever
    # the machine's load (the windows queue up meanwhile — a microphone's queue holds 5 s — and the VAD catches up
    # in milliseconds). Measured: ~0.11 s per call on one idle core, up to 2.4 s at load 10 on 2 cores.
    turn_model: bool = True
    turn_model_wait_s: float = Field(default=4.0, ge=0.0, le=10)
    # Audio seconds of silence after the interviewer gives the floor before a `Silence` event (a check-in);
    # 0: never. Audio time, so a file behaves the same on any machine.
    silence_checkin_s: float = Field(default=20.0, ge=0.0, le=600)


@dataclass(frozen=True)
class PartialText:
    utterance_id: int
    text: str


@dataclass(frozen=True)
class TurnTiming:
    """Monotonic clock readings for the latency of the reply to this answer."""

    speech_end: float
    endpoint: float
    final: float
    speculative_hit: bool
    # For the latency breakdown (None: not known, e.g. no end-of-turn model): when the decode of the final
    # transcript started and when it came in, how long it took, and when the end-of-turn model answered.
    final_started: float | None = None
    final_ready: float | None = None
    final_decode_s: float | None = None
    verdict_ready: float | None = None
    verdict: float | None = None  # the model's probability that the turn was complete


@dataclass(frozen=True)
class AnswerAudio:
    utterance_id: int
    transcript: Transcript
    samples: np.ndarray  # 16 kHz mono: pre-roll, the answer, a short tail
    speech_segments: list[tuple[float, float]]  # seconds into `samples`
    think_time_s: float | None
    barged_in: bool
    forced_end: bool
    partials: int
    time_to_first_partial_s: float | None
    started_wall: float
    timing: TurnTiming


@dataclass(frozen=True)
class ProvisionalAnswer:
    """The final transcript of a pause that may end the turn, before the endpoint is certain: what the answer
    will be if the candidate does not go on. Work started on it must be dropped on `ProvisionalWithdrawn`."""

    answer: AnswerAudio


@dataclass(frozen=True)
class ProvisionalWithdrawn:
    """The candidate went on speaking after a `ProvisionalAnswer`."""

    utterance_id: int


@dataclass(frozen=True)
class Silence:
    """The candidate has said nothing for `waited_s` audio seconds since the interviewer gave them the floor."""

    waited_s: float
    floor_s: float  # audio time the floor was given (tells a stale event from a current one)


@dataclass(frozen=True)
class InputEnded:
    """The source ran out (end of the input file)."""


@dataclass(frozen=True)
class InputFailed:
    """Speech recognition broke (e.g. a corrupt model); the interview cannot go on by voice."""

    message: str


InputEvent = Union[PartialText, AnswerAudio, ProvisionalAnswer, ProvisionalWithdrawn, Silence, InputEnded,
                   InputFailed]


@dataclass
class _Turn:
    utterance: Utterance
    speech_start_s: float
    start_wall: float
    think_time_s: float | None
    barged_in: bool
    partials: int = 0
    partials_submitted: int = 0
    last_partial_at_s: float = 0.0
    first_partial_wall: float | None = None
    latest_text: str = ""
    finals: dict[float, Transcript] = field(default_factory=dict)
    final_times: dict[float, tuple[float | None, float]] = field(default_factory=dict)  # key -> (started, ready)
    speech_end_s: float | None = None
    speech_end_wall: float | None = None
    ended: bool = False
    forced: bool = False
    end_key: float | None = None
    endpoint_wall: float | None = None
    segments: list[tuple[float, float]] = field(default_factory=list)
    completed: bool = False
    provisional_key: float | None = None  # the pause a ProvisionalAnswer was sent for


def sounds_unfinished(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith((",", "...", "…", "-", "—", ":")):
        return True
    last = re.sub(r"[^a-z']", "", stripped.split()[-1].lower())
    return last in _DANGLING


class Duplex:
    def __init__(self, source: AudioSource, recognizer: Recognizer, speech: SpeechOutput,
                 config: DuplexConfig | None = None, vad: SileroVad | None = None, audible_sink: bool = False,
                 turn_verdicts: TurnVerdicts | None = None):
        self.config = config or DuplexConfig()
        self.source = source
        self.speech = speech
        self._vad = vad or SileroVad()
        self._audible_sink = audible_sink
        self._lock = threading.RLock()
        self.turn_verdicts = turn_verdicts or (TurnVerdicts() if self.config.turn_model else None)
        self._endpointer = Endpointer(self.config.endpoint, unfinished=self._current_unfinished,
                                      verdict=self._current_verdict, verdict_coming=self._verdict_coming)
        self.transcriber = StreamingTranscriber(recognizer, self._on_transcript,
                                                final_beam_size=self.config.final_beam_size,
                                                on_error=self._on_transcriber_error)
        self.events: queue.Queue[InputEvent] = queue.Queue()
        self.barged_in = threading.Event()
        self._interviewer_active = False
        self._current: _Turn | None = None
        self._open_turns: dict[int, _Turn] = {}
        self._next_id = 1
        self._t = 0.0  # audio time of the next window
        self._floor_given_s: float | None = None
        self._silence_reported_for: float | None = None  # the floor grant a Silence event was sent for
        self._eof = False
        self._stop = threading.Event()
        windows = (self.config.pre_roll_ms + max(self.config.barge_in_min_ms, self.config.endpoint.min_speech_ms)) / 32
        self._preroll: collections.deque[tuple[float, np.ndarray]] = collections.deque(maxlen=int(windows) + 2)
        self._pending = np.zeros(0, dtype=np.float32)
        self.reply_timing: TurnTiming | None = None
        self._waited_for: tuple[int, float] | None = None
        self._final_arrived = threading.Event()
        self.answer_returned_at: float | None = None
        # Warming the TTS cache must not steal the CPU from transcribing an answer.
        self.speech.set_warm_gate(lambda: self._current is None and self.transcriber.idle)
        # The interview opens with the interviewer speaking.
        self.source.set_floor(False)
        self._thread = threading.Thread(target=self._listen, name="listener", daemon=True)
        self._thread.start()

    # Interviewer side (VoiceOutput)

    def interviewer_begins(self) -> None:
        with self._lock:
            if self._interviewer_active:
                return
            self._interviewer_active = True
            self.barged_in.clear()
            self.speech.start_turn()
            self.source.set_floor(False)
            if self._current is not None and not self._current.ended:
                # The candidate is already talking again: the reply yields to them before it starts.
                self._current.barged_in = True
                self.barged_in.set()

    def interviewer_ends(self) -> None:
        with self._lock:
            self._interviewer_active = False
            self._floor_given_s = self._t
        self.source.set_floor(True)

    # Candidate side (VoiceInput)

    def set_prompt(self, prompt: str) -> None:
        self.transcriber.set_prompt(prompt)

    def give_floor(self) -> None:
        with self._lock:
            if self._interviewer_active:
                return
            if self._floor_given_s is None:
                self._floor_given_s = self._t
        self.source.set_floor(True)

    def still_silent(self, event: Silence) -> bool:
        """The silence is still going on: no speech and no interviewer turn since the event was sent (an event
        left in the queue by a listen that a typed answer cancelled is not)."""
        with self._lock:
            return (self._floor_given_s == event.floor_s and self._current is None
                    and not self._interviewer_active)

    def next_event(self, timeout: float) -> InputEvent | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._stop.set()
        self.source.close()
        self._thread.join(timeout=3)
        self.transcriber.close()
        if self.turn_verdicts is not None:
            self.turn_verdicts.close()
        self.speech.close()

    # Listener thread

    def _listen(self) -> None:
        try:
            self._listen_loop()
        except Exception as exc:  # a broken device or model must end the interview with a message, not hang it
            self.events.put(InputFailed(str(exc) if isinstance(exc, PrepAIError) else f"audio input failed: {exc}"))

    def _listen_loop(self) -> None:
        while not self._stop.is_set():
            frame = self.source.read(timeout=0.05)
            if frame is None:
                if self.source.finished:
                    self._end_of_input()
                    return
                continue
            arrival = time.monotonic()
            self._pending = np.concatenate([self._pending, frame.samples]) if len(self._pending) else frame.samples
            while len(self._pending) >= WINDOW:
                window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
                self._on_window(window, arrival)

    def _on_window(self, window: np.ndarray, arrival: float) -> None:
        cfg = self.config
        duration = WINDOW / SAMPLE_RATE
        t = self._t
        ep = self._endpointer
        with self._lock:
            turn = self._current
            if cfg.pace_silence and turn is not None and ep.state == "pending" and turn.speech_end_wall is not None:
                due = turn.speech_end_wall + (t + duration - (turn.speech_end_s or t))
                wait = due - time.monotonic()
            else:
                wait = 0.0
        if wait > 0:
            time.sleep(wait)
            arrival = time.monotonic()
        key = self._awaited_verdict()
        if key is not None and key != self._waited_for and self.turn_verdicts is not None:
            self._waited_for = key  # once: a late model must not stall the listener window after window
            self._wait_for_decision(key, cfg.turn_model_wait_s)
            arrival = time.monotonic()
        prob = self._vad(window)
        with self._lock:
            guard = self._interviewer_active and self._audible_sink and self.speech.player.audible_within(cfg.echo_tail_s)
            ep.threshold = cfg.echo_threshold if guard else cfg.endpoint.threshold
            ep.min_speech_ms = cfg.barge_in_min_ms if self._interviewer_active else cfg.endpoint.min_speech_ms
            self._preroll.append((t, window))
            if self._current is not None and not self._current.ended:
                self._current.utterance.append(window)
            for event in ep.step(t, duration, prob):
                self._handle(event, t, duration, arrival)
            self._maybe_partial(t + duration)
            self._maybe_silence(t + duration)
            self._t = t + duration

    def _handle(self, event: EndpointEvent, t: float, duration: float, arrival: float) -> None:
        cfg = self.config
        if event.kind == "start":
            keep = [(wt, w) for wt, w in self._preroll if wt >= event.at_s - cfg.pre_roll_ms / 1000 - 1e-9]
            utterance = Utterance(self._next_id, keep[0][0] if keep else event.at_s, [w for _, w in keep])
            self._next_id += 1
            barged = self._interviewer_active
            think = None
            if barged:
                think = 0.0
            elif self._floor_given_s is not None:
                think = event.at_s - self._floor_given_s
            turn = _Turn(utterance, event.at_s, arrival - (t + duration - event.at_s), think, barged)
            self._current = turn
            self._open_turns[utterance.id] = turn
            self._floor_given_s = None
            if barged:
                self.barged_in.set()
                self.speech.cancel()
            return
        turn = self._current
        if turn is None:
            return
        if event.kind == "pause":
            turn.speech_end_s = event.at_s
            turn.speech_end_wall = arrival - duration
        elif event.kind == "resume":
            turn.speech_end_s = None
            turn.speech_end_wall = None
            if turn.provisional_key is not None:
                turn.provisional_key = None
                self.events.put(ProvisionalWithdrawn(turn.utterance.id))
        elif event.kind == "speculate":
            key = event.at_s
            self.transcriber.submit(Job(turn.utterance, "final", key=key, speculative=True,
                                        end_sample=self._sample_index(turn, key + cfg.tail_pad_ms / 1000),
                                        stale=lambda: not turn.ended and turn.speech_end_s != key))
        elif event.kind == "check" and self.turn_verdicts is not None:
            # The turn's audio so far, trailing silence included: the model was trained on turns that end so.
            self.turn_verdicts.submit((turn.utterance.id, event.at_s), turn.utterance.audio())
        elif event.kind == "end":
            self._end_turn(turn, event.at_s, forced=event.forced, arrival=arrival)

    def _end_turn(self, turn: _Turn, end_s: float, *, forced: bool, arrival: float) -> None:
        turn.ended = True
        turn.forced = forced
        turn.end_key = end_s
        turn.endpoint_wall = arrival
        if turn.speech_end_wall is None:
            turn.speech_end_wall = arrival
        turn.segments = list(self._endpointer.segments)
        self._current = None
        self.source.set_floor(False)
        if end_s in turn.finals:
            self._complete(turn, turn.finals[end_s], speculative=True)
        elif not self.transcriber.final_in_flight(turn.utterance, end_s):
            self.transcriber.submit(Job(turn.utterance, "final", key=end_s,
                                        end_sample=self._sample_index(turn, end_s + self.config.tail_pad_ms / 1000)))

    def _maybe_partial(self, now_s: float) -> None:
        turn = self._current
        if turn is None or turn.ended or self._endpointer.state != "speech":
            return
        spoken = now_s - turn.speech_start_s
        due = self.config.first_partial_s if turn.partials_submitted == 0 else turn.last_partial_at_s + self.config.partial_interval_s
        if spoken >= due and self.transcriber.idle:
            # Only when the transcriber is free: on a busy machine partials thin out instead of queueing, and a
            # final never waits behind a backlog of them.
            turn.partials_submitted += 1
            turn.last_partial_at_s = spoken
            self.transcriber.submit(Job(turn.utterance, "partial"))

    def _maybe_silence(self, now_s: float) -> None:
        given = self._floor_given_s
        limit = self.config.silence_checkin_s
        if (limit <= 0 or given is None or self._interviewer_active or self._current is not None
                or self._endpointer.state != "idle" or self._silence_reported_for == given):
            return
        if now_s - given >= limit:
            self._silence_reported_for = given
            self.events.put(Silence(round(now_s - given, 2), given))

    def _end_of_input(self) -> None:
        with self._lock:
            self._eof = True
            turn = self._current
            if turn is not None and not turn.ended:
                end = turn.speech_end_s if turn.speech_end_s is not None else self._t
                self._endpointer.finish_now(end)
                self._end_turn(turn, end, forced=True, arrival=time.monotonic())
            if not self._open_turns:
                self.events.put(InputEnded())

    @staticmethod
    def _sample_index(turn: _Turn, audio_s: float) -> int:
        return max(0, int(round((audio_s - turn.utterance.start_s) * SAMPLE_RATE)))

    def _current_verdict(self, pause_at_s: float) -> float | None:
        turn = self._current
        if turn is None or self.turn_verdicts is None:
            return None
        return self.turn_verdicts.get((turn.utterance.id, pause_at_s))

    def _verdict_coming(self, pause_at_s: float) -> bool:
        turn = self._current
        return (turn is not None and self.turn_verdicts is not None
                and self.turn_verdicts.coming((turn.utterance.id, pause_at_s)))

    def _wait_for_decision(self, key: tuple[int, float], timeout: float) -> None:
        """Until the model's verdict and the pause's transcript are both in (what the endpoint depends on)."""
        assert self.turn_verdicts is not None
        deadline = time.monotonic() + timeout
        self.turn_verdicts.wait(key, timeout)
        while time.monotonic() < deadline and not self._stop.is_set():
            with self._lock:
                turn = self._current
                if turn is None or turn.speech_end_s != key[1] or key[1] in turn.finals:
                    return
            self._final_arrived.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            self._final_arrived.clear()

    def _awaited_verdict(self) -> tuple[int, float] | None:
        """The pause whose ending waits on the model's verdict or on its transcript, if any."""
        with self._lock:
            ep, turn = self._endpointer, self._current
            if (turn is None or self.turn_verdicts is None or self.turn_verdicts.failed or ep.state != "pending"
                    or not ep.checked or ep.speech_end_s is None):
                return None
            if not ep.awaiting_verdict() and ep.speech_end_s in turn.finals:
                return None
            return (turn.utterance.id, ep.speech_end_s)

    def _current_unfinished(self) -> bool | None:
        """Whether the words so far dangle. With the end-of-turn model, judged on the transcript of this very pause
        (None until it is in); without it, on the latest partial as before (up to a second old)."""
        turn = self._current
        if turn is None:
            return False
        final = turn.finals.get(turn.speech_end_s) if turn.speech_end_s is not None else None
        if final is not None:
            return sounds_unfinished(final.text)
        if self.turn_verdicts is not None and not self.turn_verdicts.failed:
            return None
        return sounds_unfinished(turn.latest_text)

    # Transcriber thread

    def _on_transcript(self, job: Job, transcript: Transcript) -> None:
        with self._lock:
            turn = self._open_turns.get(job.utterance.id)
            if turn is None or turn.completed:
                return
            if job.kind == "final" and job.key is not None:
                turn.finals[job.key] = transcript
                turn.final_times[job.key] = (job.started_at, time.monotonic())
                self._final_arrived.set()
            turn.latest_text = transcript.text
            if turn.ended and job.kind == "final" and job.key == turn.end_key:
                self._complete(turn, transcript, speculative=job.speculative)
                return
            if (job.kind == "final" and not turn.ended and job.key == turn.speech_end_s and transcript.text
                    and turn.speech_end_wall is not None):
                # Still in the pause it was made for: the reply can be prepared on it while endpointing waits.
                turn.provisional_key = job.key
                now = time.monotonic()
                self.events.put(ProvisionalAnswer(self._answer_audio(
                    turn, transcript, job.key, list(self._endpointer.segments), forced=False,
                    timing=TurnTiming(turn.speech_end_wall, now, now, True))))
                return
            if transcript.text:
                turn.partials += 1
                if turn.first_partial_wall is None:
                    turn.first_partial_wall = time.monotonic()
                self.events.put(PartialText(turn.utterance.id, transcript.text))

    def _answer_audio(self, turn: _Turn, transcript: Transcript, end_key: float,
                      speech_segments: list[tuple[float, float]], forced: bool, timing: TurnTiming) -> AnswerAudio:
        samples = turn.utterance.audio(self._sample_index(turn, end_key + self.config.tail_pad_ms / 1000))
        base = turn.utterance.start_s
        return AnswerAudio(
            utterance_id=turn.utterance.id, transcript=transcript, samples=samples,
            speech_segments=[(round(a - base, 3), round(b - base, 3)) for a, b in speech_segments],
            think_time_s=turn.think_time_s, barged_in=turn.barged_in, forced_end=forced, partials=turn.partials,
            time_to_first_partial_s=(turn.first_partial_wall - turn.start_wall) if turn.first_partial_wall else None,
            started_wall=turn.start_wall, timing=timing,
        )

    def _on_transcriber_error(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, PrepAIError) else f"speech recognition failed: {error}"
        self.events.put(InputFailed(message))

    def _complete(self, turn: _Turn, transcript: Transcript, *, speculative: bool) -> None:
        turn.completed = True
        self._open_turns.pop(turn.utterance.id, None)
        assert turn.end_key is not None and turn.endpoint_wall is not None and turn.speech_end_wall is not None
        started, ready = turn.final_times.get(turn.end_key, (None, None))
        verdict = (self.turn_verdicts.answered_at.get((turn.utterance.id, turn.end_key))
                   if self.turn_verdicts is not None else None)
        timing = TurnTiming(turn.speech_end_wall, turn.endpoint_wall, time.monotonic(), speculative,
                            final_started=started, final_ready=ready, final_decode_s=transcript.decode_s,
                            verdict_ready=verdict,
                            verdict=(self.turn_verdicts.get((turn.utterance.id, turn.end_key))
                                     if self.turn_verdicts is not None else None))
        self.events.put(self._answer_audio(turn, transcript, turn.end_key, turn.segments, turn.forced, timing))
        if self._eof and not self._open_turns:
            self.events.put(InputEnded())
