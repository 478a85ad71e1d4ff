"""Test-only: the real template made deployable on moto's CloudFormation.

moto has no Bedrock, Bedrock AgentCore or S3 Vectors resources, and it leaves `AWS::NoValue` as a null inside lists
(IAM then rejects the policy). So, for the orchestration tests only:
- every AWS::Bedrock::*, AWS::BedrockAgentCore::* and AWS::S3Vectors::* resource is removed, and each Ref/GetAtt to
  one becomes a fixed fake id or ARN (FAKE_ATTRIBUTES, by resource type where two types share an attribute name),
  so the IAM policies, Lambda permissions, environment variables and Outputs that use them still deploy;
- Fn::If is resolved with the deploy's parameter values, and AWS::NoValue dropped, as CloudFormation would.
Everything else (buckets, policies, roles, Lambda functions, log groups, the user policy) deploys unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT = "123456789012"
FAKE_ATTRIBUTES = {
    "AgentId": "AGENT12345",
    "AgentArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/AGENT12345",
    "AgentAliasId": "ALIAS12345",
    "AgentAliasArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent-alias/AGENT12345/ALIAS12345",
    "KnowledgeBaseId": "KBASE12345",
    "KnowledgeBaseArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:knowledge-base/KBASE12345",
    "DataSourceId": "DSRC123456",
    "IndexArn": f"arn:aws:s3vectors:us-east-1:{ACCOUNT}:bucket/prepai-vectors/index/prepai-index",
    "VectorBucketArn": f"arn:aws:s3vectors:us-east-1:{ACCOUNT}:bucket/prepai-vectors",
}
HARNESS_ARN = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:harness/prepai_interviewer-Ab12Cd34Ef"
FAKE_BY_TYPE = {
    ("AWS::BedrockAgentCore::Harness", "Arn"): HARNESS_ARN,
    ("AWS::BedrockAgentCore::Harness", "HarnessId"): "prepai_interviewer-Ab12Cd34Ef",
    ("AWS::BedrockAgentCore::Harness", "Version"): "1",
    ("AWS::BedrockAgentCore::HarnessEndpoint", "Arn"): f"{HARNESS_ARN}/endpoint/live",
    ("AWS::BedrockAgentCore::Gateway", "GatewayArn"):
        f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:gateway/prepai-tools-ab12cd34ef",
    ("AWS::BedrockAgentCore::Gateway", "GatewayIdentifier"): "prepai-tools-ab12cd34ef",
    ("AWS::BedrockAgentCore::Memory", "MemoryArn"):
        f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:memory/prepai_memory-Ab12Cd34Ef",
    ("AWS::BedrockAgentCore::Memory", "MemoryId"): "prepai_memory-Ab12Cd34Ef",
}
CLOUD_ONLY_PREFIXES = ("AWS::Bedrock::", "AWS::BedrockAgentCore::", "AWS::S3Vectors::")
_DROP = object()


def _condition_value(expr: Any, params: dict[str, str], defaults: dict[str, Any]) -> Any:
    if isinstance(expr, dict) and "Fn::Not" in expr:
        return not _condition_value(expr["Fn::Not"][0], params, defaults)
    if isinstance(expr, dict) and "Fn::Equals" in expr:
        left, right = (_condition_value(x, params, defaults) for x in expr["Fn::Equals"])
        return left == right
    if isinstance(expr, dict) and "Ref" in expr:
        return params.get(expr["Ref"], str(defaults[expr["Ref"]].get("Default", "")))
    return expr


def for_moto(template: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(template)
    defaults = out["Parameters"]
    conditions = {name: bool(_condition_value(expr, params, defaults)) for name, expr in out["Conditions"].items()}
    gone = {name for name, res in out["Resources"].items() if res["Type"].startswith(CLOUD_ONLY_PREFIXES)}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("Ref") == "AWS::NoValue":
                return _DROP
            if "Ref" in node and node["Ref"] in gone:
                return FAKE_ATTRIBUTES["AgentId"]
            if "Fn::GetAtt" in node and node["Fn::GetAtt"][0] in gone:
                logical_id, attribute = node["Fn::GetAtt"]
                kind = template["Resources"][logical_id]["Type"]
                return FAKE_BY_TYPE.get((kind, attribute)) or FAKE_ATTRIBUTES[attribute]
            if "Fn::If" in node:
                name, yes, no = node["Fn::If"]
                return walk(yes if conditions[name] else no)
            cleaned = {k: walk(v) for k, v in node.items()}
            return {k: v for k, v in cleaned.items() if v is not _DROP}
        if isinstance(node, list):
            return [x for x in (walk(v) for v in node) if x is not _DROP]
        return node

    out["Resources"] = {name: walk(res) for name, res in out["Resources"].items() if name not in gone}
    out["Outputs"] = walk(out["Outputs"])
    return out
