"""cfn-lint, with its bundled resource schemas (Bedrock, S3 Vectors), on the template `prepai infra template` writes."""

from __future__ import annotations

import yaml
from cfnlint.api import ManualArgs, lint

# Regions that offer Bedrock Agents, Knowledge Bases and S3 Vectors.
REGIONS = ["us-east-1", "us-west-2", "eu-central-1"]


def test_template_has_no_cfn_lint_findings(template_yaml: str) -> None:
    # Informational rules too: the template should be clean at every level, not only free of errors.
    matches = lint(template_yaml, config=ManualArgs(regions=REGIONS, include_checks=["I"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


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
