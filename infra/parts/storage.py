"""The user-data bucket (sessions, audio, reports, CVs) and the knowledge-base document bucket."""

from __future__ import annotations

from typing import Any

from infra.cfn import get_att, if_, no_value, ref, sub
from infra.parts import parameters as p
from prepai_cli.sync.layout import AUDIO_TAG_KEY, AUDIO_TAG_VALUE

USER_DATA_BUCKET = "UserDataBucket"
KNOWLEDGE_BUCKET = "KnowledgeBaseBucket"

USER_PREFIX = "users/"


def _encryption() -> dict[str, Any]:
    return {
        "ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": if_(
                p.USE_KMS,
                {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ref(p.KMS_KEY)},
                {"SSEAlgorithm": "AES256"},
            ),
            # A bucket key cuts KMS request charges by ~99% for per-object encryption.
            "BucketKeyEnabled": if_(p.USE_KMS, True, no_value()),
        }]
    }


def _private_bucket(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "BucketEncryption": _encryption(),
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        **extra,
    }


def _tls_only_policy(bucket: str) -> dict[str, Any]:
    bucket_arn = get_att(bucket, "Arn")
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": ref(bucket),
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, sub("${" + bucket + ".Arn}/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }],
            },
        },
    }


def resources() -> dict[str, Any]:
    user_data_lifecycle = {
        "Rules": [
            {
                "Id": "interview-audio-ages-out",
                "Status": "Enabled",
                "Prefix": USER_PREFIX,
                "TagFilters": [{"Key": AUDIO_TAG_KEY, "Value": AUDIO_TAG_VALUE}],
                "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": ref(p.AUDIO_TRANSITION_DAYS)}],
                "ExpirationInDays": ref(p.AUDIO_EXPIRATION_DAYS),
            },
            {
                "Id": "old-versions-expire",
                "Status": "Enabled",
                "NoncurrentVersionExpiration": {"NoncurrentDays": ref(p.NONCURRENT_EXPIRATION_DAYS)},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                "ExpiredObjectDeleteMarker": True,
            },
        ]
    }
    return {
        USER_DATA_BUCKET: {
            "Type": "AWS::S3::Bucket",
            # The candidate's interviews outlive the stack: `prepai infra destroy` deletes this bucket itself
            # unless --keep-data, so a stack replacement or rollback never takes the data with it.
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": _private_bucket({
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": user_data_lifecycle,
            }),
        },
        f"{USER_DATA_BUCKET}Policy": _tls_only_policy(USER_DATA_BUCKET),
        KNOWLEDGE_BUCKET: {
            "Type": "AWS::S3::Bucket",
            # Only derived documents live here (re-exported on every deploy); destroy empties it first.
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": _private_bucket({}),
        },
        f"{KNOWLEDGE_BUCKET}Policy": _tls_only_policy(KNOWLEDGE_BUCKET),
    }


def outputs() -> dict[str, Any]:
    return {
        "UserDataBucket": {"Description": "Bucket for synced sessions, audio, reports and CVs.",
                           "Value": ref(USER_DATA_BUCKET)},
        "KnowledgeBaseBucket": {"Description": "Bucket the knowledge base ingests documents from.",
                                "Value": ref(KNOWLEDGE_BUCKET)},
    }
