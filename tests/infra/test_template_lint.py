"""cfn-lint, with its bundled resource schemas (Bedrock, Bedrock AgentCore, S3 Vectors), on both templates
`prepai infra template` writes (the harness stack, and --agents-classic)."""

from __future__ import annotations

import yaml
from cfnlint.api import ManualArgs, lint

# Regions that offer Bedrock AgentCore (and Agents), Knowledge Bases and S3 Vectors.
REGIONS = ["us-east-1", "us-west-2", "eu-central-1"]


def test_template_has_no_cfn_lint_findings(template_yaml: str) -> None:
    # Informational rules too: the template should be clean at every level, not only free of errors.
    matches = lint(template_yaml, config=ManualArgs(regions=REGIONS, include_checks=["I"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


def test_harness_template_has_no_cfn_lint_findings(harness_template_yaml: str) -> None:
    matches = lint(harness_template_yaml, config=ManualArgs(regions=REGIONS, include_checks=["I"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


def test_lint_sees_the_agentcore_schemas(harness_template: dict) -> None:
    broken = yaml.safe_load(yaml.safe_dump(harness_template))
    resources = broken["Resources"]
    gateway_tool = resources["InterviewerHarness"]["Properties"]["Tools"][-1]["Config"]["AgentCoreGateway"]
    gateway_tool["OutbondAuth"] = gateway_tool.pop("OutboundAuth")
    resources["ToolsGateway"]["Properties"]["AuthorizerType"] = "IAM"
    resources["InterviewerMemory"]["Properties"]["EventExpiryDuration"] = 1
    ids = {m.rule.id for m in lint(yaml.safe_dump(broken), config=ManualArgs(regions=REGIONS))}
    assert {"E3002", "E3030", "E3034"} <= ids  # unknown property, value not in the enum, below the minimum


def test_yaml_round_trips_without_aliases(template_yaml: str, template: dict) -> None:
    # CloudFormation rejects YAML anchors/aliases, which PyYAML emits for shared sub-trees unless told not to.
    assert "&id" not in template_yaml and "*id" not in template_yaml
    assert yaml.safe_load(template_yaml) == template


def test_lint_catches_a_broken_template(template: dict) -> None:
    # Guards the test above: if the linter did not see Bedrock's schema, a wrong property would pass silently.
    broken = yaml.safe_load(yaml.safe_dump(template))
    agent = broken["Resources"]["InterviewerAgent"]["Properties"]
    agent["IdleSessionTTLInSeconds"] = 10
    agent["Instructions"] = agent.pop("Instruction")
    ids = {m.rule.id for m in lint(yaml.safe_dump(broken), config=ManualArgs(regions=REGIONS))}
    assert "E3002" in ids  # unknown property
    assert "E3034" in ids  # value below the schema minimum
