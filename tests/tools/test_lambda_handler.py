"""The action-group Lambda, driven with events in the Bedrock Agent (function details) format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from infra.lambdas.handler import handle, lambda_handler
from prepai_cli.agent.tools import LocalToolBox
from prepai_cli.bank import QuestionBank
from tests.tools.conftest import REFERENCE


def _event(function: str, parameters: list[dict[str, str]], action_group: str = "prepai-tools") -> dict[str, Any]:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "prepai-interviewer", "id": "AGENT123", "alias": "TSTALIASID", "version": "DRAFT"},
        "inputText": "Here is my solution",
        "sessionId": "session-1",
        "actionGroup": action_group,
        "function": function,
        "parameters": parameters,
        "sessionAttributes": {"interview_type": "google-sde"},
        "promptSessionAttributes": {"turn": "3"},
    }


def _body(response: dict[str, Any]) -> dict[str, Any]:
    return json.loads(response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"])


class _Score(BaseModel):
    score: float


class _FixedEvaluator:
    def evaluate(self, question: Any, answer: str, *, star: bool) -> _Score:
        return _Score(score=6.5)

    def evaluate_text(self, question_text: str, answer: str, *, candidates: Any, star: bool) -> _Score:
        return _Score(score=3.0)


@pytest.fixture
def toolbox(bank: QuestionBank) -> LocalToolBox:
    return LocalToolBox(bank, evaluator_factory=_FixedEvaluator, allow_paths=False)


def test_run_code_event(toolbox: LocalToolBox) -> None:
    code = (REFERENCE / "gsde-missing-number.py").read_text()
    response = handle(_event("run_code", [
        {"name": "code", "type": "string", "value": code},
        {"name": "language", "type": "string", "value": "python"},
        {"name": "problem_id", "type": "string", "value": "gsde-missing-number"},
    ]), toolbox)
    assert response["messageVersion"] == "1.0"
    assert response["response"]["actionGroup"] == "prepai-tools"
    assert response["response"]["function"] == "run_code"
    assert "responseState" not in response["response"]["functionResponse"]
    assert _body(response)["verdict"] == "passed"
    assert response["sessionAttributes"] == {"interview_type": "google-sde"}
    assert response["promptSessionAttributes"] == {"turn": "3"}


def test_analyze_cv_event(toolbox: LocalToolBox, data_dir) -> None:
    text = (data_dir / "sample_cv.md").read_text()
    body = _body(handle(_event("analyze_cv", [{"name": "text", "type": "string", "value": text}]), toolbox))
    assert body["profile"]["titles"][0] == "Senior Software Engineer"


def test_search_event_coerces_integer_parameters(toolbox: LocalToolBox) -> None:
    body = _body(handle(_event("search_knowledge_base", [
        {"name": "query", "type": "string", "value": "dynamodb hot partition"},
        {"name": "top_k", "type": "integer", "value": "2"},
    ]), toolbox))
    assert len(body["hits"]) == 2


def test_evaluate_answer_event(toolbox: LocalToolBox) -> None:
    body = _body(handle(_event("evaluate_answer", [
        {"name": "question", "type": "string", "value": "gsde-two-sum"},
        {"name": "answer", "type": "string", "value": "hash map of complements"},
        {"name": "interview_type", "type": "string", "value": "google-sde"},
    ]), toolbox))
    assert body == {"score": 6.5}


@pytest.mark.parametrize(("function", "parameters", "needle"), [
    ("search_knowledge_base", [{"name": "query", "type": "string", "value": "x y"},
                               {"name": "top_k", "type": "integer", "value": "lots"}], "top_k must be integer"),
    ("search_knowledge_base", [{"name": "top_k", "type": "integer", "value": "3"}], "query"),
    ("run_code", [{"name": "code", "type": "string", "value": "x"},
                  {"name": "language", "type": "string", "value": "brainfuck"},
                  {"name": "problem_id", "type": "string", "value": "gsde-two-sum"}], "language"),
    ("analyze_cv", [{"name": "path", "type": "string", "value": "/etc/passwd"}], "as text"),
    ("launch_missiles", [], "unknown function"),
])
def test_bad_parameters_reprompt(toolbox: LocalToolBox, function: str, parameters: list[dict[str, str]], needle: str) -> None:
    response = handle(_event(function, parameters), toolbox)
    assert response["response"]["functionResponse"]["responseState"] == "REPROMPT"
    assert needle in _body(response)["error"]


def test_tool_failure_is_failure(toolbox: LocalToolBox) -> None:
    response = handle(_event("analyze_cv", [{"name": "text", "type": "string", "value": "Mix flour and bake it."}]), toolbox)
    assert response["response"]["functionResponse"]["responseState"] == "FAILURE"
    assert "doesn't look like a CV" in _body(response)["error"]


def test_malformed_event_is_failure_with_the_same_envelope(toolbox: LocalToolBox) -> None:
    response = handle({"messageVersion": "1.0", "actionGroup": "prepai-tools"}, toolbox)
    assert response["response"]["functionResponse"]["responseState"] == "FAILURE"
    assert response["response"]["actionGroup"] == "prepai-tools"


def test_lambda_entry_point_uses_the_real_tools() -> None:
    response = lambda_handler(_event("search_knowledge_base", [{"name": "query", "type": "string", "value": "STAR method"}]), None)
    assert _body(response)["hits"][0]["doc_id"].startswith("note:star-method")
