"""The AgentCore harness brain: InvokeHarness on the harness `prepai infra deploy` creates.

AgentCore runs the agent loop in a microVM per session. One runtimeSessionId per PrepAI session (derived from the
PrepAI id), so the harness keeps the conversation and `--resume` continues it; after a resume in a new process, or
turns the offline fallback said in between, a recap goes along with the candidate's words (the base class's
session input). Every call carries this session's system prompt, so the context survives an expired microVM.

Tools: `run_code` is an inline function, so the harness pauses and hands the call back; PrepAI runs the candidate's
code in the local sandbox and sends the result in the next call (the assistant's toolUse message and the user's
toolResult message, since the harness does not keep the paused turn). With `aws.code_interpreter` the code runs in
AgentCore Code Interpreter instead, in AWS. CV analysis, answer evaluation and the knowledge base are gateway tools:
the harness calls the AgentCore Gateway (the Lambda handlers) itself and streams their results, which appear here
as ToolCall/ToolResult events. AgentCore Memory keeps the candidate's weak areas across sessions under
actorId = the candidate's name; the local store stays the source of truth.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Generator
from typing import Any

from botocore.client import BaseClient
from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.aws import CallContext
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_brain import ClientFactory, CloudBrain, ConverseStreamReader, Message
from prepai_cli.agent.cloud_turn import SegmentStream, TokenUsage, TurnPlan
from prepai_cli.agent.events import BrainEvent
from prepai_cli.agent.offline import ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.bedrock")

NAME = "agentcore"
# Inline-function pauses per turn; a harness that keeps asking without answering is broken.
MAX_TOOL_ROUNDS = 6
# The harness's own loop (model call, gateway tool, model call ...) per invocation.
MAX_ITERATIONS = 8
MAX_TOKENS = 600
TIMEOUT_S = 120
INPUT_LIMIT = 24000
INLINE_TOOLS = ("run_code",)
GATEWAY_TOOL_NAME = "prepai_tools"
CODE_INTERPRETER_TOOL_NAME = "code_interpreter"
CODE_INTERPRETER_NOTE = ("Run the candidate's code with the code_interpreter tool: there is no run_code here, and "
                         "the code interpreter has no bank tests, so write a few asserts of your own.")

_HARNESS_ARN = re.compile(r"^arn:([^:]+)?:bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):harness/"
                          r"([a-zA-Z][a-zA-Z0-9_]{0,39}-[a-zA-Z0-9]{10})$")
_SESSION_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def runtime_session_id(prepai_session_id: str) -> str:
    """Stable per PrepAI session, inside InvokeHarness's runtimeSessionId rule: 33-100 characters of
    [a-zA-Z0-9][a-zA-Z0-9-_]*. A digest of the id keeps it long enough and unique after the cleaning."""
    digest = hashlib.sha256(prepai_session_id.encode()).hexdigest()[:24]
    return f"prepai-{digest}-{_SESSION_UNSAFE.sub('-', prepai_session_id)}"[:100]


class HarnessTarget(BaseModel):
    harness_arn: str
    endpoint: str | None
    region: str

    @property
    def name(self) -> str:
        match = _HARNESS_ARN.match(self.harness_arn)
        return match.group(4) if match else self.harness_arn

    @property
    def context(self) -> CallContext:
        return CallContext(
            action="bedrock-agentcore:InvokeHarness",
            resource=self.harness_arn,
            target=f"harness {self.name}" + (f" (endpoint {self.endpoint})" if self.endpoint else ""),
            region=self.region,
            fix_hint="check aws.harness_arn and aws.harness_endpoint (prepai infra deploy sets them) and --region",
        )


def inline_function(name: str) -> dict[str, Any]:
    from prepai_cli.agent.tools.registry import tool_spec

    spec = tool_spec(name)
    if spec is None:
        raise PrepAIError(f"no tool {name!r} in the registry")
    return {"type": "inline_function", "name": spec.name,
            "config": {"inlineFunction": {"description": spec.description, "inputSchema": spec.json_schema()}}}


def harness_tools(aws: AWSSettings) -> list[dict[str, Any]]:
    """The tools of every call. Candidate code stays on this machine (an inline function) unless the user opted
    into AgentCore Code Interpreter; the other tools are the stack's gateway."""
    tools: list[dict[str, Any]] = []
    if aws.code_interpreter:
        tools.append({"type": "agentcore_code_interpreter", "name": CODE_INTERPRETER_TOOL_NAME,
                      "config": {"agentCoreCodeInterpreter": {}}})
    else:
        tools += [inline_function(name) for name in INLINE_TOOLS]
    if aws.gateway_arn:
        tools.append({"type": "agentcore_gateway", "name": GATEWAY_TOOL_NAME,
                      "config": {"agentCoreGateway": {"gatewayArn": aws.gateway_arn, "outboundAuth": {"awsIam": {}}}}})
    return tools


