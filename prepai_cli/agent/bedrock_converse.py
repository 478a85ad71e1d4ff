"""The Bedrock ConverseStream brain: a foundation model with the interviewer system prompt and local tools.

It keeps no conversation state: the messages are rebuilt from the stored turns on every call, so `--resume`, or
taking over after the offline fallback, needs nothing special. Tool use is the Converse loop: the model streams a
toolUse block (its input as JSON fragments), PrepAI runs the tool on this machine, sends a toolResult in a user
message, and calls again until the model stops for good.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterator
from typing import Any

from botocore.client import BaseClient
from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.aws import CallContext, classify, make_client, model_arn
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_turn import (
    SegmentStream, TokenUsage, TurnPlan, candidate_text, interview_context, plan_turn, run_local_tool,
)
from prepai_cli.agent.events import BrainError, BrainEvent, ToolCall, ToolResult, TurnEnded
from prepai_cli.agent.offline import ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.bedrock")

NAME = "bedrock"
MAX_TOOL_ROUNDS = 6
# Spoken replies are short; the cap bounds cost and keeps a runaway reply from monologuing.
MAX_TOKENS = 600
TEMPERATURE = 0.6

Message = dict[str, Any]


class _ToolUse(BaseModel):
    tool_use_id: str
    name: str
    input_json: str = ""

    def arguments(self) -> dict[str, Any]:
        if not self.input_json.strip():
            return {}
        try:
            value = json.loads(self.input_json)
        except json.JSONDecodeError as exc:
            raise PrepAIError(f"the model sent malformed input for tool {self.name}: {exc.msg}") from None
        return value if isinstance(value, dict) else {"value": value}


class _Reply(BaseModel):
    """One model call's output, reassembled from the stream."""

    texts: dict[int, str] = {}
    tool_uses: dict[int, _ToolUse] = {}
    stop_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    def assistant_message(self) -> Message:
        content: list[dict[str, Any]] = []
        for index in sorted(set(self.texts) | set(self.tool_uses)):
            if index in self.texts and self.texts[index].strip():
                content.append({"text": self.texts[index]})
            if index in self.tool_uses:
                use = self.tool_uses[index]
                content.append({"toolUse": {"toolUseId": use.tool_use_id, "name": use.name, "input": use.arguments()}})
        return {"role": "assistant", "content": content}


def build_messages(conversation: Conversation, plan: TurnPlan) -> list[Message]:
    """The stored turns as Converse messages: alternating roles, starting and ending with the user.

    Consecutive interviewer segments (feedback, then a question) are one assistant message. This turn's note is
    appended to the last user message only, so notes never pile up in the history.
    """
    messages: list[Message] = [{"role": "user", "content": [{"text": prompts.CANDIDATE_JOINED}]}]
    for turn in conversation.turns:
        role = "assistant" if turn.role == "interviewer" else "user"
        text = turn.text if turn.role == "interviewer" else candidate_text(turn)
        if not text.strip():
            continue
        if messages[-1]["role"] == role:
            messages[-1]["content"][-1]["text"] += "\n\n" + text
        else:
            messages.append({"role": role, "content": [{"text": text}]})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": [{"text": prompts.CANDIDATE_ENDED if conversation.end_requested
                                                      else prompts.CANDIDATE_JOINED}]})
    messages[-1]["content"][-1]["text"] += "\n\n" + plan.note
    return messages


