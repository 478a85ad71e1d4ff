"""The deploy and destroy flows end to end: CloudFormation and S3 on a moto server, bedrock-agent on Stubber.

moto has no Bedrock resources, so the stack deployed here is the real template through the documented test-only
filter in moto_template.py; the Bedrock steps get scripted bedrock-agent answers (bedrock_stubs.py).
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.clients import AwsClients, connect
from infra.deploy import DeployOptions, deploy
from infra.destroy import DestroyOptions, destroy
from infra.knowledge_sync import MANIFEST_KEY
from infra.package import build_lambda_zip
from infra.stack import describe_stack
from infra.status import status
from infra.template import build_template
from prepai_cli.config import load_settings
from tests.infra import bedrock_stubs as bs
from tests.infra.moto_server import moto_server, reset
from tests.infra.moto_template import FAKE_ATTRIBUTES, for_moto
from tests.infra.recording_ui import RecordingUI
from tests.infra.tiny_repo import tiny_repo

pytestmark = [
    pytest.mark.aws,
    # moto's CloudFormation skips AWS::S3::BucketPolicy (the policies are checked in test_template_rules.py).
    pytest.mark.filterwarnings("ignore:Tried to parse AWS..S3..BucketPolicy"),
]
AGENT = FAKE_ATTRIBUTES["AgentId"]
ALIAS = FAKE_ATTRIBUTES["AgentAliasId"]
KB = FAKE_ATTRIBUTES["KnowledgeBaseId"]
DS = FAKE_ATTRIBUTES["DataSourceId"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def moto_template() -> dict[str, Any]:
    return for_moto(build_template(kind="agents-classic"), {})


@pytest.fixture
def aws(endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    reset(endpoint)
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = us-east-1\n")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                 "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return endpoint


class Rig:
    """Clients on moto with a stubbed bedrock-agent, a tiny Lambda source tree and editable knowledge documents."""

    def __init__(self, root: Path, kind: str = "agents-classic") -> None:
        self.kind = kind
        real = connect(None, None)
        self.stub = Stubber(real.bedrock_agent)
        self.clients: AwsClients = real
        self.repo = tiny_repo(root / "repo")
        self.build_dir = root / "build"
        self.docs = {"general/star.md": "# STAR\n\nSituation, task, action, result.\n",
                     "behavioral/conflict.md": "# Conflict\n\nShow the disagreement and the outcome.\n",
                     "system-design/caching.md": "# Caching\n\nWrite-through versus write-back.\n"}

    def build(self, dest: Path) -> Any:
        return build_lambda_zip(self.repo, dest, lambda requirements: None)

    def export(self, dest: Path) -> list[Path]:
        written = []
        for rel, body in sorted(self.docs.items()):
            path = dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body)
            sidecar = path.with_name(path.name + ".metadata.json")
            sidecar.write_text(json.dumps({"metadataAttributes": {"interview_type": rel.split("/")[0]}}))
            written.append(path)
        return written

    def deploy(self, template: dict[str, Any], ui: RecordingUI, **options: Any) -> Any:
        with self.stub:
            result = deploy(self.clients, DeployOptions(poll_seconds=0.01, **{"kind": self.kind, **options}),
                            template, self.build, self.export, ui)
            self.stub.assert_no_pending_responses()
        return result

    def s3(self) -> Any:
        return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def rig(aws: str, tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def _first_deploy(rig: Rig, template: dict[str, Any]) -> Any:
    bs.expect_ingestion(rig.stub, KB, DS)
    prepared = bs.expect_prepare(rig.stub, AGENT)
    bs.expect_alias_moved(rig.stub, AGENT, ALIAS, prepared)
    return rig.deploy(template, RecordingUI(), assume_yes=True), prepared


def test_first_deploy_builds_the_stack_indexes_prepares_and_links_the_config(rig: Rig, moto_template: dict) -> None:
    bs.expect_ingestion(rig.stub, KB, DS)
    prepared = bs.expect_prepare(rig.stub, AGENT)
    bs.expect_alias_moved(rig.stub, AGENT, ALIAS, prepared)
    ui = RecordingUI()
    result = rig.deploy(moto_template, ui, assume_yes=True)

    assert result.stack_changed and result.code_uploaded and result.ingested
    assert result.agent_prepared and result.alias_updated
    assert (result.docs.uploaded, result.docs.deleted) == (6, 0)
    assert ui.questions == []  # --yes
    added = {c.logical_id for c in ui.changes if c.action == "Add"}
    assert {"UserDataBucket", "KnowledgeBaseBucket", "CvAnalysisFunction", "EvaluationFunction",
            "PrepAIUserPolicy"} <= added
    assert any(e.logical_id == "prepai" and e.status == "CREATE_COMPLETE" for e in ui.events)

    settings = load_settings()
    outputs = result.outputs
    assert (settings.aws.agent_id, settings.aws.agent_alias_id, settings.aws.region) == (AGENT, ALIAS, "us-east-1")
    assert settings.sync.bucket == outputs.user_data_bucket
    assert set(result.config_changes) == {"aws.agent_id", "aws.agent_alias_id", "aws.region", "sync.bucket"}

    s3 = rig.s3()
    account = rig.clients.account_id()
    artifacts = f"prepai-artifacts-{account}-us-east-1"
    assert s3.get_public_access_block(Bucket=artifacts)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    rules = s3.get_bucket_encryption(Bucket=artifacts)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket=artifacts)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    code_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=artifacts)["Contents"]]
    assert len(code_keys) == 1 and code_keys[0].startswith("prepai/lambda/prepai-tools-")
    kb_keys = {o["Key"] for o in s3.list_objects_v2(Bucket=outputs.knowledge_base_bucket)["Contents"]}
    assert "notes/general/star.md" in kb_keys and "notes/general/star.md.metadata.json" in kb_keys
    assert MANIFEST_KEY in kb_keys
    function = boto3.client("lambda", region_name="us-east-1").list_functions()["Functions"]
    assert {f["Runtime"] for f in function} == {"python3.12"} and len(function) == 2


def test_redeploy_without_changes_does_nothing_and_says_so(rig: Rig, moto_template: dict) -> None:
    _, prepared = _first_deploy(rig, moto_template)
    bs.expect_all_current(rig.stub, AGENT, ALIAS, prepared)
    ui = RecordingUI()
    result = rig.deploy(moto_template, ui)  # no --yes: nothing to confirm either
    assert result.nothing_changed, result
    assert "Stack prepai has no changes." in ui.messages
    assert ui.questions == [] and ui.events == [] and ui.changes == []


def test_changed_documents_are_reindexed_without_touching_the_stack(rig: Rig, moto_template: dict) -> None:
    _, prepared = _first_deploy(rig, moto_template)
    rig.docs["behavioral/conflict.md"] = "# Conflict\n\nName the trade-off you argued for.\n"
    del rig.docs["system-design/caching.md"]
    bs.expect_ingestion(rig.stub, KB, DS, job_id="JOB0000002")
    bs.expect_all_current(rig.stub, AGENT, ALIAS, prepared)
    result = rig.deploy(moto_template, RecordingUI())
    assert not result.stack_changed and result.ingested
    assert (result.docs.uploaded, result.docs.deleted, result.docs.unchanged) == (1, 2, 3)


def test_an_update_is_shown_and_applied_only_when_confirmed(rig: Rig, moto_template: dict) -> None:
    _, prepared = _first_deploy(rig, moto_template)
    # A newer PrepAI resizes a function (moto lists template changes; parameter-only changes it does not diff).
    newer = copy.deepcopy(moto_template)
    newer["Resources"]["CvAnalysisFunction"]["Properties"]["MemorySize"] = 768
    ui = RecordingUI(answers=[False])
    result = rig.deploy(newer, ui)
    assert result.cancelled and not result.stack_changed
    assert [(c.action, c.logical_id) for c in ui.changes] == [("Modify", "CvAnalysisFunction")]
    pending = [c for c in rig.clients.cloudformation.list_change_sets(StackName="prepai")["Summaries"]
               if c["ExecutionStatus"] == "AVAILABLE"]
    assert pending == []  # the declined change set was deleted, not left waiting

    bs.expect_all_current(rig.stub, AGENT, ALIAS, prepared)
    ui = RecordingUI(answers=[True])
    result = rig.deploy(newer, ui)
    assert result.stack_changed and len(ui.questions) == 1
    assert any(e.logical_id == "prepai" and e.status == "UPDATE_COMPLETE" for e in ui.events)
    functions = boto3.client("lambda", region_name="us-east-1").list_functions()["Functions"]
    assert sorted(f["MemorySize"] for f in functions) == [768, 1024]


def test_declining_the_first_deploy_leaves_no_stack_behind(rig: Rig, moto_template: dict) -> None:
    result = rig.deploy(moto_template, RecordingUI(answers=[False]))
    assert result.cancelled
    state = describe_stack(rig.clients.cloudformation, "prepai")
    assert state is None or state.status == "DELETE_COMPLETE"
    assert load_settings().aws.agent_id is None


def _user_object(rig: Rig, bucket: str) -> None:
    s3 = rig.s3()
    s3.put_object(Bucket=bucket, Key="users/jane/sessions/s1/session.json", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="users/jane/sessions/s1/session.json", Body=b'{"v": 2}')  # two versions


def test_destroy_keep_data_keeps_the_interviews_and_removes_the_rest(rig: Rig, moto_template: dict) -> None:
    first, _ = _first_deploy(rig, moto_template)
    outputs = first.outputs
    _user_object(rig, outputs.user_data_bucket)
    ui = RecordingUI(answers=[True])
    with rig.stub:
        result = destroy(rig.clients, DestroyOptions(keep_data=True, poll_seconds=0.01), ui)
    assert result.destroyed and result.kept_bucket == outputs.user_data_bucket
    assert "is kept" in ui.questions[0]
    assert any(e.status == "DELETE_COMPLETE" and e.logical_id == "prepai" for e in ui.events)
    buckets = {b["Name"] for b in rig.s3().list_buckets()["Buckets"]}
    assert outputs.user_data_bucket in buckets
    assert outputs.knowledge_base_bucket not in buckets
    assert not any(b.startswith("prepai-artifacts-") for b in buckets)
    settings = load_settings()
    assert (settings.aws.agent_id, settings.aws.agent_alias_id) == (None, None)
    assert settings.sync.bucket == outputs.user_data_bucket


def test_destroy_without_keep_data_deletes_the_interviews_too(rig: Rig, moto_template: dict) -> None:
    first, _ = _first_deploy(rig, moto_template)
    outputs = first.outputs
    _user_object(rig, outputs.user_data_bucket)
    with rig.stub:
        result = destroy(rig.clients, DestroyOptions(assume_yes=True, poll_seconds=0.01), RecordingUI())
    assert result.destroyed and result.kept_bucket is None and result.deleted_objects >= 2
    buckets = {b["Name"] for b in rig.s3().list_buckets()["Buckets"]}
    assert outputs.user_data_bucket not in buckets and outputs.knowledge_base_bucket not in buckets
    assert load_settings().sync.bucket is None
    assert set(result.config_cleared) == {"aws.agent_id", "aws.agent_alias_id", "sync.bucket"}


def test_destroy_when_there_is_no_stack_says_so(rig: Rig) -> None:
    ui = RecordingUI()
    result = destroy(rig.clients, DestroyOptions(poll_seconds=0.01), ui)
    assert not result.destroyed and ui.messages == ["There is no stack prepai in us-east-1; nothing to destroy."]


def test_status_reports_the_stack_and_whether_the_config_points_at_it(rig: Rig, moto_template: dict) -> None:
    first, prepared = _first_deploy(rig, moto_template)
    rig.stub.add_response("get_agent", bs.agent(AGENT, "PREPARED", prepared), {"agentId": AGENT})
    rig.stub.add_response("get_agent_alias", bs.alias(AGENT, ALIAS, "2"), {"agentId": AGENT, "agentAliasId": ALIAS})
    rig.stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": [{
        "knowledgeBaseId": KB, "dataSourceId": DS, "ingestionJobId": "JOB0000001", "status": "COMPLETE",
        "startedAt": bs.T0, "updatedAt": bs.T0}]}, {
        "knowledgeBaseId": KB, "dataSourceId": DS, "maxResults": 1,
        "sortBy": {"attribute": "STARTED_AT", "order": "DESCENDING"}})
    with rig.stub:
        report = status(rig.clients, "prepai")
    assert report.stack is not None and report.stack.status == "CREATE_COMPLETE"
    assert (report.agent_status, report.alias_version, report.last_ingestion) == ("PREPARED", "2", "COMPLETE")
    assert report.config_matches == {"aws.agent_id": True, "aws.agent_alias_id": True, "aws.region": True,
                                     "sync.bucket": True}
    assert report.stack.outputs["UserDataBucket"] == first.outputs.user_data_bucket


def test_a_template_over_the_inline_limit_goes_through_the_artifacts_bucket(rig: Rig, moto_template: dict) -> None:
    large = copy.deepcopy(moto_template)
    large["Metadata"] = {"Notes": "x" * 60000}  # past CloudFormation's 51,200-byte TemplateBody limit
    bs.expect_ingestion(rig.stub, KB, DS)
    prepared = bs.expect_prepare(rig.stub, AGENT)
    bs.expect_alias_moved(rig.stub, AGENT, ALIAS, prepared)
    result = rig.deploy(large, RecordingUI(), assume_yes=True)
    assert result.stack_changed and result.outputs is not None
    account = rig.clients.account_id()
    keys = [o["Key"] for o in rig.s3().list_objects_v2(Bucket=f"prepai-artifacts-{account}-us-east-1")["Contents"]]
    assert any(k.startswith("prepai/templates/") and k.endswith(".yaml") for k in keys)
