"""Following a change set's execution: each event shown once, and a failed create named by its first failure.
(moto never fails a resource, so this path runs on Stubber.)"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.models import ChangeSetPlan
from infra.stack import execute_change_set
from prepai_cli.errors import PrepAIError
from tests.infra.recording_ui import RecordingUI

STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/prepai/1"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _event(n: int, logical_id: str, status: str, reason: str = "") -> dict[str, Any]:
    event = {"StackId": STACK_ID, "EventId": f"e{n}", "StackName": "prepai", "LogicalResourceId": logical_id,
             "ResourceType": "AWS::CloudFormation::Stack" if logical_id == "prepai" else "AWS::Lambda::Function",
             "Timestamp": T0 + timedelta(seconds=n), "ResourceStatus": status}
    if reason:
        event["ResourceStatusReason"] = reason
    return event


def _stacks(status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": "prepai", "StackId": STACK_ID, "StackStatus": status, "CreationTime": T0}]}


def test_a_failed_create_streams_its_events_once_and_names_the_first_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    cf = boto3.client("cloudformation", region_name="us-east-1")
    stub = Stubber(cf)
    old = _event(0, "prepai", "REVIEW_IN_PROGRESS")
    started = _event(1, "prepai", "CREATE_IN_PROGRESS", "User Initiated")
    failed = _event(2, "CvAnalysisFunction", "CREATE_FAILED", "S3 Error Code: NoSuchKey")
    rolled_back = _event(3, "prepai", "ROLLBACK_COMPLETE")
    stub.add_response("describe_stacks", _stacks("REVIEW_IN_PROGRESS"), {"StackName": "prepai"})
    stub.add_response("describe_stack_events", {"StackEvents": [old]}, {"StackName": STACK_ID})
    stub.add_response("execute_change_set", {}, {"ChangeSetName": "cs-1", "StackName": "prepai"})
    stub.add_response("describe_stack_events", {"StackEvents": [failed, started, old]}, {"StackName": STACK_ID})
    stub.add_response("describe_stacks", _stacks("ROLLBACK_IN_PROGRESS"), {"StackName": STACK_ID})
    stub.add_response("describe_stack_events", {"StackEvents": [rolled_back, failed, started, old]},
                      {"StackName": STACK_ID})
    stub.add_response("describe_stacks", _stacks("ROLLBACK_COMPLETE"), {"StackName": STACK_ID})
    stub.add_response("describe_stack_events", {"StackEvents": [rolled_back, failed, started, old]},
                      {"StackName": STACK_ID})
    stub.add_response("describe_stacks", _stacks("ROLLBACK_COMPLETE"), {"StackName": STACK_ID})  # the waiter
    ui = RecordingUI()
    plan = ChangeSetPlan(change_set_id="cs-1", change_set_type="CREATE", changes=[])
    with stub, pytest.raises(PrepAIError) as caught:
        execute_change_set(cf, "prepai", plan, ui, poll_seconds=0.0)
    assert str(caught.value) == (
        "Creating stack prepai failed (ROLLBACK_COMPLETE): CvAnalysisFunction (AWS::Lambda::Function): S3 Error "
        "Code: NoSuchKey; its first deploy failed and was rolled back; run `prepai infra destroy` and deploy again")
    assert [e.event_id for e in ui.events] == ["e1", "e2", "e3"]  # oldest first, the earlier event skipped
    stub.assert_no_pending_responses()
