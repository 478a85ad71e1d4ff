"""CloudFormation intrinsic functions as plain dicts, so the template is data that tests can walk."""

from __future__ import annotations

from typing import Any

Node = Any


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(resource: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, attribute]}


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def if_(condition: str, when_true: Node, when_false: Node) -> dict[str, list[Node]]:
    return {"Fn::If": [condition, when_true, when_false]}


def no_value() -> dict[str, str]:
    return ref("AWS::NoValue")


def policy_document(*statements: dict[str, Node]) -> dict[str, Node]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: list[str], resources: list[Node],
          condition: dict[str, Node] | None = None) -> dict[str, Node]:
    statement: dict[str, Node] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def service_trust(service: str, source_arn: Node | None = None) -> dict[str, Node]:
    """A trust policy for one AWS service, pinned to this account and to `source_arn` (resources of the service in
    this account) so the service cannot be used as a confused deputy by another account's resources."""
    condition: dict[str, Node] = {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return policy_document({
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": condition,
    })


def lambda_trust() -> dict[str, Node]:
    # Lambda assumes execution roles without aws:SourceAccount/aws:SourceArn context keys, so a condition on them
    # would stop the function from starting; the role is still only usable by functions that name it.
    return policy_document({
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    })
