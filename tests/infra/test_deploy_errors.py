"""Why a deploy cannot start, as one line: no credentials, access denied, a stuck or busy stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.clients import AwsClients, connect
from infra.deploy import DeployOptions, deploy, model_parameters, resource_prefix, stack_parameters
from infra.models import StackOutputs, StackState
from prepai_cli.errors import PrepAIError
from tests.infra.recording_ui import RecordingUI

ACCOUNT = "123456789012"


@pytest.fixture
def dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _never(*_: Any) -> Any:
    raise AssertionError("deploy went past the point where it should have stopped")


def _clients() -> AwsClients:
    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")

    return AwsClients(region="us-east-1", cloudformation=client("cloudformation"), s3=client("s3"),
                      sts=client("sts"), bedrock_agent=client("bedrock-agent"))


def _stack(status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": "prepai", "StackId": f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/prepai/1",
                        "StackStatus": status, "CreationTime": "2026-01-01T00:00:00Z"}]}


def _deploy_with_stack_status(status: str) -> None:
    clients = _clients()
    sts, cf = Stubber(clients.sts), Stubber(clients.cloudformation)
    sts.add_response("get_caller_identity",
                     {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/x", "UserId": "X"})
    cf.add_response("describe_stacks", _stack(status), {"StackName": "prepai"})
    with sts, cf:
        deploy(clients, DeployOptions(), {}, _never, _never, RecordingUI())


@pytest.mark.parametrize(("status", "advice"), [
    ("ROLLBACK_COMPLETE", "its first deploy failed and was rolled back; run `prepai infra destroy` and deploy again"),
    ("UPDATE_ROLLBACK_FAILED", "an update failed and could not be rolled back; continue the rollback in the "
                               "CloudFormation console (Stack actions > Continue update rollback), then deploy again"),
    ("UPDATE_IN_PROGRESS", None),
])
def test_a_stack_that_cannot_be_deployed_is_named_with_what_to_do(dummy_credentials: None, status: str,
                                                                   advice: str | None) -> None:
    with pytest.raises(PrepAIError) as caught:
        _deploy_with_stack_status(status)
    message = str(caught.value)
    assert "\n" not in message
    if advice:
        assert message == f"stack prepai is {status}: {advice}"
    else:
        assert message == f"stack prepai is busy ({status}); wait for it to finish, then try again"


def test_access_denied_is_one_line_naming_the_step(dummy_credentials: None) -> None:
    clients = _clients()
    sts = Stubber(clients.sts)
    sts.add_client_error("get_caller_identity", "AccessDenied",
                         "User is not authorized to perform: sts:GetCallerIdentity",
                         http_status_code=403)
    with sts, pytest.raises(PrepAIError) as caught:
        deploy(clients, DeployOptions(), {}, _never, _never, RecordingUI())
    assert str(caught.value) == ("access denied while checking your AWS identity: "
                                 "User is not authorized to perform: sts:GetCallerIdentity")


def test_missing_credentials_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PrepAIError) as caught:
        deploy(connect("us-east-1", None), DeployOptions(), {}, _never, _never, RecordingUI())
    assert str(caught.value) == "no AWS credentials found; run `aws configure` (or `aws sso login`), or pass --profile"


def test_no_region_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    with pytest.raises(PrepAIError, match="^no AWS region set; pass --region"):
        connect(None, None)


def test_geo_prefixed_models_deploy_through_an_inference_profile() -> None:
    assert model_parameters("anthropic.claude-3-5-sonnet-20240620-v1:0") == {
        "FoundationModelId": "anthropic.claude-3-5-sonnet-20240620-v1:0", "InferenceProfileId": ""}
    assert model_parameters("us.anthropic.claude-3-5-sonnet-20241022-v2:0") == {
        "FoundationModelId": "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "InferenceProfileId": "us.anthropic.claude-3-5-sonnet-20241022-v2:0"}


def test_earlier_choices_are_kept_unless_given_again() -> None:
    existing = StackState(name="prepai", stack_id="id", status="UPDATE_COMPLETE", parameters={
        "LambdaCodeBucket": "b", "LambdaCodeKey": "k", "FoundationModelId": "m", "InferenceProfileId": "",
        "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/x", "AudioExpirationDays": "90"})
    params = stack_parameters(DeployOptions(), "bucket", "key-2", existing)
    assert params == [
        {"ParameterKey": "LambdaCodeBucket", "ParameterValue": "bucket"},
        {"ParameterKey": "LambdaCodeKey", "ParameterValue": "key-2"},
        {"ParameterKey": "AudioExpirationDays", "UsePreviousValue": True},
        {"ParameterKey": "FoundationModelId", "UsePreviousValue": True},
        {"ParameterKey": "InferenceProfileId", "UsePreviousValue": True},
        {"ParameterKey": "KmsKeyArn", "UsePreviousValue": True},
    ]
    fresh = stack_parameters(DeployOptions(model_id="eu.anthropic.claude-3-5-sonnet-20240620-v1:0"), "b", "k", None)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in fresh}["InferenceProfileId"] == (
        "eu.anthropic.claude-3-5-sonnet-20240620-v1:0")


def test_missing_outputs_are_named() -> None:
    state = StackState(name="prepai", stack_id="id", status="CREATE_COMPLETE", outputs={"AgentId": "A"})
    with pytest.raises(PrepAIError, match="^stack prepai has no output AgentAliasId, KnowledgeBaseId"):
        StackOutputs.from_stack(state)


def test_harness_stack_parameters() -> None:
    fresh = {p["ParameterKey"]: p.get("ParameterValue") for p in stack_parameters(
        DeployOptions(stack_name="my-prepai_2"), "b", "k", None)}
    assert fresh["ResourcePrefix"] == "myprepai2" and "AllowCodeInterpreter" not in fresh
    existing = StackState(name="my-prepai_2", stack_id="id", status="UPDATE_COMPLETE", parameters={
        "LambdaCodeBucket": "b", "LambdaCodeKey": "k", "ResourcePrefix": "myprepai2", "AllowCodeInterpreter": "false"})
    params = stack_parameters(DeployOptions(allow_code_interpreter=True), "b", "k2", existing)
    assert {"ParameterKey": "AllowCodeInterpreter", "ParameterValue": "true"} in params
    assert {"ParameterKey": "ResourcePrefix", "UsePreviousValue": True} in params  # names never change
    assert resource_prefix("2024-stack") == "prepai2024stack" and len(resource_prefix("x" * 80)) == 24
