"""JSON-mode replies for models that cannot call tools: {"say": ..., "tool": null | {"name", "arguments"}}.

The reply is streamed JSON, but the interviewer's words must reach the voice as they are generated, not when the
object closes; `SayStream` decodes the "say" string while it streams (the schema puts it first). What it cannot
stream (a model that wrote "tool" first, or plain text instead of JSON) is recovered whole by `parse_reply`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from prepai_cli.agent.tools.registry import ToolSpec

_SAY_START = re.compile(r'\s*(?:```(?:json)?\s*)?\{\s*"say"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def reply_schema(specs: tuple[ToolSpec, ...]) -> dict[str, Any]:
    """The JSON schema of a JSON-mode reply; "say" first, so constrained decoders generate it first."""
    tool: dict[str, Any] = {
        "type": "object",
        "properties": {"name": {"type": "string", "enum": [s.name for s in specs]}, "arguments": {"type": "object"}},
        "required": ["name", "arguments"],
    }
    return {"type": "object", "properties": {"say": {"type": "string"}, "tool": {"anyOf": [{"type": "null"}, tool]}},
            "required": ["say", "tool"]}


def tools_prompt(specs: tuple[ToolSpec, ...]) -> str:
    """What the system prompt says instead of sending `tools`, for servers or models without tool calls."""
    lines = []
    for spec in specs:
        params = ", ".join(f"{p.name}{'' if p.required else '?'}: {p.type}" for p in spec.parameters)
        lines.append(f"- {spec.name}({params}): {spec.description}")
    return (
        "Reply with one JSON object and nothing else: {\"say\": \"your spoken words\", \"tool\": null}. "
        "To use a tool, reply {\"say\": \"a few words while you check, or an empty string\", \"tool\": "
        "{\"name\": \"tool name\", \"arguments\": {...}}}; its result comes back in the next message, then you "
        "reply again. Available tools:\n" + "\n".join(lines)
    )


class JsonReply(BaseModel):
    say: str = ""
    tool_name: str | None = None
    tool_arguments: dict[str, Any] = {}
    parsed: bool = True  # False: not JSON at all; `say` is the raw text


def _object(raw: str) -> Any:
    text = raw.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object")
    return json.loads(text[start:end + 1])


def parse_reply(raw: str) -> JsonReply:
    try:
        value = _object(raw)
    except ValueError:
        return JsonReply(say=raw.strip(), parsed=False)
    if not isinstance(value, dict):
        return JsonReply(say=raw.strip(), parsed=False)
    say = value.get("say") if isinstance(value.get("say"), str) else ""
    tool = value.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("name"), str) and tool["name"]:
        arguments = tool.get("arguments") if isinstance(tool.get("arguments"), dict) else {}
        return JsonReply(say=say, tool_name=tool["name"], tool_arguments=arguments)
    return JsonReply(say=say)


def parse_tool_text(raw: str) -> tuple[str, dict[str, Any]] | None:
    """A tool call a model wrote as text instead of calling it ({"name": ..., "arguments"|"parameters": ...},
    optionally inside <tool_call> tags or a code fence): the sign that its native tool calls are unreliable."""
    text = raw.strip().removeprefix("<tool_call>").removesuffix("</tool_call>")
    try:
        value = _object(text)
    except ValueError:
        return None
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):
        value = value["function"]
    name = value.get("name")
    arguments = value.get("arguments", value.get("parameters", {}))
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            return None
    if not isinstance(name, str) or not isinstance(arguments, dict):
        return None
    return name, arguments


class SayStream:
    """Feeds streamed JSON fragments; returns the newly decoded characters of the "say" string each time."""

    def __init__(self) -> None:
        self.raw = ""
        self._pos: int | None = None  # where the undecoded part of the say string starts
        self._closed = False
        self.streamed = ""

    def feed(self, fragment: str) -> str:
        self.raw += fragment
        if self._closed:
            return ""
        if self._pos is None:
            match = _SAY_START.match(self.raw)
            if match is None:
                return ""
            self._pos = match.end()
        out: list[str] = []
        raw, pos = self.raw, self._pos
        while pos < len(raw):
            char = raw[pos]
            if char == '"':
                self._closed = True
                pos += 1
                break
            if char != "\\":
                out.append(char)
                pos += 1
                continue
            if pos + 1 >= len(raw):
                break  # the escape continues in the next fragment
            code = raw[pos + 1]
            if code == "u":
                if pos + 6 > len(raw):
                    break
                try:
                    out.append(chr(int(raw[pos + 2:pos + 6], 16)))
                except ValueError:
                    pass
                pos += 6
                continue
            out.append(_ESCAPES.get(code, code))
            pos += 2
        self._pos = pos
        text = "".join(out)
        self.streamed += text
        return text

    @property
    def started(self) -> bool:
        return self._pos is not None
