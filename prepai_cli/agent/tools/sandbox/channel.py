"""The parent's side of the results channel: it asks for one test at a time and accepts exactly one answer.

Why a forged record cannot pass a test: the expected outputs never enter the sandbox; the parent sends
"run test i" with a fresh random nonce and takes the single line that echoes it, within that test's own
deadline measured here, as test i's outcome; it compares the value itself. A record written ahead of the
question cannot carry its nonce, and one written beside the harness's own answer makes two lines. So the
only thing candidate code can put on the channel is a value it produced, after being asked, within the time
limit, which is what a passing test means. Anything else (a line before the question, a second line, a wrong
index or nonce, bad JSON, a line too long) ends the run as tampering.
Deadlines come from this side's clock only, never from anything the child writes.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MAX_DEPTH = 60

HarnessStatus = Literal["returned", "error", "timeout", "memory_limit", "sandbox_violation"]
LoadStatus = Literal["compile_error", "timeout", "memory_limit", "sandbox_violation", "crashed"]


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, stopping at `limit` (iterative: a deep value must not exhaust the parent's stack)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
    return deepest


class LoadRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["load"]
    ok: bool
    status: LoadStatus | None = None
    error: str | None = None
    stdout: str = ""
    stderr: str = ""


class TestRecord(BaseModel):
    __test__ = False
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["test"]
    index: int = Field(ge=0)
    nonce: str
    status: HarnessStatus
    actual: Any = None
    error: str | None = None
    stdout: str = ""
    stderr: str = ""
    time_ms: Any = None  # the harness's own timing, unused: the parent's clock is the one reported

    @field_validator("actual")
    @classmethod
    def _not_too_deep(cls, value: Any) -> Any:
        if _depth(value, MAX_DEPTH) > MAX_DEPTH:
            raise ValueError("nested too deeply")
        return value


class Tampering(Exception):
    """The child broke the protocol; the message says how, for the verdict."""


def parse_line(line: bytes, expect: Literal["load", "test"], index: int | None = None,
               nonce: str | None = None) -> LoadRecord | TestRecord:
    """One record, or Tampering; never any other exception, whatever the bytes."""
    try:
        raw = json.loads(line.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        raise Tampering("the sandbox's results channel carried something that is not a result") from None
    if not isinstance(raw, dict):
        raise Tampering("the sandbox's results channel carried something that is not a result")
    model = LoadRecord if expect == "load" else TestRecord
    try:
        record = model.model_validate(raw)
    except (ValidationError, RecursionError):
        raise Tampering("the sandbox's results channel carried a malformed result") from None
    if isinstance(record, TestRecord) and record.index != index:
        raise Tampering(f"a result for test {record.index + 1} arrived when test {(index or 0) + 1} was asked for")
    if isinstance(record, TestRecord) and not hmac.compare_digest(record.nonce, nonce or ""):
        raise Tampering(f"a result for test {record.index + 1} was written before the test was asked for")
    return record


class Exchange:
    """Splits the child's bytes into records, one per question asked."""

    def __init__(self, max_line_bytes: int) -> None:
        self.max_line_bytes = max_line_bytes
        self.buffer = bytearray()
        self.awaiting: Literal["load", "test"] | None = "load"
        self.index: int | None = None
        self.nonce: str | None = None

    def ask(self, index: int) -> bytes:
        """The request line for test `index`."""
        self.awaiting, self.index, self.nonce = "test", index, secrets.token_hex(16)
        return f"{index} {self.nonce}\n".encode()

    def finish(self) -> None:
        self.awaiting, self.index, self.nonce = None, None, None

    def feed(self, data: bytes) -> LoadRecord | TestRecord | None:
        """The answer once its line is complete; Tampering for anything the harness never writes."""
        self.buffer.extend(data)
        newline = self.buffer.find(b"\n")
        if newline < 0:
            if len(self.buffer) > self.max_line_bytes:
                raise Tampering("the sandbox's results channel carried a result larger than any test's")
            return None
        if self.awaiting is None:
            raise Tampering("the sandbox's results channel carried a result nobody asked for")
        line, rest = bytes(self.buffer[:newline]), self.buffer[newline + 1:]
        if rest or len(line) > self.max_line_bytes:
            raise Tampering("the sandbox's results channel carried more than one result per test")
        self.buffer = bytearray()
        record = parse_line(line, self.awaiting, self.index, self.nonce)
        self.awaiting = None
        return record
