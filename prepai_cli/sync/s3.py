"""The bucket as sync sees it: a configured client, the request arguments every call carries, and plain-English errors."""

from __future__ import annotations

import os
from typing import Any

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError, ClientError, ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError,
    NoCredentialsError, PartialCredentialsError, ProfileNotFound, ReadTimeoutError,
)
from pydantic import BaseModel

from prepai_cli.config import Settings
from prepai_cli.errors import PrepAIError
from prepai_cli.sync.layout import Layout

MB = 1024 * 1024


class S3Options(BaseModel):
    """Transport tuning; defaults suit a home connection, tests shorten the retries."""

    max_attempts: int = 6  # total tries per request, the first included (as AWS_MAX_ATTEMPTS)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    multipart_threshold: int = 8 * MB
    multipart_chunksize: int = 8 * MB
    max_concurrency: int = 4


class SyncFailure(PrepAIError):
    """An S3 failure already explained in one line; `transient` means running sync again may succeed."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class SyncTarget:
    def __init__(self, client: Any, bucket: str, layout: Layout, *, region: str | None = None,
                 kms_key_id: str | None = None, expected_owner: str | None = None,
                 options: S3Options | None = None):
        self.client = client
        self.bucket = bucket
        self.layout = layout
        self.region = region
        self.kms_key_id = kms_key_id
        self.expected_owner = expected_owner
        self.options = options or S3Options()
        self.transfer = TransferConfig(
            multipart_threshold=self.options.multipart_threshold,
            multipart_chunksize=self.options.multipart_chunksize,
            max_concurrency=self.options.max_concurrency,
        )

    @classmethod
    def from_settings(cls, settings: Settings, options: S3Options | None = None) -> SyncTarget:
        sync = settings.sync
        if not sync.bucket:
            raise PrepAIError("no sync bucket configured; run `prepai config set sync.bucket YOUR-BUCKET` first")
        options = options or S3Options()
        try:
            session = boto3.session.Session(profile_name=settings.aws.profile, region_name=settings.aws.region)
        except ProfileNotFound as exc:
            raise PrepAIError(f"AWS profile {settings.aws.profile!r} not found; fix aws.profile or run "
                              f"`aws configure --profile {settings.aws.profile}`") from exc
        # The standard AWS knobs (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) win over our defaults when set.
        retries: dict[str, Any] = {"mode": os.environ.get("AWS_RETRY_MODE", "standard")}
        if "AWS_MAX_ATTEMPTS" not in os.environ:
            retries["total_max_attempts"] = options.max_attempts
        config = Config(
            retries=retries,  # type: ignore[arg-type]
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
        )
        client = session.client("s3", config=config)
        layout = Layout.for_settings(settings)
        return cls(client, sync.bucket, layout, region=session.region_name, kms_key_id=sync.kms_key_id,
                   expected_owner=sync.expected_owner, options=options)

    def owner_args(self) -> dict[str, str]:
        return {"ExpectedBucketOwner": self.expected_owner} if self.expected_owner else {}

    def encryption_args(self) -> dict[str, str]:
        if self.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        return {"ServerSideEncryption": "AES256"}

    def check_bucket(self) -> None:
        """One cheap call up front so a wrong bucket, region, owner or credential fails before any work."""
        try:
            response = self.client.head_bucket(Bucket=self.bucket, **self.owner_args())
        except Exception as exc:
            raise self.explain(exc) from exc
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        bucket_region = headers.get("x-amz-bucket-region")
        if bucket_region and self.region and bucket_region != self.region:
            # botocore would chase redirects call by call; a KMS key or endpoint in the wrong region would not follow.
            raise SyncFailure(f"bucket {self.bucket!r} is in region {bucket_region}, not {self.region}; "
                              f"run `prepai config set aws.region {bucket_region}`", transient=False)

    def explain(self, exc: BaseException, key: str | None = None) -> SyncFailure:
        """A one-line, actionable SyncFailure for any error boto3 raises."""
        if isinstance(exc, S3UploadFailedError) and isinstance(exc.__context__, BaseException):
            exc = exc.__context__  # boto3 wraps the ClientError it got; its code is what matters
        where = f"s3://{self.bucket}/{key}" if key else f"bucket {self.bucket!r}"
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return SyncFailure("no AWS credentials found; run `aws configure` (or set aws.profile)", transient=False)
        if isinstance(exc, (EndpointConnectionError, ConnectionClosedError, ConnectTimeoutError, ReadTimeoutError)):
            return SyncFailure(f"could not reach S3 for {where}: {exc}", transient=True)
        if isinstance(exc, ClientError):
            return self._explain_client_error(exc, where, about_bucket=key is None)
        if isinstance(exc, BotoCoreError):
            return SyncFailure(f"S3 request for {where} failed: {exc}", transient=True)
        if isinstance(exc, OSError):
            return SyncFailure(f"network error talking to S3 for {where}: {exc}", transient=True)
        return SyncFailure(f"S3 request for {where} failed: {exc}", transient=False)

    def _explain_client_error(self, exc: ClientError, where: str, *, about_bucket: bool) -> SyncFailure:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or code
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode", 0) or 0)
        headers = meta.get("HTTPHeaders", {}) or {}
        bucket_region = headers.get("x-amz-bucket-region") or error.get("Region")
        # HEAD requests have no body, so a missing bucket is a bare "404" there.
        if code == "NoSuchBucket" or (code == "404" and about_bucket):
            return SyncFailure(f"bucket {self.bucket!r} does not exist; create it (aws s3 mb s3://{self.bucket}) "
                               "or fix sync.bucket", transient=False)
        if code in {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
                    "301"} or (bucket_region and self.region and bucket_region != self.region and status in {301, 400}):
            found = f"region {bucket_region}" if bucket_region else "another region"
            fix = f"`prepai config set aws.region {bucket_region}`" if bucket_region else "set aws.region to it"
            return SyncFailure(f"bucket {self.bucket!r} is in {found}, not {self.region or 'the default region'}; "
                               f"run {fix}", transient=False)
        if code in {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired"}:
            return SyncFailure(f"AWS rejected your credentials ({code}); run `aws configure` or `aws sso login`",
                               transient=False)
        if code.startswith("KMS") or ("KMS" in message and status in {400, 403}):
            return SyncFailure(f"S3 could not use KMS key {self.kms_key_id!r} for {where}: {message}; "
                               "check sync.kms_key_id and the key policy", transient=False)
        if code in {"AccessDenied", "403", "Forbidden", "AllAccessDisabled", "AccountProblem"}:
            if self.expected_owner:
                return SyncFailure(f"access denied to {where}: the bucket is not owned by account "
                                   f"{self.expected_owner} (sync.expected_owner) or your credentials lack "
                                   "s3:PutObject/s3:GetObject/s3:ListBucket on it", transient=False)
            return SyncFailure(f"access denied to {where}: your AWS credentials lack s3:PutObject/s3:GetObject/"
                               "s3:ListBucket on it (check the IAM and bucket policies)", transient=False)
        if status >= 500 or code in {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable"}:
            return SyncFailure(f"S3 kept failing for {where} ({code or status}: {message})", transient=True)
        return SyncFailure(f"S3 refused {where} ({code or status}: {message})", transient=False)
