"""`prepai infra status`: the stack, its outputs, the harness and gateway (or the Agents Classic agent and alias), the
last ingestion, and whether the config points at them."""

from __future__ import annotations

from pydantic import BaseModel

from infra import stack
from infra.aws_errors import aws_call
from infra.clients import AwsClients
from infra.models import StackState
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError


class StatusReport(BaseModel):
    region: str
    stack: StackState | None
    agent_status: str | None = None
    alias_version: str | None = None
    harness_status: str | None = None
    harness_version: str | None = None
    gateway_status: str | None = None
    last_ingestion: str | None = None
    cloud_errors: list[str] = []
    config_matches: dict[str, bool] = {}


def status(clients: AwsClients, stack_name: str) -> StatusReport:
    state = stack.describe_stack(clients.cloudformation, stack_name)
    report = StatusReport(region=clients.region, stack=state)
    if state is None:
        return report
    outputs = state.outputs
    agent_id, alias_id = outputs.get("AgentId"), outputs.get("AgentAliasId")
    kb_id, ds_id = outputs.get("KnowledgeBaseId"), outputs.get("DataSourceId")
    client = clients.bedrock_agent
    # Bedrock details are extra: a missing permission shows up in the report instead of hiding the stack status.
    try:
        _harness_details(clients, outputs, report)
    except PrepAIError as exc:
        report.cloud_errors.append(str(exc))
    try:
        if agent_id:
            with aws_call(f"reading agent {agent_id}"):
                report.agent_status = client.get_agent(agentId=agent_id)["agent"]["agentStatus"]
        if agent_id and alias_id:
            with aws_call(f"reading alias {alias_id}"):
                alias = client.get_agent_alias(agentId=agent_id, agentAliasId=alias_id)["agentAlias"]
            routing = alias.get("routingConfiguration") or []
            report.alias_version = routing[0]["agentVersion"] if routing else None
        if kb_id and ds_id:
            with aws_call("listing ingestion jobs"):
                jobs = client.list_ingestion_jobs(
                    knowledgeBaseId=kb_id, dataSourceId=ds_id, maxResults=1,
                    sortBy={"attribute": "STARTED_AT", "order": "DESCENDING"},
                ).get("ingestionJobSummaries", [])
            report.last_ingestion = jobs[0]["status"] if jobs else "never"
    except PrepAIError as exc:
        report.cloud_errors.append(str(exc))
    settings = load_settings()
    interviewer = ({"aws.harness_arn": settings.aws.harness_arn == outputs.get("HarnessArn"),
                    "aws.gateway_arn": settings.aws.gateway_arn == outputs.get("GatewayArn")}
                   if "HarnessArn" in outputs else
                   {"aws.agent_id": settings.aws.agent_id == agent_id,
                    "aws.agent_alias_id": settings.aws.agent_alias_id == alias_id})
    report.config_matches = {
        **interviewer,
        "aws.region": settings.aws.region == outputs.get("Region", clients.region),
        "sync.bucket": settings.sync.bucket == outputs.get("UserDataBucket"),
    }
    return report


def _harness_details(clients: AwsClients, outputs: dict[str, str], report: StatusReport) -> None:
    harness_arn, gateway_id = outputs.get("HarnessArn"), outputs.get("GatewayId")
    if not harness_arn or clients.agentcore_control is None:
        return
    harness_id = harness_arn.rsplit("/", 1)[-1]
    with aws_call(f"reading harness {harness_id}"):
        harness = clients.agentcore_control.get_harness(harnessId=harness_id)["harness"]
    report.harness_status, report.harness_version = harness.get("status"), harness.get("harnessVersion")
    if gateway_id:
        with aws_call(f"reading gateway {gateway_id}"):
            report.gateway_status = clients.agentcore_control.get_gateway(gatewayIdentifier=gateway_id).get("status")
