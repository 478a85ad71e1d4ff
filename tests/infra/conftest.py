"""Fixtures for the infra tests: the rendered templates, built once per session from PrepAI's own prompts and tools.

`template` is the Agents Classic stack (`--agents-classic`); `harness_template` the default AgentCore harness stack.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.template import build_template, render_yaml


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return build_template(kind="agents-classic")


@pytest.fixture(scope="session")
def template_yaml(template: dict[str, Any]) -> str:
    return render_yaml(template)


@pytest.fixture(scope="session")
def harness_template() -> dict[str, Any]:
    return build_template()


@pytest.fixture(scope="session")
def harness_template_yaml(harness_template: dict[str, Any]) -> str:
    return render_yaml(harness_template)


def resources_of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == type_name}
