"""The tool Lambda functions: one function, role and log group per Lambda-placed tool (Agents Classic action
groups, or AgentCore Gateway targets)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from infra.action_groups import ToolPlacement
from infra.cfn import Node, allow, get_att, lambda_trust, policy_document, ref
from infra.parts import parameters as p

RUNTIME = "python3.12"
# infra/lambdas/handler.py sits at the zip's root; the handler dispatches on the function name in the event.
HANDLER = "handler.lambda_handler"


class FunctionSizing(BaseModel):
    memory_mb: int
    timeout_s: int


# CV analysis parses text only. Evaluation embeds the answer with the bundled MiniLM ONNX model: ~1 GB gives it a
# full vCPU share, and the timeout covers a cold start that loads onnxruntime, the model and the bank.
SIZING: dict[str, FunctionSizing] = {
    "analyze_cv": FunctionSizing(memory_mb=512, timeout_s=30),
    "evaluate_answer": FunctionSizing(memory_mb=1024, timeout_s=60),
    "search_knowledge_base": FunctionSizing(memory_mb=512, timeout_s=30),
}


def log_group_id(function_id: str) -> str:
    return f"{function_id}LogGroup"


def role_id(function_id: str) -> str:
    return f"{function_id}Role"


def permission_id(function_id: str) -> str:
    return f"{function_id}AgentPermission"


class FunctionAccess(BaseModel):
    """What one function may do beyond writing its logs, and the environment that tells it where."""

    statements: list[dict[str, Node]] = []
    environment: dict[str, Node] = {}


def _role_description(tool: str, action_group: bool, more: bool) -> str:
    if action_group and not more:
        return f"Runs the PrepAI {tool} action group; it may only write its own logs."
    return f"Runs the PrepAI {tool} tool; it may write its own logs" + (" and read what the tool needs." if more
                                                                         else " and nothing else.")


def _function_resources(placement: ToolPlacement, agent_logical_id: str | None,
                        access: FunctionAccess) -> dict[str, Any]:
    function_id = placement.lambda_logical_id
    assert function_id is not None  # lambda placements always name their function
    sizing = SIZING[placement.tool]
    log_group = log_group_id(function_id)
    out: dict[str, Any] = {
        log_group: {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {"RetentionInDays": ref(p.LOG_RETENTION)},
        },
        role_id(function_id): {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": _role_description(placement.tool, agent_logical_id is not None, bool(access.statements)),
                "AssumeRolePolicyDocument": lambda_trust(),
                "Policies": [{
                    "PolicyName": "write-own-logs",
                    "PolicyDocument": policy_document(
                        # The log group ARN ends in :* and so covers exactly this group's streams.
                        allow("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                              [get_att(log_group, "Arn")]),
                        *access.statements,
                    ),
                }],
            },
        },
        function_id: {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Description": placement.description,
                "Runtime": RUNTIME,
                "Handler": HANDLER,
                "Architectures": ["x86_64"],
                "Code": {"S3Bucket": ref(p.CODE_BUCKET), "S3Key": ref(p.CODE_KEY)},
                "Role": get_att(role_id(function_id), "Arn"),
                "MemorySize": sizing.memory_mb,
                "Timeout": sizing.timeout_s,
                # A log group of our own (not /aws/lambda/<name>) so its retention is set and the role's log
                # permission can name it before the function exists.
                "LoggingConfig": {"LogGroup": ref(log_group), "LogFormat": "Text"},
                # The tools resolve their data folder from PREPAI_HOME; /tmp is the only writable path.
                "Environment": {"Variables": {"PREPAI_HOME": "/tmp/prepai", **access.environment}},
            },
        },
    }
    if agent_logical_id is not None:
        # Agents Classic invokes the function as the bedrock service; a gateway uses its own role instead.
        out[permission_id(function_id)] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": get_att(function_id, "Arn"),
                "Principal": "bedrock.amazonaws.com",
                "SourceAccount": ref("AWS::AccountId"),
                "SourceArn": get_att(agent_logical_id, "AgentArn"),
            },
        }
    return out


def resources(placements: list[ToolPlacement], agent_logical_id: str | None = None,
              access: dict[str, FunctionAccess] | None = None) -> dict[str, Any]:
    """The functions of `placements`; with `agent_logical_id`, each may be invoked by that agent only."""
    out: dict[str, Any] = {}
    for placement in placements:
        out.update(_function_resources(placement, agent_logical_id, (access or {}).get(placement.tool,
                                                                                       FunctionAccess())))
    return out
