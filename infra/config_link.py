"""Points PrepAI's config at a deployed stack (and away from it after a destroy)."""

from __future__ import annotations

from prepai_cli.config import load_settings, set_config_value

from infra.models import StackOutputs


def _current() -> dict[str, str | None]:
    settings = load_settings()
    return {
        "aws.agent_id": settings.aws.agent_id,
        "aws.agent_alias_id": settings.aws.agent_alias_id,
        "aws.harness_arn": settings.aws.harness_arn,
        "aws.harness_endpoint": settings.aws.harness_endpoint,
        "aws.gateway_arn": settings.aws.gateway_arn,
        "aws.region": settings.aws.region,
        "aws.profile": settings.aws.profile,
        "aws.model_id": settings.aws.model_id,
        "sync.bucket": settings.sync.bucket,
    }


def link(outputs: StackOutputs, profile: str | None, model_id: str | None) -> dict[str, str]:
    """Writes the stack's ids into the config file; returns the keys whose value changed."""
    interviewer = {"aws.agent_id": outputs.agent_id, "aws.agent_alias_id": outputs.agent_alias_id,
                   "aws.harness_arn": outputs.harness_arn, "aws.harness_endpoint": outputs.harness_endpoint,
                   "aws.gateway_arn": outputs.gateway_arn}
    wanted: dict[str, str] = {
        **{key: value for key, value in interviewer.items() if value},
        "aws.region": outputs.region,
        "sync.bucket": outputs.user_data_bucket,
    }
    if profile:
        wanted["aws.profile"] = profile
    if model_id:
        wanted["aws.model_id"] = model_id
    current = _current()
    changed = {key: value for key, value in wanted.items() if current.get(key) != value}
    for key, value in changed.items():
        set_config_value(key, value)
    return changed


def unlink(outputs: dict[str, str], keep_data: bool) -> list[str]:
    """Clears the config keys that still point at the destroyed stack; returns the keys cleared."""
    current = _current()
    stale = {"aws.agent_id": outputs.get("AgentId"), "aws.agent_alias_id": outputs.get("AgentAliasId"),
             "aws.harness_arn": outputs.get("HarnessArn"), "aws.harness_endpoint": outputs.get("HarnessEndpointName"),
             "aws.gateway_arn": outputs.get("GatewayArn")}
    if not keep_data:
        stale["sync.bucket"] = outputs.get("UserDataBucket")
    cleared = [key for key, value in stale.items() if value and current.get(key) == value]
    for key in cleared:
        set_config_value(key, "none")
    return cleared
