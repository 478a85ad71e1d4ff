"""Turn-taking from VAD probabilities: when the candidate starts, pauses, resumes and finishes speaking.

Pure state machine over (audio time, probability) steps, so it behaves the same on a microphone and a file.

How long a pause must last to end the turn depends on what the candidate sounds like:
- `check_ms` into a pause a "check" event asks the end-of-turn model (turn_model.py) whether they are done;
- model says done and the pause's transcript does not dangle ("and", "um", a trailing comma): `complete_silence_ms`
  (or until that transcript is in, which the reply needs anyway),
  just longer than the pauses between sentences of one answer (measured up to 416 ms in synthesized answers,
  where the model often hears each finished sentence as the end);
- model unsure (probability between `mid_thought_threshold` and `complete_threshold`, an empty band by
  default): `unsure_silence_ms`;
- model says mid-thought, or the words dangle: `mid_thought_ms` (room for a 1-2 s thinking pause);
- the model has not answered yet (a busy machine): `mid_thought_ms`, re-decided the moment it answers — a slow
  reply is better than cutting the candidate off;
- no model (none configured, or it failed): `silence_ms`, plus `thinking_grace_ms` if the words dangle (the rule
  used before the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from pydantic import BaseModel, Field

EventKind = Literal["start", "pause", "resume", "speculate", "check", "end"]


class EndpointConfig(BaseModel):
    threshold: float = Field(default=0.5, ge=0.05, le=0.99)
    # Speech must fall below threshold - hysteresis to count as silence, so a wobbling probability does not flap.
    hysteresis: float = Field(default=0.15, ge=0.0, le=0.5)
    min_speech_ms: int = Field(default=96, ge=32, le=1000)
    silence_ms: int = Field(default=600, ge=200, le=3000)
    # Extra silence required when the words so far sound unfinished (mid-sentence, a filler, "and ...").
    thinking_grace_ms: int = Field(default=700, ge=0, le=5000)
    # The final transcription starts this long into a silence, before the endpoint is certain.
    speculate_ms: int = Field(default=96, ge=32, le=2000)
    max_turn_s: float = Field(default=180.0, ge=5, le=1800)
    # Semantic end of turn: ask the model this far into a pause; wait this long when it hears a mid-thought pause.
    check_ms: int = Field(default=192, ge=64, le=2000)
    complete_silence_ms: int = Field(default=480, ge=64, le=3000)
    mid_thought_ms: int = Field(default=2500, ge=500, le=10000)
    complete_threshold: float = Field(default=0.5, ge=0.01, le=0.99)
    unsure_silence_ms: int = Field(default=1200, ge=64, le=10000)
    # Equal to complete_threshold by default (no unsure band): on the held-back answers of
    # bench/turn_latency.py --thinking a 0.2-0.5 band waiting 1.2 s cut the same 5 of 20, and when in doubt
    # waiting is the safer mistake.
    mid_thought_threshold: float = Field(default=0.5, ge=0.0, le=0.99)


@dataclass(frozen=True)
class EndpointEvent:
    kind: EventKind
    at_s: float  # audio time the event refers to (speech start, or the last moment of speech)
    forced: bool = False  # an "end" caused by the maximum turn length


class Endpointer:
    """Feeds on one probability per window; `unfinished()` says whether the current words need more time;
    `verdict(pause_at_s)` is the end-of-turn model's probability that the candidate is done with the pause that
    began at that audio time (None: no model, or not answered yet)."""

    def __init__(self, config: EndpointConfig, unfinished: Callable[[], bool | None] = lambda: False,
                 verdict: Callable[[float], float | None] = lambda pause_at_s: None,
                 verdict_coming: Callable[[float], bool] = lambda pause_at_s: False):
        """`unfinished()`: None while the words of the current pause are not transcribed yet.
        `verdict_coming(pause_at_s)`: the model was asked about that pause and is still working on it."""
        self.config = config
        self._unfinished = unfinished
        self._verdict = verdict
        self._verdict_coming = verdict_coming
        self.threshold = config.threshold
        self.min_speech_ms = config.min_speech_ms
        self.reset()

    def reset(self) -> None:
        self.state: Literal["idle", "speech", "pending"] = "idle"
        self.speech_start_s: float | None = None
        self.speech_end_s: float | None = None
        self._run_start_s: float | None = None
        self._speculated = False
        self.checked = False
        self._seg_start = 0.0
        self.segments: list[tuple[float, float]] = []  # speech stretches of the current turn

    def step(self, t: float, duration: float, prob: float) -> list[EndpointEvent]:
        cfg = self.config
        speech = prob >= self.threshold
        silence = prob < max(0.01, self.threshold - cfg.hysteresis)
        events: list[EndpointEvent] = []
        if self.state == "idle":
            if speech:
                if self._run_start_s is None:
                    self._run_start_s = t
                if (t + duration - self._run_start_s) * 1000 >= self.min_speech_ms:
                    self.state = "speech"
                    self.speech_start_s = self._run_start_s
                    self.speech_end_s = None
                    self.segments = []
                    self._seg_start = self._run_start_s
                    events.append(EndpointEvent("start", self._run_start_s))
            elif silence:
                self._run_start_s = None
        elif self.state == "speech":
            if silence:
                self.state = "pending"
                self.speech_end_s = t
                self._speculated = False
                self.checked = False
                self.segments.append((self._seg_start, t))
                events.append(EndpointEvent("pause", t))
        elif self.state == "pending":
            assert self.speech_end_s is not None
            if speech:
                # Pauses inside a turn stay as separate stretches: the delivery metrics measure them.
                self.state = "speech"
                self._seg_start = t
                events.append(EndpointEvent("resume", t))
            else:
                silent_ms = (t + duration - self.speech_end_s) * 1000
                if not self._speculated and silent_ms >= cfg.speculate_ms:
                    self._speculated = True
                    events.append(EndpointEvent("speculate", self.speech_end_s))
                if not self.checked and silent_ms >= cfg.check_ms:
                    self.checked = True
                    events.append(EndpointEvent("check", self.speech_end_s))
                if silent_ms >= self.needed_silence_ms():
                    events.append(self._finish(self.speech_end_s, forced=False))
        if self.state in ("speech", "pending") and self.speech_start_s is not None:
            if t + duration - self.speech_start_s >= cfg.max_turn_s and not any(e.kind == "end" for e in events):
                end = t + duration if self.state == "speech" else (self.speech_end_s or t)
                if self.state == "speech":
                    self.segments.append((self._seg_start, end))
                events.append(self._finish(end, forced=True))
        return events

    def needed_silence_ms(self) -> int:
        cfg = self.config
        unfinished = self._unfinished()
        done = self._verdict(self.speech_end_s) if self.checked and self.speech_end_s is not None else None
        if done is None:
            if self.checked and self.speech_end_s is not None and self._verdict_coming(self.speech_end_s):
                return cfg.mid_thought_ms
            return cfg.silence_ms + (cfg.thinking_grace_ms if unfinished else 0)
        if done < cfg.mid_thought_threshold or unfinished or unfinished is None:
            return cfg.mid_thought_ms
        if done < cfg.complete_threshold:
            return cfg.unsure_silence_ms
        return max(cfg.check_ms, cfg.complete_silence_ms)

    def awaiting_verdict(self) -> bool:
        """In a checked pause whose verdict has not arrived: the caller may wait for it (it decides the wait)."""
        return (self.state == "pending" and self.checked and self.speech_end_s is not None
                and self._verdict(self.speech_end_s) is None)

    def finish_now(self, end: float) -> EndpointEvent:
        """Ends the turn where the input stopped (end of file), closing the speech stretch in progress."""
        if self.state == "speech":
            self.segments.append((self._seg_start, end))
        return self._finish(end, forced=True)

    def _finish(self, end: float, forced: bool) -> EndpointEvent:
        event = EndpointEvent("end", end, forced)
        self.state = "idle"
        self._run_start_s = None
        self.speech_end_s = end
        return event
