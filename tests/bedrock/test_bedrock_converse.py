"""The ConverseStream brain against a local event-stream server, through real boto3 clients."""

from __future__ import annotations

from typing import Any

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.bedrock_converse import BedrockConverseBrain
from prepai_cli.agent.cloud_turn import TokenUsage
from prepai_cli.agent.events import BrainError, SegmentStarted, TextDelta, ToolCall, ToolResult, TurnEnded
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.store import SessionStore

from . import eventstream as es
from .fake_aws import FakeAws, Frame, Reply, Stream
from .scripts import conversation, converse_stop, converse_text, converse_tool_use

pytestmark = pytest.mark.aws

TOOL_CONFIG = {"tools": [{"toolSpec": {"name": "lookup", "description": "Looks a word up.",
                                       "inputSchema": {"json": {"type": "object", "properties": {
                                           "word": {"type": "string"}}, "required": ["word"]}}}}]}


class RecordingToolBox:
    """A tool box whose one tool answers from a table and remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def has(self, name: str) -> bool:
        return name == "lookup"

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, arguments))
        return {"word": arguments["word"], "meaning": {"idempotent": "same result when repeated"}[arguments["word"]]}


def test_text_streams_and_usage_is_reported(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                           judge: AnswerJudge, converse_settings: AWSSettings) -> None:
    fake_aws.expect(Stream(converse_text("Hi, I'm your interviewer. ", "Two questions today.\n\n",
                                         "First question: how would you design a URL shortener?",
                                         usage=(900, 40))))
    brain = BedrockConverseBrain(converse_settings, bank, judge)
    events = list(brain.respond(conversation(store, "system-design")))
    assert [(e.kind, e.meta.get("number")) for e in events if isinstance(e, SegmentStarted)] == [
        ("intro", None), ("question", 1)]
    assert TokenUsage("anthropic.claude-3-5-haiku-20241022-v1:0", 900, 40, 940) in events
    assert events[-1] == TurnEnded(finished=False)

    (request,) = fake_aws.requests
    assert request.path == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"
    body = request.json()
    assert "toolConfig" not in body
    system = body["system"][0]["text"]
    assert "No markdown" in system and "one question per reply" in system and "System Design" in system
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "Session start" in body["messages"][0]["content"][0]["text"]


def test_tool_use_loop_runs_the_tool_and_sends_the_result_back(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        converse_settings: AWSSettings) -> None:
    first = ([Frame(es.event("messageStart", {"role": "assistant"})),
              Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Let me check."}})),
              Frame(es.event("contentBlockStop", {"contentBlockIndex": 0}))]
             + converse_tool_use(1, "tooluse-1", "lookup", {"word": "idempotent"})
             + converse_stop("tool_use", (300, 20)))
    fake_aws.expect(Stream(first), Stream(converse_text("Right, idempotent means the same result when repeated.",
                                                        usage=(350, 15))))
    tools = RecordingToolBox()
    brain = BedrockConverseBrain(converse_settings, bank, judge, tools, tool_config=TOOL_CONFIG)
    convo = conversation(store, "system-design", [
        ("interviewer", "question", "What does idempotent mean for an API?"),
        ("candidate", "answer", "Not sure, could you look it up?"),
    ])
    events = list(brain.respond(convo))

    assert tools.calls == [("lookup", {"word": "idempotent"})]
    assert ToolCall("tooluse-1", "lookup", {"word": "idempotent"}) in events
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.ok and result.result["meaning"] == "same result when repeated"
    spoken = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert spoken == "Let me check. Right, idempotent means the same result when repeated."
    assert TokenUsage(converse_settings.model_id, 650, 35, 685) in events

    second = fake_aws.requests[1].json()
    assert second["toolConfig"] == TOOL_CONFIG
    assistant, tool_reply = second["messages"][-2:]
    assert assistant == {"role": "assistant", "content": [
        {"text": "Let me check."},
        {"toolUse": {"toolUseId": "tooluse-1", "name": "lookup", "input": {"word": "idempotent"}}}]}
    assert tool_reply == {"role": "user", "content": [{"toolResult": {
        "toolUseId": "tooluse-1", "status": "success",
        "content": [{"json": {"word": "idempotent", "meaning": "same result when repeated"}}]}}]}


def test_messages_are_rebuilt_from_the_stored_turns(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                    judge: AnswerJudge, converse_settings: AWSSettings) -> None:
    fake_aws.expect(Stream(converse_text("Thanks, that's all for today.")))
    convo = conversation(store, "system-design", [
        ("interviewer", "intro", "Hi, I'm your interviewer."),
        ("interviewer", "question", "How would you design a URL shortener?"),
        ("candidate", "answer", "A key-value store mapping short codes to URLs, with a cache in front."),
        ("interviewer", "question", "How do you generate the codes?"),
        ("candidate", "code", "def code(n):\n    return base62(n)"),
    ], end_requested=True)
    events = list(BedrockConverseBrain(converse_settings, bank, judge).respond(convo))
    assert [e.kind for e in events if isinstance(e, SegmentStarted)] == ["closing"]
    assert events[-1] == TurnEnded(finished=True)
    messages = fake_aws.requests[0].json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[1]["content"][0]["text"] == "Hi, I'm your interviewer.\n\nHow would you design a URL shortener?"
    assert messages[4]["content"][0]["text"].startswith("```python\ndef code(n):")
    assert "wants to end the interview" in messages[4]["content"][0]["text"]
    assert all("wants to end" not in m["content"][0]["text"] for m in messages[:4])


def test_throttled_mid_stream_keeps_the_text(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                             judge: AnswerJudge, converse_settings: AWSSettings) -> None:
    fake_aws.expect(Stream([
        Frame(es.event("messageStart", {"role": "assistant"})),
        Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Good point. "}})),
        Frame(es.exception("throttlingException", "Too many tokens, please wait before trying again.")),
    ]))
    events = list(BedrockConverseBrain(converse_settings, bank, judge).respond(conversation(store, "system-design")))
    assert [type(e) for e in events] == [SegmentStarted, TextDelta, BrainError]
    assert events[-1].recoverable and "ThrottlingException" in events[-1].message


@pytest.mark.parametrize("message, expected", [
    ("You don't have access to the model with the specified model ID.",
     "model access is not enabled for the model anthropic.claude-3-5-haiku-20241022-v1:0 in us-east-1"),
    ("User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: "
     "bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1::foundation-model/x",
     "needs bedrock:InvokeModelWithResponseStream on "
     "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"),
])
def test_access_denied(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                       converse_settings: AWSSettings, message: str, expected: str) -> None:
    fake_aws.expect(Reply.error(403, "AccessDeniedException", message))
    events = list(BedrockConverseBrain(converse_settings, bank, judge).respond(conversation(store, "system-design")))
    assert isinstance(events[-1], BrainError) and not events[-1].recoverable
    assert expected in events[-1].message


def test_unknown_model_id(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                          converse_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(400, "ValidationException", "The provided model identifier is invalid."))
    events = list(BedrockConverseBrain(converse_settings, bank, judge).respond(conversation(store, "system-design")))
    assert isinstance(events[-1], BrainError)
    assert events[-1].message == ("the model anthropic.claude-3-5-haiku-20241022-v1:0 is not available in us-east-1 "
                                  "(invalid model identifier); check --model-id and --region")


def test_unreachable_endpoint(isolated_aws, monkeypatch: pytest.MonkeyPatch, store: SessionStore,
                              bank: QuestionBank, judge: AnswerJudge, converse_settings: AWSSettings) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f"http://127.0.0.1:{port}")
    from prepai_cli.agent import aws

    brain = BedrockConverseBrain(converse_settings, bank, judge,
                                 client_factory=lambda s: aws.make_client(s, "bedrock-runtime", max_attempts=1))
    events = list(brain.respond(conversation(store, "system-design")))
    assert isinstance(events[-1], BrainError) and not events[-1].recoverable
    assert events[-1].message.startswith(f"cannot reach http://127.0.0.1:{port}")
