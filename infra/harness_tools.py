"""Where each tool runs for the AgentCore harness, and the tool definitions the harness and its gateway take.

run_code is an inline function: the harness hands the call back to the CLI, which runs the candidate's code in the
local sandbox, so the code never leaves the machine and the cloud needs no code-execution permission. The other
tools are Lambda targets of the stack's AgentCore Gateway (the same handler as the Agents Classic action groups);
the knowledge-base search Lambda retrieves from the stack's Bedrock knowledge base.
"""

from __future__ import annotations

from typing import Any

from infra.action_groups import ToolPlacement

HARNESS_PLACEMENTS: tuple[ToolPlacement, ...] = (
    ToolPlacement(tool="run_code", placement="inline_function",
                  description="Runs the candidate's code in the local sandbox on the candidate's machine."),
    ToolPlacement(tool="analyze_cv", placement="gateway_lambda", action_group="cv-analysis",
                  lambda_logical_id="CvAnalysisFunction",
                  description="Extracts skills, roles and claims worth probing from the candidate's CV."),
    ToolPlacement(tool="evaluate_answer", placement="gateway_lambda", action_group="performance-evaluation",
                  lambda_logical_id="EvaluationFunction",
                  description="Scores an answer against the question's rubric and key points."),
    ToolPlacement(tool="search_knowledge_base", placement="gateway_lambda", action_group="knowledge-search",
                  lambda_logical_id="KnowledgeSearchFunction",
                  description="Retrieves interview notes and bank questions from the stack's knowledge base."),
)


def gateway_placements() -> list[ToolPlacement]:
    return [p for p in HARNESS_PLACEMENTS if p.placement == "gateway_lambda"]


def inline_placements() -> list[ToolPlacement]:
    return [p for p in HARNESS_PLACEMENTS if p.placement == "inline_function"]


def registry_json_schemas() -> dict[str, tuple[str, dict[str, Any]]]:
    """(description, JSON schema) of every registry tool, by name: the one source of the tools' shapes."""
    from prepai_cli.agent.tools.registry import TOOL_SPECS

    return {spec.name: (spec.description, spec.json_schema()) for spec in TOOL_SPECS}


def to_cfn_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema as the gateway target's SchemaDefinition (PascalCase; no enum, which it does not take)."""
    out: dict[str, Any] = {"Type": schema["type"]}
    if schema.get("description"):
        out["Description"] = schema["description"]
    if schema.get("properties"):
        out["Properties"] = {name: to_cfn_schema(value) for name, value in schema["properties"].items()}
    if "required" in schema:
        out["Required"] = list(schema["required"])
    if schema.get("items"):
        out["Items"] = to_cfn_schema(schema["items"])
    return out


def from_cfn_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The inverse of to_cfn_schema, so tests can compare the deployed schemas with the registry's."""
    out: dict[str, Any] = {"type": schema["Type"]}
    if "Description" in schema:
        out["description"] = schema["Description"]
    if "Properties" in schema:
        out["properties"] = {name: from_cfn_schema(value) for name, value in schema["Properties"].items()}
    if "Required" in schema:
        out["required"] = list(schema["Required"])
    if "Items" in schema:
        out["items"] = from_cfn_schema(schema["Items"])
    return out
