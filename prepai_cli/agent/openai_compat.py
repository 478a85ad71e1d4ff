"""The local LLM brain: any OpenAI-compatible chat server the user runs (Ollama, llama.cpp, LM Studio, vLLM).

It follows the Bedrock ConverseStream brain: no state of its own (messages are rebuilt from the stored turns each
call, so `--resume` and the offline fallback need nothing special), the same system prompt and per-turn notes, and
the same segment conventions (cloud_turn). Streamed chat completions become TextDelta events as each delta
arrives; closing the iterator (barge-in) closes the HTTP stream, which makes the server stop generating.

Tools go as OpenAI function tools when the server and model take them. Servers that refuse `tools` (a model
without tool support in Ollama, llama-server without --jinja) and models that write their tool calls as text get
JSON mode instead: the tools are described in the prompt and each reply is {"say", "tool"} (json_speech), whose
"say" still streams into the voice as it is generated.

Local servers have small context windows and Ollama truncates a longer prompt silently, dropping the system
prompt first; each request is kept within the window the server reports, leaving out the oldest exchanges.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel

from prepai_cli.agent import prompts
from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.cloud_brain import CloudBrain
from prepai_cli.agent.cloud_turn import (
    SegmentStream, TokenUsage, TurnPlan, brief, candidate_text, interview_context, plan_turn, run_local_tool,
)
from prepai_cli.agent.events import BrainError, BrainEvent, ToolCall, ToolResult, TurnEnded
from prepai_cli.agent.json_speech import SayStream, parse_reply, parse_tool_text, reply_schema, tools_prompt
from prepai_cli.agent.local_servers import (
    KNOWN_SERVERS, ContextInfo, ServerInfo, ServerKind, choose_model, context_window, discover, probe,
    supports_tools, split_base_url,
)
from prepai_cli.agent.offline import ToolBox
from prepai_cli.agent.tools.registry import TOOL_SPECS, ToolSpec
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.errors import PrepAIError

if TYPE_CHECKING:
    import openai

log = logging.getLogger("prepai.local")

NAME = "local"
MAX_TOOL_ROUNDS = 6
MAX_TOKENS = 600  # as the Bedrock brain: spoken replies are short
TEMPERATURE = 0.6
CONNECT_TIMEOUT_S = 5.0
# A model on a CPU may take a while to load and to read a long prompt before its first token.
READ_TIMEOUT_S = 180.0
# Room kept free in the window for the reply and the chat template's own tokens.
RESERVE_TOKENS = MAX_TOKENS + 128
DEFAULT_CHARS_PER_TOKEN = 3.5
OMITTED_NOTE = "[Earlier exchanges are left out here to fit the model's context window.]"

ToolMode = Literal["native", "json", "none"]
Message = dict[str, Any]


class LocalTarget(BaseModel):
    """The server and model a run talks to, and what the server told about them."""

    server: ServerInfo
    model: str
    context: ContextInfo
    tools: bool | None = None  # whether the model calls tools, when the server says (Ollama); None: try

    @property
    def label(self) -> str:
        return f"{self.model} on {self.server.label}"


def resolve_target(settings: LocalLLMSettings,
                   candidates: tuple[tuple[ServerKind, str], ...] = KNOWN_SERVERS) -> LocalTarget:
    """The configured server (or the first one found on the usual ports) and a model on it; one-line errors."""
    if settings.base_url:
        server = probe(settings.base_url, api_key=settings.key)
        if server is None:
            _, base = split_base_url(settings.base_url)
            raise PrepAIError(f"no OpenAI-compatible server answers at {base} (GET /models failed); start it "
                              "(e.g. `ollama serve`) or fix --base-url")
    else:
        found = discover(candidates)
        if not found:
            where = ", ".join(f"{kind} {url.split('//')[1]}" for kind, url in candidates)
            raise PrepAIError(f"no local model server found ({where}); start one (e.g. `ollama serve`) or pass "
                              "--base-url")
        server = found[0]
    model = choose_model(server, settings.model)
    context = (ContextInfo(tokens=settings.context_tokens, source="local.context_tokens")
               if settings.context_tokens else context_window(server, model))
    return LocalTarget(server=server, model=model, context=context, tools=supports_tools(server, model))


class _Call(BaseModel):
    call_id: str
    name: str = ""
    arguments: str = ""

    def parsed(self) -> dict[str, Any]:
        if not self.arguments.strip():
            return {}
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError as exc:
            raise PrepAIError(f"the model sent malformed arguments for tool {self.name}: {exc.msg}") from None
        return value if isinstance(value, dict) else {"value": value}


class _Reply(BaseModel):
    """One model call, reassembled from the stream."""

    text: str = ""  # the content as sent (JSON in JSON mode)
    calls: dict[int, _Call] = {}
    json_calls: list[tuple[str, str, dict[str, Any]]] = []  # tool calls written as JSON text
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def wants_tools(self) -> bool:
        return bool(self.calls or self.json_calls)


class _StreamFailed(Exception):
    """The stream broke after it started; what was said so far stays said."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


