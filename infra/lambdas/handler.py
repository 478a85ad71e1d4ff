"""Bedrock Agent action-group Lambda (function details) for PrepAI's tools.

It only translates between the Bedrock Agent event/response format and LocalToolBox; the tools themselves
live in prepai_cli.agent.tools, shared with the local app. Deploy with the prepai_cli package alongside.

Event:    {"messageVersion": "1.0", "agent": {...}, "actionGroup": ..., "function": ...,
           "parameters": [{"name", "type", "value"}], "sessionId", "sessionAttributes",
           "promptSessionAttributes", "inputText"}
Response: {"messageVersion": "1.0", "response": {"actionGroup", "function", "functionResponse":
           {"responseState"?: "FAILURE"|"REPROMPT", "responseBody": {"TEXT": {"body": "<json>"}}}},
           "sessionAttributes", "promptSessionAttributes"}
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prepai_cli.agent.tools import INVALID_ARGUMENTS, LocalToolBox, tool_error, tool_spec

log = logging.getLogger(__name__)


class AgentParameter(BaseModel):
    name: str
    type: str = "string"
    value: Any = None


class AgentEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    messageVersion: str = "1.0"
    agent: dict[str, Any] = Field(default_factory=dict)
    actionGroup: str = ""
    function: str
    parameters: list[AgentParameter] = Field(default_factory=list)
    sessionId: str = ""
    sessionAttributes: dict[str, str] = Field(default_factory=dict)
    promptSessionAttributes: dict[str, str] = Field(default_factory=dict)
    inputText: str = ""


class _Unparseable(ValueError):
    pass


def _coerce(raw: Any, declared: str, name: str) -> Any:
    """Bedrock sends every value as a string; turn it back into the type the tool declared."""
    if raw is None or not isinstance(raw, str):
        return raw
    try:
        if declared == "integer":
            return int(raw.strip())
        if declared == "number":
            return float(raw.strip())
        if declared == "boolean":
            lowered = raw.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(raw)
            return lowered == "true"
        if declared == "array":
            value = json.loads(raw)
            if not isinstance(value, list):
                raise ValueError(raw)
            return value
    except ValueError:
        raise _Unparseable(f"parameter {name} must be {declared}, got {raw[:60]!r}") from None
    return raw


def arguments_from_event(event: AgentEvent) -> dict[str, Any]:
    spec = tool_spec(event.function)
    declared = {p.name: p.type for p in spec.parameters} if spec else {}
    return {p.name: _coerce(p.value, declared.get(p.name, p.type), p.name) for p in event.parameters}


def _response(event: dict[str, Any], body: dict[str, Any], state: str | None) -> dict[str, Any]:
    function_response: dict[str, Any] = {"responseBody": {"TEXT": {"body": json.dumps(body)}}}
    if state is not None:
        function_response["responseState"] = state
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": event.get("actionGroup", ""),
            "function": event.get("function", ""),
            "functionResponse": function_response,
        },
        "sessionAttributes": event.get("sessionAttributes") or {},
        "promptSessionAttributes": event.get("promptSessionAttributes") or {},
    }


def handle(raw_event: dict[str, Any], toolbox: LocalToolBox) -> dict[str, Any]:
    try:
        event = AgentEvent.model_validate(raw_event)
    except ValidationError as exc:
        return _response(raw_event if isinstance(raw_event, dict) else {},
                         tool_error(f"malformed action group event: {exc.errors()[0]['msg']}"), "FAILURE")
    if not toolbox.has(event.function):
        return _response(raw_event, tool_error(f"unknown function {event.function!r}", INVALID_ARGUMENTS), "REPROMPT")
    try:
        arguments = arguments_from_event(event)
    except _Unparseable as exc:
        return _response(raw_event, tool_error(str(exc), INVALID_ARGUMENTS), "REPROMPT")
    result = toolbox.call(event.function, arguments)
    if "error" in result:
        # REPROMPT lets the agent fix its arguments; FAILURE tells it the tool itself could not do the job.
        state = "REPROMPT" if result.get("error_kind") == INVALID_ARGUMENTS else "FAILURE"
        log.warning("tool %s returned %s: %s", event.function, state, result["error"])
        return _response(raw_event, result, state)
    return _response(raw_event, result, None)


@cache
def _toolbox() -> LocalToolBox:
    # One per warm Lambda container: the evaluator's model and the search index load once, not per call.
    return LocalToolBox(allow_paths=False)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _toolbox())
