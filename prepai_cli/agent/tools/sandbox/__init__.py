"""Runs interview code against test cases in a confined child process (Python and JavaScript)."""

from prepai_cli.agent.tools.sandbox.models import Language, Limits, Problem, RunResult, TestCase, TestResult, Verdict
from prepai_cli.agent.tools.sandbox.problems import bank_problem, parse_tests_json
from prepai_cli.agent.tools.sandbox.runner import SandboxUnavailable, run_code

__all__ = [
    "Language", "Limits", "Problem", "RunResult", "SandboxUnavailable", "TestCase", "TestResult", "Verdict",
    "bank_problem", "parse_tests_json", "run_code",
]