class _ModeChanged(Exception):
    """The server refused `tools`: the round is asked again in JSON mode."""


def openai_tools(specs: tuple[ToolSpec, ...] = TOOL_SPECS) -> list[dict[str, Any]]:
    """The `tools` argument of chat completions: the registry's tools as function tools."""
    return [{"type": "function", "function": {"name": s.name, "description": s.description,
                                              "parameters": s.json_schema()}} for s in specs]


def chat_messages(conversation: Conversation, plan: TurnPlan) -> list[Message]:
    """The stored turns as chat messages, user first and last (the Bedrock brain's convention, in chat form)."""
    messages: list[Message] = [{"role": "user", "content": prompts.CANDIDATE_JOINED}]
    for turn in conversation.turns:
        role = "assistant" if turn.role == "interviewer" else "user"
        text = turn.text if turn.role == "interviewer" else candidate_text(turn)
        if not text.strip():
            continue
        if messages[-1]["role"] == role:
            messages[-1]["content"] += "\n\n" + text
        else:
            messages.append({"role": role, "content": text})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": prompts.CANDIDATE_ENDED if conversation.end_requested
                         else prompts.CANDIDATE_JOINED})
    messages[-1]["content"] += "\n\n" + plan.note
    return messages


def _chars(messages: list[Message]) -> int:
    return sum(len(str(m.get("content") or "")) + len(json.dumps(m.get("tool_calls") or "")) for m in messages)


