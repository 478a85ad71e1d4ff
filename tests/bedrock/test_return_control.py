"""Return of control: the agent asks for a tool, PrepAI runs it here (the real code sandbox) and sends the result."""

from __future__ import annotations

import json

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.bedrock_agent import BedrockAgentBrain
from prepai_cli.agent.events import BrainError, TextDelta, ToolCall, ToolResult, TurnEnded
from prepai_cli.agent.tools import LocalToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.store import SessionStore

from .fake_aws import FakeAws, Stream
from .scripts import chunk, conversation, return_control, trace

pytestmark = pytest.mark.aws

SOLUTION = """def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
"""
BROKEN = "def two_sum(nums, target):\n    return [0, 1]\n"


def interview_with_code(store: SessionStore, code: str):
    return conversation(store, "google-sde", [
        ("interviewer", "question", "Here's the first question. You get an array of integers and a target value, "
                                    "and exactly one pair of entries sums to the target. Return their positions."),
        ("candidate", "code", code),
    ])


@pytest.mark.parametrize("code, verdict, passed", [(SOLUTION, "passed", 6), (BROKEN, "failed", 2)])
def test_run_code_round_trip(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                             agent_settings: AWSSettings, code: str, verdict: str, passed: int) -> None:
    fake_aws.expect(
        Stream([trace(), return_control("inv-42", "run_code", {"code": code, "language": "python",
                                                               "problem_id": "gsde-two-sum"})]),
        Stream([chunk("I ran your code. "), chunk("Walk me through its complexity.")]),
    )
    brain = BedrockAgentBrain(agent_settings, bank, judge, LocalToolBox())
    events = list(brain.respond(interview_with_code(store, code)))

    assert not any(isinstance(e, BrainError) for e in events), events
    call = next(e for e in events if isinstance(e, ToolCall))
    assert call.name == "run_code" and call.arguments["problem_id"] == "gsde-two-sum"
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.call_id == call.call_id and result.result["verdict"] == verdict
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == \
        "I ran your code. Walk me through its complexity."
    assert events[-1] == TurnEnded(finished=False)

    first, second = (r.json() for r in fake_aws.requests)
    assert "```python" in first["inputText"] and "run_code" in first["inputText"]
    assert "inputText" not in second
    state = second["sessionState"]
    assert state["invocationId"] == "inv-42"
    assert state["sessionAttributes"]["interview_type"] == "google-sde"
    (sent,) = state["returnControlInvocationResults"]
    function_result = sent["functionResult"]
    assert function_result["actionGroup"] == "prepai-tools" and function_result["function"] == "run_code"
    body = json.loads(function_result["responseBody"]["TEXT"]["body"])
    assert body["verdict"] == verdict and body["passed"] == passed and body["total"] == 6
    assert fake_aws.requests[0].path == fake_aws.requests[1].path


def test_unknown_tool_is_reported_back_to_the_agent(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                    judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    fake_aws.expect(Stream([return_control("inv-7", "book_flight", {"to": "Lisbon"})]),
                    Stream([chunk("Let's get back to the interview.")]))
    events = list(BedrockAgentBrain(agent_settings, bank, judge, LocalToolBox()).respond(
        interview_with_code(store, SOLUTION)))
    result = next(e for e in events if isinstance(e, ToolResult))
    assert not result.ok and "book_flight" in result.result["error"]
    function_result = fake_aws.requests[1].json()["sessionState"]["returnControlInvocationResults"][0]["functionResult"]
    assert function_result["responseState"] == "REPROMPT"
    assert "not available" in json.loads(function_result["responseBody"]["TEXT"]["body"])["error"]
