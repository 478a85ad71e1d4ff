"""Builders for the scripted Bedrock replies and the conversations the tests start from."""

from __future__ import annotations

import base64
import json
from typing import Any

from prepai_cli.agent.brain import Conversation
from prepai_cli.domain import NewTurn, Session
from prepai_cli.store import SessionStore

from . import eventstream as es
from .fake_aws import Frame


def chunk(text: str, delay: float = 0.0) -> Frame:
    """An InvokeAgent `chunk` event: the text travels base64-encoded in a JSON `bytes` member."""
    return Frame(es.event("chunk", {"bytes": base64.b64encode(text.encode()).decode()}), delay)


def return_control(invocation_id: str, function: str, parameters: dict[str, str],
                   action_group: str = "prepai-tools") -> Frame:
    return Frame(es.event("returnControl", {
        "invocationId": invocation_id,
        "invocationInputs": [{"functionInvocationInput": {
            "actionGroup": action_group, "function": function, "actionInvocationType": "RESULT",
            "parameters": [{"name": k, "type": "string", "value": v} for k, v in parameters.items()],
        }}],
    }))


def trace() -> Frame:
    return Frame(es.event("trace", {"agentId": "AGENT12345", "trace": {"orchestrationTrace": {
        "rationale": {"text": "Ask about hashing next."}}}}))


def converse_text(*texts: str, stop: str = "end_turn", usage: tuple[int, int] = (120, 30)) -> list[Frame]:
    frames = [Frame(es.event("messageStart", {"role": "assistant"}))]
    frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": t}})) for t in texts]
    frames.append(Frame(es.event("contentBlockStop", {"contentBlockIndex": 0})))
    frames += converse_stop(stop, usage)
    return frames


def converse_tool_use(index: int, tool_use_id: str, name: str, arguments: dict[str, Any], pieces: int = 3) -> list[Frame]:
    """A toolUse block whose JSON input arrives in fragments, as ConverseStream sends it."""
    raw = json.dumps(arguments)
    size = max(1, len(raw) // pieces + 1)
    frames = [Frame(es.event("contentBlockStart", {"contentBlockIndex": index, "start": {
        "toolUse": {"toolUseId": tool_use_id, "name": name}}}))]
    frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": index, "delta": {
        "toolUse": {"input": raw[i:i + size]}}})) for i in range(0, len(raw), size)]
    frames.append(Frame(es.event("contentBlockStop", {"contentBlockIndex": index})))
    return frames


def converse_stop(stop: str, usage: tuple[int, int]) -> list[Frame]:
    return [
        Frame(es.event("messageStop", {"stopReason": stop})),
        Frame(es.event("metadata", {"usage": {"inputTokens": usage[0], "outputTokens": usage[1],
                                              "totalTokens": sum(usage)}, "metrics": {"latencyMs": 5}})),
    ]


def conversation(store: SessionStore, type: str, turns: list[tuple[str, str, str]] | None = None,
                 *, end_requested: bool = False, cv_summary: str | None = None,
                 session: Session | None = None) -> Conversation:
    """A stored session with (role, kind, text) turns; code turns are python."""
    session = session or store.create_session(type, "bedrock-agent", "tester", {"questions": 2, "difficulty": 1})
    for role, kind, text in turns or []:
        meta = {"language": "python"} if kind == "code" else {}
        store.add_turn(session.id, NewTurn(role=role, kind=kind, text=text, meta=meta))  # type: ignore[arg-type]
    return Conversation(session=session, turns=store.turns(session.id), end_requested=end_requested,
                        cv_summary=cv_summary)


def harness_text(*texts: str, stop: str = "end_turn", usage: tuple[int, int] = (150, 25),
                 delay: float = 0.0) -> list[Frame]:
    """One InvokeHarness assistant message of text blocks; the harness streams Converse-shaped events."""
    return converse_text(*texts, stop=stop, usage=usage) if not delay else [
        Frame(f.data, delay) for f in converse_text(*texts, stop=stop, usage=usage)]


def harness_inline_tool_use(tool_use_id: str, name: str, arguments: dict[str, Any], *,
                            text: str | None = None) -> list[Frame]:
    """An assistant message that calls an inline function and pauses the harness (stopReason tool_use)."""
    frames = [Frame(es.event("messageStart", {"role": "assistant"}))]
    index = 0
    if text:
        frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}})),
                   Frame(es.event("contentBlockStop", {"contentBlockIndex": 0}))]
        index = 1
    raw = json.dumps(arguments)
    frames.append(Frame(es.event("contentBlockStart", {"contentBlockIndex": index, "start": {
        "toolUse": {"toolUseId": tool_use_id, "name": name, "type": "tool_use"}}})))
    frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": index, "delta": {
        "toolUse": {"input": raw[i:i + 40]}}})) for i in range(0, len(raw), 40)]
    frames.append(Frame(es.event("contentBlockStop", {"contentBlockIndex": index})))
    return frames + converse_stop("tool_use", (400, 30))


def harness_gateway_tool(tool_use_id: str, name: str, arguments: dict[str, Any],
                         result: dict[str, Any]) -> list[Frame]:
    """The harness calling a gateway tool itself: the model's toolUse, then the tool's result, in one stream."""
    frames = [Frame(es.event("messageStart", {"role": "assistant"})),
              Frame(es.event("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolUse": {
                  "toolUseId": tool_use_id, "name": name, "type": "mcp_tool_use", "serverName": "prepai_tools"}}})),
              Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {
                  "toolUse": {"input": json.dumps(arguments)}}})),
              Frame(es.event("contentBlockStop", {"contentBlockIndex": 0}))]
    frames += converse_stop("tool_use", (300, 20))
    frames += [Frame(es.event("messageStart", {"role": "user"})),
               Frame(es.event("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolResult": {
                   "toolUseId": tool_use_id, "status": "success"}}})),
               Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {
                   "toolResult": [{"json": result}]}})),
               Frame(es.event("contentBlockStop", {"contentBlockIndex": 0})),
               Frame(es.event("messageStop", {"stopReason": "tool_result"}))]
    return frames
