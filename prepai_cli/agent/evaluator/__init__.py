"""Offline answer evaluator: a torch-free MiniLM embedder and rubric judgement on top of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prepai_cli.agent.evaluator.embedder import Embedder
from prepai_cli.agent.evaluator.evaluator import AnswerEvaluator, AnswerTurn, Tuning
from prepai_cli.agent.evaluator.models import CodeResult, Evaluation, KeyPointResult, MisconceptionHit

if TYPE_CHECKING:
    from prepai_cli.bank import QuestionBank

# Bump when scoring changes: stored reports compare it and regenerate themselves.
EVALUATOR_VERSION = "2"


def load_evaluator(bank: QuestionBank | None = None) -> AnswerEvaluator:
    """The evaluator with the whole bank as rivals (an answer that fits another question better is off topic)."""
    from prepai_cli.bank import load_bank

    return AnswerEvaluator(Embedder(), rivals=(bank or load_bank()).all_questions())


__all__ = ["EVALUATOR_VERSION", "AnswerEvaluator", "AnswerTurn", "CodeResult", "Embedder", "Evaluation",
           "KeyPointResult", "MisconceptionHit", "Tuning", "load_evaluator"]
