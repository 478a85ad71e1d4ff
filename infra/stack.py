"""CloudFormation through change sets: describe, plan, show, execute, follow the events, wait."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from infra.aws_errors import aws_call, one_line
from infra.models import ChangeSetPlan, PlannedChange, StackEvent, StackState
from infra.ui import DeployUI
from prepai_cli.errors import PrepAIError

CAPABILITIES = ["CAPABILITY_IAM"]
# CloudFormation's answers for a change set that would change nothing.
_NO_CHANGES = ("didn't contain changes", "no updates are to be performed")
_STUCK = {
    "ROLLBACK_COMPLETE": "its first deploy failed and was rolled back; run `prepai infra destroy` and deploy again",
    "ROLLBACK_FAILED": "a failed create could not be rolled back; delete it in the CloudFormation console",
    "UPDATE_ROLLBACK_FAILED": "an update failed and could not be rolled back; continue the rollback in the "
                              "CloudFormation console (Stack actions > Continue update rollback), then deploy again",
    "DELETE_FAILED": "a delete failed; run `prepai infra destroy` again",
}


def describe_stack(cf: Any, name: str) -> StackState | None:
    try:
        with aws_call(f"describing stack {name}"):
            stacks = cf.describe_stacks(StackName=name)["Stacks"]
    except PrepAIError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and "does not exist" in str(cause.response.get("Error", {}).get("Message")):
            return None
        raise
    if not stacks:
        return None
    raw = stacks[0]
    return StackState(
        name=raw["StackName"], stack_id=raw["StackId"], status=raw["StackStatus"],
        status_reason=one_line(raw.get("StackStatusReason", "")),
        outputs={o["OutputKey"]: o["OutputValue"] for o in raw.get("Outputs") or []},
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in raw.get("Parameters") or []},
        last_updated=raw.get("LastUpdatedTime") or raw.get("CreationTime"),
    )


def check_deployable(state: StackState | None) -> None:
    if state is None:
        return
    if state.status in _STUCK:
        raise PrepAIError(f"stack {state.name} is {state.status}: {_STUCK[state.status]}")
    if state.status.endswith("_IN_PROGRESS") and state.status != "REVIEW_IN_PROGRESS":
        raise PrepAIError(f"stack {state.name} is busy ({state.status}); wait for it to finish, then try again")


def _changes(cf: Any, stack_name: str, change_set_id: str) -> list[PlannedChange]:
    changes: list[PlannedChange] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ChangeSetName": change_set_id, "StackName": stack_name}
        if token:
            kwargs["NextToken"] = token
        page = cf.describe_change_set(**kwargs)
        for change in page.get("Changes", []):
            rc = change.get("ResourceChange", {})
            changes.append(PlannedChange(
                action=rc.get("Action", "?"), logical_id=rc.get("LogicalResourceId", "?"),
                resource_type=rc.get("ResourceType", "?"), replacement=str(rc.get("Replacement", "") or ""),
            ))
        token = page.get("NextToken")
        if not token:
            return changes


def plan_change_set(cf: Any, state: StackState | None, name: str, template: dict[str, str],
                    parameters: list[dict[str, Any]], poll_seconds: float) -> ChangeSetPlan:
    """Creates a change set and waits for it; an empty one is deleted and reported as `empty`."""
    change_set_type = "UPDATE" if state is not None and state.status != "REVIEW_IN_PROGRESS" else "CREATE"
    change_set_name = f"prepai-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
    try:
        with aws_call(f"creating a change set for stack {name}"):
            created = cf.create_change_set(
                StackName=name, ChangeSetName=change_set_name, ChangeSetType=change_set_type,
                Parameters=parameters, Capabilities=CAPABILITIES, Tags=[{"Key": "app", "Value": "prepai"}],
                **template,
            )
    except PrepAIError as exc:
        # Some CloudFormation implementations refuse an unchanged update outright instead of failing the change set.
        if any(marker in str(exc).lower() for marker in _NO_CHANGES):
            return ChangeSetPlan(change_set_id=None, change_set_type=change_set_type, changes=[])
        raise
    change_set_id = created["Id"]
    waiter = cf.get_waiter("change_set_create_complete")
    try:
        waiter.wait(ChangeSetName=change_set_id, StackName=name,
                    WaiterConfig={"Delay": max(poll_seconds, 0.01), "MaxAttempts": 360})
    except WaiterError as exc:
        reason = one_line(exc.last_response.get("StatusReason", "")) if exc.last_response else ""
        if any(marker in reason.lower() for marker in _NO_CHANGES):
            with aws_call("deleting the empty change set"):
                cf.delete_change_set(ChangeSetName=change_set_id, StackName=name)
            return ChangeSetPlan(change_set_id=None, change_set_type=change_set_type, changes=[])
        raise PrepAIError(f"CloudFormation rejected the change set for {name}: {reason or exc}") from exc
    with aws_call(f"describing the change set for stack {name}"):
        changes = _changes(cf, name, change_set_id)
    return ChangeSetPlan(change_set_id=change_set_id, change_set_type=change_set_type, changes=changes)


def discard_change_set(cf: Any, name: str, plan: ChangeSetPlan, delete_empty_stack: bool) -> None:
    with aws_call("deleting the change set"):
        if plan.change_set_id:
            cf.delete_change_set(ChangeSetName=plan.change_set_id, StackName=name)
        # A declined CREATE leaves an empty stack in REVIEW_IN_PROGRESS behind; remove it so nothing lingers.
        if delete_empty_stack and plan.change_set_type == "CREATE":
            cf.delete_stack(StackName=name)


def _event(raw: dict[str, Any]) -> StackEvent:
    return StackEvent(
        event_id=raw["EventId"], timestamp=raw["Timestamp"], logical_id=raw.get("LogicalResourceId", ""),
        resource_type=raw.get("ResourceType", ""), status=raw.get("ResourceStatus", ""),
        reason=one_line(raw.get("ResourceStatusReason", "")),
    )


class EventFollower:
    """Yields each stack event once, oldest first. `prime` marks the events already there as seen, so only this
    operation's events are shown (by id, not by time, so a skewed local clock cannot hide or repeat any)."""

    def __init__(self, cf: Any, stack_id: str) -> None:
        self._cf = cf
        self._stack_id = stack_id
        self._seen: set[str] = set()
        self.failures: list[StackEvent] = []

    def prime(self) -> None:
        with aws_call("reading stack events"):
            page = self._cf.describe_stack_events(StackName=self._stack_id)
        self._seen.update(e["EventId"] for e in page.get("StackEvents", []))

    def poll(self) -> list[StackEvent]:
        fresh: list[StackEvent] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StackName": self._stack_id}
            if token:
                kwargs["NextToken"] = token
            with aws_call("reading stack events"):
                page = self._cf.describe_stack_events(**kwargs)
            events = [_event(e) for e in page.get("StackEvents", [])]
            new = [e for e in events if e.event_id not in self._seen]
            fresh.extend(new)
            token = page.get("NextToken")
            # Events come newest first: a page that reaches seen events means older pages hold nothing new.
            if not token or len(new) < len(events):
                break
        fresh.sort(key=lambda e: e.timestamp)
        for event in fresh:
            self._seen.add(event.event_id)
            if event.status.endswith("_FAILED") and event.reason:
                self.failures.append(event)
        return fresh


