"""The Bedrock steps against scripted bedrock-agent answers: the happy paths and each way they fail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.bedrock_steps import Poller, ensure_alias, ensure_prepared, ingest
from prepai_cli.errors import PrepAIError
from tests.infra import bedrock_stubs as bs
from tests.infra.recording_ui import RecordingUI

AGENT, ALIAS, KB, DS = "AGENT12345", "ALIAS12345", "KBASE12345", "DSRC123456"
FAST = Poller(interval_s=0.0)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return boto3.client("bedrock-agent", region_name="us-east-1")


def test_ingestion_runs_to_completion_and_returns_its_statistics(client: Any) -> None:
    stub = Stubber(client)
    bs.expect_ingestion(stub, KB, DS)
    ui = RecordingUI()
    with stub:
        stats = ingest(client, KB, DS, ui, FAST)
        stub.assert_no_pending_responses()
    assert stats["numberOfNewDocumentsIndexed"] == 6
    assert "Indexing knowledge documents" in ui.progress_log


def test_ingestion_waits_for_a_job_already_running(client: Any) -> None:
    stub = Stubber(client)
    ids = {"knowledgeBaseId": KB, "dataSourceId": DS}
    running = bs.ingestion_job(KB, DS, "JOBRUNNING", "IN_PROGRESS")["ingestionJob"]
    stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": [{
        key: running[key] for key in ("knowledgeBaseId", "dataSourceId", "ingestionJobId", "status", "startedAt",
                                      "updatedAt")}]}, {
        **ids, "filters": [{"attribute": "STATUS", "operator": "EQ", "values": ["STARTING", "IN_PROGRESS"]}]})
    stub.add_response("get_ingestion_job", bs.ingestion_job(KB, DS, "JOBRUNNING", "COMPLETE"),
                      {**ids, "ingestionJobId": "JOBRUNNING"})
    stub.add_response("start_ingestion_job", bs.ingestion_job(KB, DS, "JOB0000002", "STARTING"),
                      {**ids, "description": "prepai infra deploy"})
    stub.add_response("get_ingestion_job", bs.ingestion_job(KB, DS, "JOB0000002", "COMPLETE", failed=1,
                                                            reasons=["notes/x.md: unsupported"]),
                      {**ids, "ingestionJobId": "JOB0000002"})
    ui = RecordingUI()
    with stub:
        ingest(client, KB, DS, ui, FAST)
        stub.assert_no_pending_responses()
    assert ui.warnings == ["1 knowledge documents failed to index: notes/x.md: unsupported"]


def test_a_failed_ingestion_is_one_clear_error(client: Any) -> None:
    stub = Stubber(client)
    ids = {"knowledgeBaseId": KB, "dataSourceId": DS}
    stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": []}, None)
    stub.add_response("start_ingestion_job", bs.ingestion_job(KB, DS, "JOB0000001", "STARTING"), None)
    stub.add_response("get_ingestion_job", bs.ingestion_job(
        KB, DS, "JOB0000001", "FAILED", reasons=["AccessDenied on s3vectors:PutVectors"]),
        {**ids, "ingestionJobId": "JOB0000001"})
    expected = "^knowledge base ingestion failed: AccessDenied on s3vectors:PutVectors$"
    with stub, pytest.raises(PrepAIError, match=expected):
        ingest(client, KB, DS, RecordingUI(), FAST)


def test_access_denied_starting_ingestion_names_the_step(client: Any) -> None:
    stub = Stubber(client)
    stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": []}, None)
    stub.add_client_error("start_ingestion_job", "AccessDeniedException",
                          "User: arn:aws:iam::1:user/x is not authorized to perform: bedrock:StartIngestionJob")
    with stub, pytest.raises(PrepAIError) as caught:
        ingest(client, KB, DS, RecordingUI(), FAST)
    assert str(caught.value) == (f"access denied while starting ingestion for knowledge base {KB}: User: "
                                 "arn:aws:iam::1:user/x is not authorized to perform: bedrock:StartIngestionJob")


def test_prepare_runs_only_when_the_draft_changed(client: Any) -> None:
    stub = Stubber(client)
    bs.expect_prepare(stub, AGENT)
    with stub:
        assert ensure_prepared(client, AGENT, RecordingUI(), FAST) is True
        stub.assert_no_pending_responses()
    prepared = bs.T0 + timedelta(minutes=1)
    stub = Stubber(client)
    stub.add_response("get_agent", bs.agent(AGENT, "PREPARED", prepared), {"agentId": AGENT})
    with stub:
        assert ensure_prepared(client, AGENT, RecordingUI(), FAST) is False
        stub.assert_no_pending_responses()


def test_a_prepared_agent_updated_since_is_prepared_again(client: Any) -> None:
    stub = Stubber(client)
    stale = bs.agent(AGENT, "PREPARED", bs.T0, updated_at=bs.T0 + timedelta(minutes=2))
    stub.add_response("get_agent", stale, {"agentId": AGENT})
    stub.add_response("prepare_agent", {"agentId": AGENT, "agentStatus": "PREPARING", "agentVersion": "DRAFT",
                                        "preparedAt": bs.T0}, {"agentId": AGENT})
    stub.add_response("get_agent", bs.agent(AGENT, "PREPARED", bs.T0 + timedelta(minutes=3),
                                            updated_at=bs.T0 + timedelta(minutes=2)), {"agentId": AGENT})
    with stub:
        assert ensure_prepared(client, AGENT, RecordingUI(), FAST) is True
        stub.assert_no_pending_responses()


def test_a_failed_prepare_reports_bedrocks_reasons(client: Any) -> None:
    stub = Stubber(client)
    stub.add_response("get_agent", bs.agent(AGENT, "NOT_PREPARED", None), {"agentId": AGENT})
    stub.add_response("prepare_agent", {"agentId": AGENT, "agentStatus": "PREPARING", "agentVersion": "DRAFT",
                                        "preparedAt": bs.T0}, {"agentId": AGENT})
    stub.add_response("get_agent", bs.agent(AGENT, "FAILED", None, failure=["Model access is not enabled"]),
                      {"agentId": AGENT})
    with stub, pytest.raises(PrepAIError, match=f"^agent {AGENT} could not be prepared \\(FAILED\\): Model access"):
        ensure_prepared(client, AGENT, RecordingUI(), FAST)


def test_waiting_gives_up_with_a_message(client: Any) -> None:
    stub = Stubber(client)
    for _ in range(3):
        stub.add_response("get_agent", bs.agent(AGENT, "PREPARING", None), {"agentId": AGENT})
    with stub, pytest.raises(PrepAIError, match="^gave up waiting for agent AGENT12345 \\(preparing\\) after 0 s$"):
        ensure_prepared(client, AGENT, RecordingUI(), Poller(interval_s=0.01, max_wait_s=0.0))


def test_alias_moves_to_a_new_version_after_a_prepare(client: Any) -> None:
    stub = Stubber(client)
    bs.expect_alias_moved(stub, AGENT, ALIAS, bs.T0 + timedelta(minutes=5))
    with stub:
        assert ensure_alias(client, AGENT, ALIAS, "live", RecordingUI(), FAST) == (ALIAS, True)
        stub.assert_no_pending_responses()


def test_alias_on_a_version_newer_than_the_preparation_stays(client: Any) -> None:
    stub = Stubber(client)
    prepared = bs.T0 + timedelta(minutes=5)
    stub.add_response("get_agent", bs.agent(AGENT, "PREPARED", prepared), {"agentId": AGENT})
    stub.add_response("get_agent_alias", bs.alias(AGENT, ALIAS, "3"), {"agentId": AGENT, "agentAliasId": ALIAS})
    stub.add_response("get_agent_version", bs.version(AGENT, "3", prepared + timedelta(seconds=1)),
                      {"agentId": AGENT, "agentVersion": "3"})
    with stub:
        assert ensure_alias(client, AGENT, ALIAS, "live", RecordingUI(), FAST) == (ALIAS, False)
        stub.assert_no_pending_responses()


def test_a_deleted_alias_is_recreated_with_a_warning(client: Any) -> None:
    stub = Stubber(client)
    stub.add_response("get_agent", bs.agent(AGENT, "PREPARED", bs.T0), {"agentId": AGENT})
    stub.add_client_error("get_agent_alias", "ResourceNotFoundException", "alias not found", http_status_code=404)
    stub.add_response("create_agent_alias", bs.alias(AGENT, "NEWALIAS01", "1", "CREATING"), {
        "agentId": AGENT, "agentAliasName": "live", "description": "Created by prepai infra deploy"})
    stub.add_response("get_agent_alias", bs.alias(AGENT, "NEWALIAS01", "1"),
                      {"agentId": AGENT, "agentAliasId": "NEWALIAS01"})
    ui = RecordingUI()
    with stub:
        assert ensure_alias(client, AGENT, ALIAS, "live", ui, FAST) == ("NEWALIAS01", True)
    assert ui.warnings == [f"alias {ALIAS} is gone (deleted outside CloudFormation); creating a new one"]
