"""The AgentCore harness: the interviewer's model, prompt, tools and memory, its endpoint and execution role."""

from __future__ import annotations

from typing import Any

from infra.cfn import allow, get_att, if_, no_value, policy_document, ref, service_trust, sub
from infra.harness_tools import inline_placements
from infra.parts import parameters as p
from infra.parts.gateway import GATEWAY
from infra.parts.models import agent_model, invoke_statements

HARNESS = "InterviewerHarness"
HARNESS_ROLE = "InterviewerHarnessRole"
HARNESS_ENDPOINT = "InterviewerHarnessEndpoint"
MEMORY = "InterviewerMemory"
ENDPOINT_NAME = "live"
GATEWAY_TOOL_NAME = "prepai_tools"
# Spoken replies are short; the same limits as the ConverseStream brain.
MAX_TOKENS = 600
TEMPERATURE = 0.6
MAX_ITERATIONS = 8
TIMEOUT_SECONDS = 120
# A 45-minute interview is ~60 messages; older ones are dropped rather than summarised (the recap covers a resume).
WINDOW_MESSAGES = 80
MEMORY_ACTIONS = ["bedrock-agentcore:CreateEvent", "bedrock-agentcore:GetEvent", "bedrock-agentcore:ListEvents",
                  "bedrock-agentcore:ListSessions", "bedrock-agentcore:RetrieveMemoryRecords",
                  "bedrock-agentcore:ListMemoryRecords", "bedrock-agentcore:GetMemoryRecord"]
CODE_INTERPRETER_ACTIONS = ["bedrock-agentcore:StartCodeInterpreterSession",
                            "bedrock-agentcore:InvokeCodeInterpreter",
                            "bedrock-agentcore:StopCodeInterpreterSession",
                            "bedrock-agentcore:GetCodeInterpreterSession"]


def code_interpreter_arn() -> dict[str, str]:
    return sub("arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:aws:code-interpreter/aws.codeinterpreter.v1")


def runtime_log_groups() -> dict[str, str]:
    return sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/bedrock-agentcore/"
               "runtimes/*")


def _role() -> dict[str, Any]:
    statements = [
        *invoke_statements("Harness"),
        allow("UseOwnGateway", ["bedrock-agentcore:InvokeGateway"], [get_att(GATEWAY, "GatewayArn")]),
        allow("UseOwnMemory", MEMORY_ACTIONS, [get_att(MEMORY, "MemoryArn")]),
        # The harness runs on an AgentCore Runtime it creates; its log group name holds the runtime's generated id.
        allow("WriteRuntimeLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                   "logs:DescribeLogStreams"], [runtime_log_groups()]),
        if_(p.USE_CODE_INTERPRETER,
            allow("UseAwsCodeInterpreter", CODE_INTERPRETER_ACTIONS, [code_interpreter_arn()]), no_value()),
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "Lets the PrepAI harness call its one model, its own gateway and its own memory.",
            # The harness and the runtime it runs on are both AgentCore resources of this account and region.
            "AssumeRolePolicyDocument": service_trust(
                "bedrock-agentcore.amazonaws.com",
                sub("arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:*"),
            ),
            "Policies": [{"PolicyName": "interviewer-harness", "PolicyDocument": policy_document(*statements)}],
        },
    }


def tools(json_schemas: dict[str, tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for placement in inline_placements():
        description, schema = json_schemas[placement.tool]
        out.append({"Type": "inline_function", "Name": placement.tool,
                    "Config": {"InlineFunction": {"Description": description, "InputSchema": schema}}})
    out.append({"Type": "agentcore_gateway", "Name": GATEWAY_TOOL_NAME, "Config": {"AgentCoreGateway": {
        "GatewayArn": get_att(GATEWAY, "GatewayArn"), "OutboundAuth": {"AwsIam": {}}}}})
    return out


def resources(instruction: str, json_schemas: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        MEMORY: {
            "Type": "AWS::BedrockAgentCore::Memory",
            "Properties": {
                "Name": sub("${" + p.RESOURCE_PREFIX + "}_memory"),
                "Description": "What PrepAI's interviewer remembers about each candidate across interviews.",
                "EventExpiryDuration": ref(p.MEMORY_EXPIRY_DAYS),
                "MemoryStrategies": [
                    {"SemanticMemoryStrategy": {
                        "Name": "weak_areas",
                        "Description": "Topics and key points the candidate missed or got wrong.",
                        "Namespaces": ["/candidates/{actorId}/weak-areas"],
                    }},
                    {"SummaryMemoryStrategy": {
                        "Name": "interview_summaries",
                        "Description": "One summary per interview.",
                        "Namespaces": ["/candidates/{actorId}/interviews/{sessionId}"],
                    }},
                ],
            },
        },
        HARNESS_ROLE: _role(),
        HARNESS: {
            "Type": "AWS::BedrockAgentCore::Harness",
            "Properties": {
                "HarnessName": sub("${" + p.RESOURCE_PREFIX + "}_interviewer"),
                "ExecutionRoleArn": get_att(HARNESS_ROLE, "Arn"),
                "Model": {"BedrockModelConfig": {"ModelId": agent_model(), "MaxTokens": MAX_TOKENS,
                                                 "Temperature": TEMPERATURE}},
                "SystemPrompt": [{"Text": instruction}],
                "Tools": tools(json_schemas),
                "Memory": {"AgentCoreMemoryConfiguration": {"Arn": get_att(MEMORY, "MemoryArn")}},
                "Truncation": {"Strategy": "sliding_window",
                               "Config": {"SlidingWindow": {"MessagesCount": WINDOW_MESSAGES}}},
                "MaxIterations": MAX_ITERATIONS,
                "MaxTokens": MAX_TOKENS,
                "TimeoutSeconds": TIMEOUT_SECONDS,
            },
        },
        HARNESS_ENDPOINT: {
            "Type": "AWS::BedrockAgentCore::HarnessEndpoint",
            "Properties": {
                "HarnessId": get_att(HARNESS, "HarnessId"),
                "EndpointName": ENDPOINT_NAME,
                "Description": "The harness version PrepAI talks to; it follows every update of the harness.",
                "TargetVersion": get_att(HARNESS, "Version"),
            },
        },
    }


def outputs() -> dict[str, Any]:
    return {
        "HarnessArn": {"Description": "Interviewer harness ARN (aws.harness_arn).", "Value": get_att(HARNESS, "Arn")},
        "HarnessEndpointName": {"Description": "Harness endpoint the CLI invokes (aws.harness_endpoint).",
                                "Value": ENDPOINT_NAME},
        "HarnessEndpointArn": {"Description": "Harness endpoint ARN.", "Value": get_att(HARNESS_ENDPOINT, "Arn")},
        "MemoryId": {"Description": "AgentCore Memory id (the candidates' weak areas).",
                     "Value": get_att(MEMORY, "MemoryId")},
    }
