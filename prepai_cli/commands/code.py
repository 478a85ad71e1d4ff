"""`prepai code run`: run a solution against a bank problem's tests or a tests file, in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from prepai_cli.agent.tools.sandbox import Language, RunResult, bank_problem, parse_tests_json, run_code
from prepai_cli.agent.tools.sandbox.isolation import detect_sandbox
from prepai_cli.agent.tools.sandbox.verdicts import printable
from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console
from prepai_cli.errors import PrepAIError
from prepai_cli.textfiles import read_user_text

_EXTENSIONS: dict[str, Language] = {".py": "python", ".js": "javascript", ".cjs": "javascript", ".mjs": "javascript"}
_VERDICT_STYLE = {"passed": "bold green", "failed": "bold yellow"}


def _language(path: Path, given: str | None) -> Language:
    if given:
        lowered = given.lower()
        if lowered in ("python", "py"):
            return "python"
        if lowered in ("javascript", "js", "node"):
            return "javascript"
        raise PrepAIError(f"unknown language {given!r}; use python or javascript")
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise PrepAIError(f"cannot tell the language of {path.name}; add --language python or --language javascript")
    return found


def _cell(value: object, limit: int = 40) -> str:
    # The program's values are shown, never interpreted: no terminal control characters get through.
    text = printable(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print(result: RunResult) -> None:
    table = Table(title=f"{result.function_name} ({result.language})", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("result")
    table.add_column("input")
    table.add_column("expected")
    table.add_column("got")
    table.add_column("ms", justify="right")
    for t in result.tests:
        mark = "[green]pass[/]" if t.passed else f"[red]{t.status}[/]"
        got = _cell(t.actual) if t.status in ("passed", "failed") else (t.error or "")
        table.add_row(str(t.index + 1), mark, _cell(t.args), _cell(t.expected), got[:60], f"{t.time_ms:.1f}")
    if result.tests:
        console.print(table)
    style = _VERDICT_STYLE.get(result.verdict, "bold red")
    console.print(f"[{style}]{result.verdict}[/]: {result.passed}/{result.total} tests passed")
    if result.first_failure:
        console.print(result.first_failure, markup=False)
    for t in result.tests:
        if t.stdout or t.stderr:
            console.print(f"[dim]output of test {t.index + 1}:[/]")
            console.print((t.stdout + t.stderr).rstrip(), markup=False)
            break


def register(app: typer.Typer) -> None:
    code_app = typer.Typer(help="Run coding answers against test cases in a sandbox.", no_args_is_help=True)

    @code_app.command("run")
    def run(
        solution: Path = typer.Argument(..., help="Your solution file (.py or .js)."),
        problem: str = typer.Option(None, "--problem", "-p", help="A coding question id from the bank."),
        tests: Path = typer.Option(None, "--tests", "-t", help='JSON file: [{"args": [...], "expected": ...}, ...].'),
        function: str = typer.Option(None, "--function", help="Function to test (with --tests)."),
        language: str = typer.Option(None, "--language", "-l", help="python or javascript (default: from extension)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Run a solution against a bank problem's tests or your own; exits 1 unless every test passes."""
        if bool(problem) == bool(tests):
            raise PrepAIError("give exactly one of --problem ID or --tests FILE")
        code = read_user_text(solution, "solution file")  # a missing file or a folder is said so, first
        lang = _language(solution, language)
        if problem:
            spec = bank_problem(load_bank(), problem)
        else:
            spec = parse_tests_json(read_user_text(tests, "tests file"), code=code, language=lang, function_name=function)
        result = run_code(code, lang, spec)
        advice = detect_sandbox().advice  # the choice is cached: this costs nothing after the run
        if advice and not as_json:
            console.print(f"note: {advice}", markup=False, style="dim")
        if as_json:
            console.print_json(result.model_dump_json(), ensure_ascii=True)  # \u-escapes control characters
        else:
            _print(result)
        if result.verdict != "passed":
            raise typer.Exit(1)

    app.add_typer(code_app, name="code")
