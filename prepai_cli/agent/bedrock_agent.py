"""The Bedrock Agents brain: InvokeAgent with streamed final responses and return-of-control tools run locally.

One agent session per PrepAI session (sessionId derived from the PrepAI id), so the agent's own memory carries the
conversation and `--resume` continues it; when this process has not talked to the session yet (a resume) or other
turns were said in between (the offline fallback), a recap goes along with the candidate's words. The agent's
action groups return control to us: PrepAI runs the tool (the code sandbox, the bank search ...) on this machine
and sends the result back in the next InvokeAgent call, looping until the agent answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from typing import Any

from botocore.client import BaseClient
from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.aws import CallContext, agent_alias_arn
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_brain import ClientFactory, CloudBrain
from prepai_cli.agent.cloud_turn import SegmentStream, TurnPlan
from prepai_cli.agent.events import BrainEvent
from prepai_cli.agent.offline import ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.bedrock")

NAME = "bedrock-agent"
# An agent that keeps asking for tools without ever answering is broken; stop rather than loop forever.
MAX_TOOL_ROUNDS = 6
INPUT_LIMIT = 24000  # InvokeAgent accepts 25,000 characters of inputText


class AgentTarget(BaseModel):
    agent_id: str
    agent_alias_id: str
    region: str

    @property
    def context(self) -> CallContext:
        return CallContext(
            action="bedrock:InvokeAgent",
            resource=agent_alias_arn(self.region, self.agent_id, self.agent_alias_id),
            target=f"agent {self.agent_id} (alias {self.agent_alias_id})",
            region=self.region,
            fix_hint="check --agent-id, --agent-alias-id and --region",
        )


def agent_session_id(prepai_session_id: str) -> str:
    """Stable per PrepAI session, within InvokeAgent's sessionId pattern [0-9a-zA-Z._:-]{2,100}."""
    cleaned = "".join(c if c.isalnum() or c in "._:-" else "-" for c in prepai_session_id)
    return f"prepai-{cleaned}"[:100]


def _parameter_value(parameter: dict[str, Any]) -> Any:
    """Return-control parameters arrive as strings with a declared type; the local tools want JSON values."""
    raw = parameter.get("value")
    kind = str(parameter.get("type", "string")).lower()
    if raw is None:
        return None
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
        if kind == "boolean":
            return str(raw).strip().lower() == "true"
        if kind == "array":
            return json.loads(raw)
    except (ValueError, json.JSONDecodeError):
        return raw
    return raw


class BedrockAgentBrain(CloudBrain):
    name = NAME
    service = "bedrock-agent-runtime"
    operation = "InvokeAgent"

    def __init__(
        self,
        aws: AWSSettings,
        bank: QuestionBank,
        judge: AnswerJudge,
        tools: ToolBox | None = None,
        *,
        debug: bool = False,
        client_factory: ClientFactory | None = None,
    ):
        if not aws.agent_id or not aws.agent_alias_id:
            raise PrepAIError(
                "the bedrock-agent brain needs an agent: pass --agent-id and --agent-alias-id "
                "(or `prepai config set aws.agent_id ...` and `aws.agent_alias_id`); accounts without an Agents "
                "Classic agent use --brain agentcore"
            )
        super().__init__(aws, bank, judge, tools, client_factory=client_factory)
        self._debug = debug

    def _target(self, region: str) -> AgentTarget:
        return AgentTarget(agent_id=self._aws.agent_id or "", agent_alias_id=self._aws.agent_alias_id or "",
                           region=region)

    def _call_context(self, region: str) -> CallContext:
        return self._target(region).context

    def _turn(self, client: BaseClient, conversation: Conversation, plan: TurnPlan, ctx: prompts.InterviewContext,
              segments: SegmentStream) -> Generator[BrainEvent, None, None]:
        yield from self._converse(client, self._target(client.meta.region_name), conversation, plan, ctx, segments)

    def _session_attributes(self, ctx: prompts.InterviewContext) -> dict[str, str]:
        attributes = {"interview_type": ctx.slug, "difficulty": str(ctx.difficulty),
                      "questions": str(ctx.questions), "minutes": str(ctx.minutes)}
        if ctx.cv_summary:
            attributes["cv_summary"] = ctx.cv_summary
        return attributes

    def _converse(
        self, client: BaseClient, target: AgentTarget, conversation: Conversation, plan: TurnPlan,
        ctx: prompts.InterviewContext, segments: SegmentStream,
    ) -> Iterator[BrainEvent]:
        session_id = agent_session_id(conversation.session.id)
        attributes = self._session_attributes(ctx)
        request: dict[str, Any] = {
            "agentId": target.agent_id,
            "agentAliasId": target.agent_alias_id,
            "sessionId": session_id,
            "inputText": self._session_input(conversation, plan, ctx, session_id, INPUT_LIMIT),
            "sessionState": {"sessionAttributes": attributes},
            "enableTrace": self._debug,
            "streamingConfigurations": {"streamFinalResponse": True},
        }
        for _ in range(MAX_TOOL_ROUNDS):
            log.debug("InvokeAgent agent=%s alias=%s session=%s tool_results=%s", target.agent_id,
                      target.agent_alias_id, session_id, "returnControlInvocationResults" in request["sessionState"])
            response = client.invoke_agent(**request)
            self._spoken_sessions.add(session_id)
            stream = response["completion"]
            return_control: dict[str, Any] | None = None
            try:
                for event in stream:
                    if "chunk" in event:
                        text = event["chunk"].get("bytes", b"").decode("utf-8", errors="replace")
                        if text:
                            yield from segments.feed(text)
                    elif "returnControl" in event:
                        return_control = event["returnControl"]
                    elif "trace" in event:
                        log.debug("agent trace: %s", json.dumps(event["trace"].get("trace", {}), default=str))
            finally:
                # On barge-in the runner closes this generator: closing the body drops the HTTP stream at once.
                stream.close()
            if return_control is None:
                return
            yield from segments.start()  # tool calls are recorded on the segment they happen in
            results = yield from self._run_tools(return_control)
            # inputText is ignored next to tool results, so it is not sent again.
            request.pop("inputText", None)
            request["sessionState"] = {
                "sessionAttributes": attributes,
                "invocationId": return_control.get("invocationId", ""),
                "returnControlInvocationResults": results,
            }
        raise PrepAIError(f"the agent asked for tools {MAX_TOOL_ROUNDS} times without answering")

    def _run_tools(self, return_control: dict[str, Any]) -> Generator[BrainEvent, None, list[dict[str, Any]]]:
        results: list[dict[str, Any]] = []
        invocation_id = str(return_control.get("invocationId", ""))
        for index, invocation in enumerate(return_control.get("invocationInputs", [])):
            call = invocation.get("functionInvocationInput")
            if call is None:
                raise PrepAIError(
                    "the agent's action group uses an API schema; PrepAI's tools are defined as functions")
            name = str(call.get("function", ""))
            arguments = {p["name"]: _parameter_value(p) for p in call.get("parameters", []) if "name" in p}
            result, ok = yield from self._run_tool(f"{invocation_id}:{index}", name, arguments)
            function_result: dict[str, Any] = {
                "actionGroup": call.get("actionGroup", ""),
                "function": name,
                "responseBody": {"TEXT": {"body": json.dumps(result, default=str)}},
            }
            if not ok:
                # REPROMPT lets the agent see the failure and carry on talking instead of failing the whole turn.
                function_result["responseState"] = "REPROMPT"
            results.append({"functionResult": function_result})
        return results