def fit_context(messages: list[Message], window: int | None, chars_per_token: float,
                extra_chars: int = 0) -> tuple[list[Message], int]:
    """The messages cut to fit `window` tokens: the system prompt, the first user message and the latest
    exchanges stay, the oldest exchanges go (in assistant+user pairs, so roles still alternate).
    Returns the messages and how many were left out."""
    if window is None:
        return messages, 0
    budget = max(window - RESERVE_TOKENS, window // 2)

    def tokens(ms: list[Message]) -> float:
        return (_chars(ms) + extra_chars) / chars_per_token + 6 * len(ms)

    system, first, rest = messages[0], messages[1], messages[2:]
    dropped = 0
    while rest and len(rest) > 2 and tokens([system, first, *rest]) > budget:
        rest = rest[2:]
        dropped += 2
    if dropped:
        first = {**first, "content": OMITTED_NOTE + "\n\n" + first["content"]}
    return [system, first, *rest], dropped


def is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


class OpenAICompatBrain:
    # Billed (or rate-limited) per call: replies are never started on a provisional answer.
    speculative = False
    name = NAME

    def __init__(
        self,
        settings: LocalLLMSettings,
        bank: QuestionBank,
        judge: AnswerJudge,
        tools: ToolBox | None = None,
        *,
        resolve: Callable[[], LocalTarget] | None = None,
        client_factory: Callable[[LocalTarget], "openai.OpenAI"] | None = None,
    ):
        self._settings = settings
        self._bank = bank
        self._judge = judge
        self._tools = tools
        self._resolve = resolve or (lambda: resolve_target(settings))
        self._client_factory = client_factory or self._default_client
        self._target: LocalTarget | None = None
        self._client: "openai.OpenAI | None" = None
        self._lock = threading.Lock()
        self._mode: ToolMode = "none" if tools is None else ("json" if settings.tools == "json" else "native")
        self._dropped_fields: set[str] = set()
        self._chars_per_token = DEFAULT_CHARS_PER_TOKEN

    # Connection

    def locate(self) -> LocalTarget:
        """Finds the server and model once per run (plain HTTP probes: milliseconds, no openai import)."""
        with self._lock:
            if self._target is None:
                target = self._resolve()
                if target.tools is False and self._mode == "native":
                    self._mode = "json"  # the server says the model has no tool calls: do not even try
                self._target = target
            return self._target

    def connect(self) -> tuple[LocalTarget, "openai.OpenAI"]:
        """The target and its client (thread-safe: the app may warm it up on a worker thread)."""
        target = self.locate()
        with self._lock:
            if self._client is None:
                self._client = self._client_factory(target)
            return target, self._client

    @property
    def target(self) -> LocalTarget | None:
        return self._target

    def refresh_context(self) -> None:
        """Reads the context length again once the model is loaded: Ollama only tells it for a loaded model."""
        target = self._target
        if target is None or self._settings.context_tokens or target.server.kind != "Ollama":
            return
        context = context_window(target.server, target.model)
        with self._lock:
            self._target = target.model_copy(update={"context": context})

    @property
    def tool_mode(self) -> ToolMode:
        return self._mode

    def _default_client(self, target: LocalTarget) -> "openai.OpenAI":
        import openai

        # Local servers ignore the key, but the client needs one; a server started with a key gets the real one.
        return openai.OpenAI(base_url=target.server.base_url, api_key=self._settings.key or "prepai-local",
                             max_retries=1, timeout=openai.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S))

    # The turn

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        try:
            target, client = self.connect()
        except Exception as exc:  # no server, no model: one line, and the session stays resumable
            yield BrainError(_one_line(str(exc) if isinstance(exc, PrepAIError) else f"{type(exc).__name__}: {exc}"),
                             recoverable=False)
            return
        ctx = interview_context(conversation, self._bank, send_cv=is_loopback(target.server.base_url))
        briefing = brief(conversation, self._bank, self._judge.question, self._judge.reader())
        plan = plan_turn(conversation, ctx, briefing)
        judging = self._judge.start(conversation) if briefing.scored else None
        segments = SegmentStream(plan, NAME)
        try:
            usage = yield from self._chat(client, target, conversation, plan, ctx, segments)
        except Exception as exc:  # every server/network failure becomes one BrainError line
            message, recoverable = classify(exc, target)
            log.debug("chat completion failed: %r", exc)
            # The answer is judged and stored as what it was read as, even though the reply failed.
            yield from CloudBrain._evaluation(conversation, briefing, judging)
            yield BrainError(message, recoverable)
            return
        yield from CloudBrain._evaluation(conversation, briefing, judging)
        yield usage
        yield TurnEnded(finished=plan.finished)

    def _system(self, ctx: prompts.InterviewContext) -> str:
        if self._mode == "native":
            return prompts.system_prompt(ctx, tools_available=True)
        system = prompts.system_prompt(ctx, tools_available=False)
        return system + "\n\n" + tools_prompt(TOOL_SPECS) if self._mode == "json" else system

    def _chat(
        self, client: "openai.OpenAI", target: LocalTarget, conversation: Conversation, plan: TurnPlan,
        ctx: prompts.InterviewContext, segments: SegmentStream,
    ) -> Generator[BrainEvent, None, TokenUsage]:
        history = chat_messages(conversation, plan)
        totals = [0, 0]
        rounds = 0
        while rounds < MAX_TOOL_ROUNDS:
            messages = [{"role": "system", "content": self._system(ctx)}, *history]
            extra = len(json.dumps(openai_tools())) if self._mode == "native" else 0
            window = self._settings.context_tokens or target.context.tokens
            fitted, dropped = fit_context(messages, window, self._chars_per_token, extra)
            if dropped:
                log.info("left out %d old messages to fit %s tokens", dropped, window)
            try:
                reply = yield from self._stream(client, target, fitted, segments)
            except _ModeChanged:
                continue  # asked again in JSON mode; nothing was said yet
            rounds += 1
            self._calibrate(fitted, extra, reply, window)
            totals = [totals[0] + reply.prompt_tokens, totals[1] + reply.completion_tokens]
            if not reply.wants_tools:
                return TokenUsage(target.model, totals[0], totals[1], sum(totals))
            yield from segments.start()  # tool calls are recorded on the segment they happen in
            history += yield from self._run_tools(reply)
        raise PrepAIError(f"the model asked for tools {MAX_TOOL_ROUNDS} times without answering")

    def _calibrate(self, sent: list[Message], extra: int, reply: _Reply, window: int | None) -> None:
        """Learns this model's characters per token from the server's own count, so the next fit is right."""
        if reply.prompt_tokens <= 0:
            return
        self._chars_per_token = min(6.0, max(2.0, (_chars(sent) + extra) / reply.prompt_tokens))
        if window and reply.prompt_tokens >= window - 16:
            log.info("the prompt filled the model's %d-token context; the server may have cut it", window)

    def _request(self, target: LocalTarget, messages: list[Message]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": target.model, "messages": messages, "stream": True,
                                   "max_tokens": MAX_TOKENS, "temperature": TEMPERATURE,
                                   "stream_options": {"include_usage": True}}
        if self._mode == "native":
            request["tools"] = openai_tools()
        elif self._mode == "json":
            request["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "interviewer_reply", "schema": reply_schema(TOOL_SPECS)}}
        for name in self._dropped_fields:
            request.pop(name, None)
        return request

    def _open(self, client: "openai.OpenAI", target: LocalTarget, messages: list[Message]) -> Any:
        """Starts the stream; a server that rejects an optional field gets the request again without it."""
        import openai

        while True:
            request = self._request(target, messages)
            try:
                return client.chat.completions.create(**request)
            except openai.APIStatusError as exc:
                if exc.status_code not in (400, 422, 500, 501):
                    raise
                text = _error_text(exc).lower()
                if "tools" in request and "tool" in text:
                    log.info("the server refused tools (%s); using JSON mode", _error_text(exc))
                    self._mode = "json"
                    raise _ModeChanged() from None
                rejected = next((f for f in ("response_format", "stream_options") if f in request and (
                    f in text or (f == "response_format" and ("json_schema" in text or "schema" in text)))), None)
                if rejected is None:
                    raise
                log.info("the server refused %s; asking without it", rejected)
                self._dropped_fields.add(rejected)

    def _stream(
        self, client: "openai.OpenAI", target: LocalTarget, messages: list[Message], segments: SegmentStream,
    ) -> Generator[BrainEvent, None, _Reply]:
        stream = self._open(client, target, messages)
        reply = _Reply()
        mode = self._mode
        say = SayStream() if mode == "json" else None
        held: list[str] | None = None  # native mode: a reply that starts like JSON is held until it is known
        decided = mode != "native"
        separate = bool(segments.text) and not segments.text[-1].isspace()

        def speak(text: str) -> list[BrainEvent]:
            nonlocal separate
            if not text:
                return []
            if separate and not text[0].isspace():
                text = " " + text  # the model resumes after a tool call; keep its sentences apart
            separate = False
            return segments.feed(text)

        try:
            try:
                for chunk in stream:
                    if getattr(chunk, "usage", None) is not None:
                        reply.prompt_tokens = int(chunk.usage.prompt_tokens or 0)
                        reply.completion_tokens = int(chunk.usage.completion_tokens or 0)
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    delta = choice.delta
                    if delta is not None and delta.content:
                        reply.text += delta.content
                        if say is not None:
                            yield from speak(say.feed(delta.content))
                        elif held is not None:
                            held.append(delta.content)
                        elif not decided:
                            stripped = reply.text.lstrip()
                            if stripped:
                                decided = True
                                if stripped[0] in "{[<`":
                                    held = [reply.text]
                                else:
                                    yield from speak(reply.text)
                        else:
                            yield from speak(delta.content)
                    for call in (delta.tool_calls or []) if delta is not None else []:
                        index = call.index or 0
                        slot = reply.calls.setdefault(index, _Call(call_id=call.id or f"call_{uuid.uuid4().hex[:8]}"))
                        if call.id:
                            slot.call_id = call.id
                        if call.function is not None:
                            if call.function.name:
                                slot.name = call.function.name
                            if call.function.arguments:
                                slot.arguments += call.function.arguments
                    if choice.finish_reason:
                        reply.finish_reason = choice.finish_reason
            except Exception as exc:
                raise _StreamFailed(exc) from exc
        finally:
            # On barge-in the runner closes this generator: closing the response drops the HTTP stream at once.
            stream.close()
        if say is not None:
            parsed = parse_reply(reply.text)
            if not say.started:
                yield from speak(parsed.say)
            if parsed.tool_name:
                reply.json_calls = [(f"call_{uuid.uuid4().hex[:8]}", parsed.tool_name, parsed.tool_arguments)]
        elif held is not None:
            written = parse_tool_text(reply.text)
            if written is not None and self._tools is not None and self._tools.has(written[0]):
                log.info("the model wrote its tool call as text; using JSON mode from now on")
                self._mode = "json"
                reply.json_calls = [(f"call_{uuid.uuid4().hex[:8]}", written[0], written[1])]
            else:
                parsed = parse_reply(reply.text)
                yield from speak(parsed.say if parsed.parsed else reply.text)
        return reply

    def _run_tools(self, reply: _Reply) -> Generator[BrainEvent, None, list[Message]]:
        """Runs the tools the model asked for; returns the messages that carry the call and its results."""
        if reply.calls:
            calls = [reply.calls[i] for i in sorted(reply.calls)]
            messages: list[Message] = [{"role": "assistant", "content": reply.text or None, "tool_calls": [
                {"id": c.call_id, "type": "function", "function": {"name": c.name, "arguments": c.arguments or "{}"}}
                for c in calls]}]
            for call in calls:
                try:
                    arguments = call.parsed()
                except PrepAIError as exc:  # small models garble JSON now and then: let the model try again
                    yield ToolCall(call.call_id, call.name, {"raw": call.arguments})
                    result = {"error": f"{exc}; send the arguments as one valid JSON object"}
                    yield ToolResult(call.call_id, call.name, ok=False, result=result)
                    messages.append({"role": "tool", "tool_call_id": call.call_id, "content": json.dumps(result)})
                    continue
                yield ToolCall(call.call_id, call.name, arguments)
                result, ok = run_local_tool(self._tools, call.name, arguments)
                yield ToolResult(call.call_id, call.name, ok=ok, result=result)
                messages.append({"role": "tool", "tool_call_id": call.call_id, "content": json.dumps(result)})
            return messages
        # JSON mode: the call was text, so its result goes back as text too.
        messages = [{"role": "assistant", "content": reply.text}]
        results = []
        for call_id, name, arguments in reply.json_calls:
            yield ToolCall(call_id, name, arguments)
            result, ok = run_local_tool(self._tools, name, arguments)
            yield ToolResult(call_id, name, ok=ok, result=result)
            results.append(f"[Result of {name}: {json.dumps(result)}]")
        messages.append({"role": "user", "content": "\n".join(results) + "\n[Now reply to the candidate.]"})
        return messages


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return _one_line(str(inner["message"]), 160)
        if isinstance(inner, str):
            return _one_line(inner, 160)
    return _one_line(getattr(exc, "message", None) or str(exc), 160)


def classify(exc: BaseException, target: LocalTarget) -> tuple[str, bool]:
    """One line for what went wrong, and whether the next turn may try the server again."""
    import openai

    server = target.server
    mid_stream = isinstance(exc, _StreamFailed)
    cause = exc.cause if isinstance(exc, _StreamFailed) else exc
    if isinstance(cause, PrepAIError):
        return _one_line(str(cause)), False
    if isinstance(cause, openai.APITimeoutError):
        return f"{server.kind} stopped responding (no reply within {READ_TIMEOUT_S:.0f} s)", True
    if isinstance(cause, openai.APIConnectionError):
        if mid_stream:
            return f"the connection to {server.kind} dropped in the middle of the reply", True
        reason = _one_line(str(cause.__cause__ or cause), 80)
        return (f"cannot reach {server.kind} at {server.base_url} ({reason}); start it (e.g. `ollama serve`) or "
                "check --base-url"), False
    if isinstance(cause, openai.APIStatusError):
        detail = _error_text(cause)
        status = cause.status_code
        if status == 404:
            if "model" in detail.lower():
                available = f"; it has: {', '.join(server.models)}" if server.models else ""
                return f"the model {target.model!r} is not on {server.label} ({detail}){available}; pass --model", False
            return f"{server.base_url} has no chat completions endpoint (404); check --base-url (it ends in /v1)", False
        if status in (401, 403):
            return (f"{server.label} refused the API key ({status}: {detail}); set local.api_key "
                    "(PREPAI_LOCAL__API_KEY)"), False
        if status == 429 or status >= 500:
            return f"{server.kind} failed to answer ({status}: {detail})", True
        return f"{server.kind} refused the request ({status}: {detail})", False
    if isinstance(cause, openai.APIError):  # an error event inside the stream
        return f"{server.kind} reported an error in the middle of the reply: {_error_text(cause)}", True
    if mid_stream:
        return f"the reply from {server.kind} broke off: {type(cause).__name__}: {_one_line(str(cause), 120)}", True
    return f"unexpected error talking to {server.kind}: {type(cause).__name__}: {_one_line(str(cause), 120)}", False


JUDGE_MAX_TOKENS = 500


def hang_up(stream: Any) -> None:
    """Closes a stream another thread is reading: closing the response alone leaves that thread blocked in recv()
    until the server sends more, so the socket is shut down first (the server then stops generating)."""
    import socket

    try:
        network = stream.response.extensions.get("network_stream")
        sock = network.get_extra_info("socket") if network is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass  # already closed, or a transport without a socket: closing below is all there is
    stream.close()


class OpenAIJudgeBackend:
    """The LLM judge's model: the brain's own server and model, asked for JSON that fits a schema."""

    def __init__(self, brain: OpenAICompatBrain):
        self._brain = brain
        self._lock = threading.Lock()
        self._stream: Any = None
        self._schema_refused = False

    def describe(self) -> tuple[str, str]:
        target = self._brain.locate()
        return target.model, f"{target.model} on {target.server.kind}"

    def abort(self) -> None:
        with self._lock:
            stream = self._stream
        if stream is not None:
            hang_up(stream)

    def complete_json(self, system: str, prompt: str, schema: dict[str, Any], cancelled: Callable[[], bool]) -> str:
        import openai

        from prepai_cli.agent.llm_judge import JudgeCancelled

        target, client = self._brain.connect()
        while True:
            request: dict[str, Any] = {
                "model": target.model, "stream": True, "max_tokens": JUDGE_MAX_TOKENS, "temperature": 0,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            }
            if not self._schema_refused:
                request["response_format"] = {"type": "json_schema", "json_schema": {
                    "name": "answer_judgement", "schema": schema}}
            try:
                stream = client.chat.completions.create(**request)
                break
            except openai.APIStatusError as exc:
                text = _error_text(exc).lower()
                if self._schema_refused or exc.status_code not in (400, 422, 500, 501) or not (
                        "response_format" in text or "schema" in text):
                    raise
                self._schema_refused = True  # the prompt still asks for the JSON
        with self._lock:
            self._stream = stream
        parts: list[str] = []
        try:
            if cancelled():  # paused before the stream was registered, so abort() could not close it
                raise JudgeCancelled()
            for chunk in stream:
                if cancelled():
                    raise JudgeCancelled()
                if chunk.choices and chunk.choices[0].delta is not None and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
        finally:
            with self._lock:
                self._stream = None
            stream.close()
        if cancelled():
            raise JudgeCancelled()
        return "".join(parts)


def build_local_brain(settings: LocalLLMSettings, bank: QuestionBank, judge: AnswerJudge, matcher: Any,
                      tools: ToolBox | None) -> Any:
    """The brain with its LLM judge; the server is looked up now (milliseconds) and the model loaded in the
    background (Ollama loads on first use, seconds), so the first question is not kept waiting. A server that
    is not there is reported by the first turn, as one line, with the session left resumable."""
    from prepai_cli.agent.llm_judge import with_llm_judge
    from prepai_cli.agent.local_servers import warm_up

    brain = OpenAICompatBrain(settings, bank, judge, tools)
    try:
        target = brain.locate()
    except Exception as exc:  # noqa: BLE001 - respond() reports it in the interview's own words
        log.debug("local server not ready: %s", exc)
    else:
        def warm() -> None:
            try:
                brain.connect()  # imports the openai client (over a second: its types are many) off the main path
            except Exception as exc:  # noqa: BLE001 - the first turn connects again and reports it
                log.debug("client not ready: %s", exc)
            warm_up(target.server, target.model)
            brain.refresh_context()

        threading.Thread(target=warm, name="model-warm-up", daemon=True).start()
    return with_llm_judge(brain, bank, matcher, OpenAIJudgeBackend(brain)) if settings.judge else brain


def local_target(brain: object) -> LocalTarget | None:
    """The server and model a built brain talks to (through the fallback and judge wrappers), for the start-up line."""
    for _ in range(3):
        if isinstance(brain, OpenAICompatBrain):
            return brain.target
        brain = getattr(brain, "_primary", None) or getattr(brain, "inner", None)
    return None
