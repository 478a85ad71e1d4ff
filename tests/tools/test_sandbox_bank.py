"""Real solutions of bank problems pass, wrong ones fail, in both languages."""

from __future__ import annotations


import pytest

from prepai_cli.agent.tools.sandbox import Problem, bank_problem, parse_tests_json, run_code
from prepai_cli.agent.tools.sandbox.problems import ProblemError
from prepai_cli.bank import QuestionBank, load_bank
from tests.tools.conftest import make_problem, REFERENCE, needs_node

CODING_IDS = sorted(q.id for q in load_bank().all_questions() if q.coding is not None)


def test_every_coding_question_has_reference_solutions() -> None:
    for qid in CODING_IDS:
        assert (REFERENCE / f"{qid}.py").exists(), qid
        assert (REFERENCE / f"{qid}.js").exists(), qid


@pytest.mark.parametrize("qid", CODING_IDS)
def test_python_reference_solution_passes(qid: str, bank: QuestionBank) -> None:
    result = run_code((REFERENCE / f"{qid}.py").read_text(), "python", bank_problem(bank, qid))
    assert result.verdict == "passed", result.first_failure or result.message
    assert result.passed == result.total == len(bank_problem(bank, qid).tests)
    assert result.first_failure is None


@needs_node
@pytest.mark.parametrize("qid", CODING_IDS)
def test_javascript_reference_solution_passes(qid: str, bank: QuestionBank) -> None:
    result = run_code((REFERENCE / f"{qid}.js").read_text(), "javascript", bank_problem(bank, qid))
    assert result.verdict == "passed", result.first_failure or result.message
    assert result.passed == result.total


WRONG_PYTHON = {
    # Pairs the element with itself: fails on [3, 3].
    "gsde-two-sum": (
        "def two_sum(nums, target):\n"
        "    index = {v: i for i, v in enumerate(nums)}\n"
        "    for i, v in enumerate(nums):\n"
        "        if target - v in index:\n"
        "            return [i, index[target - v]]\n"
        "    return []\n"
    ),
    # Off by one: never considers n itself.
    "gsde-missing-number": "def missing_number(nums):\n    return sum(range(len(nums))) - sum(nums)\n",
    # Returns a new list but forgets the zeroes.
    "code-move-zeroes": "def move_zeroes(nums):\n    return [n for n in nums if n != 0]\n",
    # Returns 1/0 instead of booleans: structural comparison must not accept 1 for True.
    "code-valid-brackets": "def is_valid_brackets(s):\n    return 1 if s.count('(') == s.count(')') else 0\n",
}

WRONG_JAVASCRIPT = {
    "gsde-two-sum": "function two_sum(nums, target) { return [0, 1]; }",
    "code-max-profit": "const max_profit = (prices) => Math.max(...prices) - Math.min(...prices);",
    "code-first-unique-char": "module.exports = { first_unique_char: (s) => s.length ? 0 : -1 };",
}


@pytest.mark.parametrize("qid", sorted(WRONG_PYTHON))
def test_wrong_python_solution_fails(qid: str, bank: QuestionBank) -> None:
    result = run_code(WRONG_PYTHON[qid], "python", bank_problem(bank, qid))
    assert result.verdict == "failed"
    assert 0 <= result.passed < result.total
    assert result.first_failure is not None and result.first_failure.startswith("For input ")


@needs_node
@pytest.mark.parametrize("qid", sorted(WRONG_JAVASCRIPT))
def test_wrong_javascript_solution_fails(qid: str, bank: QuestionBank) -> None:
    result = run_code(WRONG_JAVASCRIPT[qid], "javascript", bank_problem(bank, qid))
    assert result.verdict == "failed"
    assert result.passed < result.total


def test_first_failure_sentence_names_input_actual_and_expected(bank: QuestionBank) -> None:
    result = run_code(WRONG_PYTHON["gsde-two-sum"], "python", bank_problem(bank, "gsde-two-sum"))
    assert result.first_failure == "For input [3, 2, 4] and 6 it returned [0, 0] instead of [1, 2]."
    failing = [t for t in result.tests if not t.passed]
    assert [t.index for t in failing] == [1]
    assert failing[0].actual == [0, 0] and failing[0].expected == [1, 2]


def test_mutating_solution_gets_fresh_arguments_per_test(bank: QuestionBank) -> None:
    # A solution that appends to its input would corrupt later tests if arguments were shared.
    code = (REFERENCE / "code-move-zeroes.py").read_text() + "\n_calls = []\n"
    problem = bank_problem(bank, "code-move-zeroes")
    doubled = Problem(function_name=problem.function_name, compare=problem.compare, tests=problem.tests + problem.tests)
    assert run_code(code, "python", doubled).verdict == "passed"


def test_unordered_comparison_accepts_any_order_but_not_other_values() -> None:
    problem = make_problem(function_name="pair", compare="unordered", tests=[{"args": [], "expected": [0, 1]}])
    assert run_code("def pair():\n    return (1, 0)\n", "python", problem).verdict == "passed"
    assert run_code("def pair():\n    return [1, 1]\n", "python", problem).verdict == "failed"
    exact = make_problem(function_name="pair", tests=[{"args": [], "expected": [0, 1]}])
    assert run_code("def pair():\n    return [1, 0]\n", "python", exact).verdict == "failed"
    assert run_code("def pair():\n    return (0, 1)\n", "python", exact).verdict == "passed"


def test_exception_in_candidate_is_a_failed_test_with_its_message() -> None:
    problem = make_problem(function_name="f", tests=[{"args": [[]], "expected": 0}, {"args": [[1]], "expected": 1}])
    result = run_code("def f(xs):\n    return xs[0]\n", "python", problem)
    assert result.verdict == "failed"
    assert result.tests[0].status == "error" and "IndexError" in (result.tests[0].error or "")
    assert result.tests[1].passed
    assert result.first_failure == "For input [] it raised IndexError: list index out of range."


