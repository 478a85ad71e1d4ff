"""How the cloud brains shape an LLM's free text into the offline brain's event stream.

A model replies with free text, so the segment kinds come from a fixed convention rather than from the text:

- the first turn starts an "intro" segment; at the first paragraph break (the prompt asks for a blank line before
  the first question) a "question" segment (number 1) starts;
- after an answer the whole reply is one "question" segment (it may be a follow-up: the model decides), or a
  "hint" segment when the candidate was stuck;
- when the candidate asks to end, or the budget (time, or 2 exchanges per planned question) is used up, the reply
  is one "closing" segment and the turn ends with TurnEnded(finished=True);
- every segment's meta carries {"brain": <name>} so a later turn knows which turns the cloud model produced.

Before planning, the candidate's turn is read (agent/understanding) against the open bank question, the one the
model last asked, found by wording (bank_match). A clarifying question, a repeat or rephrase request, a term
question or a hint request gets a segment of its own kind ("clarification", "repeat", "hint"), is not scored, and
its note carries what the bank knows: the clarification's answer, the question again or its rephrasing, the next
graded hint and the hints already given. Notes after an answer name the next bank question not yet asked, and a
code note names the problem id run_code needs. The model's words are still its own; these are the facts it gets.

Models write Markdown now and then whatever the prompt says; the marks are dropped as the text streams, so the
voice never reads them out and the store never keeps them.

A turn that fails ends with BrainError instead of TurnEnded; the text streamed before the failure is kept by the
runner like any other text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.bank_match import may_ask_a_question
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import AnswerEvaluated, BrainEvent, SegmentKind, SegmentStarted, TextDelta, TokenUsage
from prepai_cli.agent.offline import (
    RAMBLE_SECONDS, RAMBLE_WORDS, OfflineBrain, ToolBox, interview_elapsed, is_stuck, wants_to_end,
)
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.bank.models import Clarification, Term
from prepai_cli.domain import Turn

log = logging.getLogger("prepai.cloud")

EXCHANGES_PER_QUESTION = 2
REFERENCE_QUESTIONS = 12
CV_LIMIT = 2000
RECAP_TURNS = 8
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_MARKS = re.compile(r"\*+|`+|~~|(?<![\w])__|__(?![\w])")
_LINE_MARK = re.compile(r"(\n)[ \t]*(?:#{1,6}|[-•+*]|\d{1,2}[.)])[ \t]+")


# Intents (agent/understanding) that are not answers and get a reply of their own.
_CLARIFY = ("clarifying_question", "term_question")
_REPEAT = ("repeat_request", "rephrase_request")
_STUCK = ("hint_request", "dont_know", "silence")


class TurnPlan(BaseModel):
    kind: SegmentKind
    finished: bool
    note: str
    split_intro: bool = False
    ended_by_candidate: bool = False
    exchange: int = 0
    meta: dict[str, Any] = {}


@dataclass(frozen=True)
class Briefing:
    """The open bank question, what the bank knows about it, and what the candidate's latest turn was read as.

    `intent` is None when there was nothing to read or no reader (then the turn counts as an answer, and a short
    "hint please" is caught by the cheap keyword check as before)."""

    question: Question | None = None
    intent: str | None = None
    clarification: Clarification | None = None
    term: Term | None = None
    hints_given: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    next_question: Question | None = None

    @property
    def scored(self) -> bool:
        return self.intent in (None, "answer", "thinking_aloud", "code")


class TurnReaderLike(Protocol):
    def read(self, text: str, question: Question | None, **kwargs: Any) -> Any: ...


def question_pool(bank: QuestionBank, session_type: str, difficulty: int) -> list[Question]:
    """The type's questions, nearest the starting difficulty first: the prompt's reference list, in order."""
    return sorted(bank.questions(session_type), key=lambda q: (abs(q.difficulty - difficulty), q.id))


def brief(conversation: Conversation, bank: QuestionBank, match: Callable[[str, str], Question | None],
          reader: TurnReaderLike | None) -> Briefing:
    """Reads the latest candidate turn against the open question, and collects the bank's data for the note.

    `match(slug, text)` finds the bank question an interviewer turn asked (None for the model's own follow-ups).
    """
    session = conversation.session
    turns = conversation.turns
    asked: list[str] = []
    open_at = -1
    question: Question | None = None
    for index, turn in enumerate(turns):
        if not may_ask_a_question(turn) and not (turn.role == "interviewer" and turn.kind == "repeat"):
            continue
        found = match(session.type, turn.text)
        if found is not None:
            if found.id not in asked:
                asked.append(found.id)
            question, open_at = found, index
    hints = tuple(t.text for t in turns[open_at + 1:] if t.role == "interviewer" and t.kind == "hint") \
        if question is not None else ()
    difficulty = int(session.settings.get("difficulty") or 2)
    planned = int(session.settings.get("questions") or bank.interview_type(session.type).default_questions)
    following = next((q for q in question_pool(bank, session.type, difficulty)[:REFERENCE_QUESTIONS]
                      if q.id not in asked), None) if len(asked) < planned else None
    base = Briefing(question=question, hints_given=hints, asked=tuple(asked), next_question=following)
    last = conversation.last_candidate_turn
    if last is None:
        return base
    if last.kind == "code":
        return replace(base, intent="code")
    if not last.text.strip():
        # Typed, an empty line asks for a hint; spoken, a long silence: both get the next hint.
        return replace(base, intent="silence" if last.meta.get("silence") else "hint_request")
    reading = reader.read(last.text, question) if reader is not None else None
    if reading is None:
        return base
    return replace(base, intent=reading.intent, clarification=reading.clarification, term=reading.term)


def interview_context(conversation: Conversation, bank: QuestionBank, *, send_cv: bool) -> prompts.InterviewContext:
    """The prompt context for this session; the CV goes to the cloud only when the user allowed it (aws.send_cv)."""
    session = conversation.session
    interview_type = bank.interview_type(session.type)
    questions = int(session.settings.get("questions") or interview_type.default_questions)
    minutes = int(session.settings.get("minutes") or interview_type.default_minutes)
    difficulty = int(session.settings.get("difficulty") or 2)
    pool = question_pool(bank, session.type, difficulty)
    cv = conversation.cv_summary[:CV_LIMIT] if (send_cv and conversation.cv_summary) else None
    return prompts.InterviewContext(
        title=interview_type.title, slug=interview_type.slug, description=interview_type.description,
        difficulty=difficulty, questions=questions, minutes=minutes, cv_summary=cv,
        reference_questions=[" ".join(q.text.split()) for q in pool[:REFERENCE_QUESTIONS]],
    )


def turn_evaluation(briefing: Briefing, judged: AnswerEvaluated | None) -> AnswerEvaluated | None:
    """What is stored on the candidate's turn: a meta turn as what it was read as (never scored), an answer with
    its rubric judgement and intent."""
    question_id = briefing.question.id if briefing.question is not None else None
    if not briefing.scored:
        return AnswerEvaluated(question_id=question_id, evaluation={"intent": briefing.intent, "scored": False})
    if briefing.intent is None:
        return judged
    if judged is None:
        return AnswerEvaluated(question_id=question_id, evaluation={"intent": briefing.intent, "scored": False})
    return AnswerEvaluated(question_id=judged.question_id, evaluation={"intent": briefing.intent, **judged.evaluation})


def plan_turn(conversation: Conversation, ctx: prompts.InterviewContext, briefing: Briefing = Briefing()) -> TurnPlan:
    turns = conversation.turns
    if not any(t.role == "interviewer" for t in turns):
        first = briefing.next_question.text if briefing.next_question is not None else None
        return TurnPlan(kind="intro", finished=False, note=prompts.session_start(ctx, first), split_intro=True)
    last = conversation.last_candidate_turn
    if conversation.end_requested or briefing.intent == "end_request" or (
            last is not None and last.kind == "answer" and wants_to_end(last.text)):
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_CANDIDATE_NOTE, ended_by_candidate=True)
    exchanges = sum(1 for t in turns if t.role == "interviewer" and t.kind in ("question", "follow_up"))
    max_exchanges = ctx.questions * EXCHANGES_PER_QUESTION
    used = interview_elapsed(turns)  # the offline brain's clock: long pauses (a resume) do not count
    if used >= timedelta(minutes=ctx.minutes):
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_BUDGET_NOTE)
    question = briefing.question
    about = {"bank_question": question.id} if question is not None else {}
    # A turn that is not an answer is replied to whatever the budget: it asks about the open question.
    if question is not None and briefing.intent in _CLARIFY:
        return TurnPlan(kind="clarification", finished=False, note=_clarify_note(question, briefing), meta=about)
    if question is not None and briefing.intent in _REPEAT:
        other = briefing.intent == "rephrase_request" and question.rephrasing
        note = (prompts.REPHRASE_NOTE.format(question=_said(question.rephrasing or "")) if other
                else prompts.REPEAT_NOTE.format(question=_said(question.text)))
        return TurnPlan(kind="repeat", finished=False, note=note, meta=about)
    stuck = briefing.intent in _STUCK or (briefing.intent is None and last is not None and is_stuck(last.text))
    if stuck and question is not None and len(briefing.hints_given) < len(question.hints):
        return _hint_plan(question, briefing)
    if exchanges >= max_exchanges:
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_BUDGET_NOTE)
    following = (prompts.NEXT_QUESTION.format(question=_said(briefing.next_question.text))
                 if briefing.next_question is not None else "")
    if not following and briefing.asked:
        following = prompts.NO_NEW_QUESTION
    if stuck and question is not None and briefing.next_question is None:
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_BUDGET_NOTE)
    if stuck and question is not None:
        return TurnPlan(kind="question", finished=False, note=prompts.HINTS_USED_NOTE.format(next=following),
                        exchange=exchanges + 1)
    if last is not None and last.kind == "code":
        language = str(last.meta.get("language", "python"))
        problem = (prompts.CODE_PROBLEM.format(problem_id=question.id)
                   if question is not None and question.coding is not None else "")
        return TurnPlan(kind="question", finished=False, note=prompts.CODE_NOTE.format(language=language,
                                                                                        problem=problem),
                        exchange=exchanges + 1, meta=about)
    if stuck:
        return TurnPlan(kind="hint", finished=False, note=prompts.STUCK_NOTE)
    minutes_left = max(0, round(ctx.minutes - used.total_seconds() / 60))
    if last is not None and last.kind == "answer":
        # The offline brain's limits: about three minutes of speech (by the clock when spoken, else by words).
        seconds = float((last.metrics or {}).get("speaking_s") or 0.0)
        if len(last.text.split()) > RAMBLE_WORDS or seconds > RAMBLE_SECONDS:
            spoken = max(seconds, len(last.text.split()) / 150 * 60)
            following = prompts.RAMBLE_NOTE.format(minutes=max(3, round(spoken / 60))) + following
    note = prompts.ANSWER_NOTE.format(exchange=exchanges + 1, max_exchanges=max_exchanges, minutes_left=minutes_left,
                                      next=following)
    return TurnPlan(kind="question", finished=False, note=note, exchange=exchanges + 1)


def _said(text: str) -> str:
    return " ".join(text.split())


def _clarify_note(question: Question, briefing: Briefing) -> str:
    if briefing.intent == "term_question" and briefing.term is not None:
        return prompts.TERM_NOTE.format(term=briefing.term.term, meaning=_said(briefing.term.meaning))
    if briefing.clarification is not None:
        return prompts.CLARIFY_NOTE.format(facts=_said(briefing.clarification.answer))
    if question.clarifications:
        return prompts.CLARIFY_NOTE.format(facts=" ".join(_said(c.answer) for c in question.clarifications))
    return prompts.CLARIFY_FREE_NOTE


def _hint_plan(question: Question, briefing: Briefing) -> TurnPlan:
    level = len(briefing.hints_given)
    given = (prompts.HINTS_GIVEN.format(hints=" ".join(f"{i + 1}. {_said(h)}" for i, h in
                                                       enumerate(briefing.hints_given)))
             if briefing.hints_given else "")
    note = prompts.HINT_NOTE.format(number=level + 1, total=len(question.hints), hint=_said(question.hints[level]),
                                    given=given)
    return TurnPlan(kind="hint", finished=False, note=note,
                    meta={"bank_question": question.id, "hint_index": level, "of": len(question.hints)})


class SegmentStream:
    """Turns streamed text into SegmentStarted/TextDelta events without holding text back.

    Only trailing newlines are ever held (they may start the paragraph break that ends the intro; at the end of a
    reply they are just dropped), so each delta reaches the consumer as soon as it arrives.
    """

    def __init__(self, plan: TurnPlan, brain: str):
        self._plan = plan
        self._brain = brain
        self._split_pending = plan.split_intro
        self._held = ""
        self._said_something = False
        self._started = False
        self._line_start = True
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def start(self) -> list[BrainEvent]:
        """The segment's SegmentStarted, once: emitted lazily, before the first words or tool call, so a turn that
        fails before saying anything shows no empty "Interviewer:" label."""
        if self._started:
            return []
        self._started = True
        meta: dict[str, object] = {"brain": self._brain, **self._plan.meta}
        if self._plan.exchange:
            meta["exchange"] = self._plan.exchange
        if self._plan.kind == "closing":
            meta["ended_by_candidate"] = self._plan.ended_by_candidate
        return [SegmentStarted(self._plan.kind, None, meta)]

    def feed(self, text: str) -> list[BrainEvent]:
        text = self._unmark(text)
        self.text_parts.append(text)
        data, self._held = self._held + text, ""
        events: list[BrainEvent] = self.start() if data else []
        if not self._split_pending:
            return events + [TextDelta(data)] if data else events
        for match in _PARAGRAPH_BREAK.finditer(data):
            before = data[: match.start()]
            if self._said_something or before.strip():
                if before:
                    events.append(TextDelta(before))
                events.append(SegmentStarted("question", None, {"brain": self._brain, "number": 1, "exchange": 1}))
                self._split_pending = False
                rest = data[match.end():]
                if rest:
                    events.append(TextDelta(rest))
                return events
        stripped = data.rstrip(" \t\n")
        tail = data[len(stripped):]
        if "\n" in tail:
            data, self._held = stripped, tail
        if data:
            self._said_something = self._said_something or bool(data.strip())
            events.append(TextDelta(data))
        return events


    def _unmark(self, text: str) -> str:
        """Drops Markdown marks from a streamed piece: emphasis and code marks anywhere, heading and bullet marks at
        the start of a line (which may have begun in an earlier piece)."""
        lead = "\n" if self._line_start else " "
        out = _LINE_MARK.sub(r"\1", lead + text)[1:]
        out = _MARKS.sub("", out)
        if out:
            self._line_start = out.endswith("\n")
        return out


def recap(turns: list[Turn], limit: int = RECAP_TURNS) -> str:
    lines = []
    for turn in turns[-limit:]:
        who = "Interviewer" if turn.role == "interviewer" else "Candidate"
        lines.append(f"{who}: {' '.join(turn.text.split())}")
    return "\n".join(lines)


def candidate_text(turn: Turn) -> str:
    """The candidate's turn as the model should see it: code keeps its fence so the model knows it is code."""
    if turn.kind == "code":
        language = str(turn.meta.get("language", "python"))
        return f"```{language}\n{turn.text}\n```"
    return turn.text


def run_local_tool(tools: ToolBox | None, name: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Runs a tool the cloud model asked for on this machine; failures go back to the model as results."""
    if tools is None or not tools.has(name):
        return {"error": f"tool {name!r} is not available on this machine"}, False
    try:
        result = tools.call(name, arguments)
    except Exception as exc:  # a failing tool is reported to the model, which can carry on without it
        log.warning("tool %s failed: %s", name, exc)
        return {"error": f"{type(exc).__name__}: {exc}"}, False
    return result, "error" not in result
