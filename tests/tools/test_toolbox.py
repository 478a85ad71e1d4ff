from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from prepai_cli.agent.tools import INVALID_ARGUMENTS, LocalToolBox
from prepai_cli.bank import QuestionBank
from tests.tools.conftest import REFERENCE


class _FakeEvaluation(BaseModel):
    score: float
    via: str
    question: str


@dataclass
class _RecordingEvaluator:
    calls: list[tuple[str, str, bool]] = field(default_factory=list)

    def evaluate(self, question: Any, answer: str, *, star: bool) -> _FakeEvaluation:
        self.calls.append(("bank", question.id, star))
        return _FakeEvaluation(score=7.0, via="bank", question=question.id)

    def evaluate_text(self, question_text: str, answer: str, *, candidates: Any, star: bool) -> _FakeEvaluation:
        self.calls.append(("text", question_text, star))
        assert all(hasattr(c, "key_points") for c in candidates)
        return _FakeEvaluation(score=4.0, via="text", question=question_text)


@pytest.fixture
def recorder() -> _RecordingEvaluator:
    return _RecordingEvaluator()


@pytest.fixture
def toolbox(bank: QuestionBank, recorder: _RecordingEvaluator) -> LocalToolBox:
    return LocalToolBox(bank, evaluator_factory=lambda: recorder)


def test_run_code_with_problem_id(toolbox: LocalToolBox) -> None:
    code = (REFERENCE / "gsde-two-sum.py").read_text()
    result = toolbox.call("run_code", {"code": code, "language": "python", "problem_id": "gsde-two-sum"})
    assert result["verdict"] == "passed" and result["passed"] == result["total"] == 6
    json.dumps(result)


def test_run_code_with_tests_as_json_text_or_value(toolbox: LocalToolBox) -> None:
    code = "def double(x):\n    return 2 * x\n"
    tests = [{"args": [2], "expected": 4}, {"args": [3], "expected": 7}]
    for given in (json.dumps(tests), tests):
        result = toolbox.call("run_code", {"code": code, "language": "py", "tests": given})
        assert result["verdict"] == "failed" and result["passed"] == 1
        assert result["first_failure"] == "For input 3 it returned 6 instead of 7."


@pytest.mark.parametrize(("arguments", "needle"), [
    ({"code": "x", "language": "cobol", "problem_id": "gsde-two-sum"}, "language"),
    ({"code": "x", "language": "python"}, "exactly one of problem_id or tests"),
    ({"code": "x", "language": "python", "problem_id": "nope"}, "no question with id"),
    ({"code": "x", "language": "python", "tests": "[{"}, "not valid JSON"),
    ({"language": "python", "problem_id": "gsde-two-sum"}, "code"),
    ({"code": "x", "language": "python", "problem_id": "gsde-two-sum", "shell": "yes"}, "shell"),
])
def test_run_code_bad_arguments_come_back_as_errors(toolbox: LocalToolBox, arguments: dict[str, Any], needle: str) -> None:
    result = toolbox.call("run_code", arguments)
    assert result["error_kind"] == INVALID_ARGUMENTS
    assert needle in result["error"]


def test_unknown_tool_is_an_error_not_an_exception(toolbox: LocalToolBox) -> None:
    assert toolbox.call("format_disk", {})["error_kind"] == INVALID_ARGUMENTS
    assert "error" in toolbox.call("search_knowledge_base", None)  # type: ignore[arg-type]


def test_search_knowledge_base(toolbox: LocalToolBox) -> None:
    result = toolbox.call("search_knowledge_base", {"query": "dynamodb hot partition", "top_k": 3,
                                                    "interview_type": "aws-solutions-architect"})
    assert 1 <= len(result["hits"]) <= 3
    assert result["hits"][0]["doc_id"] == "note:aws-solutions-architect#dynamodb-partition-keys-and-hot-partitions"
    bad = toolbox.call("search_knowledge_base", {"query": "x y", "interview_type": "hogwarts"})
    assert bad["error_kind"] == INVALID_ARGUMENTS


def test_evaluate_answer_uses_bank_question_or_closest_text(toolbox: LocalToolBox, recorder: _RecordingEvaluator) -> None:
    by_id = toolbox.call("evaluate_answer", {"question": "gsde-two-sum", "answer": "hash map", "interview_type": "google-sde"})
    assert by_id == {"score": 7.0, "via": "bank", "question": "gsde-two-sum"}
    by_text = toolbox.call("evaluate_answer", {"question": "Tell me about a conflict", "answer": "I listened",
                                                "interview_type": "behavioral"})
    assert by_text["via"] == "text"
    assert recorder.calls == [("bank", "gsde-two-sum", False), ("text", "Tell me about a conflict", True)]
    bad = toolbox.call("evaluate_answer", {"question": "q?", "answer": "a", "interview_type": "nope"})
    assert bad["error_kind"] == INVALID_ARGUMENTS


def test_evaluate_answer_with_the_real_evaluator(bank: QuestionBank) -> None:
    result = LocalToolBox(bank).call("evaluate_answer", {
        "question": "gsde-two-sum", "interview_type": "google-sde",
        "answer": "Keep a hash map from each value to its index and look up target minus the current value in one pass.",
    })
    assert "error" not in result, result
    assert 0 <= result["score"] <= 10
    json.dumps(result)


def test_analyze_cv_from_text_and_path(toolbox: LocalToolBox, data_dir: Path) -> None:
    text = (data_dir / "sample_cv.md").read_text()
    from_text = toolbox.call("analyze_cv", {"text": text})
    from_path = toolbox.call("analyze_cv", {"path": str(data_dir / "sample_cv.md")})
    assert from_text["profile"]["companies"] == from_path["profile"]["companies"] == [
        "Acme Payments", "Globex Corporation", "Initech"]
    assert from_text["questions"] and all(q["id"].startswith("cvq-") for q in from_text["questions"])
    assert "Acme Payments" in from_text["summary"]


def test_analyze_cv_errors(toolbox: LocalToolBox, bank: QuestionBank, data_dir: Path) -> None:
    assert "not found" in toolbox.call("analyze_cv", {"path": "/no/such/cv.pdf"})["error"]
    assert "doesn't look like a CV" in toolbox.call("analyze_cv", {"text": "Preheat the oven and mix flour."})["error"]
    remote = LocalToolBox(bank, allow_paths=False)
    refused = remote.call("analyze_cv", {"path": str(data_dir / "sample_cv.md")})
    assert refused["error_kind"] == INVALID_ARGUMENTS and "as text" in refused["error"]


def test_run_code_without_node_says_so(toolbox: LocalToolBox, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    result = toolbox.call("run_code", {"code": "function f(x) { return x; }", "language": "javascript",
                                       "tests": '[{"args": [1], "expected": 1}]'})
    assert result["error_kind"] == "failed"
    assert "Node.js" in result["error"] and "not found" in result["error"]
