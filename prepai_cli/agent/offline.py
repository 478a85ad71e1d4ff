"""The offline interviewer: question bank + rubric evaluation, no network.

It keeps no state of its own between turns: everything it needs (questions asked, follow-ups, hints, the
difficulty it was aiming at) is read back from the stored turns, so `--resume` after a crash just works.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from prepai_cli.agent.answers import NO_ANSWER_MAX_WORDS, is_non_answer
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import (
    AnswerEvaluated, BrainEvent, SegmentStarted, TextDelta, ToolCall, ToolResult, TurnEnded,
)
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.bank.loader import session_questions
from prepai_cli.domain import Turn

MAX_FOLLOW_UPS = 2
# A question whose combined answer reaches this score needs no more probing.
GOOD_ENOUGH = 7.5
RAISE_AT = 7.0
LOWER_AT = 4.0
# Gaps longer than this (a paused or resumed session) do not count against the time budget.
MAX_COUNTED_GAP = timedelta(minutes=5)

_WANTS_HINT = re.compile(r"\b(hint|clue|nudge|help)\b", re.IGNORECASE)
_END = re.compile(
    r"\b(end|stop|finish|quit)\s+(the\s+|this\s+)?(interview|session)\b|\blet'?s\s+(stop|end)\b", re.IGNORECASE
)
_ACKS_GOOD = ("Good.", "Nice.", "That's solid.", "Great.")
_ACKS_NEUTRAL = ("Okay.", "Thanks.", "Got it.", "Alright.")


class Evaluation(Protocol):
    score: float
    missed: list[str]
    suggestions: list[str]

    def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...


class Evaluator(Protocol):
    def evaluate(self, question: Question, answer: str, *, star: bool) -> Evaluation: ...


class ToolBox(Protocol):
    def has(self, name: str) -> bool: ...

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]: ...


def is_stuck(answer: str) -> bool:
    """A non-answer ("I don't know", "pass", silence) or a short request for a hint."""
    if is_non_answer(answer):
        return True
    stripped = answer.strip()
    return len(stripped.split()) <= NO_ANSWER_MAX_WORDS and bool(_WANTS_HINT.search(stripped))


# "I decided to stop the session and regroup" inside a story is not a request to end the interview.
END_MAX_WORDS = 12


def wants_to_end(answer: str) -> bool:
    return len(answer.split()) <= END_MAX_WORDS and bool(_END.search(answer))


def interview_elapsed(turns: list[Turn]) -> timedelta:
    """Time spent in the interview; long gaps (a pause, a resume days later) count as MAX_COUNTED_GAP."""
    total = timedelta()
    for previous, turn in zip(turns, turns[1:]):
        total += min(max(turn.ended_at - previous.ended_at, timedelta()), MAX_COUNTED_GAP)
    return total


@dataclass
class _QuestionState:
    question: Question
    target_difficulty: int
    follow_ups: list[str] = field(default_factory=list)  # key point ids probed
    hints_given: int = 0
    answers: list[str] = field(default_factory=list)
    last_score: float | None = None


@dataclass
class _Plan:
    """The interview so far, rebuilt from the stored turns."""

    asked: list[_QuestionState] = field(default_factory=list)
    introduced: bool = False
    closed: bool = False

    @property
    def current(self) -> _QuestionState | None:
        return self.asked[-1] if self.asked else None


class OfflineBrain:
    name = "offline"

    def __init__(
        self,
        bank: QuestionBank,
        evaluator: Callable[[], Evaluator],
        tools: ToolBox | None = None,
    ):
        # `evaluator` is a provider so the embedding model can finish loading while the first question is spoken.
        self._bank = bank
        self._evaluator = evaluator
        self._tools = tools

    # Public API

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        session = conversation.session
        self._bank.interview_type(session.type)  # an unknown type fails before anything is said
        plan = self._rebuild(conversation.turns, session_questions(session.settings))
        last = conversation.last_candidate_turn

        if not plan.introduced:
            yield from self._intro(conversation)
            yield from self._ask_next(conversation, plan, first=True)
            yield TurnEnded()
            return

        if plan.closed or conversation.end_requested or (last is not None and wants_to_end(last.text)):
            yield from self._close(conversation, plan, ended_by_candidate=True)
            return

        current = plan.current
        if current is None or last is None:
            yield from self._ask_next(conversation, plan, first=False)
            yield TurnEnded()
            return

        if last.kind == "code" and current.question.coding is not None:
            yield from self._review_code(current, last)

        if last.kind != "code" and is_stuck(last.text):
            yield from self._help_stuck(conversation, plan, current)
            return

        evaluation = self._evaluator().evaluate(
            current.question, "\n".join(current.answers), star=current.question.story
        )
        current.last_score = evaluation.score
        yield AnswerEvaluated(question_id=current.question.id, evaluation=evaluation.model_dump(mode="json"))

        next_probe = self._next_follow_up(current, evaluation)
        yield SegmentStarted("feedback", current.question.id)
        yield TextDelta(self._ack(evaluation.score, len(conversation.turns)))
        if next_probe is not None:
            key_point_id, text = next_probe
            yield SegmentStarted("follow_up", current.question.id, {"key_point": key_point_id})
            yield TextDelta(text)
            yield TurnEnded()
            return
        yield from self._ask_next(conversation, plan, first=False)

    # Rebuilding state

    def _rebuild(self, turns: list[Turn], cv_questions: list[Question]) -> _Plan:
        by_id = {q.id: q for q in cv_questions}
        plan = _Plan()
        for turn in turns:
            if turn.role == "interviewer":
                if turn.kind == "intro":
                    plan.introduced = True
                elif turn.kind == "closing":
                    plan.closed = True
                elif turn.kind == "question" and turn.question_id:
                    question = by_id.get(turn.question_id) or self._bank.question(turn.question_id)
                    if question is not None:
                        target = int(turn.meta.get("target_difficulty", question.difficulty))
                        plan.asked.append(_QuestionState(question, target))
                elif plan.current and turn.question_id == plan.current.question.id:
                    if turn.kind == "follow_up":
                        plan.current.follow_ups.append(str(turn.meta.get("key_point", "")))
                    elif turn.kind == "hint":
                        plan.current.hints_given += 1
            elif plan.current is not None:
                if turn.kind == "code" or not is_stuck(turn.text):
                    plan.current.answers.append(turn.text)
                if turn.evaluation and "score" in turn.evaluation:
                    plan.current.last_score = float(turn.evaluation["score"])
        return plan

    # Speech

    def _intro(self, conversation: Conversation) -> Iterator[BrainEvent]:
        session = conversation.session
        interview_type = self._bank.interview_type(session.type)
        budget_questions, budget_minutes = self._budget(conversation)
        yield SegmentStarted("intro")
        yield TextDelta("Hi, I'm your PrepAI interviewer. ")
        # "Let's begin" is said once, last, after the budget and any CV remark.
        intro = interview_type.intro.replace("Let's begin.", "").strip()
        yield TextDelta(intro + " ")
        yield TextDelta(f"We have about {budget_questions} questions and {budget_minutes} minutes. ")
        if session.type == "cv-grilling" and session_questions(session.settings):
            yield TextDelta("I've read your CV, so most of my questions are about what you wrote there. ")
        elif session.type == "cv-grilling" and not conversation.cv_summary:
            yield TextDelta("I don't have your CV, so I'll ask you to walk me through your background and dig into it. ")
        # Most of the bank's intros already explain hints.
        if "hint" not in intro.lower():
            yield TextDelta("If you get stuck, just ask for a hint. ")
        yield TextDelta("Let's begin.")

    def _ask_next(self, conversation: Conversation, plan: _Plan, *, first: bool) -> Iterator[BrainEvent]:
        budget_questions, budget_minutes = self._budget(conversation)
        if len(plan.asked) >= budget_questions or interview_elapsed(conversation.turns) >= timedelta(minutes=budget_minutes):
            yield from self._close(conversation, plan, ended_by_candidate=False)
            return
        target = self._next_target(plan, conversation)
        question = self._pick(conversation, plan, target)
        if question is None:
            yield from self._close(conversation, plan, ended_by_candidate=False)
            return
        number = len(plan.asked) + 1
        yield SegmentStarted(
            "question", question.id,
            {"target_difficulty": target, "number": number, "of": budget_questions, "topic": question.topic},
        )
        lead = "Here's the first question. " if first else ("Here's the last question. " if number == budget_questions else "Next question. ")
        yield TextDelta(lead)
        yield TextDelta(question.text.strip())
        yield TurnEnded()

    def _help_stuck(self, conversation: Conversation, plan: _Plan, current: _QuestionState) -> Iterator[BrainEvent]:
        hints = current.question.hints
        if current.hints_given < len(hints):
            yield SegmentStarted("hint", current.question.id, {"hint_index": current.hints_given})
            opener = "No problem. Here's a hint. " if current.hints_given == 0 else "Here's another hint. "
            yield TextDelta(opener)
            yield TextDelta(hints[current.hints_given])
            yield TextDelta(" Take your time.")
            yield TurnEnded()
            return
        yield SegmentStarted("feedback", current.question.id)
        yield TextDelta("That's okay. This one is hard, so let's move on.")
        yield from self._ask_next(conversation, plan, first=False)

    def _review_code(self, current: _QuestionState, code_turn: Turn) -> Iterator[BrainEvent]:
        language = str(code_turn.meta.get("language", "python"))
        if self._tools is None or not self._tools.has("run_code"):
            yield SegmentStarted("feedback", current.question.id)
            yield TextDelta("I can't run code in this setup, so I'll judge your explanation instead.")
            return
        arguments = {"code": code_turn.text, "language": language, "problem_id": current.question.id}
        call_id = f"run-{code_turn.id}"
        yield ToolCall(call_id, "run_code", arguments)
        result = self._tools.call("run_code", arguments)
        yield ToolResult(call_id, "run_code", ok=result.get("verdict") == "passed", result=result)
        yield SegmentStarted("feedback", current.question.id, {"code_verdict": result.get("verdict")})
        passed, total = int(result.get("passed", 0)), int(result.get("total", 0))
        if result.get("verdict") == "passed":
            yield TextDelta(f"I ran your code. All {total} tests pass. ")
        else:
            yield TextDelta(f"I ran your code. {passed} of {total} tests pass. ")
            failure = result.get("first_failure")
            if failure:
                yield TextDelta(f"{failure} ")

    def _close(self, conversation: Conversation, plan: _Plan, *, ended_by_candidate: bool) -> Iterator[BrainEvent]:
        yield SegmentStarted("closing", None, {"ended_by_candidate": ended_by_candidate})
        scored = [q for q in plan.asked if q.last_score is not None]
        yield TextDelta("Let's stop here. " if ended_by_candidate else "That's all the questions I have. ")
        if not scored:
            yield TextDelta("We didn't get far enough for me to score your answers. Come back when you're ready.")
        else:
            average = sum(q.last_score or 0 for q in scored) / len(scored)
            best = max(scored, key=lambda q: q.last_score or 0)
            weakest = min(scored, key=lambda q: q.last_score or 0)
            yield TextDelta(
                f"You answered {len(scored)} question{'s' if len(scored) != 1 else ''}, "
                f"with an average score of {average:.1f} out of ten. "
            )
            yield TextDelta(f"Your strongest answer was on {best.question.topic}. ")
            if weakest is not best:
                yield TextDelta(f"The area to work on most is {weakest.question.topic}. ")
            yield TextDelta("Your full report is ready. Thanks, and good luck.")
        yield TurnEnded(finished=True)

    # Decisions

    def _budget(self, conversation: Conversation) -> tuple[int, int]:
        interview_type = self._bank.interview_type(conversation.session.type)
        settings = conversation.session.settings
        questions = int(settings.get("questions") or interview_type.default_questions)
        minutes = int(settings.get("minutes") or interview_type.default_minutes)
        available = len(self._bank.questions(conversation.session.type)) + len(session_questions(settings))
        return min(questions, available), minutes

    @staticmethod
    def _next_target(plan: _Plan, conversation: Conversation) -> int:
        current = plan.current
        if current is None:
            return int(conversation.session.settings.get("difficulty") or 2)
        target = current.target_difficulty
        if current.last_score is not None:
            if current.last_score >= RAISE_AT:
                target += 1
            elif current.last_score <= LOWER_AT:
                target -= 1
        return max(1, min(3, target))

    def _pick(self, conversation: Conversation, plan: _Plan, target: int) -> Question | None:
        asked_ids = {q.question.id for q in plan.asked}
        from_cv = session_questions(conversation.session.settings)
        cv_ids = {q.id for q in from_cv}
        pool = from_cv + self._bank.questions(conversation.session.type)
        candidates = [q for q in pool if q.id not in asked_ids]
        if not candidates:
            return None
        # The first question comes from the type's main category (algorithms for google-sde, not a culture one).
        type_categories = [q.category for q in self._bank.questions(conversation.session.type)]
        main_category = max(set(type_categories), key=type_categories.count)
        category_use: dict[str, int] = {}
        for state in plan.asked:
            category_use[state.question.category] = category_use.get(state.question.category, 0) + 1
        focus = {str(t).lower() for t in conversation.session.settings.get("focus_topics", [])}
        # Seeded by the session so a resumed interview picks the same way and sessions differ from each other.
        rng = random.Random(f"{conversation.session.id}:{len(plan.asked)}")
        jitter = {q.id: rng.random() for q in candidates}

        def rank(q: Question) -> tuple[float, ...]:
            in_focus = q.topic.lower() in focus or q.id in focus
            # Questions about the candidate's own CV come before generic ones.
            opening_off_main = bool(not plan.asked and q.category != main_category)
            return (0 if q.id in cv_ids else 1, abs(q.difficulty - target), 0 if in_focus else 1,
                    opening_off_main, category_use.get(q.category, 0), jitter[q.id])

        return min(candidates, key=rank)

    @staticmethod
    def _next_follow_up(current: _QuestionState, evaluation: Evaluation) -> tuple[str, str] | None:
        if evaluation.score >= GOOD_ENOUGH or len(current.follow_ups) >= MAX_FOLLOW_UPS:
            return None
        for key_point_id in evaluation.missed:
            if key_point_id in current.follow_ups:
                continue
            follow_up = current.question.follow_up_for(key_point_id)
            if follow_up is not None:
                return key_point_id, follow_up.text.strip()
        return None

    @staticmethod
    def _ack(score: float, salt: int) -> str:
        choices = _ACKS_GOOD if score >= RAISE_AT else _ACKS_NEUTRAL
        return choices[salt % len(choices)] + " "
