"""Fixtures for the infra tests: the rendered template, built once per session from PrepAI's own prompts and tools."""

from __future__ import annotations

from typing import Any

import pytest

from infra.template import build_template, render_yaml


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return build_template()


@pytest.fixture(scope="session")
def template_yaml(template: dict[str, Any]) -> str:
    return render_yaml(template)


def resources_of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == type_name}
