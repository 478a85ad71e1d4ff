"""Builds a report from a session's stored turns; every number here is derived from those turns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from prepai_cli.bank import QuestionBank
from prepai_cli.domain import Session, Turn

REPORT_SCHEMA_VERSION = 1


class AnswerRecord(BaseModel):
    text: str
    kind: str
    score: float | None = None


class QuestionReport(BaseModel):
    number: int
    question_id: str | None
    topic: str | None
    question: str
    answers: list[AnswerRecord]
    follow_ups: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)
    score: float | None = None
    covered: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class Report(BaseModel):
    schema_version: int = REPORT_SCHEMA_VERSION
    session_id: str
    type: str
    brain: str
    candidate: str
    status: str
    created_at: str
    ended_at: str | None
    overall_score: float | None
    questions: list[QuestionReport]


def _key_point_text(bank: QuestionBank, question_id: str | None, ids: list[str]) -> list[str]:
    question = bank.question(question_id) if question_id else None
    if question is None:
        return ids
    known = {kp.id: kp.text for kp in question.key_points}
    return [known.get(i, i) for i in ids]


def build_report(session: Session, turns: list[Turn], bank: QuestionBank) -> Report:
    questions: list[QuestionReport] = []
    current: QuestionReport | None = None
    last_eval: dict[str, Any] | None = None

    def close_current() -> None:
        if current is not None and last_eval is not None:
            current.score = float(last_eval.get("score", 0.0))
            current.covered = _key_point_text(bank, current.question_id, list(last_eval.get("covered", [])))
            current.missed = _key_point_text(bank, current.question_id, list(last_eval.get("missed", [])))
            current.suggestions = list(last_eval.get("suggestions", []))

    for turn in turns:
        if turn.role == "interviewer" and turn.kind == "question":
            close_current()
            last_eval = None
            question = bank.question(turn.question_id) if turn.question_id else None
            current = QuestionReport(
                number=len(questions) + 1, question_id=turn.question_id,
                topic=question.topic if question else None,
                question=question.text.strip() if question else turn.text, answers=[],
            )
            questions.append(current)
        elif current is None:
            continue
        elif turn.role == "interviewer" and turn.kind == "follow_up":
            current.follow_ups.append(turn.text)
        elif turn.role == "interviewer" and turn.kind == "hint":
            current.hints.append(turn.text)
        elif turn.role == "candidate":
            score = float(turn.evaluation["score"]) if turn.evaluation and "score" in turn.evaluation else None
            current.answers.append(AnswerRecord(text=turn.text, kind=turn.kind, score=score))
            if turn.evaluation:
                last_eval = turn.evaluation
    close_current()
    scored = [q.score for q in questions if q.score is not None]
    return Report(
        session_id=session.id, type=session.type, brain=session.brain, candidate=session.candidate,
        status=session.status, created_at=session.created_at.isoformat(),
        ended_at=session.ended_at.isoformat() if session.ended_at else None,
        overall_score=round(sum(scored) / len(scored), 1) if scored else None,
        questions=questions,
    )
