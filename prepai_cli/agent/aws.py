"""Boto3 sessions and clients for the cloud brains, and AWS failures turned into one-line messages.

Retries (exponential backoff with jitter) are botocore's own, configured here once: they cover throttling and
transient errors *before* a stream starts. Errors inside an open event stream are not retried by botocore; the
brains report them with `classify` and keep what was already said.
"""

from __future__ import annotations

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError, ClientError, ConnectionClosedError, ConnectTimeoutError, CredentialRetrievalError,
    EndpointConnectionError, InvalidRegionError, NoAuthTokenError, NoCredentialsError, NoRegionError,
    PartialCredentialsError, ParamValidationError, ProfileNotFound, ReadTimeoutError, ResponseStreamingError,
    TokenRetrievalError,
)
from pydantic import BaseModel
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from prepai_cli.config import AWSSettings
from prepai_cli.errors import PrepAIError

DEFAULT_MAX_ATTEMPTS = 4
# Bedrock can think for a while before the first token of a long answer; a dead connection still ends the turn.
READ_TIMEOUT_S = 90
CONNECT_TIMEOUT_S = 5

_THROTTLED = {"ThrottlingException", "TooManyRequestsException", "ServiceQuotaExceededException",
              "ProvisionedThroughputExceededException"}
_TRANSIENT = {"InternalServerException", "ModelStreamErrorException", "ServiceUnavailableException",
              "ModelNotReadyException", "DependencyFailedException", "BadGatewayException",
              "ModelTimeoutException", "InternalFailure", "ServiceUnavailable"}
_BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
                    "InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"}


# Words of AWS's refusal to serve Agents Classic to an account that never used it (the exact text is not
# documented; these are the phrases of the maintenance-mode notice).
_AGENTS_CLASSIC_CLOSED = ("new customers", "agents classic", "maintenance mode", "no longer available to new")

_INFERENCE_PROFILE_PREFIXES = {"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"}


class CallContext(BaseModel):
    """What a failed call was trying to do, so its error can name the exact permission and resource."""

    action: str  # the IAM action, e.g. bedrock:InvokeModelWithResponseStream
    resource: str  # the ARN the action was on
    target: str  # how the user knows the resource, e.g. "model anthropic.claude-3-5-sonnet-20240620-v1:0"
    region: str
    fix_hint: str = ""  # which flag or setting points at the resource


class CloudFailure(BaseModel):
    message: str
    recoverable: bool
    code: str | None = None


def client_config(max_attempts: int = DEFAULT_MAX_ATTEMPTS, read_timeout: float = READ_TIMEOUT_S) -> Config:
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=read_timeout,
        user_agent_extra="prepai",
    )


def boto_session(aws: AWSSettings) -> boto3.Session:
    try:
        return boto3.Session(profile_name=aws.profile, region_name=aws.region)
    except ProfileNotFound:
        raise PrepAIError(
            f"AWS profile {aws.profile!r} not found in your AWS config; "
            "check --profile or `aws configure list-profiles`"
        ) from None


def resolve_region(aws: AWSSettings) -> str:
    region = boto_session(aws).region_name
    if not region:
        raise PrepAIError(
            "no AWS region set; pass --region (e.g. us-east-1) or run `prepai config set aws.region us-east-1`"
        )
    return region


def make_client(aws: AWSSettings, service: str, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> BaseClient:
    """A client for `service`; endpoint overrides (AWS_ENDPOINT_URL_<SERVICE>) are honoured by botocore itself."""
    session = boto_session(aws)
    region = resolve_region(aws)
    try:
        config = client_config(max_attempts)
        return session.client(service, region_name=region, config=config)  # type: ignore[call-overload]
    except NoRegionError:
        raise PrepAIError("no AWS region set; pass --region (e.g. us-east-1)") from None
    except InvalidRegionError:
        raise PrepAIError(f"{region!r} is not a valid AWS region name; pass --region (e.g. us-east-1)") from None


def error_code(exc: ClientError) -> str:
    """The error code in PascalCase: mid-stream exceptions arrive camelCase (throttlingException)."""
    code = str(exc.response.get("Error", {}).get("Code", "") or "")
    return code[:1].upper() + code[1:]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def classify(exc: BaseException, context: CallContext) -> CloudFailure:
    """One clear line for what went wrong and whether the interview can try the cloud again next turn."""
    if isinstance(exc, PrepAIError):
        return CloudFailure(message=_one_line(str(exc)), recoverable=False)
    if isinstance(exc, ClientError):
        return _classify_client_error(exc, context)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError, NoAuthTokenError)):
        return CloudFailure(
            message="no AWS credentials found; run `aws configure` (or `aws sso login`), or pass --profile",
            recoverable=False, code="NoCredentials",
        )
    if isinstance(exc, (CredentialRetrievalError, TokenRetrievalError)):
        return CloudFailure(message=f"could not load AWS credentials: {_one_line(str(exc))}",
                            recoverable=False, code="NoCredentials")
    if isinstance(exc, ProfileNotFound):
        return CloudFailure(message=f"AWS profile not found: {_one_line(str(exc))}", recoverable=False)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url", "the Bedrock endpoint")
        return CloudFailure(
            message=f"cannot reach {endpoint} (region {context.region}); check your network, and that Bedrock is "
                    f"offered in {context.region} (--region)",
            recoverable=False, code="EndpointUnreachable",
        )
    if isinstance(exc, ReadTimeoutError):
        return CloudFailure(message="Bedrock stopped responding (read timeout)", recoverable=True, code="ReadTimeout")
    if isinstance(exc, (ConnectionClosedError, ResponseStreamingError, Urllib3HTTPError, ConnectionError)):
        return CloudFailure(message="the connection to Bedrock dropped in the middle of the reply",
                            recoverable=True, code="StreamCut")
    if isinstance(exc, ParamValidationError):
        return CloudFailure(message=f"invalid request to Bedrock: {_one_line(str(exc))}", recoverable=False)
    if isinstance(exc, BotoCoreError):
        # Event stream framing errors (bad CRC, truncated prelude) land here: the stream is unusable.
        return CloudFailure(message=f"Bedrock sent a broken reply: {_one_line(str(exc))}", recoverable=True)
    return CloudFailure(message=f"unexpected error talking to Bedrock: {type(exc).__name__}: {_one_line(str(exc))}",
                        recoverable=False)


