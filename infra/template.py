"""PrepAI's CloudFormation template, built as Python data and rendered to YAML."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, Field

from infra.action_groups import check_placements_cover, lambda_placements, registry_functions
from infra.cfn import allow, get_att, ref
from infra.harness_tools import HARNESS_PLACEMENTS, gateway_placements, registry_json_schemas
from infra.parts import agent, functions, gateway, harness, knowledge_base, parameters, storage, user_access
from infra.parts.parameters import StackKind
from prepai_cli.errors import PrepAIError

DESCRIPTIONS: dict[str, str] = {
    "harness": "PrepAI: interviewer on an Amazon Bedrock AgentCore harness (gateway tools, memory), knowledge base "
               "on S3 Vectors, tool Lambdas, buckets.",
    "agents-classic": "PrepAI: interviewer agent (Bedrock Agents), knowledge base on S3 Vectors, action-group "
                      "Lambdas, buckets.",
}


class TemplateInputs(BaseModel):
    """What the template is made from; the defaults come from PrepAI itself (prompts and tool registry)."""

    instruction: str = Field(min_length=agent.MIN_INSTRUCTION_CHARS, max_length=agent.MAX_INSTRUCTION_CHARS)
    function_schemas: dict[str, dict[str, Any]]


def default_inputs() -> TemplateInputs:
    from prepai_cli.agent.prompts import AGENT_INSTRUCTION

    schemas = registry_functions()
    check_placements_cover(set(schemas))
    if len(AGENT_INSTRUCTION) > agent.MAX_INSTRUCTION_CHARS:
        raise PrepAIError(f"the agent instruction is {len(AGENT_INSTRUCTION)} characters; Bedrock allows "
                          f"{agent.MAX_INSTRUCTION_CHARS} (shorten prepai_cli/agent/prompts.py)")
    return TemplateInputs(instruction=AGENT_INSTRUCTION, function_schemas=schemas)


def _knowledge_search_access() -> functions.FunctionAccess:
    return functions.FunctionAccess(
        statements=[allow("RetrieveFromOwnKnowledgeBase", ["bedrock:Retrieve"],
                          [get_att(knowledge_base.KNOWLEDGE_BASE, "KnowledgeBaseArn")])],
        environment={"KNOWLEDGE_BASE_ID": get_att(knowledge_base.KNOWLEDGE_BASE, "KnowledgeBaseId")},
    )


def build_template(inputs: TemplateInputs | None = None, kind: StackKind = "harness") -> dict[str, Any]:
    """The harness stack (the default), or the Agents Classic stack for accounts that already have Bedrock Agents."""
    inputs = inputs or default_inputs()
    if kind == "harness":
        schemas = registry_json_schemas()
        check_placements_cover(set(schemas), HARNESS_PLACEMENTS)
        interviewer = {
            **functions.resources(gateway_placements(), access={"search_knowledge_base": _knowledge_search_access()}),
            **gateway.resources(),
            **harness.resources(inputs.instruction, schemas),
        }
        interviewer_outputs = {**harness.outputs(), **gateway.outputs()}
    else:
        interviewer = {
            **functions.resources(lambda_placements(), agent.AGENT),
            **agent.resources(inputs.instruction, inputs.function_schemas),
        }
        interviewer_outputs = agent.outputs()
    resources: dict[str, Any] = {
        **storage.resources(),
        **knowledge_base.resources(),
        **interviewer,
        **user_access.resources(kind),
    }
    outputs: dict[str, Any] = {
        **interviewer_outputs,
        **knowledge_base.outputs(),
        **storage.outputs(),
        "Region": {"Description": "Region of the stack (aws.region).", "Value": ref("AWS::Region")},
        **user_access.outputs(),
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": DESCRIPTIONS[kind],
        "Parameters": parameters.parameters(kind),
        "Conditions": parameters.conditions(kind),
        "Resources": resources,
        "Outputs": outputs,
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the agent instruction) as literal blocks, so the template stays readable; no anchors or
    aliases for shared sub-trees, because CloudFormation rejects YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def render_yaml(template: dict[str, Any]) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)
