"""Offline answer evaluator: a torch-free MiniLM embedder and rubric scoring on top of it."""

from prepai_cli.agent.evaluator.embedder import Embedder
from prepai_cli.agent.evaluator.evaluator import AnswerEvaluator, Tuning
from prepai_cli.agent.evaluator.models import Evaluation, KeyPointResult

# Bump when scoring changes: stored reports compare it and regenerate themselves.
EVALUATOR_VERSION = "1"

__all__ = ["EVALUATOR_VERSION", "AnswerEvaluator", "Embedder", "Evaluation", "KeyPointResult", "Tuning"]
