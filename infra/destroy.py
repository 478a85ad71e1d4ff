"""`prepai infra destroy`: delete the stack, its buckets' contents, the Lambda code, and unlink the config."""

from __future__ import annotations

from pydantic import BaseModel

from infra import config_link, stack
from infra.artifacts import artifacts_bucket_name, bucket_exists, delete_bucket_if_empty, empty_bucket
from infra.clients import AwsClients
from infra.ui import DeployUI
from prepai_cli.errors import PrepAIError


class DestroyOptions(BaseModel):
    stack_name: str = "prepai"
    keep_data: bool = False
    assume_yes: bool = False
    poll_seconds: float = 5.0


class DestroyResult(BaseModel):
    destroyed: bool
    kept_bucket: str | None = None
    deleted_objects: int = 0
    config_cleared: list[str] = []


def destroy(clients: AwsClients, options: DestroyOptions, ui: DeployUI) -> DestroyResult:
    account = clients.account_id()
    state = stack.describe_stack(clients.cloudformation, options.stack_name)
    if state is None or state.status == "DELETE_COMPLETE":
        ui.info(f"There is no stack {options.stack_name} in {clients.region}; nothing to destroy.")
        return DestroyResult(destroyed=False)
    if state.status.endswith("_IN_PROGRESS") and state.status != "REVIEW_IN_PROGRESS":
        raise PrepAIError(f"stack {state.name} is busy ({state.status}); wait for it to finish, then try again")
    user_bucket = state.outputs.get("UserDataBucket")
    kb_bucket = state.outputs.get("KnowledgeBaseBucket")
    fate = (f"your synced data in {user_bucket} is kept" if options.keep_data
            else f"your synced interviews in {user_bucket} are deleted too") if user_bucket else ""
    if not options.assume_yes and not ui.confirm(
        f"Delete stack {state.name} ({state.status}) in {clients.region}{'; ' + fate if fate else ''}?"
    ):
        ui.info("Cancelled; nothing was deleted.")
        return DestroyResult(destroyed=False)

    deleted = 0
    # CloudFormation cannot delete a bucket that still holds objects.
    if kb_bucket and bucket_exists(clients.s3, kb_bucket):
        deleted += empty_bucket(clients.s3, kb_bucket)
    stack.delete_stack(clients.cloudformation, state, ui, options.poll_seconds)

    # The user-data bucket is retained by the stack on purpose; it goes only when asked to.
    kept = None
    if user_bucket and bucket_exists(clients.s3, user_bucket):
        if options.keep_data:
            kept = user_bucket
            ui.info(f"Kept your data bucket {user_bucket}.")
        else:
            deleted += empty_bucket(clients.s3, user_bucket)
            delete_bucket_if_empty(clients.s3, user_bucket)
            ui.info(f"Deleted data bucket {user_bucket}.")

    artifacts = artifacts_bucket_name(account, clients.region)
    if bucket_exists(clients.s3, artifacts):
        deleted += empty_bucket(clients.s3, artifacts, prefix=f"{options.stack_name}/")
        # Shared with other PrepAI stacks in this account and region: removed only once none uses it.
        if delete_bucket_if_empty(clients.s3, artifacts):
            ui.info(f"Deleted artifacts bucket {artifacts}.")
    cleared = config_link.unlink(state.outputs, options.keep_data)
    return DestroyResult(destroyed=True, kept_bucket=kept, deleted_objects=deleted, config_cleared=cleared)
