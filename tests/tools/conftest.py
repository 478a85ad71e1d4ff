from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.tools.sandbox import Problem

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference_solutions"
DATA = Path(__file__).resolve().parent / "data"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def make_problem(function_name: str, tests: list[dict[str, Any]], compare: str = "exact") -> Problem:
    """Tests written as plain JSON-like dicts, validated the way a tests file is."""
    return Problem.model_validate({"function_name": function_name, "tests": tests, "compare": compare})
