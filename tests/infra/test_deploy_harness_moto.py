"""The harness stack's deploy, no-op redeploy, status and destroy: CloudFormation and S3 on a moto server.

moto has no Bedrock AgentCore (nor Bedrock, nor S3 Vectors) resources, so the stack deployed here is the real harness
template through the test-only filter in moto_template.py (those resources removed, references to them replaced by
fixed fake ARNs and ids). Everything else deploys for real: buckets, roles and their policies (harness, gateway,
knowledge base, Lambdas), the three tool Lambdas and their log groups, the user policy. The knowledge-base steps
get scripted bedrock-agent answers, the AgentCore control plane scripted answers for `status` (botocore Stubber).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.deploy import DeployOptions, deploy
from infra.destroy import DestroyOptions, destroy
from infra.status import status
from infra.template import build_template
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError
from tests.infra import bedrock_stubs as bs
from tests.infra.moto_template import FAKE_ATTRIBUTES, FAKE_BY_TYPE, HARNESS_ARN, for_moto
from tests.infra.recording_ui import RecordingUI
from tests.infra.test_deploy_moto import Rig, aws, endpoint  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.aws, pytest.mark.filterwarnings("ignore:Tried to parse AWS..S3..BucketPolicy")]
KB = FAKE_ATTRIBUTES["KnowledgeBaseId"]
DS = FAKE_ATTRIBUTES["DataSourceId"]
GATEWAY_ARN = FAKE_BY_TYPE[("AWS::BedrockAgentCore::Gateway", "GatewayArn")]
GATEWAY_ID = FAKE_BY_TYPE[("AWS::BedrockAgentCore::Gateway", "GatewayIdentifier")]


@pytest.fixture(scope="module")
def harness_moto_template() -> dict[str, Any]:
    return for_moto(build_template(), {})


@pytest.fixture
def rig(aws: str, tmp_path) -> Rig:  # noqa: F811
    return Rig(tmp_path, kind="harness")


def _first_deploy(rig: Rig, template: dict[str, Any]) -> Any:
    bs.expect_ingestion(rig.stub, KB, DS)  # no prepare, no alias: a harness has neither
    return rig.deploy(template, RecordingUI(), assume_yes=True)


def test_first_deploy_creates_the_harness_stack_and_links_the_config(rig: Rig, harness_moto_template: dict) -> None:
    ui = RecordingUI()
    bs.expect_ingestion(rig.stub, KB, DS)
    result = rig.deploy(harness_moto_template, ui, assume_yes=True)

    assert result.stack_changed and result.ingested and not result.agent_prepared and not result.alias_updated
    added = {c.logical_id for c in ui.changes if c.action == "Add"}
    assert {"InterviewerHarnessRole", "ToolsGatewayRole", "CvAnalysisFunction", "EvaluationFunction",
            "KnowledgeSearchFunction", "PrepAIUserPolicy", "UserDataBucket"} <= added
    settings = load_settings()
    assert (settings.aws.harness_arn, settings.aws.harness_endpoint, settings.aws.gateway_arn) == (
        HARNESS_ARN, "live", GATEWAY_ARN)
    assert settings.aws.agent_id is None
    assert set(result.config_changes) == {"aws.harness_arn", "aws.harness_endpoint", "aws.gateway_arn",
                                          "aws.region", "sync.bucket"}
    outputs = result.outputs
    assert outputs.kind == "harness" and outputs.memory_id and outputs.gateway_id == GATEWAY_ID

    cloudformation = rig.clients.cloudformation
    parameters = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cloudformation.describe_stacks(StackName="prepai")["Stacks"][0]["Parameters"]}
    assert parameters["ResourcePrefix"] == "prepai" and parameters["AllowCodeInterpreter"] == "false"
    lambdas = boto3.client("lambda", region_name="us-east-1")
    functions = {f["FunctionName"]: f for f in lambdas.list_functions()["Functions"]}
    assert len(functions) == 3
    search = next(f for name, f in functions.items() if "KnowledgeSearch" in name)
    assert search["Environment"]["Variables"]["KNOWLEDGE_BASE_ID"] == KB
    iam = boto3.client("iam", region_name="us-east-1")
    roles = {r["RoleName"]: r for r in iam.list_roles()["Roles"]}
    gateway_role = next(r for name, r in roles.items() if "ToolsGatewayRole" in name)
    trust = gateway_role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock-agentcore.amazonaws.com"}


def test_redeploy_without_changes_does_nothing_and_says_so(rig: Rig, harness_moto_template: dict) -> None:
    _first_deploy(rig, harness_moto_template)
    ui = RecordingUI()
    result = rig.deploy(harness_moto_template, ui)  # no --yes: nothing to confirm either
    assert result.nothing_changed, result
    assert "Stack prepai has no changes." in ui.messages
    assert ui.questions == [] and ui.events == [] and ui.changes == []


def test_the_other_template_is_refused_over_a_harness_stack(rig: Rig, harness_moto_template: dict) -> None:
    _first_deploy(rig, harness_moto_template)
    classic = for_moto(build_template(kind="agents-classic"), {})
    with pytest.raises(PrepAIError, match="holds the AgentCore harness; drop --agents-classic"):
        deploy(rig.clients, DeployOptions(poll_seconds=0.01, kind="agents-classic"), classic, rig.build,
               rig.export, RecordingUI())


def test_status_reads_the_harness_and_gateway(rig: Rig, harness_moto_template: dict) -> None:
    _first_deploy(rig, harness_moto_template)
    control = Stubber(rig.clients.agentcore_control)
    control.add_response("get_harness", {"harness": {
        "harnessId": "prepai_interviewer-Ab12Cd34Ef", "harnessName": "prepai_interviewer", "arn": HARNESS_ARN,
        "status": "READY", "harnessVersion": "3", "executionRoleArn": "arn:aws:iam::123456789012:role/r",
        "createdAt": bs.T0, "updatedAt": bs.T0, "model": {"bedrockModelConfig": {"modelId": "m"}},
        "systemPrompt": [{"text": "You are an interviewer."}], "tools": [], "skills": [], "allowedTools": [],
        "truncation": {"strategy": "sliding_window"},
        "environment": {"agentCoreRuntimeEnvironment": {
            "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/prepai_rt-Ab12Cd34Ef",
            "agentRuntimeName": "prepai_rt", "agentRuntimeId": "prepai_rt-Ab12Cd34Ef",
            "lifecycleConfiguration": {}, "networkConfiguration": {"networkMode": "PUBLIC"}}}}},
        {"harnessId": "prepai_interviewer-Ab12Cd34Ef"})
    control.add_response("get_gateway", {
        "gatewayId": GATEWAY_ID, "gatewayArn": GATEWAY_ARN, "status": "READY", "name": "prepai-tools",
        "createdAt": bs.T0, "updatedAt": bs.T0, "authorizerType": "AWS_IAM"}, {"gatewayIdentifier": GATEWAY_ID})
    rig.stub.add_response("list_ingestion_jobs", {"ingestionJobSummaries": []}, {
        "knowledgeBaseId": KB, "dataSourceId": DS, "maxResults": 1,
        "sortBy": {"attribute": "STARTED_AT", "order": "DESCENDING"}})
    with rig.stub, control:
        report = status(rig.clients, "prepai")
    assert (report.harness_status, report.harness_version, report.gateway_status) == ("READY", "3", "READY")
    assert report.last_ingestion == "never" and report.cloud_errors == []
    assert report.config_matches == {"aws.harness_arn": True, "aws.gateway_arn": True, "aws.region": True,
                                     "sync.bucket": True}


def test_destroy_removes_the_stack_and_unlinks_the_harness(rig: Rig, harness_moto_template: dict) -> None:
    first = _first_deploy(rig, harness_moto_template)
    with rig.stub:
        result = destroy(rig.clients, DestroyOptions(assume_yes=True, poll_seconds=0.01), RecordingUI())
    assert result.destroyed
    assert set(result.config_cleared) == {"aws.harness_arn", "aws.harness_endpoint", "aws.gateway_arn",
                                          "sync.bucket"}
    settings = load_settings()
    assert (settings.aws.harness_arn, settings.aws.gateway_arn) == (None, None)
    buckets = {b["Name"] for b in rig.s3().list_buckets()["Buckets"]}
    assert first.outputs.user_data_bucket not in buckets and first.outputs.knowledge_base_bucket not in buckets
    assert boto3.client("lambda", region_name="us-east-1").list_functions()["Functions"] == []
