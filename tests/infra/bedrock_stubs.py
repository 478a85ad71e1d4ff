"""Valid bedrock-agent responses for botocore's Stubber, and the scripted conversations of the deploy steps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.stub import Stubber

ACCOUNT = "123456789012"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def agent(agent_id: str, status: str, prepared_at: datetime | None, updated_at: datetime = T0,
          failure: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agentId": agent_id, "agentName": "prepai-interviewer", "agentVersion": "DRAFT",
        "agentArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/{agent_id}", "agentStatus": status,
        "idleSessionTTLInSeconds": 1800, "agentResourceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/agent",
        "createdAt": T0, "updatedAt": updated_at,
    }
    if prepared_at is not None:
        body["preparedAt"] = prepared_at
    if failure:
        body["failureReasons"] = failure
    return {"agent": body}


def alias(agent_id: str, alias_id: str, version: str, status: str = "PREPARED") -> dict[str, Any]:
    return {"agentAlias": {
        "agentId": agent_id, "agentAliasId": alias_id, "agentAliasName": "live",
        "agentAliasArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent-alias/{agent_id}/{alias_id}",
        "routingConfiguration": [{"agentVersion": version}], "createdAt": T0, "updatedAt": T0,
        "agentAliasStatus": status, "description": "live alias",
    }}


def version(agent_id: str, number: str, created_at: datetime) -> dict[str, Any]:
    return {"agentVersion": {
        "agentId": agent_id, "agentName": "prepai-interviewer", "version": number,
        "agentArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/{agent_id}", "agentStatus": "PREPARED",
        "idleSessionTTLInSeconds": 1800, "agentResourceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/agent",
        "createdAt": created_at, "updatedAt": created_at,
    }}


def ingestion_job(kb: str, ds: str, job_id: str, status: str, failed: int = 0,
                  reasons: list[str] | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {
        "knowledgeBaseId": kb, "dataSourceId": ds, "ingestionJobId": job_id, "status": status,
        "startedAt": T0, "updatedAt": T0,
        "statistics": {"numberOfDocumentsScanned": 6, "numberOfNewDocumentsIndexed": 6 - failed,
                       "numberOfModifiedDocumentsIndexed": 0, "numberOfDocumentsDeleted": 0,
                       "numberOfDocumentsFailed": failed},
    }
    if reasons:
        job["failureReasons"] = reasons
    return {"ingestionJob": job}


def expect_ingestion(stub: Stubber, kb: str, ds: str, job_id: str = "JOB0000001") -> None:
    ids = {"knowledgeBaseId": kb, "dataSourceId": ds}
    stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": []}, {
        **ids, "filters": [{"attribute": "STATUS", "operator": "EQ", "values": ["STARTING", "IN_PROGRESS"]}]})
    stub.add_response("start_ingestion_job", ingestion_job(kb, ds, job_id, "STARTING"),
                      {**ids, "description": "prepai infra deploy"})
    stub.add_response("get_ingestion_job", ingestion_job(kb, ds, job_id, "IN_PROGRESS"),
                      {**ids, "ingestionJobId": job_id})
    stub.add_response("get_ingestion_job", ingestion_job(kb, ds, job_id, "COMPLETE"), {**ids, "ingestionJobId": job_id})


def expect_prepare(stub: Stubber, agent_id: str) -> datetime:
    """Agent comes out of CloudFormation NOT_PREPARED; deploy prepares it. Returns the preparation time."""
    prepared = T0 + timedelta(minutes=5)
    stub.add_response("get_agent", agent(agent_id, "NOT_PREPARED", None), {"agentId": agent_id})
    stub.add_response("prepare_agent", {"agentId": agent_id, "agentStatus": "PREPARING", "agentVersion": "DRAFT",
                                        "preparedAt": prepared}, {"agentId": agent_id})
    stub.add_response("get_agent", agent(agent_id, "PREPARING", None), {"agentId": agent_id})
    stub.add_response("get_agent", agent(agent_id, "PREPARED", prepared), {"agentId": agent_id})
    return prepared


def expect_alias_moved(stub: Stubber, agent_id: str, alias_id: str, prepared: datetime) -> None:
    stub.add_response("get_agent", agent(agent_id, "PREPARED", prepared), {"agentId": agent_id})
    alias_ids = {"agentId": agent_id, "agentAliasId": alias_id}
    stub.add_response("get_agent_alias", alias(agent_id, alias_id, "1"), alias_ids)
    stub.add_response("get_agent_version", version(agent_id, "1", T0), {"agentId": agent_id, "agentVersion": "1"})
    stub.add_response("update_agent_alias", alias(agent_id, alias_id, "1", "UPDATING"), {
        "agentId": agent_id, "agentAliasId": alias_id, "agentAliasName": "live", "description": "live alias"})
    stub.add_response("get_agent_alias", alias(agent_id, alias_id, "2", "UPDATING"), alias_ids)
    stub.add_response("get_agent_alias", alias(agent_id, alias_id, "2"), alias_ids)


def expect_all_current(stub: Stubber, agent_id: str, alias_id: str, prepared: datetime) -> None:
    """A re-deploy with nothing new: agent prepared since its last update, alias on a version made after that."""
    stub.add_response("get_agent", agent(agent_id, "PREPARED", prepared), {"agentId": agent_id})
    stub.add_response("get_agent", agent(agent_id, "PREPARED", prepared), {"agentId": agent_id})
    stub.add_response("get_agent_alias", alias(agent_id, alias_id, "2"),
                      {"agentId": agent_id, "agentAliasId": alias_id})
    stub.add_response("get_agent_version", version(agent_id, "2", prepared + timedelta(seconds=30)),
                      {"agentId": agent_id, "agentVersion": "2"})
