"""PrepAI's CloudFormation template, built as Python data and rendered to YAML."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, Field

from infra.action_groups import check_placements_cover, registry_functions
from infra.cfn import ref
from infra.parts import agent, functions, knowledge_base, parameters, storage, user_access
from prepai_cli.errors import PrepAIError

DESCRIPTION = "PrepAI: interviewer agent (Bedrock Agents), knowledge base on S3 Vectors, action-group Lambdas, buckets."


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


def build_template(inputs: TemplateInputs | None = None) -> dict[str, Any]:
    inputs = inputs or default_inputs()
    resources: dict[str, Any] = {
        **storage.resources(),
        **knowledge_base.resources(),
        **functions.resources(agent.AGENT),
        **agent.resources(inputs.instruction, inputs.function_schemas),
        **user_access.resources(),
    }
    outputs: dict[str, Any] = {
        **agent.outputs(),
        **knowledge_base.outputs(),
        **storage.outputs(),
        "Region": {"Description": "Region of the stack (aws.region).", "Value": ref("AWS::Region")},
        **user_access.outputs(),
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": DESCRIPTION,
        "Parameters": parameters.parameters(),
        "Conditions": parameters.conditions(),
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