class BedrockConverseBrain:
    name = NAME

    def __init__(
        self,
        aws: AWSSettings,
        bank: QuestionBank,
        judge: AnswerJudge,
        tools: ToolBox | None = None,
        *,
        tool_config: dict[str, Any] | None = None,
        client_factory: Callable[[AWSSettings], BaseClient] | None = None,
    ):
        self._aws = aws
        self._bank = bank
        self._judge = judge
        self._tools = tools
        self._tool_config = tool_config if tools is not None else None
        self._client_factory = client_factory or (lambda settings: make_client(settings, "bedrock-runtime"))
        self._client: BaseClient | None = None

    def _context(self, region: str) -> CallContext:
        return CallContext(
            action="bedrock:InvokeModelWithResponseStream",
            resource=model_arn(region, self._aws.model_id),
            target=f"model {self._aws.model_id}",
            region=region,
            fix_hint="check --model-id and --region",
        )

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        ctx = interview_context(conversation, self._bank, send_cv=self._aws.send_cv)
        plan = plan_turn(conversation, ctx)
        judging = self._judge.start(conversation)
        segments = SegmentStream(plan, NAME)
        region = self._aws.region or "unknown region"
        try:
            client = self._connect()
            region = client.meta.region_name
            usage = yield from self._converse(client, conversation, plan, ctx, segments)
        except Exception as exc:  # every AWS/network failure becomes a BrainError; closing the stream is not one
            failure = classify(exc, self._context(region))
            log.debug("ConverseStream failed: %r", exc)
            yield BrainError(failure.message, failure.recoverable)
            return
        evaluation = judging.result()
        if evaluation is not None:
            yield evaluation
        yield usage
        yield TurnEnded(finished=plan.finished)

    def _connect(self) -> BaseClient:
        if self._client is None:
            self._client = self._client_factory(self._aws)
        return self._client

    def _converse(
        self, client: BaseClient, conversation: Conversation, plan: TurnPlan, ctx: prompts.InterviewContext,
        segments: SegmentStream,
    ) -> Generator[BrainEvent, None, TokenUsage]:
        messages = build_messages(conversation, plan)
        request: dict[str, Any] = {
            "modelId": self._aws.model_id,
            "system": [{"text": prompts.system_prompt(ctx, tools_available=self._tool_config is not None)}],
            "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": TEMPERATURE},
        }
        if self._tool_config is not None:
            request["toolConfig"] = self._tool_config
        totals = [0, 0, 0]
        for _ in range(MAX_TOOL_ROUNDS):
            log.debug("ConverseStream model=%s messages=%d", self._aws.model_id, len(messages))
            reply = yield from self._stream(client, {**request, "messages": messages}, segments)
            totals = [totals[0] + reply.input_tokens, totals[1] + reply.output_tokens, totals[2] + reply.total_tokens]
            if reply.stop_reason != "tool_use" or not reply.tool_uses:
                return TokenUsage(self._aws.model_id, *totals)
            messages.append(reply.assistant_message())
            yield from segments.start()  # tool calls are recorded on the segment they happen in
            results = yield from self._run_tools(reply)
            messages.append({"role": "user", "content": results})
        raise PrepAIError(f"the model asked for tools {MAX_TOOL_ROUNDS} times without answering")

    def _stream(
        self, client: BaseClient, request: dict[str, Any], segments: SegmentStream,
    ) -> Generator[BrainEvent, None, _Reply]:
        response = client.converse_stream(**request)
        stream = response["stream"]
        reply = _Reply()
        separate = bool(segments.text) and not segments.text[-1].isspace()
        try:
            for event in stream:
                if "contentBlockDelta" in event:
                    index = int(event["contentBlockDelta"].get("contentBlockIndex", 0))
                    delta = event["contentBlockDelta"].get("delta", {})
                    if "text" in delta and delta["text"]:
                        text = delta["text"]
                        if separate and not text[0].isspace():
                            # The model resumes after a tool call; keep its sentences apart.
                            text = " " + text
                        separate = False
                        reply.texts[index] = reply.texts.get(index, "") + delta["text"]
                        yield from segments.feed(text)
                    elif "toolUse" in delta and index in reply.tool_uses:
                        reply.tool_uses[index].input_json += delta["toolUse"].get("input", "")
                elif "contentBlockStart" in event:
                    index = int(event["contentBlockStart"].get("contentBlockIndex", 0))
                    start = event["contentBlockStart"].get("start", {})
                    if "toolUse" in start:
                        reply.tool_uses[index] = _ToolUse(tool_use_id=start["toolUse"]["toolUseId"],
                                                          name=start["toolUse"]["name"])
                elif "messageStop" in event:
                    reply.stop_reason = event["messageStop"].get("stopReason")
                elif "metadata" in event:
                    usage = event["metadata"].get("usage", {})
                    reply.input_tokens = int(usage.get("inputTokens", 0))
                    reply.output_tokens = int(usage.get("outputTokens", 0))
                    reply.total_tokens = int(usage.get("totalTokens", 0))
        finally:
            # On barge-in the runner closes this generator: closing the body drops the HTTP stream at once.
            stream.close()
        return reply

    def _run_tools(self, reply: _Reply) -> Generator[BrainEvent, None, list[dict[str, Any]]]:
        results: list[dict[str, Any]] = []
        for index in sorted(reply.tool_uses):
            use = reply.tool_uses[index]
            arguments = use.arguments()
            yield ToolCall(use.tool_use_id, use.name, arguments)
            result, ok = run_local_tool(self._tools, use.name, arguments)
            yield ToolResult(use.tool_use_id, use.name, ok=ok, result=result)
            results.append({"toolResult": {"toolUseId": use.tool_use_id, "content": [{"json": result}],
                                           "status": "success" if ok else "error"}})
        return results
