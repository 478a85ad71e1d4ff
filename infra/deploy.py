"""`prepai infra deploy`: package, upload, change set, ingest, (Agents Classic: prepare, alias), config — each step
skipped when there is nothing for it to do, so a second run with no changes changes nothing."""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from infra import bedrock_steps, config_link, stack
from infra.artifacts import artifacts_bucket_name, ensure_bucket, upload_if_changed
from infra.clients import AwsClients
from infra.knowledge_sync import sync_documents
from infra.models import ChangeSetPlan, DeployResult, DocsSync, StackOutputs, StackState, stack_kind
from infra.package import LambdaArtifact
from infra.parts import parameters as p
from infra.parts.agent import ALIAS_NAME
from infra.parts.knowledge_base import DATA_SOURCE, DOCS_PREFIX, KNOWLEDGE_BASE, VECTOR_INDEX
from infra.template import render_yaml
from infra.ui import DeployUI
from prepai_cli.errors import PrepAIError

TEMPLATE_BODY_LIMIT = 51200  # CloudFormation's limit for an inline template; larger ones go through S3
_KB_RESOURCES = {KNOWLEDGE_BASE, DATA_SOURCE, VECTOR_INDEX}
# Geographic prefixes of Bedrock's cross-region inference profile ids.
INFERENCE_PROFILE_PREFIXES = frozenset({"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"})


class DeployOptions(BaseModel):
    stack_name: str = "prepai"
    model_id: str | None = None  # None: keep the deployed stack's model (or the config's for a new stack)
    default_model_id: str = p.DEFAULT_FOUNDATION_MODEL
    kms_key_arn: str | None = None
    profile: str | None = None
    assume_yes: bool = False
    poll_seconds: float = 5.0
    kind: p.StackKind = "harness"
    allow_code_interpreter: bool | None = None  # None: keep the deployed choice (false for a new stack)


def resource_prefix(stack_name: str) -> str:
    """The stack name in the letters and digits AgentCore resource names allow (ResourcePrefix)."""
    cleaned = re.sub(r"[^a-zA-Z0-9]", "", stack_name)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "prepai" + cleaned
    return cleaned[:24]


def check_kind(existing: StackState | None, options: DeployOptions) -> None:
    """Deploying the other template over a stack would delete its interviewer; say so instead."""
    if existing is None:
        return
    deployed = stack_kind(existing)
    if deployed == "agents-classic" and options.kind == "harness":
        raise PrepAIError(f"stack {existing.name} holds an Agents Classic agent; update it with "
                          f"`prepai infra deploy --agents-classic`, or deploy the AgentCore harness as a new stack "
                          f"(--stack-name prepai-harness)")
    if deployed == "harness" and options.kind == "agents-classic":
        raise PrepAIError(f"stack {existing.name} holds the AgentCore harness; drop --agents-classic, or use "
                          f"another --stack-name for an Agents Classic stack")


def model_parameters(model_id: str) -> dict[str, str]:
    """A geo-prefixed id (us.anthropic...) is an inference profile over the foundation model after the prefix."""
    prefix, _, rest = model_id.partition(".")
    if prefix in INFERENCE_PROFILE_PREFIXES and "." in rest:
        return {p.FOUNDATION_MODEL: rest, p.INFERENCE_PROFILE: model_id}
    return {p.FOUNDATION_MODEL: model_id, p.INFERENCE_PROFILE: ""}


def stack_parameters(options: DeployOptions, bucket: str, key: str,
                     existing: StackState | None) -> list[dict[str, Any]]:
    given: dict[str, str] = {p.CODE_BUCKET: bucket, p.CODE_KEY: key}
    if options.model_id:
        given.update(model_parameters(options.model_id))
    elif existing is None:
        given.update(model_parameters(options.default_model_id))
    if options.kms_key_arn is not None:
        given[p.KMS_KEY] = options.kms_key_arn
    if options.kind == "harness" and options.allow_code_interpreter is not None:
        given[p.ALLOW_CODE_INTERPRETER] = "true" if options.allow_code_interpreter else "false"
    if options.kind == "harness" and existing is None:
        # Names derive from it; changing it later would replace the harness, so only a new stack sets it.
        given[p.RESOURCE_PREFIX] = resource_prefix(options.stack_name)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()]
    if existing is not None:
        # Values chosen at an earlier deploy (model, KMS key, lifecycle days) stay unless given again.
        params += [{"ParameterKey": k, "UsePreviousValue": True} for k in sorted(existing.parameters) if k not in given]
    return params


def _template_argument(clients: AwsClients, options: DeployOptions, template: dict[str, Any], bucket: str,
                       account: str) -> dict[str, str]:
    body = render_yaml(template)
    if len(body.encode()) <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": body}
    digest = hashlib.sha256(body.encode()).hexdigest()
    key = f"{options.stack_name}/templates/{digest[:20]}.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.yaml"
        path.write_text(body, encoding="utf-8")
        upload_if_changed(clients.s3, bucket, key, path, digest, account)
    return {"TemplateURL": f"https://{bucket}.s3.{clients.region}.amazonaws.com/{key}"}


def _publish_code(clients: AwsClients, options: DeployOptions, artifact: LambdaArtifact, bucket: str,
                  account: str, ui: DeployUI) -> tuple[str, bool]:
    for name in artifact.unresolved_imports:
        ui.warn(f"the Lambda code imports {name}, which is not installed here; it is not bundled")
    if ensure_bucket(clients.s3, bucket, clients.region, account):
        ui.info(f"Created artifacts bucket {bucket}")
    code_key = f"{options.stack_name}/{artifact.key}"
    uploaded = upload_if_changed(clients.s3, bucket, code_key, artifact.path, artifact.sha256, account)
    if uploaded:
        ui.info(f"Uploaded Lambda code s3://{bucket}/{code_key}")
    return code_key, uploaded


def _apply_stack(clients: AwsClients, options: DeployOptions, existing: StackState | None,
                 template_arg: dict[str, str], parameters: list[dict[str, Any]],
                 ui: DeployUI) -> ChangeSetPlan | None:
    """Plans, shows, confirms and executes the change set; None when the person declined."""
    with ui.progress(f"Planning changes to stack {options.stack_name}"):
        plan = stack.plan_change_set(clients.cloudformation, existing, options.stack_name, template_arg,
                                     parameters, options.poll_seconds)
    if plan.empty:
        ui.info(f"Stack {options.stack_name} has no changes.")
        return plan
    ui.show_changes(options.stack_name, plan.changes)
    if not options.assume_yes and not ui.confirm(f"Apply these {len(plan.changes)} changes?"):
        stack.discard_change_set(clients.cloudformation, options.stack_name, plan,
                                 delete_empty_stack=plan.change_set_type == "CREATE")
        ui.info("Cancelled; nothing was changed.")
        return None
    stack.execute_change_set(clients.cloudformation, options.stack_name, plan, ui, options.poll_seconds)
    return plan


def _ingest_if_needed(clients: AwsClients, outputs: StackOutputs, docs: DocsSync, plan: ChangeSetPlan,
                      ui: DeployUI, poller: bedrock_steps.Poller) -> bool:
    kb_touched = any(change.logical_id in _KB_RESOURCES for change in plan.changes)
    if not (docs.changed or kb_touched):
        return False
    stats = bedrock_steps.ingest(clients.bedrock_agent, outputs.knowledge_base_id, outputs.data_source_id, ui,
                                 poller)
    ui.info(f"Knowledge base indexed: {stats.get('numberOfNewDocumentsIndexed', 0)} new, "
            f"{stats.get('numberOfModifiedDocumentsIndexed', 0)} modified, "
            f"{stats.get('numberOfDocumentsDeleted', 0)} deleted")
    return True


def deploy(
    clients: AwsClients,
    options: DeployOptions,
    template: dict[str, Any],
    build_artifact: Callable[[Path], LambdaArtifact],
    export_docs: Callable[[Path], list[Path]],
    ui: DeployUI,
) -> DeployResult:
    account = clients.account_id()
    existing = stack.describe_stack(clients.cloudformation, options.stack_name)
    stack.check_deployable(existing)
    check_kind(existing, options)
    # A stack left in REVIEW_IN_PROGRESS (a declined first deploy) has no resources yet: deploy it as new.
    deployed = existing if existing is not None and existing.status != "REVIEW_IN_PROGRESS" else None
    poller = bedrock_steps.Poller(options.poll_seconds)
    bucket = artifacts_bucket_name(account, clients.region)

    with tempfile.TemporaryDirectory(prefix="prepai-infra-") as tmp:
        with ui.progress("Packaging the action-group Lambda code") as progress:
            artifact = build_artifact(Path(tmp) / "build")
            progress.update(f"Packaged {len(artifact.entries)} files ({artifact.size // 1024} KB)")
        code_key, code_uploaded = _publish_code(clients, options, artifact, bucket, account, ui)
        parameters = stack_parameters(options, bucket, code_key, deployed)
        template_arg = _template_argument(clients, options, template, bucket, account)
        plan = _apply_stack(clients, options, existing, template_arg, parameters, ui)
        if plan is None:
            return DeployResult(stack_changed=False, cancelled=True, code_uploaded=code_uploaded)

        state = stack.describe_stack(clients.cloudformation, options.stack_name)
        if state is None:
            raise PrepAIError(f"stack {options.stack_name} disappeared during the deploy")
        outputs = StackOutputs.from_stack(state)
        with ui.progress("Uploading knowledge documents") as progress:
            export_docs(Path(tmp) / "knowledge")
            docs = sync_documents(clients.s3, outputs.knowledge_base_bucket, Path(tmp) / "knowledge", DOCS_PREFIX)
            progress.update(f"Knowledge documents: {docs.uploaded} uploaded, {docs.deleted} removed")

    ingested = _ingest_if_needed(clients, outputs, docs, plan, ui, poller)
    prepared = alias_updated = False
    if outputs.kind == "agents-classic" and outputs.agent_id and outputs.agent_alias_id:
        # A harness needs neither: CloudFormation versions it and the endpoint follows (TargetVersion).
        prepared = bedrock_steps.ensure_prepared(clients.bedrock_agent, outputs.agent_id, ui, poller)
        alias_id, alias_updated = bedrock_steps.ensure_alias(clients.bedrock_agent, outputs.agent_id,
                                                             outputs.agent_alias_id, ALIAS_NAME, ui, poller)
        if alias_id != outputs.agent_alias_id:
            outputs = outputs.model_copy(update={"agent_alias_id": alias_id})
    config_changes = config_link.link(outputs, options.profile, options.model_id)
    return DeployResult(
        stack_changed=not plan.empty, code_uploaded=code_uploaded, docs=docs, ingested=ingested,
        agent_prepared=prepared, alias_updated=alias_updated, config_changes=config_changes, outputs=outputs,
    )
