"""The interview loop: brain → output, input → store, one committed turn at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from prepai_cli.agent.brain import Brain, Conversation
from prepai_cli.agent.events import (
    AnswerEvaluated, AnswerJudged, BrainError, BrainEvent, SegmentStarted, TextDelta, TokenUsage, ToolCall,
    ToolResult, TurnEnded,
)
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import NewTurn, Session, Turn, resume_hint, utcnow
from prepai_cli.interview.io import AnswerContext, CandidateAnswer, CandidateInput, InterviewerOutput
from prepai_cli.interview.speculation import Speculation
from prepai_cli.store import SessionStore


@dataclass
class _Segment:
    kind: str
    question_id: str | None
    meta: dict[str, Any]
    started_at: datetime = field(default_factory=utcnow)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


class _BrainFailed(Exception):
    """The brain reported an error it cannot recover from."""


@dataclass(frozen=True)
class InterviewOutcome:
    session: Session
    finished: bool


class InterviewRunner:
    def __init__(
        self,
        store: SessionStore,
        brain: Brain,
        output: InterviewerOutput,
        candidate: CandidateInput,
        bank: QuestionBank | None = None,
        cv_summary: str | None = None,
        on_turn_stored: Callable[[Turn], None] | None = None,
    ):
        self.store = store
        self.brain = brain
        self.output = output
        self.candidate = candidate
        self.bank = bank
        self.cv_summary = cv_summary
        self.on_turn_stored = on_turn_stored or (lambda turn: None)

    def run(self, session: Session) -> InterviewOutcome:
        """Runs until the interviewer closes or the candidate ends; Ctrl-C marks the session abandoned."""
        try:
            return self._run(session)
        except _BrainFailed:
            # Everything said so far is stored; the session stays resumable once the cause is fixed.
            abandoned = self.store.set_status(session.id, "abandoned")
            self.output.notice(
                f"The interviewer stopped. Fix the error above, then resume with: prepai interview --resume {session.id}"
                " (or add --fallback offline)"
            )
            return InterviewOutcome(abandoned, finished=False)
        except KeyboardInterrupt:
            abandoned = self.store.set_status(session.id, "abandoned")
            self.output.notice(resume_hint(session.id))
            return InterviewOutcome(abandoned, finished=False)
        except BaseException:
            # Whatever broke, the turns are stored; leave the session resumable rather than falsely active.
            self.store.set_status(session.id, "abandoned")
            raise

    def _run(self, session: Session) -> InterviewOutcome:
        if session.status != "active":
            session = self.store.set_status(session.id, "active")
        turns = self.store.turns(session.id)
        end_requested = False
        if turns and turns[-1].kind == "closing":
            # A crash after the closing was stored: the interview is over.
            return InterviewOutcome(self.store.set_status(session.id, "ended"), finished=True)
        if turns and turns[-1].role == "interviewer":
            # Resuming after the interviewer spoke: remind the candidate instead of generating a new turn.
            last = turns[-1]
            self.output.notice("Welcome back. Picking up where we left off.")
            self.output.begin_segment(last.kind, {"resumed": True, "question_id": last.question_id, **last.meta})
            self.output.write(last.text)
            self.output.end_turn()
            context = self._context(turns)
        else:
            context = None
        while True:
            prepared: Iterator[BrainEvent] | None = None
            if context is not None:
                speculation = self._lend_speculation(session, turns)
                try:
                    answer = self.candidate.next_answer(context)
                finally:
                    if speculation is not None:
                        self.candidate.speculation = None  # type: ignore[attr-defined]
                if answer is None:
                    end_requested = True
                    if speculation is not None:
                        speculation.cancel()
                else:
                    turns.append(self._store_answer(session, answer))
                    prepared = speculation.take(answer) if speculation is not None else None
            finished = self._interviewer_turn(session, turns, end_requested, prepared)
            if finished:
                return InterviewOutcome(self.store.set_status(session.id, "ended"), finished=True)
            if end_requested:
                # The brain could not close (an error); the candidate still asked to stop.
                return InterviewOutcome(self.store.set_status(session.id, "ended"), finished=False)
            context = self._context(turns)

    def _store_answer(self, session: Session, answer: CandidateAnswer) -> Turn:
        turn = self.store.add_turn(
            session.id,
            NewTurn(
                role="candidate", kind=answer.kind, text=answer.text, started_at=answer.started_at,
                ended_at=answer.ended_at, audio_path=answer.audio_path, metrics=answer.metrics, meta=answer.meta,
                question_id=self._current_question_id(session.id),
            ),
        )
        self.on_turn_stored(turn)
        return turn

    def _lend_speculation(self, session: Session, turns: list[Turn]) -> Speculation | None:
        """A voice input that can tell its answer early gets to start the reply on it (speculation.py)."""
        # Not for a brain that opts out: a cloud brain would bill (and a scripted server would count) every call.
        if not hasattr(self.candidate, "speculation") or not getattr(self.brain, "speculative", True):
            return None
        speculation = Speculation(self.brain, session, turns, self._current_question_id(session.id),
                                  self.cv_summary or session.settings.get("cv_summary"),
                                  getattr(self.output, "prepare", None))
        self.candidate.speculation = speculation  # type: ignore[attr-defined]
        return speculation

    def _current_question_id(self, session_id: str) -> str | None:
        for turn in reversed(self.store.turns(session_id)):
            if turn.role == "interviewer" and turn.question_id:
                return turn.question_id
        return None

    def _interviewer_turn(self, session: Session, turns: list[Turn], end_requested: bool,
                          prepared: Iterator[BrainEvent] | None = None) -> bool:
        """`prepared`: the events of a reply already started on this very answer (speculation.py)."""
        conversation = Conversation(session=session, turns=list(turns), end_requested=end_requested,
                                    cv_summary=self.cv_summary or session.settings.get("cv_summary"))
        answer_turn = turns[-1] if turns and turns[-1].role == "candidate" else None
        segments: list[_Segment] = []
        finished = False
        failed = False
        events = prepared if prepared is not None else self.brain.respond(conversation)
        try:
            for event in events:
                if self.output.interrupted():
                    break
                if isinstance(event, SegmentStarted):
                    segments.append(_Segment(event.kind, event.question_id, dict(event.meta)))
                    self.output.begin_segment(event.kind, {"question_id": event.question_id, **event.meta})
                elif isinstance(event, TextDelta):
                    if not segments:
                        segments.append(_Segment("feedback", None, {}))
                    segments[-1].parts.append(event.text)
                    self.output.write(event.text)
                elif isinstance(event, AnswerEvaluated) and answer_turn is not None:
                    self.store.update_turn(answer_turn.id, evaluation=event.evaluation)
                    # The brain rebuilds its state from `turns`: it must see the score it just gave.
                    answer_turn = answer_turn.model_copy(update={"evaluation": event.evaluation})
                    turns[-1] = answer_turn
                elif isinstance(event, AnswerJudged):
                    # An LLM's judgement, beside the rubric's; it may be for an answer turns ago.
                    self.store.put_llm_judgement(event.turn_id, event.judgement)
                elif isinstance(event, (ToolCall, ToolResult)) and segments:
                    segments[-1].meta.setdefault("tools", []).append(_tool_record(event))
                elif isinstance(event, TokenUsage) and segments:
                    segments[-1].meta["usage"] = {
                        "model_id": event.model_id, "input_tokens": event.input_tokens,
                        "output_tokens": event.output_tokens, "total_tokens": event.total_tokens,
                    }
                elif isinstance(event, BrainError):
                    self.output.notice(f"Interviewer error: {event.message}")
                    if not event.recoverable:
                        failed = True
                elif isinstance(event, TurnEnded):
                    finished = finished or event.finished
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # cancels generation on barge-in (Bedrock streams are closed here)
        delivery = self.output.end_turn()
        spoken = delivery.spoken
        new_turns: list[NewTurn] = []
        for i, segment in enumerate(segments):
            text = spoken[i] if spoken is not None and i < len(spoken) else (None if spoken is not None else segment.text)
            if not text:
                continue
            meta = dict(segment.meta)
            if delivery.interrupted and spoken is not None and text != segment.text:
                meta["interrupted"] = True
                meta["generated_text"] = segment.text
            new_turns.append(NewTurn(role="interviewer", kind=segment.kind, text=text, started_at=segment.started_at,
                                     ended_at=utcnow(), question_id=segment.question_id, meta=meta))
        for stored in self.store.add_turns(session.id, new_turns) if new_turns else []:
            turns.append(stored)
            self.on_turn_stored(stored)
        if delivery.latency and answer_turn is not None:
            metrics = dict(answer_turn.metrics or {})
            metrics["latency"] = delivery.latency
            self.store.update_turn(answer_turn.id, metrics=metrics)
            turns[answer_turn.index] = answer_turn.model_copy(update={"metrics": metrics})
        if failed:
            raise _BrainFailed()
        # A closing talked over is still the end of the interview.
        return finished or any(segment.kind == "closing" for segment in segments if segment.parts)

    def _context(self, turns: list[Turn]) -> AnswerContext:
        last = next((t for t in reversed(turns) if t.role == "interviewer"), None)
        question_id = next((t.question_id for t in reversed(turns) if t.role == "interviewer" and t.question_id), None)
        vocabulary: tuple[str, ...] = ()
        if self.bank is not None and question_id:
            question = self.bank.question(question_id)
            if question is not None:
                vocabulary = tuple(kp.text for kp in question.key_points)
        prompt = "\n".join(t.text for t in turns[-3:] if t.role == "interviewer")
        return AnswerContext(prompt_text=prompt, question_id=question_id,
                             segment_kind=last.kind if last else None, vocabulary=vocabulary)


def _tool_record(event: ToolCall | ToolResult) -> dict[str, Any]:
    if isinstance(event, ToolCall):
        return {"call": event.name, "id": event.call_id, "arguments": event.arguments}
    return {"result": event.name, "id": event.call_id, "ok": event.ok, "data": event.result}
