"""The Lambda zip: complete enough to run the handler, nothing else, and byte-identical for identical input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from infra.package import LambdaArtifact, build_lambda_zip
from prepai_cli.errors import PrepAIError
from tests.infra.tiny_repo import tiny_repo

REPO = Path(__file__).resolve().parents[2]


class RecordingVendorer:
    """Stands in for pip: installs one small fake distribution so the vendored-files path is exercised offline."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[list[str]] = []

    def __call__(self, requirements: list[str]) -> Path:
        self.calls.append(requirements)
        target = self.root / "vendored"
        (target / "fakedep").mkdir(parents=True, exist_ok=True)
        (target / "fakedep" / "__init__.py").write_text("VALUE = 1\n")
        (target / "bin").mkdir(exist_ok=True)
        (target / "bin" / "fakedep-cli").write_text("#!/bin/sh\n")
        return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[LambdaArtifact, RecordingVendorer]:
    root = tmp_path_factory.mktemp("package")
    vendor = RecordingVendorer(root)
    return build_lambda_zip(REPO, root / "one", vendor), vendor


Built = tuple[LambdaArtifact, RecordingVendorer]


def test_zip_holds_the_handler_its_prepai_modules_and_their_data(built: Built) -> None:
    artifact, _ = built
    names = set(artifact.entries)
    assert "handler.py" in names
    for module in ("prepai_cli/__init__.py", "prepai_cli/agent/tools/toolbox.py",
                   "prepai_cli/agent/tools/cv/__init__.py",
                   "prepai_cli/agent/evaluator/embedder.py", "prepai_cli/bank/loader.py", "prepai_cli/errors.py"):
        assert module in names, module
    assert any(n.startswith("prepai_cli/bank/data/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("prepai_cli/knowledge/") and n.endswith(".md") for n in names)
    assert "prepai_cli/models/minilm-l6-v2-int8.onnx" in names
    # The CLI, the TUI and the audio stack have no business in the Lambda.
    for unrelated in ("prepai_cli/cli.py", "prepai_cli/commands/infra.py", "prepai_cli/config.py"):
        assert unrelated not in names
    assert not any("__pycache__" in n or n.endswith(".pyc") or n.startswith("tests/") for n in names)
    with zipfile.ZipFile(artifact.path) as archive:
        assert sorted(archive.namelist()) == artifact.entries
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_third_party_imports_are_pinned_to_the_installed_versions(built: Built) -> None:
    artifact, vendor = built
    assert vendor.calls == [artifact.requirements]
    assert f"pydantic=={metadata.version('pydantic')}" in artifact.requirements
    assert f"PyYAML=={metadata.version('PyYAML')}" in artifact.requirements
    assert not any(r.startswith(("boto3==", "botocore==")) for r in artifact.requirements)  # the runtime has them
    assert "fakedep/__init__.py" in artifact.entries
    assert not any(n.startswith("bin/") for n in artifact.entries)


def test_same_input_gives_the_same_bytes_and_key(built: Built, tmp_path: Path) -> None:
    first, _ = built
    second = build_lambda_zip(REPO, tmp_path / "two", RecordingVendorer(tmp_path))
    assert second.path.read_bytes() == first.path.read_bytes()
    assert second.key == first.key and first.key == f"lambda/prepai-tools-{first.sha256[:20]}.zip"


def test_lazy_and_relative_imports_are_followed_and_a_change_changes_the_key(tmp_path: Path) -> None:
    def no_vendor(requirements: list[str]) -> None:
        assert requirements == []

    one = build_lambda_zip(tiny_repo(tmp_path / "a", "1"), tmp_path / "out-a", no_vendor)
    assert one.entries == ["handler.py", "prepai_cli/__init__.py", "prepai_cli/pkg/__init__.py",
                           "prepai_cli/pkg/helper.py", "prepai_cli/pkg/mod.py"]
    two = build_lambda_zip(tiny_repo(tmp_path / "b", "2"), tmp_path / "out-b", no_vendor)
    assert two.key != one.key


def test_a_missing_handler_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "infra" / "lambdas").mkdir(parents=True)
    with pytest.raises(PrepAIError, match="no Lambda handler"):
        build_lambda_zip(tmp_path, tmp_path / "out", lambda reqs: None)


CV_EVENT = {"messageVersion": "1.0", "actionGroup": "cv-analysis", "function": "analyze_cv",
            "parameters": [{"name": "text", "type": "string", "value":
                            "Jane Doe\nExperience\nSenior Engineer, Acme Corp, 2019 - 2024\n"
                            "Led a team of 5 and cut latency by 40% using Python and AWS Lambda.\n"
                            "Skills\nPython, Go, Kubernetes"}]}
EVALUATE_EVENT = {"messageVersion": "1.0", "actionGroup": "performance-evaluation", "function": "evaluate_answer",
                  "parameters": [
                      {"name": "question", "type": "string",
                       "value": "Tell me about a time you disagreed with your manager."},
                      {"name": "answer", "type": "string", "value":
                       "In my last role my manager wanted to ship without load tests. I showed data from the last "
                       "outage, we agreed on a one-day test, found a bottleneck and shipped safely a day later."},
                      {"name": "interview_type", "type": "string", "value": "behavioral"}]}


def test_the_handler_runs_from_the_extracted_zip(built: Built, tmp_path: Path) -> None:
    # Only the zip's contents plus the third-party packages (which Lambda gets vendored) are importable here, so a
    # prepai_cli module or data file missing from the zip fails this test.
    artifact, _ = built
    with zipfile.ZipFile(artifact.path) as archive:
        archive.extractall(tmp_path / "task")
    script = ("import json, sys, handler\n"
              "for line in sys.stdin:\n"
              "    print(json.dumps(handler.lambda_handler(json.loads(line), None)))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    events = json.dumps(CV_EVENT) + "\n" + json.dumps(EVALUATE_EVENT) + "\n"
    result = subprocess.run([sys.executable, "-c", script], input=events, capture_output=True, text=True,
                            cwd=tmp_path / "task", env={**env, "PYTHONPATH": str(tmp_path / "task"),
                                                        "PREPAI_HOME": str(tmp_path / "home")}, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    cv, evaluation = (json.loads(line)["response"] for line in result.stdout.strip().splitlines()[-2:])
    for response, function in ((cv, "analyze_cv"), (evaluation, "evaluate_answer")):
        assert response["function"] == function
        assert "responseState" not in response["functionResponse"], response
    cv_body = json.loads(cv["functionResponse"]["responseBody"]["TEXT"]["body"])
    assert "python" in json.dumps(cv_body).lower()
    score_body = json.loads(evaluation["functionResponse"]["responseBody"]["TEXT"]["body"])
    assert "score" in json.dumps(score_body)
