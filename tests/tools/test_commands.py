"""`prepai code`, `prepai cv` and `prepai kb`, registered on a fresh app exactly as the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from prepai_cli.commands import code, cv, kb
from prepai_cli.errors import PrepAIError
from tests.tools.conftest import REFERENCE, needs_node
from tests.tools.docgen import image_only_pdf


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    for module in (code, cv, kb):
        module.register(application)
    return application


def _invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "150", "NO_COLOR": "1"})


def test_code_run_with_problem_passes(app: typer.Typer) -> None:
    result = _invoke(app, "code", "run", str(REFERENCE / "gsde-two-sum.py"), "--problem", "gsde-two-sum")
    assert result.exit_code == 0, result.output
    assert "passed: 6/6 tests passed" in result.output


@needs_node
def test_code_run_js_with_tests_file_fails_with_exit_1(app: typer.Typer, tmp_path: Path) -> None:
    solution = tmp_path / "sol.js"
    solution.write_text("function add(a, b) { return a - b; }\n")
    tests = tmp_path / "tests.json"
    tests.write_text(json.dumps([{"args": [2, 0], "expected": 2}, {"args": [2, 3], "expected": 5}]))
    result = _invoke(app, "code", "run", str(solution), "--tests", str(tests), "--json")
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["verdict"] == "failed" and body["passed"] == 1 and body["function_name"] == "add"
    assert body["first_failure"] == "For input 2 and 3 it returned -1 instead of 5."


@pytest.mark.parametrize(("args", "message"), [
    (["--problem", "gsde-two-sum", "--tests", "t.json"], "exactly one of"),
    (["--problem", "no-such-problem"], "no question with id"),
])
def test_code_run_errors(app: typer.Typer, args: list[str], message: str) -> None:
    result = _invoke(app, "code", "run", str(REFERENCE / "gsde-two-sum.py"), *args)
    assert isinstance(result.exception, PrepAIError) and message in str(result.exception)


def test_code_run_unknown_extension(app: typer.Typer, tmp_path: Path) -> None:
    solution = tmp_path / "sol.rb"
    solution.write_text("puts 1")
    result = _invoke(app, "code", "run", str(solution), "--problem", "gsde-two-sum")
    assert isinstance(result.exception, PrepAIError) and "--language" in str(result.exception)


def test_cv_analyze_json_and_table(app: typer.Typer, data_dir: Path) -> None:
    result = _invoke(app, "cv", "analyze", str(data_dir / "sample_cv.md"), "--json", "--questions")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["companies"][0] == "Acme Payments" and body["questions"]
    table = _invoke(app, "cv", "analyze", str(data_dir / "sample_cv.md"))
    assert "Acme Payments" in table.output and "Gap: 6 months" in table.output


def test_cv_analyze_scanned_pdf_is_a_one_line_error(app: typer.Typer, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_only_pdf())
    result = _invoke(app, "cv", "analyze", str(scan))
    assert isinstance(result.exception, PrepAIError) and "no text layer" in str(result.exception)


def test_kb_search_and_export(app: typer.Typer, tmp_path: Path) -> None:
    result = _invoke(app, "kb", "search", "dynamodb hot partition", "--type", "aws-solutions-architect", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["doc_id"] == "note:aws-solutions-architect#dynamodb-partition-keys-and-hot-partitions"
    table = _invoke(app, "kb", "search", "STAR method")
    assert "STAR" in table.output
    exported = _invoke(app, "kb", "export", str(tmp_path / "kb"))
    assert exported.exit_code == 0 and (tmp_path / "kb" / "general").is_dir()
    unknown = _invoke(app, "kb", "search", "x y", "--type", "hogwarts")
    assert isinstance(unknown.exception, PrepAIError)
