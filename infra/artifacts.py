"""The artifacts bucket (Lambda zips, large templates): private, encrypted, TLS-only, created on first deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.aws_errors import aws_call
from prepai_cli.errors import PrepAIError

SHA_METADATA = "sha256"


def artifacts_bucket_name(account: str, region: str) -> str:
    # Account and region in the name keep it globally unique and let every PrepAI stack there share it.
    return f"prepai-artifacts-{account}-{region}"


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def ensure_bucket(s3: Any, bucket: str, region: str, account: str) -> bool:
    """Creates the bucket if missing; True when it was created."""
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        return False
    except ClientError as exc:
        if _status(exc) == 403:
            raise PrepAIError(f"bucket {bucket} exists but belongs to another account or denies access") from exc
        if _status(exc) != 404:
            raise PrepAIError(f"cannot check artifacts bucket {bucket}: {exc}") from exc
    with aws_call(f"creating artifacts bucket {bucket}"):
        kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        s3.put_public_access_block(Bucket=bucket, ExpectedBucketOwner=account, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        })
        s3.put_bucket_encryption(Bucket=bucket, ExpectedBucketOwner=account, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}],
        })
        s3.put_bucket_policy(Bucket=bucket, ExpectedBucketOwner=account, Policy=json.dumps(tls_only_policy(bucket)))
    return True


def tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }


def upload_if_changed(s3: Any, bucket: str, key: str, path: Path, sha256: str, account: str) -> bool:
    """Uploads unless the object is already there with the same content hash; True when uploaded."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
        if head.get("Metadata", {}).get(SHA_METADATA) == sha256:
            return False
    except ClientError as exc:
        if _status(exc) != 404:
            raise PrepAIError(f"cannot read s3://{bucket}/{key}: {exc}") from exc
    with aws_call(f"uploading {path.name} to s3://{bucket}/{key}"):
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), Metadata={SHA_METADATA: sha256},
                      ExpectedBucketOwner=account)
    return True


def empty_bucket(s3: Any, bucket: str, prefix: str = "") -> int:
    """Deletes every object version and delete marker under `prefix`; returns how many were deleted."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    with aws_call(f"emptying bucket {bucket}"):
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            targets = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                       for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            for start in range(0, len(targets), 1000):  # DeleteObjects takes at most 1000 keys
                batch = targets[start:start + 1000]
                s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
                deleted += len(batch)
    return deleted


def bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        if _status(exc) == 404:
            return False
        raise PrepAIError(f"cannot check bucket {bucket}: {exc}") from exc


def delete_bucket_if_empty(s3: Any, bucket: str) -> bool:
    with aws_call(f"listing bucket {bucket}"):
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    if page.get("Versions") or page.get("DeleteMarkers"):
        return False
    with aws_call(f"deleting bucket {bucket}"):
        s3.delete_bucket(Bucket=bucket)
    return True
