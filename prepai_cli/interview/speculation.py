"""The interviewer's reply, started on an answer that is not yet confirmed.

A voice input knows the candidate's final words a few hundred milliseconds before it is sure they have finished
(the end-of-turn wait). Starting the brain then, on a provisional copy of the answer, lets the reply — the
follow-up or next question, not only the acknowledgement — be generated and synthesized by the time the turn
ends. Nothing here stores anything: the runner stores the confirmed answer exactly once and only then plays the
reply's events; if the candidate goes on (or the confirmed words differ) the run is closed and dropped.

Brain-agnostic: any brain is run through `Brain.respond` on a `Conversation` whose last turn is the provisional
answer, exactly as the runner would build it after storing that answer (brains rebuild their state from turns).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from prepai_cli.agent.brain import Brain, Conversation
from prepai_cli.agent.events import BrainEvent, SegmentStarted, TextDelta
from prepai_cli.domain import Session, Turn
from prepai_cli.interview.io import CandidateAnswer

_DONE = object()


class SpeculativeReply:
    """One brain run on one provisional answer, consumed on its own thread into a queue."""

    def __init__(self, brain: Brain, conversation: Conversation, answer: CandidateAnswer,
                 prepare: Callable[[str], None] | None):
        self.answer = answer
        self._events: queue.Queue[object] = queue.Queue()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(brain, conversation, prepare),
                                        name="speculative-reply", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancelled.set()

    def matches(self, answer: CandidateAnswer) -> bool:
        return (not self._cancelled.is_set() and answer.text == self.answer.text and answer.kind == self.answer.kind
                and answer.meta.get("barged_in") == self.answer.meta.get("barged_in"))

    def events(self) -> Iterator[BrainEvent]:
        """The run's events, those already made first; closing this iterator cancels the run (barge-in)."""
        try:
            while True:
                item = self._events.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            self.cancel()

    def _run(self, brain: Brain, conversation: Conversation, prepare: Callable[[str], None] | None) -> None:
        stream = brain.respond(conversation)
        segment: list[str] = []
        try:
            for event in stream:
                if self._cancelled.is_set():
                    break
                self._events.put(event)
                if prepare is None:
                    continue
                if isinstance(event, SegmentStarted) and segment:
                    prepare("".join(segment))
                    segment = []
                elif isinstance(event, TextDelta):
                    segment.append(event.text)
            if segment and prepare is not None and not self._cancelled.is_set():
                prepare("".join(segment))
        except Exception as exc:  # handed to the runner if it takes this reply, where a live run would raise it
            self._events.put(exc)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            self._events.put(_DONE)


class Speculation:
    """What the runner lends a voice input for one answer: `start` on a provisional answer, `cancel` when the
    candidate goes on; the runner then `take`s the reply if the confirmed answer is the provisional one."""

    def __init__(self, brain: Brain, session: Session, turns: list[Turn], question_id: str | None,
                 cv_summary: str | None, prepare: Callable[[str], None] | None):
        self._brain = brain
        self._session = session
        self._turns = list(turns)
        self._question_id = question_id
        self._cv_summary = cv_summary
        self._prepare = prepare
        self._lock = threading.Lock()
        self._current: SpeculativeReply | None = None
        self.started = 0

    def start(self, answer: CandidateAnswer) -> None:
        provisional = Turn(
            id=0, session_id=self._session.id, index=len(self._turns), role="candidate", kind=answer.kind,
            text=answer.text, started_at=answer.started_at, ended_at=answer.ended_at, question_id=self._question_id,
            audio_path=answer.audio_path, metrics=answer.metrics, meta=answer.meta,
        )
        conversation = Conversation(session=self._session, turns=[*self._turns, provisional],
                                    cv_summary=self._cv_summary)
        with self._lock:
            if self._current is not None:
                self._current.cancel()
            self._current = SpeculativeReply(self._brain, conversation, answer, self._prepare)
            self.started += 1

    def cancel(self) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.cancel()

    def take(self, answer: CandidateAnswer) -> Iterator[BrainEvent] | None:
        """The prepared reply's events if `answer` (as stored) is what it was made for; otherwise drops it."""
        with self._lock:
            current, self._current = self._current, None
        if current is None:
            return None
        if not current.matches(answer):
            current.cancel()
            return None
        return current.events()
