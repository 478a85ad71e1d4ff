"""`prepai doctor` against a scripted local AWS, and with no credentials at all."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from prepai_cli.commands import doctor

from .fake_aws import FakeAws, Reply, Stream
from .scripts import converse_text

pytestmark = pytest.mark.aws

IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/dev</Arn><UserId>AIDAEXAMPLE</UserId>
<Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


def run(*args: str) -> tuple[int, str]:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Keeps doctor a sub-command, as in the real CLI."""

    doctor.register(app)
    result = CliRunner().invoke(app, ["doctor", *args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.output


def test_no_credentials(isolated_aws) -> None:
    code, output = run("--brain", "bedrock")
    lines = output.strip().splitlines()
    assert code == 1
    assert "✓ region: us-east-1" in lines
    assert any(line.startswith("✗ credentials: no AWS credentials found") for line in lines)
    assert "– model: skipped: needs working credentials" in lines
    assert "– model access: skipped: needs working credentials" in lines


def test_bedrock_brain_all_good(fake_aws: FakeAws) -> None:
    fake_aws.expect(
        Reply(200, IDENTITY, content_type="text/xml"),
        Reply(200, {"modelDetails": {"modelId": "anthropic.claude-3-5-haiku-20241022-v1:0", "modelName": "Claude 3.5 Haiku",
                                     "providerName": "Anthropic", "responseStreamingSupported": True,
                                     "modelLifecycle": {"status": "ACTIVE"}}}),
        Stream(converse_text("OK", usage=(9, 2))),
    )
    code, output = run("--brain", "bedrock", "--model-id", "anthropic.claude-3-5-haiku-20241022-v1:0")
    assert code == 0, output
    assert "✓ credentials: arn:aws:iam::123456789012:user/dev (account 123456789012)" in output
    assert "✓ model: Anthropic Claude 3.5 Haiku (anthropic.claude-3-5-haiku-20241022-v1:0) is active" in output
    assert "✓ model access: a streamed call works (11 tokens)" in output
    assert fake_aws.requests[1].path == "/foundation-models/anthropic.claude-3-5-haiku-20241022-v1%3A0"
    assert fake_aws.requests[2].json()["inferenceConfig"] == {"maxTokens": 5}


def test_model_access_not_enabled(fake_aws: FakeAws) -> None:
    fake_aws.expect(
        Reply(200, IDENTITY, content_type="text/xml"),
        Reply(200, {"modelDetails": {"modelId": "m", "modelName": "M", "modelLifecycle": {"status": "ACTIVE"}}}),
        Reply.error(403, "AccessDeniedException", "You don't have access to the model with the specified model ID."),
    )
    code, output = run("--brain", "bedrock", "--region", "eu-west-1")
    assert code == 1
    assert "✗ model access: access denied: model access is not enabled for the model " \
           "anthropic.claude-3-5-sonnet-20240620-v1:0 in eu-west-1" in output


def test_agent_not_prepared(fake_aws: FakeAws) -> None:
    fake_aws.expect(
        Reply(200, IDENTITY, content_type="text/xml"),
        Reply(200, {"agent": {"agentId": "AGENT12345", "agentName": "prepai-interviewer", "agentStatus": "NOT_PREPARED"}}),
    )
    code, output = run("--brain", "bedrock-agent", "--agent-id", "AGENT12345", "--agent-alias-id", "ALIAS12345")
    assert code == 1
    assert "✗ agent: agent AGENT12345 is NOT_PREPARED, not PREPARED" in output
    assert "– agent alias: skipped: needs a prepared agent" in output
    assert fake_aws.requests[1].path == "/agents/AGENT12345/"


def test_agent_ready(fake_aws: FakeAws) -> None:
    fake_aws.expect(
        Reply(200, IDENTITY, content_type="text/xml"),
        Reply(200, {"agent": {"agentId": "AGENT12345", "agentName": "prepai-interviewer", "agentStatus": "PREPARED"}}),
        Reply(200, {"agentAlias": {"agentAliasId": "ALIAS12345", "agentAliasName": "live",
                                   "agentAliasStatus": "PREPARED", "routingConfiguration": [{"agentVersion": "3"}]}}),
    )
    code, output = run("--brain", "bedrock-agent", "--agent-id", "AGENT12345", "--agent-alias-id", "ALIAS12345")
    assert code == 0, output
    assert "✓ agent: prepai-interviewer (AGENT12345) is PREPARED" in output
    assert "✓ agent alias: live (ALIAS12345) is PREPARED, version 3" in output


def test_offline_brain_contacts_nothing(fake_aws: FakeAws) -> None:
    code, output = run()
    assert code == 0 and "offline, which needs no AWS" in output
    assert fake_aws.requests == []


HARNESS = {"harness": {
    "harnessId": "prepai_interviewer-Ab12Cd34Ef", "harnessName": "prepai_interviewer", "status": "READY",
    "arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/prepai_interviewer-Ab12Cd34Ef",
    "harnessVersion": "4", "executionRoleArn": "arn:aws:iam::123456789012:role/harness",
    "createdAt": 1764600000, "updatedAt": 1764600000,
    "model": {"bedrockModelConfig": {"modelId": "us.anthropic.claude-3-5-haiku-20241022-v1:0"}},
    "systemPrompt": [{"text": "You are an interviewer."}], "tools": [], "skills": [], "allowedTools": [],
    "truncation": {"strategy": "sliding_window"}, "environment": {"agentCoreRuntimeEnvironment": {
        "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/rt-Ab12Cd34Ef",
        "agentRuntimeName": "rt", "agentRuntimeId": "rt-Ab12Cd34Ef", "lifecycleConfiguration": {},
        "networkConfiguration": {"networkMode": "PUBLIC"}}}}}
ENDPOINT = {"endpoint": {"harnessId": "prepai_interviewer-Ab12Cd34Ef", "harnessName": "prepai_interviewer",
                         "endpointName": "live", "arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/x",
                         "status": "READY", "liveVersion": "4", "createdAt": 1764600000, "updatedAt": 1764600000}}


def gateway(status: str, reasons: list[str] | None = None) -> dict:
    return {"gatewayArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/prepai-tools-ab12cd34ef",
            "gatewayId": "prepai-tools-ab12cd34ef", "name": "prepai-tools", "status": status,
            "statusReasons": reasons or [], "authorizerType": "AWS_IAM", "createdAt": 1764600000,
            "updatedAt": 1764600000}


@pytest.fixture
def harness_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import GATEWAY_ARN, HARNESS_ARN

    for name, value in {"PREPAI_AWS__HARNESS_ARN": HARNESS_ARN, "PREPAI_AWS__HARNESS_ENDPOINT": "live",
                        "PREPAI_AWS__GATEWAY_ARN": GATEWAY_ARN}.items():
        monkeypatch.setenv(name, value)


def test_agentcore_brain_all_good(fake_aws: FakeAws, harness_env: None) -> None:
    fake_aws.expect(Reply(200, IDENTITY, content_type="text/xml"), Reply(200, HARNESS), Reply(200, ENDPOINT),
                    Reply(200, gateway("READY")), Stream(converse_text("OK", usage=(9, 2))))
    code, output = run("--brain", "agentcore")
    assert code == 0, output
    assert f"✓ AgentCore: Bedrock AgentCore answers in us-east-1 ({fake_aws.url})" in output
    assert "✓ harness: prepai_interviewer is READY, version 4" in output
    assert "✓ harness endpoint: live is READY, serving version 4" in output
    assert "✓ gateway: prepai-tools is READY (AWS_IAM)" in output
    assert "✓ model access: a streamed call works (11 tokens)" in output
    paths = [r.path for r in fake_aws.requests[1:]]
    assert paths[:3] == ["/harnesses/prepai_interviewer-Ab12Cd34Ef", "/harnesses/prepai_interviewer-Ab12Cd34Ef"
                         "/endpoints/live", "/gateways/prepai-tools-ab12cd34ef/"]
    assert paths[3] == "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"  # the harness's model


def test_agentcore_gateway_not_ready_and_access_denied_on_the_endpoint(fake_aws: FakeAws, harness_env: None) -> None:
    fake_aws.expect(Reply(200, IDENTITY, content_type="text/xml"), Reply(200, HARNESS),
                    Reply.error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not "
                                "authorized to perform: bedrock-agentcore:GetHarnessEndpoint"),
                    Reply(200, gateway("FAILED", ["target cv-analysis: Lambda ARN is invalid"])),
                    Stream(converse_text("OK")))
    code, output = run("--brain", "agentcore")
    assert code == 1
    assert "✗ harness endpoint: access denied: your AWS identity needs bedrock-agentcore:GetHarnessEndpoint" in output
    assert ("✗ gateway: gateway prepai-tools is FAILED, not READY (target cv-analysis: Lambda ARN is invalid)"
            in output)


def test_agentcore_harness_in_another_region(fake_aws: FakeAws, harness_env: None) -> None:
    fake_aws.expect(Reply(200, IDENTITY, content_type="text/xml"))
    code, output = run("--brain", "agentcore", "--region", "eu-central-1")
    assert code == 1
    assert ("✗ AgentCore: the harness is in us-east-1 but the region is eu-central-1; pass --region us-east-1"
            in output)
    assert "– harness: skipped: region mismatch" in output


def test_agentcore_not_answering_in_the_region(fake_aws: FakeAws, harness_env: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on stands for a region without AgentCore
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", f"http://127.0.0.1:{port}")
    fake_aws.expect(Reply(200, IDENTITY, content_type="text/xml"))
    code, output = run("--brain", "agentcore")
    assert code == 1
    assert "✗ AgentCore: Bedrock AgentCore does not answer in us-east-1: it may not be offered there" in output
    assert "– gateway: skipped: needs AgentCore and the harness" in output


def test_agents_classic_refusal_tells_the_user_to_switch(fake_aws: FakeAws) -> None:
    fake_aws.expect(Reply(200, IDENTITY, content_type="text/xml"),
                    Reply.error(403, "AccessDeniedException", "Amazon Bedrock Agents is no longer available to new "
                                "customers. Use Amazon Bedrock AgentCore."))
    code, output = run("--brain", "bedrock-agent", "--agent-id", "AGENT12345", "--agent-alias-id", "ALIAS12345")
    assert code == 1
    assert ("✗ agent: Bedrock Agents (Agents Classic) is closed to new customers and this account cannot use it; "
            "switch to the AgentCore harness: `prepai infra deploy`, then --brain agentcore") in output
