"""A tiny HTTP proxy in front of moto: counts what reaches S3 and injects faults (5xx, delays, dropped connections)."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}
_ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                  b"<Message>Access Denied</Message></Error>")
_INTERNAL_ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                   b"<Message>injected by the test proxy</Message></Error>")


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0: the client got no response (upstream down or connection dropped on purpose)
    headers: dict[str, str]

    @property
    def key(self) -> str:
        """Object key for path-style requests: /bucket/key."""
        parts = unquote(self.path).lstrip("/").split("/", 1)
        return parts[1] if len(parts) == 2 else ""

    @property
    def is_object_write(self) -> bool:
        """A request that makes an object exist: PutObject or CompleteMultipartUpload (not parts)."""
        if self.method == "PUT":
            return bool(self.key) and "partNumber" not in self.query and "uploadId" not in self.query
        return self.method == "POST" and "uploadId" in self.query


@dataclass
class FaultPlan:
    fail_next_writes: int = 0  # answer this many object writes with 500 without forwarding them
    delay_s: float = 0.0  # before forwarding every request
    # Called after upstream answered; returning True drops the connection instead of relaying the answer.
    after_response: Callable[[Exchange], bool] | None = None
    # moto ignores ExpectedBucketOwner; with an account id here the proxy answers a mismatch like S3 does (403).
    bucket_owner: str | None = None
    log: list[Exchange] = field(default_factory=list)


class S3Proxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.plan = FaultPlan()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline().strip():
                                pass
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))

            def _handle(self) -> None:
                body = self._body()
                split = urlsplit(self.path)
                exchange_base = dict(method=self.command, path=split.path, query=parse_qs(split.query, True),
                                     headers={k.lower(): v for k, v in self.headers.items()})
                probe = Exchange(status=0, **exchange_base)  # type: ignore[arg-type]
                with proxy.lock:
                    inject = probe.is_object_write and proxy.plan.fail_next_writes > 0
                    if inject:
                        proxy.plan.fail_next_writes -= 1
                    delay = proxy.plan.delay_s
                    owner = proxy.plan.bucket_owner
                expected = probe.headers.get("x-amz-expected-bucket-owner")
                if owner is not None and expected is not None and expected != owner:
                    proxy._record(Exchange(status=403, **exchange_base))  # type: ignore[arg-type]
                    self._reply(403, [("Content-Type", "application/xml")], b"" if self.command == "HEAD" else _ACCESS_DENIED,
                                head=self.command == "HEAD")
                    return
                if inject:
                    proxy._record(Exchange(status=500, **exchange_base))  # type: ignore[arg-type]
                    self._reply(500, [("Content-Type", "application/xml")], _INTERNAL_ERROR)
                    return
                if delay:
                    time.sleep(delay)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Content-Length"] = str(len(body))
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status, response_headers = response.status, response.getheaders()
                    conn.close()
                except OSError:
                    proxy._record(Exchange(status=0, **exchange_base))  # type: ignore[arg-type]
                    self.close_connection = True  # the server is gone: the client sees a dropped connection
                    return
                exchange = Exchange(status=status, **exchange_base)  # type: ignore[arg-type]
                proxy._record(exchange)
                hook = proxy.plan.after_response
                if hook is not None and hook(exchange):
                    self.close_connection = True
                    return
                self._reply(status, [(k, v) for k, v in response_headers if k.lower() not in _HOP_BY_HOP],
                            payload, head=self.command == "HEAD")

            def _reply(self, status: int, headers: list[tuple[str, str]], payload: bytes, head: bool = False) -> None:
                self.send_response(status)
                has_length = False
                for k, v in headers:
                    if k.lower() in {"server", "date"}:
                        continue
                    if k.lower() == "content-length":
                        has_length = True
                        if not head:
                            v = str(len(payload))
                    self.send_header(k, v)
                if not has_length:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if not head:
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients hanging up on a delayed or dropped answer is the point of the faults

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _record(self, exchange: Exchange) -> None:
        with self.lock:
            self.plan.log.append(exchange)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> S3Proxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def exchanges(self) -> list[Exchange]:
        with self.lock:
            return list(self.plan.log)

    def successful_writes(self) -> Counter[str]:
        """How many times each key was successfully written (2xx) to the real server."""
        return Counter(e.key for e in self.exchanges() if e.is_object_write and 200 <= e.status < 300)

    def reset_log(self) -> None:
        with self.lock:
            self.plan.log.clear()
