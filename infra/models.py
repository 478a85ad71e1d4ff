"""What the deploy steps exchange: stack state, planned changes, outputs, results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from prepai_cli.errors import PrepAIError


class StackEvent(BaseModel):
    event_id: str
    timestamp: datetime
    logical_id: str
    resource_type: str
    status: str
    reason: str = ""


class StackState(BaseModel):
    name: str
    stack_id: str
    status: str
    status_reason: str = ""
    outputs: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, str] = Field(default_factory=dict)
    last_updated: datetime | None = None


class PlannedChange(BaseModel):
    action: str  # Add, Modify, Remove, Import, Dynamic
    logical_id: str
    resource_type: str
    replacement: str = ""  # True, False, Conditional (Modify only)


class ChangeSetPlan(BaseModel):
    change_set_id: str | None
    change_set_type: str  # CREATE or UPDATE
    changes: list[PlannedChange]

    @property
    def empty(self) -> bool:
        return self.change_set_id is None


KIND_OUTPUTS = {
    "harness": ("HarnessArn", "HarnessEndpointName", "GatewayArn", "GatewayId", "MemoryId"),
    "agents-classic": ("AgentId", "AgentAliasId"),
}


def stack_kind(state: StackState) -> str:
    """Which template a deployed stack was made from: its parameters tell (outputs are missing mid-create)."""
    if "ResourcePrefix" in state.parameters or "HarnessArn" in state.outputs:
        return "harness"
    if "IdleSessionTTLInSeconds" in state.parameters or "AgentId" in state.outputs:
        return "agents-classic"
    return "unknown"


class StackOutputs(BaseModel):
    """The outputs the CLI needs; the template's Output names are the aliases. The interviewer's outputs depend on
    the stack's kind (harness or Agents Classic); the rest are shared."""

    model_config = ConfigDict(populate_by_name=True)

    kind: str = "harness"
    agent_id: str | None = Field(default=None, alias="AgentId")
    agent_alias_id: str | None = Field(default=None, alias="AgentAliasId")
    harness_arn: str | None = Field(default=None, alias="HarnessArn")
    harness_endpoint: str | None = Field(default=None, alias="HarnessEndpointName")
    gateway_arn: str | None = Field(default=None, alias="GatewayArn")
    gateway_id: str | None = Field(default=None, alias="GatewayId")
    memory_id: str | None = Field(default=None, alias="MemoryId")
    knowledge_base_id: str = Field(alias="KnowledgeBaseId")
    data_source_id: str = Field(alias="DataSourceId")
    user_data_bucket: str = Field(alias="UserDataBucket")
    knowledge_base_bucket: str = Field(alias="KnowledgeBaseBucket")
    region: str = Field(alias="Region")
    user_policy_arn: str = Field(alias="UserPolicyArn")

    @classmethod
    def from_stack(cls, state: StackState) -> StackOutputs:
        kind = stack_kind(state)
        kind = kind if kind in KIND_OUTPUTS else "harness"
        wanted = [*KIND_OUTPUTS[kind], *(f.alias for f in cls.model_fields.values()
                                           if f.alias and f.is_required())]
        missing = [name for name in wanted if name not in state.outputs]
        if missing:
            raise PrepAIError(f"stack {state.name} has no output {', '.join(missing)} (status {state.status}); "
                              f"re-run `prepai infra deploy`")
        return cls.model_validate({**state.outputs, "kind": kind})


class DocsSync(BaseModel):
    uploaded: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.deleted)


class DeployResult(BaseModel):
    stack_changed: bool
    cancelled: bool = False
    code_uploaded: bool = False
    docs: DocsSync = DocsSync()
    ingested: bool = False
    agent_prepared: bool = False
    alias_updated: bool = False
    config_changes: dict[str, str] = Field(default_factory=dict)
    outputs: StackOutputs | None = None

    @property
    def nothing_changed(self) -> bool:
        return not (self.stack_changed or self.code_uploaded or self.docs.changed or self.ingested
                    or self.agent_prepared or self.alias_updated or self.config_changes)
