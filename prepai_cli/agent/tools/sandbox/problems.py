"""Where a run's tests come from: a bank question, or a JSON tests file/argument."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from pydantic import ValidationError

from prepai_cli.agent.tools.sandbox.models import Language, Problem, TestCase
from prepai_cli.bank import QuestionBank
from prepai_cli.errors import PrepAIError

_JS_FUNCTION = re.compile(
    r"^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|"
    r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)",
    re.MULTILINE,
)


class ProblemError(PrepAIError):
    pass


def bank_problem(bank: QuestionBank, problem_id: str) -> Problem:
    question = bank.question(problem_id)
    if question is None:
        raise ProblemError(f"no question with id {problem_id!r} in the bank")
    if question.coding is None:
        raise ProblemError(f"question {problem_id!r} is not a coding question")
    spec = question.coding
    return Problem(
        function_name=spec.function_name, compare=spec.compare,
        tests=[TestCase(args=list(t.args), expected=t.expected) for t in spec.tests],
    )


def top_level_functions(code: str, language: Language) -> list[str]:
    if language == "python":
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return []
        return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return [m.group(1) or m.group(2) for m in _JS_FUNCTION.finditer(code)]


def parse_tests_json(text: str, *, code: str, language: Language, function_name: str | None = None) -> Problem:
    """Accepts `[{args, expected}, ...]` or `{function_name?, compare?, tests: [...]}`."""
    try:
        raw: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"tests are not valid JSON: {exc.msg} at line {exc.lineno}") from None
    body: dict[str, Any] = {"tests": raw} if isinstance(raw, list) else raw if isinstance(raw, dict) else {}
    if "tests" not in body:
        raise ProblemError('tests JSON must be a list of {"args": [...], "expected": ...} or an object with "tests"')
    name = function_name or body.get("function_name")
    if not name:
        defined = top_level_functions(code, language)
        if len(defined) != 1:
            found = ", ".join(defined) if defined else "none"
            raise ProblemError(f"say which function to test (--function NAME); top-level functions found: {found}")
        name = defined[0]
    try:
        return Problem(function_name=name, tests=body["tests"], compare=body.get("compare", "exact"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProblemError(f"invalid tests JSON at {where}: {first['msg']}") from None
