"""Every way the bucket can refuse us ends in one actionable line, and no local data is touched."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from moto import settings as moto_settings
import pytest

from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, MotoHandle, make_session
from tests.sync.s3proxy import S3Proxy

MOTO_ACCOUNT = "123456789012"


def _error(*args: str) -> str:
    result = run_sync(*args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, PrepAIError), result.exception
    message = str(result.exception)
    assert "\n" not in message
    return message


def test_expected_bucket_owner_mismatch(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_session(store, speech_clips[:1])
    proxy.plan.bucket_owner = MOTO_ACCOUNT
    monkeypatch.setenv("PREPAI_SYNC__EXPECTED_OWNER", "999999999999")
    for args in ((), ("--pull",)):
        assert _error(*args) == (
            "access denied to bucket 'prepai-test-bucket': the bucket is not owned by account 999999999999 "
            "(sync.expected_owner) or your credentials lack s3:PutObject/s3:GetObject/s3:ListBucket on it")
    assert not s3.list_objects_v2(Bucket=BUCKET).get("Contents")

    monkeypatch.setenv("PREPAI_SYNC__EXPECTED_OWNER", MOTO_ACCOUNT)
    assert run_sync().exit_code == 0
    assert run_sync("--pull").exit_code == 0
    s3_calls = [e for e in proxy.exchanges() if e.status == 200]
    assert s3_calls and all(e.headers.get("x-amz-expected-bucket-owner") == MOTO_ACCOUNT for e in s3_calls)


def test_access_denied_by_policy(store: SessionStore, speech_clips: list[Path], moto: MotoHandle, s3,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """moto with authorization on: a principal whose policy denies the bucket."""
    iam = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1")
    iam.create_user(UserName="intern")
    iam.put_user_policy(UserName="intern", PolicyName="no-prepai-bucket", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*",
             "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]},
        ],
    }))
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto.url)
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    session = make_session(store, speech_clips[:1])
    assert _error() == ("access denied to bucket 'prepai-test-bucket': your AWS credentials lack "
                        "s3:PutObject/s3:GetObject/s3:ListBucket on it (check the IAM and bucket policies)")
    assert len(store.turns(session.id)) == 2 and store.get_session(session.id).status == "ended"


def test_missing_bucket_wrong_region_and_no_credentials(store: SessionStore, speech_clips: list[Path],
                                                         proxy: S3Proxy, moto: MotoHandle,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_session(store, speech_clips[:1])
    monkeypatch.setenv("PREPAI_SYNC__BUCKET", "no-such-prepai-bucket")
    assert _error() == ("bucket 'no-such-prepai-bucket' does not exist; create it "
                        "(aws s3 mb s3://no-such-prepai-bucket) or fix sync.bucket")

    eu = boto3.client("s3", endpoint_url=moto.url, region_name="eu-west-1")
    eu.create_bucket(Bucket="prepai-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    monkeypatch.setenv("PREPAI_SYNC__BUCKET", "prepai-eu")
    assert _error("--pull") == ("bucket 'prepai-eu' is in region eu-west-1, not us-east-1; "
                                "run `prepai config set aws.region eu-west-1`")
    monkeypatch.setenv("PREPAI_AWS__REGION", "eu-west-1")
    assert run_sync().exit_code == 0

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert _error() == "no AWS credentials found; run `aws configure` (or set aws.profile)"
    monkeypatch.setenv("PREPAI_AWS__PROFILE", "nobody")
    assert _error() == ("AWS profile 'nobody' not found; fix aws.profile or run "
                        "`aws configure --profile nobody`")
