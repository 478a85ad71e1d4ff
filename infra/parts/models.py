"""ARNs of the interviewer model, shared by the agent's role and the CLI user's policy."""

from __future__ import annotations

from typing import Any

from infra.cfn import if_, ref, sub
from infra.parts import parameters as p


def foundation_model_arn() -> dict[str, str]:
    return sub("arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${" + p.FOUNDATION_MODEL + "}")


def inference_profile_arn() -> dict[str, str]:
    return sub("arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/${"
               + p.INFERENCE_PROFILE + "}")


def agent_model() -> dict[str, Any]:
    """What the agent's FoundationModel names: the inference profile when one is set."""
    return if_(p.USE_INFERENCE_PROFILE, ref(p.INFERENCE_PROFILE), ref(p.FOUNDATION_MODEL))


def invoke_statements(sid_prefix: str) -> list[dict[str, Any]]:
    """Statements allowing InvokeModel(WithResponseStream) on exactly the interviewer model.

    With an inference profile, Bedrock routes the call to the same foundation model in whichever region of the
    profile has capacity, so the foundation-model ARN needs a region wildcard; the bedrock:InferenceProfileArn
    condition still limits it to calls made through this one profile.
    """
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    direct = {
        "Sid": f"{sid_prefix}InvokeModel",
        "Effect": "Allow",
        "Action": if_(p.USE_INFERENCE_PROFILE, [*actions, "bedrock:GetInferenceProfile"], actions),
        "Resource": if_(p.USE_INFERENCE_PROFILE, [inference_profile_arn()], [foundation_model_arn()]),
    }
    through_profile = if_(p.USE_INFERENCE_PROFILE, {
        "Sid": f"{sid_prefix}InvokeModelThroughProfile",
        "Effect": "Allow",
        "Action": actions,
        "Resource": [sub("arn:${AWS::Partition}:bedrock:*::foundation-model/${" + p.FOUNDATION_MODEL + "}")],
        "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": inference_profile_arn()}},
    }, {"Ref": "AWS::NoValue"})
    return [direct, through_profile]