def test_prints_are_captured_per_test() -> None:
    problem = make_problem(function_name="f", tests=[{"args": [1], "expected": 1}, {"args": [2], "expected": 2}])
    result = run_code("def f(x):\n    print('seeing', x)\n    return x\n", "python", problem)
    assert [t.stdout for t in result.tests] == ["seeing 1\n", "seeing 2\n"]


@pytest.mark.parametrize(("language", "code", "needle"), [
    ("python", "def f(x)\n    return x\n", "SyntaxError on line 1"),
    ("python", "def g(x):\n    return x\n", "does not define a function named f"),
    ("python", "import nonexistent_module_xyz\ndef f(x):\n    return x\n", "ModuleNotFoundError"),
    ("javascript", "function f(x { return x }", "SyntaxError"),
    ("javascript", "function g(x) { return x }", "does not define a function named f"),
])
def test_code_that_does_not_load_is_a_compile_error(language: str, code: str, needle: str) -> None:
    if language == "javascript":
        pytest.importorskip("shutil").which("node") or pytest.skip("node is not installed")
    problem = make_problem(function_name="f", tests=[{"args": [1], "expected": 1}])
    result = run_code(code, language, problem)  # type: ignore[arg-type]
    assert result.verdict == "compile_error"
    assert needle in (result.message or "")
    assert result.first_failure and result.first_failure.startswith("Your code didn't load")


def test_tests_json_forms_and_function_inference() -> None:
    code = "def add(a, b):\n    return a + b\n"
    listed = parse_tests_json('[{"args": [1, 2], "expected": 3}]', code=code, language="python")
    assert listed.function_name == "add" and listed.tests[0].expected == 3
    wrapped = parse_tests_json('{"function_name": "add", "compare": "exact", "tests": [{"args": [1, 2], "expected": 3}]}',
                               code="", language="python")
    assert wrapped.function_name == "add"
    js = parse_tests_json('[{"args": [1], "expected": 1}]', code="const ident = (x) => x;\n", language="javascript")
    assert js.function_name == "ident"
    with pytest.raises(ProblemError, match="say which function"):
        parse_tests_json('[{"args": [1], "expected": 1}]', code="def a(x): ...\ndef b(x): ...\n", language="python")
    with pytest.raises(ProblemError, match="not valid JSON"):
        parse_tests_json("[{", code=code, language="python")
    with pytest.raises(ProblemError, match="invalid tests JSON"):
        parse_tests_json('[{"expected": 3}]', code=code, language="python")


def test_bank_problem_rejects_unknown_and_non_coding_ids(bank: QuestionBank) -> None:
    with pytest.raises(ProblemError, match="no question"):
        bank_problem(bank, "no-such-question")
    non_coding = next(q for q in bank.all_questions() if q.coding is None)
    with pytest.raises(ProblemError, match="not a coding question"):
        bank_problem(bank, non_coding.id)


@needs_node
def test_javascript_async_and_exported_functions() -> None:
    problem = make_problem(function_name="f", tests=[{"args": [2], "expected": 4}, {"args": [3], "expected": 6}])
    assert run_code("async function f(x) { await null; return 2 * x; }", "javascript", problem).verdict == "passed"
    assert run_code("module.exports = (x) => x * 2;", "javascript", problem).verdict == "passed"
    never = run_code("function f(x) { return new Promise(() => {}); }", "javascript", problem)
    assert never.verdict == "timeout"


@pytest.mark.parametrize("language", ["python", pytest.param("javascript", marks=needs_node)])
def test_reference_and_wrong_solutions_under_the_landlock_fallback(language: str, bank: QuestionBank) -> None:
    """The fallback (no namespaces, read-only files) judges the bank the same way as bubblewrap."""
    from prepai_cli.agent.tools.sandbox.isolation import detect_sandbox

    fallback = detect_sandbox("landlock")
    if fallback.backend != "landlock":
        pytest.skip(f"Landlock is not available here: {fallback.reason}")
    suffix = "py" if language == "python" else "js"
    for qid in CODING_IDS:
        result = run_code((REFERENCE / f"{qid}.{suffix}").read_text(), language, bank_problem(bank, qid),  # type: ignore[arg-type]
                          sandbox=fallback)
        assert result.verdict == "passed", (qid, result.first_failure or result.message)
    for qid, code in (WRONG_PYTHON if language == "python" else WRONG_JAVASCRIPT).items():
        assert run_code(code, language, bank_problem(bank, qid), sandbox=fallback).verdict == "failed", qid  # type: ignore[arg-type]


def test_unusual_return_types_compare_by_value() -> None:
    problem = make_problem(function_name="f", tests=[
        {"args": [], "expected": [1, 2.5, "s", {"3": True}, None, [7]]},
    ])
    code = (
        "import enum\n"
        "class Loud(int):\n    def __repr__(self):\n        return 'LOUD'\n"
        "class Color(enum.IntEnum):\n    RED = 1\n"
        "class F(float):\n    def __repr__(self):\n        return 'F!'\n"
        "class S(str):\n    pass\n"
        "def f():\n    return (Color.RED, F(2.5), S('s'), {3: True}, None, {Loud(7)})\n"
    )
    result = run_code(code, "python", problem)
    assert result.verdict == "passed", result.first_failure or result.message
    huge = run_code("def f():\n    return 10 ** 5000\n", "python", make_problem(function_name="f", tests=[
        {"args": [], "expected": 1}]))
    assert huge.verdict == "failed" and "too large" in str(huge.tests[0].actual)
