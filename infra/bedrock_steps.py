"""The Bedrock steps CloudFormation does not do: ingest the KB documents, prepare the agent, move the alias."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from infra.aws_errors import aws_call, one_line
from infra.ui import DeployUI
from prepai_cli.errors import PrepAIError

_INGESTION_RUNNING = {"STARTING", "IN_PROGRESS", "STOPPING"}
_AGENT_BUSY = {"CREATING", "PREPARING", "UPDATING", "VERSIONING"}
_ALIAS_BUSY = {"CREATING", "UPDATING"}
MAX_WAIT_S = 1800.0


class Poller:
    """Sleeps between status checks and gives up after `max_wait_s`, naming what it waited for."""

    def __init__(self, interval_s: float, max_wait_s: float = MAX_WAIT_S) -> None:
        self.interval_s = interval_s
        self.max_wait_s = max_wait_s

    def deadline(self) -> float:
        return time.monotonic() + self.max_wait_s

    def sleep(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise PrepAIError(f"gave up waiting for {what} after {int(self.max_wait_s)} s")
        time.sleep(self.interval_s)


def _reasons(raw: dict[str, Any]) -> str:
    reasons = raw.get("failureReasons") or []
    return one_line("; ".join(reasons[:3])) if reasons else "no reason given"


def _wait_ingestion(client: Any, kb_id: str, ds_id: str, job_id: str, ui: DeployUI, poller: Poller) -> dict[str, Any]:
    deadline = poller.deadline()
    with ui.progress("Indexing knowledge documents") as progress:
        while True:
            with aws_call("reading the ingestion job"):
                job = client.get_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                               ingestionJobId=job_id)["ingestionJob"]
            stats = job.get("statistics") or {}
            progress.update(f"Indexing knowledge documents: {job['status'].lower()}, "
                            f"{stats.get('numberOfDocumentsScanned', 0)} scanned")
            if job["status"] not in _INGESTION_RUNNING:
                return job
            poller.sleep(deadline, f"ingestion job {job_id}")


def ingest(client: Any, kb_id: str, ds_id: str, ui: DeployUI, poller: Poller) -> dict[str, Any]:
    """Runs one ingestion job to the end (after any job already running) and returns its statistics."""
    with aws_call("listing ingestion jobs"):
        running = client.list_ingestion_jobs(
            knowledgeBaseId=kb_id, dataSourceId=ds_id,
            filters=[{"attribute": "STATUS", "operator": "EQ", "values": ["STARTING", "IN_PROGRESS"]}],
        ).get("ingestionJobSummaries", [])
    for job in running:
        _wait_ingestion(client, kb_id, ds_id, job["ingestionJobId"], ui, poller)
    with aws_call(f"starting ingestion for knowledge base {kb_id}"):
        job_id = client.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id,
                                            description="prepai infra deploy")["ingestionJob"]["ingestionJobId"]
    job = _wait_ingestion(client, kb_id, ds_id, job_id, ui, poller)
    if job["status"] != "COMPLETE":
        raise PrepAIError(f"knowledge base ingestion {job['status'].lower()}: {_reasons(job)}")
    stats = job.get("statistics") or {}
    if stats.get("numberOfDocumentsFailed"):
        ui.warn(f"{stats['numberOfDocumentsFailed']} knowledge documents failed to index: {_reasons(job)}")
    return dict(stats)


def _agent(client: Any, agent_id: str) -> dict[str, Any]:
    with aws_call(f"reading agent {agent_id}"):
        return dict(client.get_agent(agentId=agent_id)["agent"])


def _is_current(agent: dict[str, Any]) -> bool:
    prepared: datetime | None = agent.get("preparedAt")
    updated: datetime | None = agent.get("updatedAt")
    return agent["agentStatus"] == "PREPARED" and prepared is not None and (updated is None or prepared >= updated)


def ensure_prepared(client: Any, agent_id: str, ui: DeployUI, poller: Poller) -> bool:
    """Prepares the agent's draft unless it already is; True when a prepare ran."""
    deadline = poller.deadline()
    agent = _agent(client, agent_id)
    while agent["agentStatus"] in _AGENT_BUSY:
        poller.sleep(deadline, f"agent {agent_id} ({agent['agentStatus'].lower()})")
        agent = _agent(client, agent_id)
    if _is_current(agent):
        return False
    with aws_call(f"preparing agent {agent_id}"):
        client.prepare_agent(agentId=agent_id)
    with ui.progress(f"Preparing agent {agent_id}") as progress:
        while True:
            agent = _agent(client, agent_id)
            progress.update(f"Preparing agent {agent_id}: {agent['agentStatus'].lower()}")
            if agent["agentStatus"] not in _AGENT_BUSY:
                break
            poller.sleep(deadline, f"agent {agent_id} to be prepared")
    if agent["agentStatus"] != "PREPARED":
        raise PrepAIError(f"agent {agent_id} could not be prepared ({agent['agentStatus']}): {_reasons(agent)}")
    return True


