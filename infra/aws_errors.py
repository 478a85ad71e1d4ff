"""AWS failures during infra commands as one line the user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError, PartialCredentialsError,
    ProfileNotFound, TokenRetrievalError, WaiterError,
)

from prepai_cli.errors import PrepAIError

_BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                    "SignatureDoesNotMatch", "InvalidSignatureException"}


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def describe(exc: BaseException, doing: str) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = one_line(error.get("Message", ""))
        if code in {"AccessDenied", "AccessDeniedException", "AuthorizationError"}:
            return f"access denied while {doing}: {message or code}"
        if code in _BAD_CREDENTIALS:
            return (f"AWS rejected your credentials ({code}) while {doing}; refresh them "
                    f"(`aws sso login` or `aws configure`)")
        return f"{doing} failed ({code}): {message}" if message else f"{doing} failed ({code})"
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return "no AWS credentials found; run `aws configure` (or `aws sso login`), or pass --profile"
    if isinstance(exc, TokenRetrievalError):
        return f"could not load AWS credentials: {one_line(exc)}"
    if isinstance(exc, ProfileNotFound):
        return f"AWS profile not found: {one_line(exc)}"
    if isinstance(exc, NoRegionError):
        return "no AWS region set; pass --region (e.g. us-east-1) or run `prepai config set aws.region us-east-1`"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach AWS while {doing}: {one_line(exc)}"
    if isinstance(exc, WaiterError):
        return f"{doing} did not finish: {one_line(exc.last_response.get('StatusReason') or exc)}"
    return f"{doing} failed: {one_line(exc)}"


@contextmanager
def aws_call(doing: str) -> Iterator[None]:
    """Turns boto errors raised inside into a PrepAIError naming what was being done."""
    try:
        yield
    except PrepAIError:
        raise
    except (ClientError, BotoCoreError) as exc:
        raise PrepAIError(describe(exc, doing)) from exc
