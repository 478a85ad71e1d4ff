"""The tool Lambda as an AgentCore Gateway target: arguments as the event, the tool's name in the client context,
and knowledge-base search through Bedrock Retrieve (botocore Stubber with the real bedrock-agent-runtime model)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.lambdas import handler
from infra.lambdas.handler import gateway_tool_name, handle_gateway
from prepai_cli.agent.tools import LocalToolBox

CV = ("Jane Doe\nExperience\nSenior Engineer, Acme Corp, 2019 - 2024\n"
      "Led a team of 5 and cut latency by 40% using Python and AWS Lambda.\nSkills\nPython, Go, Kubernetes")


def gateway_context(tool: str) -> Any:
    """What Lambda hands a function the gateway invokes: the tool's full name in the client context."""
    return SimpleNamespace(client_context=SimpleNamespace(custom={
        "bedrockAgentCoreToolName": f"cv-analysis___{tool}", "bedrockAgentCoreGatewayId": "prepai-tools-ab12cd34ef",
        "bedrockAgentCoreTargetId": "TARGET1234", "bedrockAgentCoreMessageVersion": "1.0"}))


def test_the_tool_name_comes_from_the_client_context() -> None:
    assert gateway_tool_name(gateway_context("analyze_cv")) == "analyze_cv"
    assert gateway_tool_name(None) is None
    assert gateway_tool_name(SimpleNamespace(client_context=None)) is None


def test_a_gateway_call_runs_the_tool_with_the_event_as_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KNOWLEDGE_BASE_ID", raising=False)
    handler._knowledge_base.cache_clear()
    result = handler.lambda_handler({"text": CV}, gateway_context("analyze_cv"))
    assert "python" in str(result).lower() and "error" not in result
    unknown = handler.lambda_handler({"x": 1}, gateway_context("book_flight"))
    assert unknown["error_kind"] == "invalid_arguments" and "book_flight" in unknown["error"]
    assert handle_gateway(["not", "an", "object"], "analyze_cv", LocalToolBox(allow_paths=False))["error"]


def test_knowledge_search_retrieves_from_the_stacks_knowledge_base() -> None:
    client = boto3.client("bedrock-agent-runtime", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    stub = Stubber(client)
    stub.add_response("retrieve", {"retrievalResults": [{
        "content": {"text": "# Hot partitions\n\nSpread writes with a random suffix on the partition key."},
        "location": {"type": "S3", "s3Location": {"uri": "s3://kb/notes/aws/dynamodb.md"}},
        "metadata": {"doc_id": "note-dynamodb", "interview_type": "aws-solutions-architect"}, "score": 0.71}]}, {
        "knowledgeBaseId": "KBASE12345", "retrievalQuery": {"text": "dynamodb hot partition"},
        "retrievalConfiguration": {"vectorSearchConfiguration": {"numberOfResults": 3, "filter": {"orAll": [
            {"listContains": {"key": "interview_types", "value": "aws-solutions-architect"}},
            {"equals": {"key": "interview_type", "value": "general"}}]}}}})
    with stub:
        result = handle_gateway({"query": "dynamodb hot partition", "interview_type": "aws-solutions-architect",
                                 "top_k": 3}, "search_knowledge_base", LocalToolBox(allow_paths=False),
                                (client, "KBASE12345"))
    assert result == {"query": "dynamodb hot partition", "hits": [{
        "doc_id": "note-dynamodb", "title": "Hot partitions", "type": "aws-solutions-architect",
        "snippet": "# Hot partitions\n\nSpread writes with a random suffix on the partition key.", "score": 0.71}]}
    assert handle_gateway({"query": " "}, "search_knowledge_base", LocalToolBox(allow_paths=False),
                          (client, "KBASE12345"))["error_kind"] == "invalid_arguments"