def _alias(client: Any, agent_id: str, alias_id: str) -> dict[str, Any]:
    with aws_call(f"reading agent alias {alias_id}"):
        return dict(client.get_agent_alias(agentId=agent_id, agentAliasId=alias_id)["agentAlias"])


def _alias_version(alias: dict[str, Any]) -> str | None:
    routing = alias.get("routingConfiguration") or []
    return str(routing[0]["agentVersion"]) if routing else None


def _alias_is_current(client: Any, agent_id: str, alias: dict[str, Any], agent: dict[str, Any]) -> bool:
    """The alias serves the draft's latest preparation when its version was made after that preparation."""
    version = _alias_version(alias)
    if version is None or version == "DRAFT":
        return version == "DRAFT"
    with aws_call(f"reading agent version {version}"):
        made = client.get_agent_version(agentId=agent_id, agentVersion=version)["agentVersion"]["createdAt"]
    prepared: datetime | None = agent.get("preparedAt")
    return prepared is None or made >= prepared


def _wait_alias(client: Any, agent_id: str, alias_id: str, ui: DeployUI, poller: Poller) -> dict[str, Any]:
    deadline = poller.deadline()
    with ui.progress(f"Pointing alias {alias_id} at a new agent version") as progress:
        while True:
            alias = _alias(client, agent_id, alias_id)
            progress.update(f"Alias {alias_id}: {alias['agentAliasStatus'].lower()}")
            if alias["agentAliasStatus"] not in _ALIAS_BUSY:
                break
            poller.sleep(deadline, f"alias {alias_id}")
    if alias["agentAliasStatus"] != "PREPARED":
        raise PrepAIError(f"alias {alias_id} is {alias['agentAliasStatus']}: {_reasons(alias)}")
    return alias


def ensure_alias(client: Any, agent_id: str, alias_id: str, alias_name: str, ui: DeployUI,
                 poller: Poller) -> tuple[str, bool]:
    """Makes the alias serve the prepared draft; returns the alias id (new if it had to be re-created) and whether
    anything changed."""
    agent = _agent(client, agent_id)
    try:
        alias = _alias(client, agent_id, alias_id)
    except PrepAIError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code")
                == "ResourceNotFoundException"):
            raise
        ui.warn(f"alias {alias_id} is gone (deleted outside CloudFormation); creating a new one")
        with aws_call(f"creating an alias for agent {agent_id}"):
            created = client.create_agent_alias(agentId=agent_id, agentAliasName=alias_name,
                                                description="Created by prepai infra deploy")["agentAlias"]
        _wait_alias(client, agent_id, created["agentAliasId"], ui, poller)
        return str(created["agentAliasId"]), True
    if _alias_is_current(client, agent_id, alias, agent):
        return alias_id, False
    with aws_call(f"updating alias {alias_id}"):
        # No routing configuration: Bedrock snapshots the prepared draft as a new version and routes to it.
        client.update_agent_alias(agentId=agent_id, agentAliasId=alias_id, agentAliasName=alias["agentAliasName"],
                                  description=alias.get("description") or "Updated by prepai infra deploy")
    _wait_alias(client, agent_id, alias_id, ui, poller)
    return alias_id, True
