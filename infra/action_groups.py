"""Where each agent tool runs in the cloud, and its Bedrock action-group function schema.

The registry (prepai_cli.agent.tools.registry) is the single source of the tool schemas; this module only decides
placement and converts the registry's API-shaped schema (camelCase, as bedrock-agent's API takes it) to the
PascalCase properties CloudFormation's AWS::Bedrock::Agent expects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Placement = Literal["lambda", "return_control", "native_knowledge_base", "inline_function", "gateway_lambda"]


class ToolPlacement(BaseModel):
    tool: str
    placement: Placement
    action_group: str | None = None  # None for tools the agent has natively (the knowledge base association)
    lambda_logical_id: str | None = None
    description: str = ""


# run_code returns control so candidate code runs in the local sandbox on the candidate's machine, never in the
# cloud; knowledge-base lookup is the agent's native KB association, so it needs no action group at all.
PLACEMENTS: tuple[ToolPlacement, ...] = (
    ToolPlacement(tool="run_code", placement="return_control", action_group="code-execution",
                  description="Runs the candidate's code in the local sandbox on the candidate's machine."),
    ToolPlacement(tool="analyze_cv", placement="lambda", action_group="cv-analysis",
                  lambda_logical_id="CvAnalysisFunction",
                  description="Extracts skills, roles and claims worth probing from the candidate's CV."),
    ToolPlacement(tool="evaluate_answer", placement="lambda", action_group="performance-evaluation",
                  lambda_logical_id="EvaluationFunction",
                  description="Scores an answer against the question's rubric and key points."),
    ToolPlacement(tool="search_knowledge_base", placement="native_knowledge_base"),
)


def registry_functions() -> dict[str, dict[str, Any]]:
    """The registry's function schemas by tool name (Bedrock API shape)."""
    from prepai_cli.agent.tools.registry import to_agent_function_schema

    functions = to_agent_function_schema()
    return {fn["name"]: fn for fn in functions}


def lambda_placements() -> list[ToolPlacement]:
    return [p for p in PLACEMENTS if p.placement == "lambda"]


def action_group_placements() -> list[ToolPlacement]:
    return [p for p in PLACEMENTS if p.action_group is not None]


def to_cfn_function(api_function: dict[str, Any]) -> dict[str, Any]:
    """One API-shaped function schema as AWS::Bedrock::Agent's Function property."""
    cfn: dict[str, Any] = {"Name": api_function["name"]}
    if api_function.get("description"):
        cfn["Description"] = api_function["description"]
    params = api_function.get("parameters") or {}
    if params:
        cfn["Parameters"] = {
            name: {
                key: value
                for key, value in (
                    ("Type", detail["type"]),
                    ("Description", detail.get("description")),
                    ("Required", detail.get("required")),
                )
                if value is not None
            }
            for name, detail in params.items()
        }
    if api_function.get("requireConfirmation"):
        cfn["RequireConfirmation"] = api_function["requireConfirmation"]
    return cfn


def from_cfn_function(cfn_function: dict[str, Any]) -> dict[str, Any]:
    """The inverse of to_cfn_function, so tests can compare a template with the registry in the registry's shape."""
    api: dict[str, Any] = {"name": cfn_function["Name"]}
    if "Description" in cfn_function:
        api["description"] = cfn_function["Description"]
    if "Parameters" in cfn_function:
        api["parameters"] = {
            name: {
                key: detail[cfn_key]
                for key, cfn_key in (("type", "Type"), ("description", "Description"), ("required", "Required"))
                if cfn_key in detail
            }
            for name, detail in cfn_function["Parameters"].items()
        }
    if "RequireConfirmation" in cfn_function:
        api["requireConfirmation"] = cfn_function["RequireConfirmation"]
    return api


def check_placements_cover(registry_names: set[str],
                           placements: tuple[ToolPlacement, ...] = PLACEMENTS) -> None:
    """Every registry tool must be placed exactly once, so a new tool cannot silently miss the cloud agent."""
    placed = [p.tool for p in placements]
    missing = registry_names - set(placed)
    unknown = set(placed) - registry_names
    if missing or unknown or len(placed) != len(set(placed)):
        from prepai_cli.errors import PrepAIError

        raise PrepAIError(
            f"agent tool placement out of date with the tool registry: unplaced {sorted(missing)}, "
            f"unknown {sorted(unknown)} (update infra/action_groups.py or infra/harness_tools.py)"
        )
