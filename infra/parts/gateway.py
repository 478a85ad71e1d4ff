"""The AgentCore Gateway: the tool Lambdas as MCP tools the harness calls with its own IAM identity."""

from __future__ import annotations

from typing import Any

from infra.cfn import allow, get_att, policy_document, service_trust, sub
from infra.harness_tools import gateway_placements, registry_json_schemas, to_cfn_schema
from infra.parts import parameters as p

GATEWAY = "ToolsGateway"
GATEWAY_ROLE = "ToolsGatewayRole"


def target_id(function_id: str) -> str:
    return f"{function_id}Target"


def _role() -> dict[str, Any]:
    functions = [get_att(str(placement.lambda_logical_id), "Arn") for placement in gateway_placements()]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "Lets the PrepAI tools gateway invoke exactly its tool Lambdas.",
            "AssumeRolePolicyDocument": service_trust(
                "bedrock-agentcore.amazonaws.com",
                sub("arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:gateway/*"),
            ),
            "Policies": [{"PolicyName": "invoke-tool-lambdas",
                          "PolicyDocument": policy_document(allow("InvokeToolLambdas", ["lambda:InvokeFunction"],
                                                                  functions))}],
        },
    }


def resources() -> dict[str, Any]:
    schemas = registry_json_schemas()
    out: dict[str, Any] = {
        GATEWAY_ROLE: _role(),
        GATEWAY: {
            "Type": "AWS::BedrockAgentCore::Gateway",
            "Properties": {
                "Name": sub("${" + p.RESOURCE_PREFIX + "}-tools"),
                "Description": "PrepAI's interview tools (CV analysis, answer evaluation, knowledge search).",
                "ProtocolType": "MCP",
                # Only IAM identities with bedrock-agentcore:InvokeGateway on it may call it: the harness role.
                "AuthorizerType": "AWS_IAM",
                "RoleArn": get_att(GATEWAY_ROLE, "Arn"),
            },
        },
    }
    for placement in gateway_placements():
        function_id = str(placement.lambda_logical_id)
        description, schema = schemas[placement.tool]
        out[target_id(function_id)] = {
            "Type": "AWS::BedrockAgentCore::GatewayTarget",
            "Properties": {
                "GatewayIdentifier": get_att(GATEWAY, "GatewayIdentifier"),
                "Name": str(placement.action_group),
                "Description": placement.description,
                "CredentialProviderConfigurations": [{"CredentialProviderType": "GATEWAY_IAM_ROLE"}],
                "TargetConfiguration": {"Mcp": {"Lambda": {
                    "LambdaArn": get_att(function_id, "Arn"),
                    "ToolSchema": {"InlinePayload": [{
                        "Name": placement.tool, "Description": description, "InputSchema": to_cfn_schema(schema),
                    }]},
                }}},
            },
        }
    return out


def outputs() -> dict[str, Any]:
    return {
        "GatewayArn": {"Description": "Tools gateway ARN (aws.gateway_arn).", "Value": get_att(GATEWAY, "GatewayArn")},
        "GatewayId": {"Description": "Tools gateway id.", "Value": get_att(GATEWAY, "GatewayIdentifier")},
    }
