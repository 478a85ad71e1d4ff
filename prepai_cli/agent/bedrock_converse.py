"""The Bedrock ConverseStream brain: a foundation model with the interviewer system prompt and local tools.

It keeps no conversation state: the messages are rebuilt from the stored turns on every call, so `--resume`, or
taking over after the offline fallback, needs nothing special. Tool use is the Converse loop: the model streams a
toolUse block (its input as JSON fragments), PrepAI runs the tool on this machine, sends a toolResult in a user
message, and calls again until the model stops for good.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from botocore.client import BaseClient

from prepai_cli.agent import prompts
from prepai_cli.agent.aws import CallContext, model_arn
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_brain import ClientFactory, CloudBrain, ConverseStreamReader, Message
from prepai_cli.agent.cloud_turn import SegmentStream, TokenUsage, TurnPlan, candidate_text
from prepai_cli.agent.events import BrainEvent
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


class BedrockConverseBrain(CloudBrain):
    name = NAME
    service = "bedrock-runtime"
    operation = "ConverseStream"

    def __init__(
        self,
        aws: AWSSettings,
        bank: QuestionBank,
        judge: AnswerJudge,
        tools: ToolBox | None = None,
        *,
        tool_config: dict[str, Any] | None = None,
        client_factory: ClientFactory | None = None,
    ):
        super().__init__(aws, bank, judge, tools, client_factory=client_factory)
        self._tool_config = tool_config if tools is not None else None

    def _call_context(self, region: str) -> CallContext:
        return CallContext(
            action="bedrock:InvokeModelWithResponseStream",
            resource=model_arn(region, self._aws.model_id),
            target=f"model {self._aws.model_id}",
            region=region,
            fix_hint="check --model-id and --region",
        )

    def _turn(
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
            response = client.converse_stream(**request, messages=messages)
            reply = yield from ConverseStreamReader(segments).read(response["stream"])
            totals = [totals[0] + reply.input_tokens, totals[1] + reply.output_tokens, totals[2] + reply.total_tokens]
            if reply.stop_reason != "tool_use" or not reply.tool_uses:
                return TokenUsage(self._aws.model_id, *totals)
            messages.append(reply.assistant_message())
            yield from segments.start()  # tool calls are recorded on the segment they happen in
            results = []
            for use in reply.pending_tool_uses():
                result, ok = yield from self._run_tool(use.tool_use_id, use.name, use.arguments())
                results.append({"toolResult": {"toolUseId": use.tool_use_id, "content": [{"json": result}],
                                               "status": "success" if ok else "error"}})
            messages.append({"role": "user", "content": results})
        raise PrepAIError(f"the model asked for tools {MAX_TOOL_ROUNDS} times without answering")
