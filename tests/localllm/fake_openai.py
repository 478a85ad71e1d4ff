"""A local HTTP server that speaks the OpenAI Chat Completions streaming protocol, for the real `openai` client.

POST /v1/chat/completions takes the next scripted reply (or asks `responder`, for suites that answer from the
request); a `Sse` reply goes out as server-sent events (`data: {chat.completion.chunk}` lines, then
`data: [DONE]`), chunked, flushed one event at a time, so the client sees each delta as it is sent. GET routes
(`/v1/models`, Ollama's `/api/tags`, `/api/show`, `/api/ps`, llama.cpp's `/props` ...) answer from `routes`.
Every request is recorded so tests can assert on what the client sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

from tests.bedrock.fake_aws import Gate, Recorded

__all__ = ["Gate", "Recorded"]  # shared with the Bedrock fake: same gate, same request record

MODEL = "llama3.2:3b"


@dataclass(frozen=True)
class Event:
    """One SSE event: a chat.completion.chunk payload (dict) or raw text such as "[DONE]"."""

    data: Any
    delay: float = 0.0


@dataclass(frozen=True)
class Cut:
    """Drops the connection mid-stream, without the terminating chunk."""


Step = Union[Event, Gate, Cut]


@dataclass
class Sse:
    steps: list[Step]


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    content_type: str = "application/json"

    @classmethod
    def error(cls, status: int, message: str, type_: str = "invalid_request_error") -> "Reply":
        """An error the way OpenAI-compatible servers send it: {"error": {"message", "type"}}."""
        return cls(status, {"error": {"message": message, "type": type_, "code": None}})


Responder = Callable[[dict[str, Any]], Union[Sse, Reply]]


def chunk(delta: dict[str, Any] | None = None, *, finish: str | None = None, usage: dict[str, int] | None = None,
          model: str = MODEL) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1764547200,
                               "model": model, "system_fingerprint": "fp_fake",
                               "choices": [] if delta is None and finish is None else
                               [{"index": 0, "delta": delta or {}, "finish_reason": finish, "logprobs": None}]}
    if usage is not None:
        payload["usage"] = usage
    return payload


def text_reply(*parts: str, delay: float = 0.0, usage: tuple[int, int] = (200, 30), model: str = MODEL) -> Sse:
    """A streamed assistant message: a role delta, one delta per part, a stop, a usage chunk, [DONE]."""
    steps: list[Step] = [Event(chunk({"role": "assistant", "content": ""}, model=model))]
    steps += [Event(chunk({"content": p}, model=model), delay) for p in parts]
    steps += finish_events("stop", usage, model)
    return Sse(steps)


def tool_call_events(index: int, call_id: str, name: str, arguments: dict[str, Any], pieces: int = 3,
                     model: str = MODEL) -> list[Step]:
    """A tool call whose id and name come first and whose JSON arguments arrive split over several chunks."""
    raw = json.dumps(arguments)
    size = max(1, len(raw) // pieces + 1)
    steps: list[Step] = [Event(chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                                      "function": {"name": name, "arguments": ""}}]}, model=model))]
    steps += [Event(chunk({"tool_calls": [{"index": index, "function": {"arguments": raw[i:i + size]}}]}, model=model))
              for i in range(0, len(raw), size)]
    return steps


def finish_events(reason: str, usage: tuple[int, int] = (200, 30), model: str = MODEL) -> list[Step]:
    return [Event(chunk({}, finish=reason, model=model)),
            Event(chunk(usage={"prompt_tokens": usage[0], "completion_tokens": usage[1],
                               "total_tokens": sum(usage)}, model=model)),
            Event("[DONE]")]


def tool_reply(*calls: tuple[str, str, dict[str, Any]], say: str = "", model: str = MODEL) -> Sse:
    steps: list[Step] = [Event(chunk({"role": "assistant", "content": ""}, model=model))]
    if say:
        steps.append(Event(chunk({"content": say}, model=model)))
    for index, (call_id, name, arguments) in enumerate(calls):
        steps += tool_call_events(index, call_id, name, arguments, model=model)
    steps += finish_events("tool_calls", model=model)
    return Sse(steps)


def json_reply(value: dict[str, Any], pieces: int = 6, model: str = MODEL) -> Sse:
    """A JSON-mode answer streamed as content fragments, as a server with response_format sends it."""
    raw = json.dumps(value)
    size = max(1, len(raw) // pieces + 1)
    return text_reply(*[raw[i:i + size] for i in range(0, len(raw), size)], model=model)


def models_listing(*names: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": n, "object": "model", "created": 1764547200, "owned_by": "library"}
                                       for n in names]}


def ollama_routes(*names: str, context_length: int = 8192, tools: bool = True) -> dict[str, Any]:
    """What Ollama answers on its native endpoints for models `names` (the first one loaded)."""
    capabilities = ["completion", "tools"] if tools else ["completion"]
    return {
        "/": Reply(200, "Ollama is running", "text/plain"),
        "/v1/models": Reply(200, models_listing(*names)),
        "/api/tags": Reply(200, {"models": [{"name": n, "model": n, "size": 2019393189} for n in names]}),
        "/api/version": Reply(200, {"version": "0.13.0"}),
        "/api/ps": Reply(200, {"models": [{"name": names[0], "model": names[0], "context_length": context_length}]}),
        "/api/show": Reply(200, {"capabilities": capabilities, "parameters": "",
                                 "model_info": {"llama.context_length": 131072}}),
    }


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that hung up (barge-in, a cut stream) is what some tests are about


class FakeOpenAI:
    def __init__(self, routes: dict[str, Any] | None = None, responder: Responder | None = None) -> None:
        self._replies: deque[Sse | Reply] = deque()
        self._lock = threading.Lock()
        self.routes: dict[str, Any] = routes if routes is not None else {"/v1/models": Reply(200, models_listing(MODEL))}
        self.responder = responder
        self.requests: list[Recorded] = []
        self.sent: list[tuple[float, str]] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def expect(self, *replies: Sse | Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._replies)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Sse | Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return Reply.error(500, "fake server: no reply scripted for this request", "server_error")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._record(b"")
                route = fake.routes.get(self.path.split("?")[0])
                self._send_reply(route if isinstance(route, Reply) else
                                 Reply(200, route) if route is not None else Reply.error(404, "not found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                self._record(body)
                path = self.path.split("?")[0]
                if not path.endswith("/chat/completions"):
                    route = fake.routes.get(path)
                    self._send_reply(route if isinstance(route, Reply) else
                                     Reply(200, route) if route is not None else Reply.error(404, "not found"))
                    return
                reply = fake._next(json.loads(body or b"{}"))
                if isinstance(reply, Reply):
                    self._send_reply(reply)
                else:
                    self._send_sse(reply)

            def _record(self, body: bytes) -> None:
                with fake._lock:
                    fake.requests.append(Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))

            def _send_reply(self, reply: Reply) -> None:
                if isinstance(reply.body, (bytes, str)):
                    raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
                else:
                    raw = json.dumps(reply.body if reply.body is not None else {}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _send_sse(self, stream: Sse) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for index, step in enumerate(stream.steps):
                        if isinstance(step, Gate):
                            step.opened_in_time = step.event.wait(step.timeout)
                            continue
                        if isinstance(step, Cut):
                            fake.sent.append((time.monotonic(), f"cut {index}"))
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                        if step.delay:
                            time.sleep(step.delay)
                        data = step.data if isinstance(step.data, str) else json.dumps(step.data)
                        fake.sent.append((time.monotonic(), f"event {index}"))  # when it leaves, for latency
                        self._chunk(f"data: {data}\n\n".encode())
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    fake.sent.append((time.monotonic(), "client closed"))
                    self.close_connection = True

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler
