"""A local HTTP server that plays scripted AWS responses, including chunked event streams.

Each request takes the next scripted reply, in order, whatever its path (or, once none is left, asks `responder`,
for suites that answer from the request); every request is recorded so tests can assert on what the client sent. Event streams go out with chunked transfer encoding, one frame per chunk, which is
how Bedrock delivers them and what lets botocore hand events over as they arrive.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any, Union


@dataclass(frozen=True)
class Frame:
    data: bytes
    delay: float = 0.0


@dataclass
class Gate:
    """Holds the stream until the test opens the gate (or `timeout` passes); records which happened."""

    timeout: float = 5.0
    event: threading.Event = field(default_factory=threading.Event)
    opened_in_time: bool | None = None

    def open(self) -> None:
        self.event.set()


@dataclass(frozen=True)
class Cut:
    """Sends the first `keep` bytes of `data` and drops the connection mid-message."""

    data: bytes
    keep: int


Step = Union[Frame, Gate, Cut]


@dataclass
class Stream:
    steps: list[Step]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    @classmethod
    def error(cls, status: int, code: str, message: str) -> "Reply":
        """A rest-json error the way AWS sends it before any stream starts (PascalCase code)."""
        return cls(status, {"message": message}, {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/"})


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


Responder = Callable[["Recorded"], "Stream | Reply"]


class FakeAws:
    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder
        self._replies: deque[Stream | Reply] = deque()
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.sent: list[tuple[float, str]] = []  # (monotonic time, what) for ordering assertions
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-aws", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def expect(self, *replies: Stream | Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._replies)

    def start(self) -> "FakeAws":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: Recorded) -> Stream | Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply.error(500, "InternalServerException", "fake AWS: no reply scripted for this request")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                return

            def do_POST(self) -> None:
                self._serve()

            def do_GET(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
                with fake._lock:
                    fake.requests.append(recorded)
                reply = fake._next(recorded)
                if isinstance(reply, Reply):
                    self._send_reply(reply)
                else:
                    self._send_stream(reply)

            def _send_reply(self, reply: Reply) -> None:
                if isinstance(reply.body, (bytes, str)):
                    raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
                else:
                    raw = json.dumps(reply.body if reply.body is not None else {}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("x-amzn-RequestId", "fake-request")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _send_stream(self, stream: Stream) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.amazon.eventstream")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("x-amzn-RequestId", "fake-request")
                for name, value in stream.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    for index, step in enumerate(stream.steps):
                        if isinstance(step, Gate):
                            step.opened_in_time = step.event.wait(step.timeout)
                            continue
                        if isinstance(step, Cut):
                            self._chunk(step.data[: step.keep])
                            fake.sent.append((time.monotonic(), f"cut {index}"))
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                        if step.delay:
                            time.sleep(step.delay)
                        self._chunk(step.data)
                        fake.sent.append((time.monotonic(), f"frame {index}"))
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    # The client closed the stream early (barge-in); that is what some tests check for.
                    fake.sent.append((time.monotonic(), "client closed"))
                    self.close_connection = True

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler
