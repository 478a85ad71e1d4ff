"""What every cloud brain shares: the lazily made client, one turn's plan and segments, every failure turned into a
BrainError, locally run tools, and the Converse-shaped event stream (ConverseStream and InvokeHarness) read into
brain events as it arrives.

A brain module then holds only what its API does differently: the request it sends and how a tool result goes back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from typing import Any

from botocore.client import BaseClient
from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.aws import CallContext, classify, make_client
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_turn import (
    Briefing, SegmentStream, TurnPlan, brief, candidate_text, interview_context, plan_turn, recap, run_local_tool,
    turn_evaluation,
)
from prepai_cli.agent.events import (
    AnswerEvaluated, BrainError, BrainEvent, TokenUsage, ToolCall, ToolResult, TurnEnded,
)
from prepai_cli.agent.offline import ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.domain import Turn
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.bedrock")

Message = dict[str, Any]
ClientFactory = Callable[[AWSSettings], BaseClient]


class CloudBrain:
    """Template for a cloud brain: subclasses set `name`, `service`, `operation` and implement `_call_context` and
    `_turn`."""
    # Billed (or rate-limited) per call: replies are never started on a provisional answer.
    speculative = False

    name: str
    service: str  # the boto3 service the brain talks to
    operation: str  # for logs

    def __init__(self, aws: AWSSettings, bank: QuestionBank, judge: AnswerJudge, tools: ToolBox | None = None, *,
                 client_factory: ClientFactory | None = None):
        self._aws = aws
        self._bank = bank
        self._judge = judge
        self._tools = tools
        self._client_factory = client_factory or (lambda settings: make_client(settings, self.service))
        self._client: BaseClient | None = None
        # Cloud sessions this process has talked to; any other session with history gets a recap (a resume).
        self._spoken_sessions: set[str] = set()
        # PrepAI sessions whose last reply failed mid-stream: the next input says what the candidate heard.
        self._unheard: set[str] = set()

    def _call_context(self, region: str) -> CallContext:
        raise NotImplementedError

    def _turn(self, client: BaseClient, conversation: Conversation, plan: TurnPlan, ctx: prompts.InterviewContext,
              segments: SegmentStream) -> Generator[BrainEvent, None, TokenUsage | None]:
        raise NotImplementedError

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        ctx = interview_context(conversation, self._bank, send_cv=self._aws.send_cv)
        briefing = brief(conversation, self._bank, self._judge.question, self._judge.reader())
        plan = plan_turn(conversation, ctx, briefing)
        judging = self._judge.start(conversation) if briefing.scored else None
        segments = SegmentStream(plan, self.name)
        region = self._aws.region or "unknown region"
        try:
            client = self._connect()
            region = client.meta.region_name
            usage = yield from self._turn(client, conversation, plan, ctx, segments)
        except Exception as exc:  # every AWS/network failure becomes a BrainError; closing the stream is not one
            failure = classify(exc, self._call_context(region))
            log.debug("%s failed: %r", self.operation, exc)
            # The service may keep the whole reply in its session although the candidate heard only part of it.
            self._unheard.add(conversation.session.id)
            # The answer is judged and stored as what it was read as, even though the reply failed.
            yield from self._evaluation(conversation, briefing, judging)
            yield BrainError(failure.message, failure.recoverable)
            return
        self._unheard.discard(conversation.session.id)
        yield from self._evaluation(conversation, briefing, judging)
        if usage is not None:
            yield usage
        yield TurnEnded(finished=plan.finished)

    @staticmethod
    def _evaluation(conversation: Conversation, briefing: Briefing,
                    judging: Future[AnswerEvaluated | None] | None) -> Iterator[BrainEvent]:
        evaluation = turn_evaluation(briefing, judging.result() if judging is not None else None)
        if evaluation is not None and conversation.last_candidate_turn is not None:
            yield evaluation

    def _connect(self) -> BaseClient:
        if self._client is None:
            self._client = self._client_factory(self._aws)
        return self._client

    def _session_input(self, conversation: Conversation, plan: TurnPlan, ctx: prompts.InterviewContext,
                       session_id: str, limit: int) -> str:
        """The next user message for a service that keeps the conversation itself (an agent or harness session).

        The service only hears what this process sent: after a resume (another process, an expired session) the
        history goes along as a recap; turns the offline fallback said in between go along too. The service keeps
        its whole last reply even when the candidate heard only part of it (a dead stream, a barge-in), so then
        the input says what they heard.
        """
        turns = conversation.turns
        last = conversation.last_candidate_turn
        if plan.split_intro:
            return plan.note
        parts: list[str] = []
        history = turns[:-1] if last is not None else turns
        if session_id not in self._spoken_sessions and history:
            parts.append(prompts.resume_note(ctx, recap(history)))
        else:
            own = [i for i, t in enumerate(history) if t.role == "interviewer" and t.meta.get("brain") == self.name]
            missed = [t for t in history[own[-1] + 1:] if t.role == "interviewer"] if own else []
            if missed:
                parts.append(prompts.MISSED_NOTE.format(recap=recap(missed)))
            reply = _since_last_answer(history)
            if conversation.session.id in self._unheard or any(t.meta.get("interrupted") for t in reply):
                heard = " ".join(" ".join(t.text.split()) for t in reply) or "nothing"
                parts.append(prompts.UNHEARD_NOTE.format(heard=heard))
        parts.append(candidate_text(last) if last is not None else prompts.CANDIDATE_ENDED)
        parts.append(plan.note)
        text = "\n\n".join(parts)
        # Keep the end (the answer and the note); an over-long recap loses its oldest lines.
        return text if len(text) <= limit else text[-limit:]

    def _run_tool(self, call_id: str, name: str,
                  arguments: dict[str, Any]) -> Generator[BrainEvent, None, tuple[dict[str, Any], bool]]:
        """Runs one tool the cloud asked for on this machine, recorded as a ToolCall/ToolResult pair."""
        yield ToolCall(call_id, name, arguments)
        result, ok = run_local_tool(self._tools, name, arguments)
        yield ToolResult(call_id, name, ok=ok, result=result)
        return result, ok


def _since_last_answer(history: list[Turn]) -> list[Turn]:
    """The interviewer's turns after the candidate's previous turn: the reply that was (partly) heard."""
    out: list[Turn] = []
    for turn in reversed(history):
        if turn.role == "candidate":
            break
        out.insert(0, turn)
    return out


class StreamedToolUse(BaseModel):
    tool_use_id: str
    name: str
    input_json: str = ""
    kind: str | None = None  # InvokeHarness: tool_use (inline, ours), server_tool_use or mcp_tool_use (run by AWS)

    def arguments(self) -> dict[str, Any]:
        if not self.input_json.strip():
            return {}
        try:
            value = json.loads(self.input_json)
        except json.JSONDecodeError as exc:
            raise PrepAIError(f"the model sent malformed input for tool {self.name}: {exc.msg}") from None
        return value if isinstance(value, dict) else {"value": value}


class StreamedToolResult(BaseModel):
    """A tool result the service itself streamed (a harness running a gateway tool)."""

    tool_use_id: str
    status: str | None = None
    parts: list[Any] = []


class StreamedReply(BaseModel):
    """What a stream said, reassembled: the last message's blocks in order, every tool use and result, the usage."""

    texts: dict[int, str] = {}
    tool_uses: dict[int, StreamedToolUse] = {}
    all_tool_uses: dict[str, StreamedToolUse] = {}
    tool_results: dict[str, StreamedToolResult] = {}
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

    def pending_tool_uses(self) -> list[StreamedToolUse]:
        """Tool uses of the last message that nobody answered in the stream: the ones the caller must run."""
        return [use for _, use in sorted(self.tool_uses.items()) if use.tool_use_id not in self.tool_results]


class ConverseStreamReader:
    """Reads Converse-shaped events into brain events as they arrive: text goes to the segments at once, tool input
    fragments are joined, and a tool result the service streamed (a tool AWS ran) becomes a ToolCall/ToolResult pair.

    One InvokeHarness stream may hold several messages (the harness loops over the model and its cloud tools);
    content block indexes restart with each message, so tool uses are also kept by id.
    """

    def __init__(self, segments: SegmentStream) -> None:
        self._segments = segments
        self.reply = StreamedReply()
        self._open: dict[int, tuple[str, str]] = {}  # block index -> ("use" | "result", toolUseId)
        self._separate = False

    def read(self, stream: Any) -> Generator[BrainEvent, None, StreamedReply]:
        try:
            for event in stream:
                yield from self._event(event)
        finally:
            # On barge-in the runner closes this generator: closing the body drops the HTTP stream at once.
            stream.close()
        return self.reply

    def _event(self, event: dict[str, Any]) -> Iterator[BrainEvent]:
        if "messageStart" in event:
            text = self._segments.text
            # The model resumes after a tool call; keep its sentences apart.
            self._separate = bool(text) and not text[-1].isspace()
            self.reply.texts, self.reply.tool_uses, self._open = {}, {}, {}
        elif "contentBlockStart" in event:
            index = int(event["contentBlockStart"].get("contentBlockIndex", 0))
            start = event["contentBlockStart"].get("start", {})
            if "toolUse" in start:
                raw = start["toolUse"]
                use = StreamedToolUse(tool_use_id=raw["toolUseId"], name=raw["name"], kind=raw.get("type"))
                self.reply.tool_uses[index] = use
                self.reply.all_tool_uses[use.tool_use_id] = use
                self._open[index] = ("use", use.tool_use_id)
            elif "toolResult" in start:
                raw = start["toolResult"]
                self.reply.tool_results[raw["toolUseId"]] = StreamedToolResult(tool_use_id=raw["toolUseId"],
                                                                               status=raw.get("status"))
                self._open[index] = ("result", raw["toolUseId"])
        elif "contentBlockDelta" in event:
            index = int(event["contentBlockDelta"].get("contentBlockIndex", 0))
            delta = event["contentBlockDelta"].get("delta", {})
            if delta.get("text"):
                text = delta["text"]
                if self._separate and not text[0].isspace():
                    text = " " + text
                self._separate = False
                self.reply.texts[index] = self.reply.texts.get(index, "") + delta["text"]
                yield from self._segments.feed(text)
            elif "toolUse" in delta and index in self._open and self._open[index][0] == "use":
                self.reply.all_tool_uses[self._open[index][1]].input_json += delta["toolUse"].get("input", "")
            elif "toolResult" in delta and index in self._open and self._open[index][0] == "result":
                self.reply.tool_results[self._open[index][1]].parts.extend(delta["toolResult"])
        elif "contentBlockStop" in event:
            index = int(event["contentBlockStop"].get("contentBlockIndex", 0))
            kind, tool_use_id = self._open.pop(index, ("", ""))
            if kind == "result":
                yield from self._remote_tool(tool_use_id)
        elif "messageStop" in event:
            self.reply.stop_reason = event["messageStop"].get("stopReason")
        elif "metadata" in event:
            usage = event["metadata"].get("usage", {})
            self.reply.input_tokens += int(usage.get("inputTokens", 0))
            self.reply.output_tokens += int(usage.get("outputTokens", 0))
            self.reply.total_tokens += int(usage.get("totalTokens", 0))

    def _remote_tool(self, tool_use_id: str) -> Iterator[BrainEvent]:
        result = self.reply.tool_results[tool_use_id]
        use = self.reply.all_tool_uses.get(tool_use_id)
        name = use.name if use is not None else "unknown"
        try:
            arguments = use.arguments() if use is not None else {}
        except PrepAIError:
            arguments = {"input": use.input_json if use is not None else ""}
        yield from self._segments.start()  # tool calls are recorded on the segment they happen in
        yield ToolCall(tool_use_id, name, arguments)
        parts = [p.get("json", p.get("text")) for p in result.parts if isinstance(p, dict)]
        value = parts[0] if len(parts) == 1 and isinstance(parts[0], dict) else {"content": parts}
        yield ToolResult(tool_use_id, name, ok=result.status != "error", result=value)
