"""The offline interviewer's state, rebuilt from the stored turns (so `--resume` after a crash just works).

Each stored candidate turn carries what the interviewer understood it to be (`evaluation["intent"]`), so a
clarifying question or a hint request is never mistaken for an answer when the plan is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import Turn

# Interviewer segments after which the candidate's next turn replies to something other than the question.
REPLY_PHASES = {"follow_up": "follow_up", "challenge": "challenge", "wrap_up": "closing_questions"}
SCORED_INTENTS = frozenset({"answer", "thinking_aloud", "code"})


@dataclass
class AnswerRecord:
    text: str
    kind: str  # "answer" | "code"
    reply_to: str | None  # the key point a follow-up or a challenge was about
    turn: Turn


@dataclass
class QuestionState:
    question: Question
    target_difficulty: int
    number: int
    follow_ups: list[str] = field(default_factory=list)  # key point ids probed
    challenged: list[str] = field(default_factory=list)  # misconception claims pushed back on
    hints_given: int = 0
    answers: list[AnswerRecord] = field(default_factory=list)
    code_results: list[dict[str, Any]] = field(default_factory=list)
    clarifications: int = 0
    redirected: bool = False
    stopped_ramble: bool = False
    last_evaluation: dict[str, Any] | None = None
    last_prompt: str = ""  # what the interviewer last asked about this question (for "say that again")
    last_prompt_kind: str = "question"

    @property
    def last_score(self) -> float | None:
        if self.last_evaluation and "score" in self.last_evaluation:
            return float(self.last_evaluation["score"])
        return None

    @property
    def spoken_answers(self) -> list[AnswerRecord]:
        return [a for a in self.answers if a.kind == "answer"]

    @property
    def code_attempts(self) -> int:
        return len(self.code_results)


@dataclass
class InterviewPlan:
    asked: list[QuestionState] = field(default_factory=list)
    introduced: bool = False
    closed: bool = False
    wrap_up_asked: bool = False
    time_warned: bool = False
    phase: str = "question"  # what the candidate's next turn replies to
    phase_key_point: str | None = None
    silences_in_a_row: int = 0  # long spoken silences since the candidate last said something

    @property
    def current(self) -> QuestionState | None:
        return self.asked[-1] if self.asked else None


def rebuild(turns: list[Turn], bank: QuestionBank, cv_questions: list[Question]) -> InterviewPlan:
    by_id = {q.id: q for q in cv_questions}
    plan = InterviewPlan()
    for turn in turns:
        if turn.role == "interviewer":
            _interviewer(plan, turn, by_id, bank)
        else:
            _candidate(plan, turn)
    return plan


def _interviewer(plan: InterviewPlan, turn: Turn, by_id: dict[str, Question], bank: QuestionBank) -> None:
    kind = turn.kind
    if kind == "intro":
        plan.introduced = True
        return
    if kind == "closing":
        plan.closed = True
        return
    if kind == "wrap_up":
        plan.wrap_up_asked = True
        plan.phase, plan.phase_key_point = "closing_questions", None
        return
    if turn.meta.get("time_note"):
        plan.time_warned = True
    if kind == "question" and turn.question_id:
        question = by_id.get(turn.question_id) or bank.question(turn.question_id)
        if question is not None:
            target = int(turn.meta.get("target_difficulty", question.difficulty))
            plan.asked.append(QuestionState(question, target, number=len(plan.asked) + 1,
                                            last_prompt=question.text.strip()))
            plan.phase, plan.phase_key_point = "question", None
        return
    current = plan.current
    if current is None or turn.question_id != current.question.id:
        return
    if kind == "follow_up":
        key_point = str(turn.meta.get("key_point", ""))
        current.follow_ups.append(key_point)
        current.last_prompt, current.last_prompt_kind = turn.text, "follow_up"
        plan.phase, plan.phase_key_point = "follow_up", key_point or None
    elif kind == "challenge":
        current.challenged.append(str(turn.meta.get("claim", "")))
        current.last_prompt, current.last_prompt_kind = turn.text, "challenge"
        plan.phase, plan.phase_key_point = "challenge", str(turn.meta.get("key_point", "")) or None
    elif kind == "hint":
        current.hints_given = max(current.hints_given, int(turn.meta.get("hint_index", current.hints_given)) + 1)
    elif kind == "clarification":
        current.clarifications += 1
    elif kind == "redirect":
        current.redirected = True
        if turn.meta.get("ramble"):
            current.stopped_ramble = True


def _candidate(plan: InterviewPlan, turn: Turn) -> None:
    plan.silences_in_a_row = plan.silences_in_a_row + 1 if (turn.meta.get("silence") and not turn.text.strip()) else 0
    current = plan.current
    if current is None:
        return
    evaluation = turn.evaluation or {}
    intent = str(evaluation.get("intent", "answer" if turn.kind == "answer" else "code"))
    if turn.kind == "code":
        intent = "code"
    if intent in SCORED_INTENTS:
        reply_to = plan.phase_key_point if plan.phase in ("follow_up", "challenge") else None
        current.answers.append(AnswerRecord(turn.text, "code" if turn.kind == "code" else "answer", reply_to, turn))
    if turn.kind == "code" and isinstance(evaluation.get("code"), dict):
        current.code_results.append(evaluation["code"])
    if "score" in evaluation:
        current.last_evaluation = evaluation