def _follow(cf: Any, name: str, stack_id: str, follower: EventFollower, waiter_name: str, ui: DeployUI,
            poll_seconds: float, doing: str) -> None:
    status = "UNKNOWN"
    with ui.progress(doing) as progress:
        while True:
            for event in follower.poll():
                ui.stack_event(event)
                progress.update(f"{doing}: {event.logical_id} {event.status}")
            with aws_call(f"describing stack {name}"):
                status = cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
            if not status.endswith("_IN_PROGRESS"):
                break
            time.sleep(poll_seconds)
        for event in follower.poll():
            ui.stack_event(event)
    try:
        cf.get_waiter(waiter_name).wait(StackName=stack_id, WaiterConfig={"Delay": max(poll_seconds, 0.01),
                                                                         "MaxAttempts": 720})
    except WaiterError as exc:
        first = follower.failures[0] if follower.failures else None
        why = f"{first.logical_id} ({first.resource_type}): {first.reason}" if first else one_line(exc)
        advice = f"; {_STUCK[status]}" if status in _STUCK else ""
        raise PrepAIError(f"{doing} failed ({status}): {why}{advice}") from exc


def execute_change_set(cf: Any, name: str, plan: ChangeSetPlan, ui: DeployUI, poll_seconds: float) -> None:
    assert plan.change_set_id is not None  # an empty plan is never executed
    with aws_call(f"describing stack {name}"):
        stack_id = cf.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    follower = EventFollower(cf, stack_id)
    follower.prime()
    with aws_call(f"executing the change set for stack {name}"):
        cf.execute_change_set(ChangeSetName=plan.change_set_id, StackName=name)
    waiter = "stack_create_complete" if plan.change_set_type == "CREATE" else "stack_update_complete"
    verb = "Creating" if plan.change_set_type == "CREATE" else "Updating"
    _follow(cf, name, stack_id, follower, waiter, ui, poll_seconds, f"{verb} stack {name}")


def delete_stack(cf: Any, state: StackState, ui: DeployUI, poll_seconds: float) -> None:
    follower = EventFollower(cf, state.stack_id)
    follower.prime()
    with aws_call(f"deleting stack {state.name}"):
        cf.delete_stack(StackName=state.stack_id)
    _follow(cf, state.name, state.stack_id, follower, "stack_delete_complete", ui, poll_seconds,
            f"Deleting stack {state.name}")