def is_agents_classic_closed(context: CallContext, aws_message: str) -> bool:
    """Bedrock Agents ("Agents Classic") stopped taking new customers on 2026-07-30; its refusal names that."""
    lowered = aws_message.lower()
    return context.action.startswith("bedrock:") and "agent" in context.action.lower() and any(
        marker in lowered for marker in _AGENTS_CLASSIC_CLOSED)


def _classify_client_error(exc: ClientError, context: CallContext) -> CloudFailure:
    code = error_code(exc)
    aws_message = _one_line(exc.response.get("Error", {}).get("Message", "") or "")
    detail = f" ({aws_message})" if aws_message else ""
    hint = f"; {context.fix_hint}" if context.fix_hint else ""
    if is_agents_classic_closed(context, aws_message):
        return CloudFailure(
            message=f"Bedrock Agents (Agents Classic) is closed to new customers and this account cannot use it; "
                    f"switch to the AgentCore harness: `prepai infra deploy`, then --brain agentcore{detail}",
            recoverable=False, code=code,
        )
    if "prepare" in aws_message.lower() and code in {"ValidationException", "ConflictException",
                                                      "ResourceNotFoundException", "BadRequestException"}:
        return CloudFailure(
            message=f"the {context.target} is not prepared: prepare the agent and point the alias at a prepared "
                    f"version{detail}",
            recoverable=False, code=code,
        )
    if code == "AccessDeniedException" or code == "AccessDenied":
        lowered = aws_message.lower()
        if "not authorized to perform" in lowered or "no identity-based policy" in lowered:
            message = f"access denied: your AWS identity needs {context.action} on {context.resource}{detail}"
        elif "access to the model" in lowered or "model access" in lowered or "not have access" in lowered:
            message = (f"access denied: model access is not enabled for the {context.target} in {context.region}; "
                       f"enable it in the Bedrock console under Model access{detail}")
        else:
            message = (f"access denied calling {context.target}: check {context.action} on {context.resource} "
                       f"and model access in {context.region}{detail}")
        return CloudFailure(message=message, recoverable=False, code=code)
    if code in _BAD_CREDENTIALS:
        return CloudFailure(
            message=f"AWS rejected your credentials ({code}); refresh them (`aws sso login` or `aws configure`)",
            recoverable=False, code=code,
        )
    if code == "ResourceNotFoundException":
        return CloudFailure(message=f"the {context.target} was not found in {context.region}{hint}{detail}",
                            recoverable=False, code=code)
    if code == "ValidationException" and "model identifier is invalid" in aws_message.lower():
        return CloudFailure(
            message=f"the {context.target} is not available in {context.region} (invalid model identifier){hint}",
            recoverable=False, code=code,
        )
    if code in _THROTTLED:
        return CloudFailure(
            message=f"Bedrock is throttling requests ({code}), even after retrying; wait a moment or ask for a "
                    f"higher quota",
            recoverable=True, code=code,
        )
    if code in _TRANSIENT:
        return CloudFailure(message=f"Bedrock had a temporary problem ({code}){detail}", recoverable=True, code=code)
    return CloudFailure(message=f"Bedrock refused the request ({code}){detail}", recoverable=False, code=code)


def is_inference_profile(model_id: str) -> bool:
    return model_id.startswith("arn:") or model_id.split(".", 1)[0] in _INFERENCE_PROFILE_PREFIXES


def model_arn(region: str, model_id: str) -> str:
    if model_id.startswith("arn:"):
        return model_id
    if is_inference_profile(model_id):
        # Cross-region inference profiles (us.anthropic...) are invoked through an inference-profile ARN.
        return f"arn:aws:bedrock:{region}:<account-id>:inference-profile/{model_id}"
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def agent_alias_arn(region: str, agent_id: str, alias_id: str) -> str:
    return f"arn:aws:bedrock:{region}:<account-id>:agent-alias/{agent_id}/{alias_id}"
