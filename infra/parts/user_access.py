"""The managed policy a PrepAI user attaches to their own identity: exactly what the CLI does at run time."""

from __future__ import annotations

from typing import Any

from infra.cfn import allow, get_att, if_, no_value, policy_document, ref, sub
from infra.parts import parameters as p
from infra.parts.agent import AGENT_ALIAS
from infra.parts.gateway import GATEWAY
from infra.parts.harness import HARNESS, HARNESS_ENDPOINT
from infra.parts.models import invoke_statements
from infra.parts.parameters import StackKind
from infra.parts.storage import USER_DATA_BUCKET, USER_PREFIX

USER_POLICY = "PrepAIUserPolicy"


def _interviewer_statements(kind: StackKind) -> list[dict[str, Any]]:
    if kind == "agents-classic":
        return [allow("InvokeInterviewerAgent", ["bedrock:InvokeAgent"], [get_att(AGENT_ALIAS, "AgentAliasArn")])]
    harness = [get_att(HARNESS, "Arn"), get_att(HARNESS_ENDPOINT, "Arn")]
    return [
        allow("InvokeInterviewerHarness", ["bedrock-agentcore:InvokeHarness"], harness),
        # prepai doctor checks that the harness, its endpoint and the gateway are READY.
        allow("CheckInterviewerHarness", ["bedrock-agentcore:GetHarness", "bedrock-agentcore:GetHarnessEndpoint"],
              harness),
        allow("CheckToolsGateway", ["bedrock-agentcore:GetGateway"], [get_att(GATEWAY, "GatewayArn")]),
    ]


def resources(kind: StackKind = "harness") -> dict[str, Any]:
    bucket_arn = get_att(USER_DATA_BUCKET, "Arn")
    statements = [
        *_interviewer_statements(kind),
        # The bedrock (ConverseStream) brain talks to the same model directly.
        *invoke_statements("Converse"),
        allow("ListOwnPrefix", ["s3:ListBucket"], [bucket_arn],
              {"StringLike": {"s3:prefix": [USER_PREFIX, f"{USER_PREFIX}*"]}}),
        # PutObjectTagging: sync tags audio uploads so the lifecycle rule can age them out.
        allow("SyncUserData",
              ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
              [sub("${" + USER_DATA_BUCKET + ".Arn}/" + USER_PREFIX + "*")]),
        if_(p.USE_KMS, allow("UseBucketKey", ["kms:GenerateDataKey", "kms:Decrypt"], [ref(p.KMS_KEY)],
                             {"StringEquals": {"kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com")}}),
            no_value()),
    ]
    return {
        USER_POLICY: {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Description": "Attach to the identity that runs the prepai CLI: talk to the interviewer, sync data.",
                "PolicyDocument": policy_document(*statements),
            },
        }
    }


def outputs() -> dict[str, Any]:
    return {"UserPolicyArn": {"Description": "Managed policy to attach to PrepAI users.", "Value": ref(USER_POLICY)}}
