"""PrepAI's tools as a Lambda: a target of the AgentCore Gateway, or a Bedrock Agent (Agents Classic) action group.

It only translates between the callers' formats and LocalToolBox; the tools themselves live in
prepai_cli.agent.tools, shared with the local app. Deploy with the prepai_cli package alongside.

AgentCore Gateway: the event is the tool's arguments as a JSON object; the tool's name arrives in the client
context as `<target>___<tool>` (custom key bedrockAgentCoreToolName); the return value is the tool's result. With
KNOWLEDGE_BASE_ID set, search_knowledge_base retrieves from that Bedrock knowledge base instead of the bundled notes.

Agents Classic:

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
import os
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


GATEWAY_TOOL_KEY = "bedrockAgentCoreToolName"
GATEWAY_TOOL_SEPARATOR = "___"
KB_RESULTS_MAX = 20


def gateway_tool_name(context: Any) -> str | None:
    """The tool a gateway call is for, without the target prefix; None when the caller is not a gateway."""
    custom = getattr(getattr(context, "client_context", None), "custom", None) or {}
    full = custom.get(GATEWAY_TOOL_KEY) if isinstance(custom, dict) else None
    return str(full).split(GATEWAY_TOOL_SEPARATOR, 1)[-1] if full else None


def retrieve(client: Any, knowledge_base_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """search_knowledge_base over the stack's Bedrock knowledge base, in the local tool's result shape."""
    query = str(arguments.get("query") or "").strip()
    if not query:
        return tool_error("search_knowledge_base needs a query", INVALID_ARGUMENTS)
    try:
        top_k = max(1, min(KB_RESULTS_MAX, int(arguments.get("top_k") or 5)))
    except (TypeError, ValueError):
        return tool_error("top_k must be a whole number", INVALID_ARGUMENTS)
    config: dict[str, Any] = {"numberOfResults": top_k}
    interview_type = arguments.get("interview_type")
    if interview_type:
        config["filter"] = {"orAll": [{"listContains": {"key": "interview_types", "value": str(interview_type)}},
                                      {"equals": {"key": "interview_type", "value": "general"}}]}
    answer = client.retrieve(knowledgeBaseId=knowledge_base_id, retrievalQuery={"text": query},
                             retrievalConfiguration={"vectorSearchConfiguration": config})
    hits = []
    for item in answer.get("retrievalResults", []):
        metadata = item.get("metadata") or {}
        text = str(item.get("content", {}).get("text", ""))
        title = text.splitlines()[0].lstrip("# ") if text else ""
        hits.append({"doc_id": str(metadata.get("doc_id", "")), "title": title,
                     "type": str(metadata.get("interview_type", "")), "snippet": text[:600],
                     "score": float(item.get("score", 0.0))})
    return {"query": query, "hits": hits}


def handle_gateway(arguments: Any, tool: str, toolbox: LocalToolBox,
                   knowledge_base: tuple[Any, str] | None = None) -> dict[str, Any]:
    if not isinstance(arguments, dict):
        return tool_error("the tool's arguments must be a JSON object", INVALID_ARGUMENTS)
    if not toolbox.has(tool):
        return tool_error(f"unknown tool {tool!r}", INVALID_ARGUMENTS)
    if tool == "search_knowledge_base" and knowledge_base is not None:
        client, knowledge_base_id = knowledge_base
        return retrieve(client, knowledge_base_id, arguments)
    result = toolbox.call(tool, arguments)
    if "error" in result:
        log.warning("tool %s failed: %s", tool, result["error"])
    return result


@cache
def _toolbox() -> LocalToolBox:
    # One per warm Lambda container: the evaluator's model and the search index load once, not per call.
    return LocalToolBox(allow_paths=False)


@cache
def _knowledge_base() -> tuple[Any, str] | None:
    knowledge_base_id = os.environ.get("KNOWLEDGE_BASE_ID")
    if not knowledge_base_id:
        return None
    import boto3

    return boto3.client("bedrock-agent-runtime"), knowledge_base_id


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    tool = gateway_tool_name(context)
    if tool is not None:
        return handle_gateway(event, tool, _toolbox(), _knowledge_base())
    return handle(event, _toolbox())
