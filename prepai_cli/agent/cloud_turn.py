"""How the cloud brains shape an LLM's free text into the offline brain's event stream.

A model replies with free text, so the segment kinds come from a fixed convention rather than from the text:

- the first turn starts an "intro" segment; at the first paragraph break (the prompt asks for a blank line before
  the first question) a "question" segment (number 1) starts;
- after an answer the whole reply is one "question" segment (it may be a follow-up: the model decides), or a
  "hint" segment when the candidate was stuck;
- when the candidate asks to end, or the budget (time, or 2 exchanges per planned question) is used up, the reply
  is one "closing" segment and the turn ends with TurnEnded(finished=True);
- every segment's meta carries {"brain": <name>} so a later turn knows which turns the cloud model produced.

A turn that fails ends with BrainError instead of TurnEnded; the text streamed before the failure is kept by the
runner like any other text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import BrainEvent, SegmentKind, SegmentStarted, TextDelta, TokenUsage
from prepai_cli.agent.offline import OfflineBrain, ToolBox, interview_elapsed, is_stuck, wants_to_end
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import Turn

log = logging.getLogger("prepai.cloud")

EXCHANGES_PER_QUESTION = 2
REFERENCE_QUESTIONS = 12
CV_LIMIT = 2000
RECAP_TURNS = 8
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class TurnPlan(BaseModel):
    kind: SegmentKind
    finished: bool
    note: str
    split_intro: bool = False
    ended_by_candidate: bool = False
    exchange: int = 0


def interview_context(conversation: Conversation, bank: QuestionBank, *, send_cv: bool) -> prompts.InterviewContext:
    """The prompt context for this session; the CV goes to the cloud only when the user allowed it (aws.send_cv)."""
    session = conversation.session
    interview_type = bank.interview_type(session.type)
    questions = int(session.settings.get("questions") or interview_type.default_questions)
    minutes = int(session.settings.get("minutes") or interview_type.default_minutes)
    difficulty = int(session.settings.get("difficulty") or 2)
    pool = sorted(bank.questions(session.type), key=lambda q: (abs(q.difficulty - difficulty), q.id))
    cv = conversation.cv_summary[:CV_LIMIT] if (send_cv and conversation.cv_summary) else None
    return prompts.InterviewContext(
        title=interview_type.title, slug=interview_type.slug, description=interview_type.description,
        difficulty=difficulty, questions=questions, minutes=minutes, cv_summary=cv,
        reference_questions=[" ".join(q.text.split()) for q in pool[:REFERENCE_QUESTIONS]],
    )


def plan_turn(conversation: Conversation, ctx: prompts.InterviewContext) -> TurnPlan:
    turns = conversation.turns
    if not any(t.role == "interviewer" for t in turns):
        return TurnPlan(kind="intro", finished=False, note=prompts.session_start(ctx), split_intro=True)
    last = conversation.last_candidate_turn
    if conversation.end_requested or (last is not None and last.kind == "answer" and wants_to_end(last.text)):
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_CANDIDATE_NOTE, ended_by_candidate=True)
    exchanges = sum(1 for t in turns if t.role == "interviewer" and t.kind in ("question", "follow_up"))
    max_exchanges = ctx.questions * EXCHANGES_PER_QUESTION
    used = interview_elapsed(turns)  # the offline brain's clock: long pauses (a resume) do not count
    if exchanges >= max_exchanges or used >= timedelta(minutes=ctx.minutes):
        return TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_BUDGET_NOTE)
    if last is not None and last.kind == "code":
        language = str(last.meta.get("language", "python"))
        return TurnPlan(kind="question", finished=False, note=prompts.CODE_NOTE.format(language=language),
                        exchange=exchanges + 1)
    if last is not None and is_stuck(last.text):
        return TurnPlan(kind="hint", finished=False, note=prompts.STUCK_NOTE)
    minutes_left = max(0, round(ctx.minutes - used.total_seconds() / 60))
    note = prompts.ANSWER_NOTE.format(exchange=exchanges + 1, max_exchanges=max_exchanges, minutes_left=minutes_left)
    return TurnPlan(kind="question", finished=False, note=note, exchange=exchanges + 1)


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
        meta: dict[str, object] = {"brain": self._brain}
        if self._plan.exchange:
            meta["exchange"] = self._plan.exchange
        if self._plan.kind == "closing":
            meta["ended_by_candidate"] = self._plan.ended_by_candidate
        return [SegmentStarted(self._plan.kind, None, meta)]

    def feed(self, text: str) -> list[BrainEvent]:
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
