"""Stack parameters and conditions. Every default is safe to deploy as is; `prepai infra deploy` sets the code
location and the model."""

from __future__ import annotations

from typing import Any, Literal

from infra.cfn import ref

CODE_BUCKET = "LambdaCodeBucket"
CODE_KEY = "LambdaCodeKey"
FOUNDATION_MODEL = "FoundationModelId"
INFERENCE_PROFILE = "InferenceProfileId"
EMBEDDING_MODEL = "EmbeddingModelId"
EMBEDDING_DIMENSIONS = "EmbeddingDimensions"
KMS_KEY = "KmsKeyArn"
AUDIO_TRANSITION_DAYS = "AudioTransitionDays"
AUDIO_EXPIRATION_DAYS = "AudioExpirationDays"
NONCURRENT_EXPIRATION_DAYS = "NoncurrentVersionExpirationDays"
IDLE_SESSION_TTL = "IdleSessionTTLInSeconds"
LOG_RETENTION = "LogRetentionInDays"

RESOURCE_PREFIX = "ResourcePrefix"
MEMORY_EXPIRY_DAYS = "MemoryEventExpiryDays"
ALLOW_CODE_INTERPRETER = "AllowCodeInterpreter"

USE_KMS = "UseKmsKey"
USE_INFERENCE_PROFILE = "UseInferenceProfile"
USE_CODE_INTERPRETER = "UseCodeInterpreter"

StackKind = Literal["harness", "agents-classic"]

DEFAULT_FOUNDATION_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
DEFAULT_EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"

# The values CloudWatch Logs accepts for RetentionInDays.
_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                   3288, 3653]


def parameters(kind: StackKind = "harness") -> dict[str, Any]:
    out = _shared_parameters()
    if kind == "agents-classic":
        retention = out.pop(LOG_RETENTION)  # kept last, where it always was
        out[IDLE_SESSION_TTL] = {
            "Type": "Number",
            "Default": 1800,
            "MinValue": 60,
            "MaxValue": 3600,
            "Description": "Seconds of silence before the agent forgets an interview session.",
        }
        out[LOG_RETENTION] = retention
        return out
    out[RESOURCE_PREFIX] = {
        "Type": "String",
        "Default": "prepai",
        # Harness and memory names take letters, digits and underscores; gateway names letters, digits and hyphens.
        "AllowedPattern": "^[a-zA-Z][a-zA-Z0-9]{0,23}$",
        "Description": "Letters and digits that start the harness, memory and gateway names (one stack per prefix "
                       "in an account and region); deploy derives it from the stack name.",
    }
    out[MEMORY_EXPIRY_DAYS] = {
        "Type": "Number",
        "Default": 30,
        "MinValue": 3,
        "MaxValue": 365,
        "Description": "Days AgentCore Memory keeps the raw interview turns it extracts weak areas from.",
    }
    out[ALLOW_CODE_INTERPRETER] = {
        "Type": "String",
        "Default": "false",
        "AllowedValues": ["true", "false"],
        "Description": "true lets the harness use AgentCore Code Interpreter (prepai --code-interpreter); false "
                       "keeps candidate code in the local sandbox only.",
    }
    return out


def _shared_parameters() -> dict[str, Any]:
    return {
        CODE_BUCKET: {
            "Type": "String",
            "Description": "Bucket holding the packaged action-group Lambda code (set by prepai infra deploy).",
            "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        },
        CODE_KEY: {
            "Type": "String",
            "Description": "Key of the Lambda zip; it names the zip's hash, so unchanged code means no update.",
            "MinLength": 1,
        },
        FOUNDATION_MODEL: {
            "Type": "String",
            "Default": DEFAULT_FOUNDATION_MODEL,
            "Description": "Bedrock foundation model the interviewer agent runs on.",
            "AllowedPattern": "^[a-z0-9-]+\\.[a-zA-Z0-9.:-]+$",
        },
        INFERENCE_PROFILE: {
            "Type": "String",
            "Default": "",
            "Description": "Optional cross-region inference profile (e.g. us.<model id>) for models that need one; "
                           "empty invokes the foundation model in this region.",
            "AllowedPattern": "^([a-z-]+\\.[a-z0-9-]+\\.[a-zA-Z0-9.:-]+)?$",
        },
        EMBEDDING_MODEL: {
            "Type": "String",
            "Default": DEFAULT_EMBEDDING_MODEL,
            "Description": "Bedrock embedding model for the knowledge base.",
            "AllowedPattern": "^[a-z0-9-]+\\.[a-zA-Z0-9.:-]+$",
        },
        EMBEDDING_DIMENSIONS: {
            "Type": "Number",
            "Default": 1024,
            "AllowedValues": [256, 512, 1024],
            "Description": "Vector size; must be one the embedding model produces (Titan v2: 256, 512, 1024).",
        },
        KMS_KEY: {
            "Type": "String",
            "Default": "",
            "Description": "Optional customer-managed KMS key ARN for the S3 buckets; empty uses SSE-S3.",
            "AllowedPattern": "^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]{36})?$",
        },
        AUDIO_TRANSITION_DAYS: {
            "Type": "Number",
            "Default": 30,
            "MinValue": 30,  # S3 refuses STANDARD_IA transitions earlier than 30 days
            "Description": "Days before interview audio moves to S3 Standard-IA.",
        },
        AUDIO_EXPIRATION_DAYS: {
            "Type": "Number",
            "Default": 365,
            "MinValue": 31,
            "Description": "Days before interview audio is deleted; must exceed the transition days.",
        },
        NONCURRENT_EXPIRATION_DAYS: {
            "Type": "Number",
            "Default": 30,
            "MinValue": 1,
            "Description": "Days an overwritten or deleted object version is kept (undo window for sync).",
        },
        LOG_RETENTION: {
            "Type": "Number",
            "Default": 30,
            "AllowedValues": _RETENTION_DAYS,
            "Description": "Days the action-group Lambda logs are kept.",
        },
    }


def conditions(kind: StackKind = "harness") -> dict[str, Any]:
    out = {
        USE_KMS: {"Fn::Not": [{"Fn::Equals": [ref(KMS_KEY), ""]}]},
        USE_INFERENCE_PROFILE: {"Fn::Not": [{"Fn::Equals": [ref(INFERENCE_PROFILE), ""]}]},
    }
    if kind == "harness":
        out[USE_CODE_INTERPRETER] = {"Fn::Equals": [ref(ALLOW_CODE_INTERPRETER), "true"]}
    return out
