"""Builds the brain a run asks for, with its evaluator and tools."""

from __future__ import annotations

import threading
from typing import Any

from prepai_cli.agent.brain import Brain
from prepai_cli.agent.offline import OfflineBrain, ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import Settings
from prepai_cli.errors import PrepAIError


class LazyEvaluator:
    """Loads the embedding model on a background thread so the first question is not kept waiting."""

    def __init__(self) -> None:
        self._evaluator: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="evaluator-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from prepai_cli.agent.evaluator import AnswerEvaluator, Embedder

            self._evaluator = AnswerEvaluator(Embedder())
        except BaseException as exc:  # re-raised on the caller's thread, where it can be reported
            self._error = exc

    def __call__(self) -> Any:
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, PrepAIError):
                raise self._error
            raise PrepAIError(f"could not load the answer evaluator: {self._error}") from self._error
        return self._evaluator


def default_tools() -> ToolBox | None:
    try:
        from prepai_cli.agent.tools import LocalToolBox
    except ImportError:
        return None
    return LocalToolBox()


def build_brain(settings: Settings, bank: QuestionBank, tools: ToolBox | None = None) -> Brain:
    if settings.brain == "offline":
        return OfflineBrain(bank, LazyEvaluator(), tools=tools if tools is not None else default_tools())
    raise PrepAIError(
        f"the {settings.brain} brain is not available in this build yet; use --brain offline"
    )
