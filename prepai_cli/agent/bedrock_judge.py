"""The LLM judge on Bedrock: the `--brain bedrock` model judges each answer (llm_judge), through ConverseStream.

ConverseStream, not Converse, because it needs the permission the brain already has
(bedrock:InvokeModelWithResponseStream). The judgement is forced through a tool whose input schema is the
judgement's (Bedrock's way to get JSON that fits a schema); models that cannot be forced to a tool are asked for
the JSON in text instead.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from prepai_cli.agent.aws import error_code, make_client
from prepai_cli.agent.llm_judge import JudgeCancelled
from prepai_cli.config import AWSSettings

log = logging.getLogger("prepai.judge")

TOOL_NAME = "record_judgement"
MAX_TOKENS = 500


class BedrockJudgeBackend:
    def __init__(self, aws: AWSSettings, client_factory: Callable[[AWSSettings], BaseClient] | None = None):
        self._aws = aws
        self._client_factory = client_factory or (lambda settings: make_client(settings, "bedrock-runtime"))
        self._client: BaseClient | None = None
        self._lock = threading.Lock()
        self._stream: Any = None
        self._forced_tool_refused = False

    def describe(self) -> tuple[str, str]:
        return self._aws.model_id, f"{self._aws.model_id} on Amazon Bedrock"

    def abort(self) -> None:
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    def complete_json(self, system: str, prompt: str, schema: dict[str, Any], cancelled: Callable[[], bool]) -> str:
        with self._lock:
            if self._client is None:
                self._client = self._client_factory(self._aws)
            client = self._client
        request: dict[str, Any] = {
            "modelId": self._aws.model_id, "system": [{"text": system}],
            "messages": [{"role": "user", "content": [{"text": prompt}]}],
            "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": 0},
        }
        if not self._forced_tool_refused:
            request["toolConfig"] = {
                "tools": [{"toolSpec": {"name": TOOL_NAME, "description": "Record the judgement of the answer.",
                                        "inputSchema": {"json": schema}}}],
                "toolChoice": {"tool": {"name": TOOL_NAME}},
            }
        try:
            response = client.converse_stream(**request)
        except ClientError as exc:
            if "toolConfig" not in request or error_code(exc) != "ValidationException":
                raise
            log.info("the model cannot be forced to a tool; asking for JSON text")
            self._forced_tool_refused = True
            request.pop("toolConfig")
            response = client.converse_stream(**request)
        stream = response["stream"]
        with self._lock:
            self._stream = stream
        text: list[str] = []
        tool_input: list[str] = []
        try:
            if cancelled():
                raise JudgeCancelled()
            for event in stream:
                if cancelled():
                    raise JudgeCancelled()
                delta = event.get("contentBlockDelta", {}).get("delta", {})
                if "toolUse" in delta:
                    tool_input.append(delta["toolUse"].get("input", ""))
                elif delta.get("text"):
                    text.append(delta["text"])
        finally:
            with self._lock:
                self._stream = None
            stream.close()
        return "".join(tool_input) or "".join(text) or json.dumps({})
