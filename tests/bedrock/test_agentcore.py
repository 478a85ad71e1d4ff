"""The AgentCore harness brain against a local event-stream server, through the real boto3 bedrock-agentcore client."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from prepai_cli.agent import aws
from prepai_cli.agent.agentcore import AgentCoreBrain, runtime_session_id
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.events import (
    AnswerEvaluated, BrainError, SegmentStarted, TextDelta, TokenUsage, ToolCall, ToolResult, TurnEnded,
)
from prepai_cli.agent.tools import LocalToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.domain import NewTurn
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore

from . import eventstream as es
from .conftest import GATEWAY_ARN, HARNESS_ARN
from .fake_aws import Cut, FakeAws, Frame, Gate, Reply, Stream
from .scripts import conversation, harness_gateway_tool, harness_inline_tool_use, harness_text
from .test_return_control import BROKEN, SOLUTION

pytestmark = pytest.mark.aws

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
TWO_SUM = ("You get an array of integers and a target value, and exactly one pair of entries sums to the target. "
           "Return the positions of those two entries.")


def make_brain(settings: AWSSettings, bank: QuestionBank, judge: AnswerJudge, **kwargs) -> AgentCoreBrain:
    return AgentCoreBrain(settings, bank, judge, actor_id="ada", **kwargs)


def header(request, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def test_runtime_session_id_fits_the_api_rule() -> None:
    import re

    rule = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-_]*$")
    for prepai_id in ("20261201-183000-ab12", "x", "id with spaces/and:colons", "é" * 200):
        value = runtime_session_id(prepai_id)
        assert 33 <= len(value) <= 100 and rule.match(value), value
        assert runtime_session_id(prepai_id) == value
    assert runtime_session_id("a:b") != runtime_session_id("a/b")  # cleaning alone would collide


def test_text_reaches_the_consumer_before_the_last_event(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                         judge: AnswerJudge, harness_settings: AWSSettings) -> None:
    gate = Gate()
    frames = harness_text("Hi, I'm your interviewer for today. ", "We'll do two questions.\n",
                          "\nHere's the first question. ", TWO_SUM, usage=(1200, 60))
    fake_aws.expect(Stream(frames[:2] + [gate] + [Frame(f.data, 0.05) for f in frames[2:]]))
    events, first_text_at = [], None
    convo = conversation(store, "google-sde")
    for event in make_brain(harness_settings, bank, judge).respond(convo):
        events.append(event)
        if isinstance(event, TextDelta) and first_text_at is None:
            first_text_at = time.monotonic()
            gate.open()
    assert gate.opened_in_time is True
    last_frame_sent_at = max(t for t, what in fake_aws.sent if what.startswith("frame"))
    assert first_text_at is not None and first_text_at < last_frame_sent_at

    assert [(e.kind, e.meta.get("number")) for e in events if isinstance(e, SegmentStarted)] == [
        ("intro", None), ("question", 1)]
    assert all(e.meta["brain"] == "agentcore" for e in events if isinstance(e, SegmentStarted))
    assert TokenUsage("agentcore:prepai_interviewer-Ab12Cd34Ef", 1200, 60, 1260) in events
    assert events[-1] == TurnEnded(finished=False)

    (request,) = fake_aws.requests
    url = urlsplit(request.path)
    assert url.path == "/harnesses/invoke"
    assert parse_qs(url.query) == {"harnessArn": [HARNESS_ARN], "qualifier": ["live"]}
    assert header(request, SESSION_HEADER) == runtime_session_id(convo.session.id)
    body = request.json()
    assert body["actorId"] == "ada"
    assert "Google" in body["systemPrompt"][0]["text"] and "No markdown" in body["systemPrompt"][0]["text"]
    (message,) = body["messages"]
    assert message["role"] == "user" and "Session start" in message["content"][0]["text"]
    tools = {t["name"]: t for t in body["tools"]}
    assert set(tools) == {"run_code", "prepai_tools"}
    assert tools["run_code"]["type"] == "inline_function"
    assert tools["run_code"]["config"]["inlineFunction"]["inputSchema"]["required"] == ["code", "language"]
    assert tools["prepai_tools"] == {"type": "agentcore_gateway", "name": "prepai_tools", "config": {
        "agentCoreGateway": {"gatewayArn": GATEWAY_ARN, "outboundAuth": {"awsIam": {}}}}}


def test_one_runtime_session_per_interview_and_a_recap_after_a_resume(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        harness_settings: AWSSettings) -> None:
    fake_aws.expect(Stream(harness_text("Good. What if the same value appears twice?")),
                    Stream(harness_text("Right. What is the time complexity?")))
    convo = conversation(store, "google-sde", [
        ("interviewer", "question", TWO_SUM),
        ("candidate", "answer", "A hash map from value to index, one pass."),
    ])
    brain = make_brain(harness_settings, bank, judge)  # a new process: it has not talked to this session yet
    events = list(brain.respond(convo))
    assert any(isinstance(e, AnswerEvaluated) for e in events)
    store.add_turn(convo.session.id, NewTurn(
        role="interviewer", kind="question", text="Good. What if the same value appears twice?",
        meta={"brain": "agentcore"}))
    store.add_turn(convo.session.id, NewTurn(
        role="candidate", kind="answer", text="I check before inserting."))
    second_convo = conversation(store, "google-sde", session=convo.session)
    list(brain.respond(second_convo))

    first, second = fake_aws.requests
    assert header(first, SESSION_HEADER) == header(second, SESSION_HEADER) == runtime_session_id(convo.session.id)
    first_text = first.json()["messages"][0]["content"][0]["text"]
    assert first_text.startswith("[Resuming an earlier session.") and TWO_SUM in first_text
    second_text = second.json()["messages"][0]["content"][0]["text"]
    assert second_text.startswith("I check before inserting.")


@pytest.mark.parametrize("code, verdict, passed", [(SOLUTION, "passed", 6), (BROKEN, "failed", 2)])
def test_run_code_is_an_inline_function_answered_by_the_local_sandbox(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        harness_settings: AWSSettings, code: str, verdict: str, passed: int) -> None:
    arguments = {"code": code, "language": "python", "problem_id": "gsde-two-sum"}
    fake_aws.expect(
        Stream(harness_inline_tool_use("tooluse_run1", "run_code", arguments, text="Let me run that.")),
        Stream(harness_text("I ran your code. ", "Walk me through its complexity.")),
    )
    convo = conversation(store, "google-sde", [("interviewer", "question", TWO_SUM), ("candidate", "code", code)])
    events = list(make_brain(harness_settings, bank, judge, tools=LocalToolBox()).respond(convo))

    assert not any(isinstance(e, BrainError) for e in events), events
    assert ToolCall("tooluse_run1", "run_code", arguments) in events
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.result["verdict"] == verdict and result.result["passed"] == passed
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == \
        "Let me run that. I ran your code. Walk me through its complexity."

    first, second = fake_aws.requests
    assert "```python" in first.json()["messages"][0]["content"][0]["text"]
    assert header(first, SESSION_HEADER) == header(second, SESSION_HEADER)
    assistant, user = second.json()["messages"]
    assert assistant == {"role": "assistant", "content": [
        {"text": "Let me run that."},
        {"toolUse": {"toolUseId": "tooluse_run1", "name": "run_code", "input": arguments}}]}
    (tool_result,) = user["content"]
    assert user["role"] == "user" and tool_result["toolResult"]["toolUseId"] == "tooluse_run1"
    assert tool_result["toolResult"]["status"] == "success"
    sent = tool_result["toolResult"]["content"][0]["json"]
    assert sent["verdict"] == verdict and sent["passed"] == passed and sent["total"] == 6


def test_gateway_tools_run_in_the_cloud_and_are_recorded(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                         judge: AnswerJudge, harness_settings: AWSSettings) -> None:
    arguments = {"question": "gsde-two-sum", "answer": "a hash map", "interview_type": "google-sde"}
    fake_aws.expect(Stream(harness_gateway_tool("tooluse_eval1", "prepai_tools___evaluate_answer", arguments,
                                                {"score": 6.5, "missed": ["duplicates"]})
                           + harness_text("Good start. What about duplicate values?")))
    tools = LocalToolBox()
    convo = conversation(store, "google-sde", [("interviewer", "question", TWO_SUM),
                                               ("candidate", "answer", "a hash map")])
    events = list(make_brain(harness_settings, bank, judge, tools=tools).respond(convo))
    assert len(fake_aws.requests) == 1  # nothing was handed back: the harness ran the tool
    call = next(e for e in events if isinstance(e, ToolCall))
    assert call.name == "prepai_tools___evaluate_answer" and call.arguments == arguments
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.ok and result.result == {"score": 6.5, "missed": ["duplicates"]}
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Good start. What about duplicate values?"


def test_code_interpreter_opt_in_replaces_the_local_sandbox(fake_aws: FakeAws, store: SessionStore,
                                                            bank: QuestionBank, judge: AnswerJudge,
                                                            harness_settings: AWSSettings) -> None:
    fake_aws.expect(Stream(harness_text("Hello.")))
    settings = harness_settings.model_copy(update={"code_interpreter": True})
    list(make_brain(settings, bank, judge).respond(conversation(store, "google-sde")))
    body = fake_aws.requests[0].json()
    assert [t["type"] for t in body["tools"]] == ["agentcore_code_interpreter", "agentcore_gateway"]
    assert "code_interpreter tool" in body["systemPrompt"][0]["text"]


def test_throttled_on_every_attempt_is_a_recoverable_error(fake_aws: FakeAws, store: SessionStore,
                                                           bank: QuestionBank, judge: AnswerJudge,
                                                           harness_settings: AWSSettings) -> None:
    fake_aws.expect(*[Reply.error(429, "ThrottlingException", "Rate exceeded") for _ in range(2)])
    brain = make_brain(harness_settings, bank, judge,
                       client_factory=lambda s: aws.make_client(s, "bedrock-agentcore", max_attempts=2))
    events = list(brain.respond(conversation(store, "google-sde")))
    assert len(fake_aws.requests) == 2  # botocore retried once
    error = events[-1]
    assert isinstance(error, BrainError) and error.recoverable and "ThrottlingException" in error.message


def test_access_denied_names_the_permission_and_the_harness(fake_aws: FakeAws, store: SessionStore,
                                                            bank: QuestionBank, judge: AnswerJudge,
                                                            harness_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(403, "AccessDeniedException",
                                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
                                "bedrock-agentcore:InvokeHarness on resource: " + HARNESS_ARN))
    events = list(make_brain(harness_settings, bank, judge).respond(conversation(store, "google-sde")))
    error = events[-1]
    assert isinstance(error, BrainError) and not error.recoverable
    assert f"needs bedrock-agentcore:InvokeHarness on {HARNESS_ARN}" in error.message
    assert len(fake_aws.requests) == 1


def test_validation_error_mid_stream_keeps_the_text_already_said(fake_aws: FakeAws, store: SessionStore,
                                                                 bank: QuestionBank, judge: AnswerJudge,
                                                                 harness_settings: AWSSettings) -> None:
    frames = harness_text("Hi, I'm your interviewer. ")[:2]
    frames.append(Frame(es.encode_message(
        {":exception-type": "validationException", ":content-type": "application/json", ":message-type": "exception"},
        b'{"message": "Tool input does not match its schema", "reason": "FieldValidationFailed"}')))
    fake_aws.expect(Stream(frames))
    events = list(make_brain(harness_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert [type(e) for e in events] == [SegmentStarted, TextDelta, BrainError]
    assert events[1] == TextDelta("Hi, I'm your interviewer. ")
    assert not events[2].recoverable and "ValidationException" in events[2].message
    assert "Tool input does not match its schema" in events[2].message


def test_runtime_client_error_mid_stream(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                         judge: AnswerJudge, harness_settings: AWSSettings) -> None:
    fake_aws.expect(Stream(harness_text("One moment. ")[:2]
                           + [Frame(es.exception("runtimeClientError", "The session's microVM stopped"))]))
    events = list(make_brain(harness_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert isinstance(events[-1], BrainError) and "RuntimeClientError" in events[-1].message
    assert "microVM stopped" in events[-1].message


def test_a_cut_stream_is_a_recoverable_error(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                             judge: AnswerJudge, harness_settings: AWSSettings) -> None:
    frames = harness_text("Let me think ", "and this part never arrives whole.")
    rest = frames[2].data
    fake_aws.expect(Stream(frames[:2] + [Cut(rest, keep=len(rest) // 2)]))
    events = list(make_brain(harness_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert TextDelta("Let me think ") in events
    error = events[-1]
    assert isinstance(error, BrainError) and error.recoverable and "dropped" in error.message


def test_barge_in_closes_the_http_stream(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                         judge: AnswerJudge, harness_settings: AWSSettings) -> None:
    gate = Gate()
    frames = harness_text("Hi. ", *["more words " * 200 for _ in range(30)], delay=0.02)
    fake_aws.expect(Stream(frames[:2] + [gate] + frames[2:]))
    events = make_brain(harness_settings, bank, judge).respond(conversation(store, "google-sde"))
    for event in events:
        if isinstance(event, TextDelta):
            break
    events.close()  # what the runner does when the candidate talks over the interviewer
    gate.open()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(what == "client closed" for _, what in fake_aws.sent):
        time.sleep(0.02)
    assert any(what == "client closed" for _, what in fake_aws.sent)
    assert sum(1 for _, what in fake_aws.sent if what.startswith("frame")) < len(frames)


def test_a_harness_is_required(bank: QuestionBank, judge: AnswerJudge) -> None:
    with pytest.raises(PrepAIError, match="prepai infra deploy"):
        AgentCoreBrain(AWSSettings(region="us-east-1"), bank, judge)
    with pytest.raises(PrepAIError, match="is not a harness ARN"):
        AgentCoreBrain(AWSSettings(region="us-east-1", harness_arn="arn:aws:bedrock:us-east-1:1:agent/X"), bank,
                       judge)
