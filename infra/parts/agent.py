"""The interviewer agent, its role and its alias."""

from __future__ import annotations

from typing import Any

from infra.action_groups import action_group_placements, to_cfn_function
from infra.cfn import allow, get_att, policy_document, ref, service_trust, sub
from infra.parts import parameters as p
from infra.parts.knowledge_base import KB_DESCRIPTION, KNOWLEDGE_BASE
from infra.parts.models import agent_model, invoke_statements

AGENT = "InterviewerAgent"
AGENT_ROLE = "InterviewerAgentRole"
AGENT_ALIAS = "InterviewerAgentAlias"
ALIAS_NAME = "live"

# Bedrock's default quota for an agent instruction.
MAX_INSTRUCTION_CHARS = 4000
MIN_INSTRUCTION_CHARS = 40


def _role() -> dict[str, Any]:
    statements = [
        *invoke_statements("Interviewer"),
        allow("RetrieveFromOwnKnowledgeBase", ["bedrock:Retrieve"], [get_att(KNOWLEDGE_BASE, "KnowledgeBaseArn")]),
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "Lets the PrepAI interviewer agent call its one model and read its one knowledge base.",
            "AssumeRolePolicyDocument": service_trust(
                "bedrock.amazonaws.com",
                sub("arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:agent/*"),
            ),
            "Policies": [{"PolicyName": "interviewer-agent", "PolicyDocument": policy_document(*statements)}],
        },
    }


def action_groups(function_schemas: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    groups = []
    for placement in action_group_placements():
        if placement.placement == "lambda":
            executor: dict[str, Any] = {"Lambda": get_att(str(placement.lambda_logical_id), "Arn")}
        else:
            executor = {"CustomControl": "RETURN_CONTROL"}
        groups.append({
            "ActionGroupName": placement.action_group,
            "Description": placement.description,
            "ActionGroupState": "ENABLED",
            "ActionGroupExecutor": executor,
            "FunctionSchema": {"Functions": [to_cfn_function(function_schemas[placement.tool])]},
        })
    return groups


def resources(instruction: str, function_schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        AGENT_ROLE: _role(),
        AGENT: {
            "Type": "AWS::Bedrock::Agent",
            "Properties": {
                "AgentName": sub("${AWS::StackName}-interviewer"),
                "Description": "PrepAI's spoken mock-interview interviewer.",
                "AgentResourceRoleArn": get_att(AGENT_ROLE, "Arn"),
                "FoundationModel": agent_model(),
                "Instruction": instruction,
                "IdleSessionTTLInSeconds": ref(p.IDLE_SESSION_TTL),
                "AutoPrepare": True,
                # Destroying the stack must not hang on an interview session that is still open somewhere.
                "SkipResourceInUseCheckOnDelete": True,
                "ActionGroups": action_groups(function_schemas),
                "KnowledgeBases": [{
                    "KnowledgeBaseId": get_att(KNOWLEDGE_BASE, "KnowledgeBaseId"),
                    "Description": KB_DESCRIPTION,
                    "KnowledgeBaseState": "ENABLED",
                }],
            },
        },
        AGENT_ALIAS: {
            "Type": "AWS::Bedrock::AgentAlias",
            "Properties": {
                "AgentAliasName": ALIAS_NAME,
                "AgentId": get_att(AGENT, "AgentId"),
                "Description": "The prepared interviewer version PrepAI talks to; deploy moves it after each change.",
            },
        },
    }


def outputs() -> dict[str, Any]:
    return {
        "AgentId": {"Description": "Interviewer agent id (aws.agent_id).", "Value": get_att(AGENT, "AgentId")},
        "AgentAliasId": {"Description": "Interviewer agent alias id (aws.agent_alias_id).",
                         "Value": get_att(AGENT_ALIAS, "AgentAliasId")},
        "AgentAliasArn": {"Description": "Alias ARN the CLI user invokes.",
                          "Value": get_att(AGENT_ALIAS, "AgentAliasArn")},
    }