class AgentCoreBrain(CloudBrain):
    name = NAME
    service = "bedrock-agentcore"
    operation = "InvokeHarness"

    def __init__(
        self,
        aws: AWSSettings,
        bank: QuestionBank,
        judge: AnswerJudge,
        tools: ToolBox | None = None,
        *,
        actor_id: str | None = None,
        client_factory: ClientFactory | None = None,
    ):
        if not aws.harness_arn:
            raise PrepAIError("the agentcore brain needs a harness: run `prepai infra deploy` (it sets "
                              "aws.harness_arn), or `prepai config set aws.harness_arn arn:aws:bedrock-agentcore:...`")
        if not _HARNESS_ARN.match(aws.harness_arn):
            raise PrepAIError(f"aws.harness_arn {aws.harness_arn!r} is not a harness ARN "
                              "(arn:aws:bedrock-agentcore:<region>:<account>:harness/<name>-<id>)")
        super().__init__(aws, bank, judge, tools, client_factory=client_factory)
        self._actor_id = actor_id

    def _target(self, region: str) -> HarnessTarget:
        return HarnessTarget(harness_arn=self._aws.harness_arn or "", endpoint=self._aws.harness_endpoint,
                             region=region)

    def _call_context(self, region: str) -> CallContext:
        return self._target(region).context

    def _system_prompt(self, ctx: prompts.InterviewContext) -> str:
        text = prompts.system_prompt(ctx, tools_available=True)
        return text + "\n\n" + CODE_INTERPRETER_NOTE if self._aws.code_interpreter else text

    def _turn(self, client: BaseClient, conversation: Conversation, plan: TurnPlan, ctx: prompts.InterviewContext,
              segments: SegmentStream) -> Generator[BrainEvent, None, TokenUsage]:
        target = self._target(client.meta.region_name)
        session_id = runtime_session_id(conversation.session.id)
        request: dict[str, Any] = {
            "harnessArn": target.harness_arn,
            "runtimeSessionId": session_id,
            "systemPrompt": [{"text": self._system_prompt(ctx)}],
            "tools": harness_tools(self._aws),
            "maxIterations": MAX_ITERATIONS,
            "maxTokens": MAX_TOKENS,
            "timeoutSeconds": TIMEOUT_S,
        }
        if target.endpoint:
            request["qualifier"] = target.endpoint
        if self._actor_id:
            request["actorId"] = self._actor_id
        messages: list[Message] = [{"role": "user", "content": [
            {"text": self._session_input(conversation, plan, ctx, session_id, INPUT_LIMIT)}]}]
        totals = [0, 0, 0]
        for _ in range(MAX_TOOL_ROUNDS):
            log.debug("InvokeHarness harness=%s session=%s messages=%d", target.name, session_id, len(messages))
            response = client.invoke_harness(**request, messages=messages)
            self._spoken_sessions.add(session_id)
            reply = yield from ConverseStreamReader(segments).read(response["stream"])
            totals = [totals[0] + reply.input_tokens, totals[1] + reply.output_tokens, totals[2] + reply.total_tokens]
            # Only our inline functions wait for us; gateway and Code Interpreter calls are the harness's own.
            pending = [use for use in reply.pending_tool_uses() if use.kind in (None, "tool_use")]
            if reply.stop_reason != "tool_use" or not pending:
                return TokenUsage(self._model_label(), *totals)
            yield from segments.start()  # tool calls are recorded on the segment they happen in
            results = []
            for use in pending:
                result, ok = yield from self._run_tool(use.tool_use_id, use.name, use.arguments())
                results.append({"toolResult": {"toolUseId": use.tool_use_id, "content": [{"json": result}],
                                               "status": "success" if ok else "error"}})
            # The paused turn travels back whole: the assistant's tool request, then our results.
            messages = [reply.assistant_message(), {"role": "user", "content": results}]
        raise PrepAIError(f"the harness asked for tools {MAX_TOOL_ROUNDS} times without answering")

    def _model_label(self) -> str:
        return f"agentcore:{self._target(self._aws.region or '').name}"
