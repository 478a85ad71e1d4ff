"""LocalToolBox: runs the agent's tools in-process. The offline brain, the Bedrock brain and the Lambda
handlers all call tools through it, so each tool has one implementation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from prepai_cli.agent.tools.arguments import AnalyzeCvArgs, EvaluateArgs, RunCodeArgs, SearchArgs
from prepai_cli.agent.tools.registry import TOOL_SPECS, ToolSpec
from prepai_cli.agent.tools.sandbox import Limits, Problem, bank_problem, parse_tests_json, run_code
from prepai_cli.bank import Question, QuestionBank, load_bank
from prepai_cli.errors import PrepAIError

log = logging.getLogger(__name__)

INVALID_ARGUMENTS = "invalid_arguments"
FAILED = "failed"


class AnswerScorer(Protocol):
    """What evaluate_answer needs from prepai_cli.agent.evaluator.AnswerEvaluator."""

    def evaluate(self, question: Question, answer: str, *, star: bool) -> BaseModel: ...

    def evaluate_text(self, question_text: str, answer: str, *, candidates: Sequence[Question],
                      star: bool) -> BaseModel: ...


def _default_evaluator() -> AnswerScorer:
    # Imported on first use: loading the embedding model costs more than every other tool together.
    from prepai_cli.agent.evaluator import load_evaluator

    return load_evaluator()


def tool_error(message: str, kind: str = FAILED) -> dict[str, Any]:
    return {"error": message, "error_kind": kind}


def _validation_message(tool: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"])
        problems.append(f"{where}: {error['msg']}" if where else error["msg"])
    return f"invalid arguments for {tool}: " + "; ".join(problems)


class LocalToolBox:
    def __init__(
        self,
        bank: QuestionBank | None = None,
        *,
        limits: Limits | None = None,
        evaluator_factory: Callable[[], AnswerScorer] = _default_evaluator,
        allow_paths: bool = True,
    ):
        # `allow_paths=False` where the caller is remote (Lambda): a path there would name the server's files.
        self._bank = bank
        self._limits = limits
        self._evaluator_factory = evaluator_factory
        self._evaluator: AnswerScorer | None = None
        self._allow_paths = allow_paths
        self._handlers: dict[str, tuple[type[BaseModel], Callable[[Any], dict[str, Any]]]] = {
            "run_code": (RunCodeArgs, self._run_code),
            "analyze_cv": (AnalyzeCvArgs, self._analyze_cv),
            "search_knowledge_base": (SearchArgs, self._search),
            "evaluate_answer": (EvaluateArgs, self._evaluate),
        }

    @property
    def specs(self) -> tuple[ToolSpec, ...]:
        return TOOL_SPECS

    @property
    def bank(self) -> QuestionBank:
        return self._bank or load_bank()

    def has(self, name: str) -> bool:
        return name in self._handlers

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Never raises: errors come back as {"error": ..., "error_kind": ...} for the model to read."""
        handler = self._handlers.get(name)
        if handler is None:
            return tool_error(f"unknown tool {name!r}; tools: {', '.join(self._handlers)}", INVALID_ARGUMENTS)
        model, run = handler
        try:
            parsed = model.model_validate(arguments if isinstance(arguments, dict) else {})
        except ValidationError as exc:
            return tool_error(_validation_message(name, exc), INVALID_ARGUMENTS)
        try:
            return run(parsed)
        except _BadArgument as exc:
            return tool_error(str(exc), INVALID_ARGUMENTS)
        except PrepAIError as exc:
            return tool_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a tool bug must not end the interview; the model sees it
            log.exception("tool %s failed", name)
            return tool_error(f"{name} failed unexpectedly: {type(exc).__name__}: {exc}")

    # Tools

    def _run_code(self, args: RunCodeArgs) -> dict[str, Any]:
        problem: Problem
        try:
            if args.problem_id:
                problem = bank_problem(self.bank, args.problem_id)
            else:
                problem = parse_tests_json(args.tests or "", code=args.code, language=args.language,
                                           function_name=args.function_name)
        except PrepAIError as exc:
            raise _BadArgument(str(exc)) from None
        return run_code(args.code, args.language, problem, self._limits).model_dump(mode="json")

    def _analyze_cv(self, args: AnalyzeCvArgs) -> dict[str, Any]:
        from prepai_cli.agent.tools.cv import analyze_file, analyze_text, cv_questions

        if args.path:
            if not self._allow_paths:
                raise _BadArgument("file paths are not available here; pass the CV as text")
            profile = analyze_file(Path(args.path).expanduser())
        else:
            profile = analyze_text(args.text or "")
        return {
            "profile": profile.model_dump(mode="json"),
            "summary": profile.summary(),
            "questions": [q.model_dump(mode="json") for q in cv_questions(profile)],
        }

    def _search(self, args: SearchArgs) -> dict[str, Any]:
        from prepai_cli.agent.tools import kb

        if args.interview_type and args.interview_type not in self.bank.slugs and args.interview_type != kb.GENERAL:
            raise _BadArgument(f"unknown interview_type {args.interview_type!r}; valid: {', '.join(self.bank.slugs)}")
        hits = kb.search(args.query, interview_type=args.interview_type, top_k=args.top_k)
        return {"query": args.query, "hits": [h.model_dump(mode="json") for h in hits]}

    def _evaluate(self, args: EvaluateArgs) -> dict[str, Any]:
        bank = self.bank
        if args.interview_type not in bank.slugs:
            raise _BadArgument(f"unknown interview_type {args.interview_type!r}; valid: {', '.join(bank.slugs)}")
        star = bank.interview_type(args.interview_type).star
        if self._evaluator is None:
            self._evaluator = self._evaluator_factory()
        question = bank.question(args.question.strip())
        if question is not None:
            evaluation = self._evaluator.evaluate(question, args.answer, star=question.story)
        else:
            evaluation = self._evaluator.evaluate_text(args.question, args.answer,
                                                       candidates=bank.questions(args.interview_type), star=star)
        return evaluation.model_dump(mode="json")


class _BadArgument(Exception):
    """Arguments that validate but make no sense (unknown problem id, path where paths are off)."""
