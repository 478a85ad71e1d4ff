from __future__ import annotations

import signal

import pytest

from prepai_cli.agent.tools.sandbox.compare import matches, values_equal
from prepai_cli.agent.tools.sandbox.models import TestResult
from prepai_cli.agent.tools.sandbox.verdicts import ChildExit, build_results, death_cause, first_failure, verdict_for
from tests.tools.conftest import make_problem


@pytest.mark.parametrize(("actual", "expected", "equal"), [
    ([1, [2, 3]], [1, [2, 3]], True),
    (1.0, 1, True),
    (0.1 + 0.2, 0.3, True),
    (True, 1, False),
    (0, False, False),
    ("1", 1, False),
    ({"a": [1]}, {"a": [1]}, True),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    (None, None, True),
    ([1, 2], [1, 2, 3], False),
])
def test_values_equal_is_structural(actual: object, expected: object, equal: bool) -> None:
    assert values_equal(actual, expected) is equal


def test_unordered_matches_top_level_multisets_only() -> None:
    assert matches([2, 1], [1, 2], "unordered")
    assert not matches([1, 1], [1, 2], "unordered")
    assert not matches([[2, 1]], [[1, 2]], "unordered")
    assert not matches([2, 1], [1, 2], "exact")


def _child(**overrides: object) -> ChildExit:
    base = {"returncode": 0, "stderr": "", "deadline_hit": False, "output_exceeded": False, "output_limit": 65536}
    return ChildExit(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize(("child", "status"), [
    (_child(deadline_hit=True, returncode=None), "timeout"),
    (_child(returncode=-signal.SIGXCPU), "timeout"),
    (_child(returncode=-signal.SIGABRT, stderr="FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"), "memory_limit"),
    (_child(returncode=-signal.SIGXFSZ), "sandbox_violation"),
    (_child(output_exceeded=True, returncode=None), "sandbox_violation"),
    (_child(returncode=-signal.SIGSEGV), None),
])
def test_death_cause(child: ChildExit, status: str | None) -> None:
    assert death_cause(child)[0] == status


def test_a_child_dying_mid_run_marks_the_running_test_and_skips_the_rest() -> None:
    problem = make_problem(function_name="f", tests=[{"args": [i], "expected": i} for i in range(3)])
    records = {0: {"status": "returned", "actual": 0}}
    results, crash = build_results(problem, records, _child(returncode=-signal.SIGSEGV, stderr="boom"), 100)
    assert [r.status for r in results] == ["passed", "error", "not_run"]
    assert crash is not None and "SIGSEGV" in crash
    assert verdict_for(results, crashed=True) == "crashed"


def test_verdict_prefers_the_most_serious_status() -> None:
    def result(status: str, passed: bool = False) -> TestResult:
        return TestResult(index=0, status=status, passed=passed, args=[], expected=None)  # type: ignore[arg-type]

    assert verdict_for([result("passed", True), result("failed")], crashed=False) == "failed"
    assert verdict_for([result("timeout"), result("memory_limit")], crashed=False) == "memory_limit"
    assert verdict_for([result("failed"), result("sandbox_violation")], crashed=False) == "sandbox_violation"
    assert verdict_for([result("passed", True)], crashed=False) == "passed"


def test_first_failure_sentences() -> None:
    failed = TestResult(index=0, status="failed", passed=False, args=[[3, 3], 6], expected=[0, 1], actual=[0, 0])
    assert first_failure([failed]) == "For input [3, 3] and 6 it returned [0, 0] instead of [0, 1]."
    long_input = TestResult(index=0, status="timeout", passed=False, args=[list(range(100))], expected=0)
    sentence = first_failure([long_input]) or ""
    assert sentence.endswith("it ran out of time.") and "…" in sentence and len(sentence) < 120
    assert first_failure([TestResult(index=0, status="passed", passed=True, args=[], expected=1, actual=1)]) is None
