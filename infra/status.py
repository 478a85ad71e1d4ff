"""`prepai infra status`: the stack, its outputs, the agent and alias, and whether the config points at them."""

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
    report.config_matches = {
        "aws.agent_id": settings.aws.agent_id == agent_id,
        "aws.agent_alias_id": settings.aws.agent_alias_id == alias_id,
        "aws.region": settings.aws.region == outputs.get("Region", clients.region),
        "sync.bucket": settings.sync.bucket == outputs.get("UserDataBucket"),
    }
    return report
