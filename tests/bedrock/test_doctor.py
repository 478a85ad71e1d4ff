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
