"""A moto server in this process, for the CloudFormation/S3 side of the deploy flow.

Two moto gaps are patched, test-only, while the server runs:
- ExecuteChangeSet applies the resources but keeps the stack's Outputs (and parameters) from before, so a stack
  created through a change set has no Outputs; the patch refreshes them the way CloudFormation does.
- moto evaluates a bucket policy's Deny statement as matching whenever its Condition does not match, so the
  TLS-only statement (Deny if aws:SecureTransport is false) would deny every request. Requests to real S3 arrive
  over TLS, where that statement never applies; the patch leaves it out of moto's evaluation.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.s3 import models as s3_models
from moto.server import ThreadedMotoServer


@contextmanager
def patched_execute_change_set() -> Iterator[None]:
    original = cfn_models.CloudFormationBackend.execute_change_set

    def execute(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        change_set = self.change_sets.get(change_set_name) or next(
            cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.parameters = change_set.parameters
        stack.output_map = stack._create_output_map()

    cfn_models.CloudFormationBackend.execute_change_set = execute  # type: ignore[method-assign]
    try:
        yield
    finally:
        cfn_models.CloudFormationBackend.execute_change_set = original  # type: ignore[method-assign]


def _is_tls_only_deny(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Deny" and statement.get("Condition") == {
        "Bool": {"aws:SecureTransport": "false"}}


@contextmanager
def patched_bucket_policy_check() -> Iterator[None]:
    original = s3_models.FakeBucket.get_permission

    def get_permission(self: Any, action: str, resource: str) -> Any:
        from moto.iam.access_control import IAMPolicy, PermissionResult

        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy)
        statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
        kept = [st for st in statements if not _is_tls_only_deny(st)]
        if not kept:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**policy, "Statement": kept})).is_action_permitted(action, resource)

    s3_models.FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
    try:
        yield
    finally:
        s3_models.FakeBucket.get_permission = original  # type: ignore[method-assign]


@contextmanager
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        with patched_execute_change_set(), patched_bucket_policy_check():
            yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=json.dumps({}).encode(), method="POST")
    urllib.request.urlopen(request, timeout=10).read()
