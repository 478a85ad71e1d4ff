"""The AWS clients the infra commands use, made once per run from the region and profile."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from infra.aws_errors import aws_call
from prepai_cli.agent.aws import boto_session, client_config
from prepai_cli.config import AWSSettings
from prepai_cli.errors import PrepAIError


class AwsClients(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    region: str
    cloudformation: Any
    s3: Any
    sts: Any
    bedrock_agent: Any
    agentcore_control: Any = None

    def account_id(self) -> str:
        with aws_call("checking your AWS identity"):
            return str(self.sts.get_caller_identity()["Account"])


def connect(region: str | None, profile: str | None) -> AwsClients:
    session = boto_session(AWSSettings(region=region, profile=profile))
    resolved = region or session.region_name
    if not resolved:
        raise PrepAIError("no AWS region set; pass --region (e.g. us-east-1) or run "
                          "`prepai config set aws.region us-east-1`")
    config = client_config()

    def client(service: str) -> Any:
        return session.client(service, region_name=resolved, config=config)  # type: ignore[call-overload]

    return AwsClients(region=resolved, cloudformation=client("cloudformation"), s3=client("s3"), sts=client("sts"),
                      bedrock_agent=client("bedrock-agent"), agentcore_control=client("bedrock-agentcore-control"))
