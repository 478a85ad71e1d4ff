"""Turns harness records and the child's exit into per-test results, a verdict and a spoken summary."""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass
from typing import Any

from prepai_cli.agent.tools.sandbox.compare import matches
from prepai_cli.agent.tools.sandbox.models import Problem, TestResult, TestStatus, Verdict

_OUT_OF_MEMORY = re.compile(
    r"heap out of memory|Reached heap limit|MemoryError|Cannot allocate memory|bad_alloc|"
    r"Fatal process out of memory|out of memory",
    re.IGNORECASE,
)
# Worst first: the run's verdict is the worst status among its tests.
_SEVERITY: list[tuple[TestStatus, Verdict]] = [
    ("sandbox_violation", "sandbox_violation"), ("memory_limit", "memory_limit"), ("timeout", "timeout"),
]


_HARNESS_STATUSES: dict[str, TestStatus] = {
    "error": "error", "timeout": "timeout", "memory_limit": "memory_limit", "sandbox_violation": "sandbox_violation",
}


# Every C0/C1 control character except newline and tab: escape sequences (OSC 52 clipboard writes, titles,
# screen clears) and carriage returns that overwrite what the terminal shows.
_CONTROLS = {c: None for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def printable(text: str) -> str:
    """Program output made safe to show in a terminal."""
    return text.replace("\r\n", "\n").translate(_CONTROLS)


@dataclass(frozen=True)
class ChildExit:
    returncode: int | None
    stderr: str
    deadline_hit: bool
    output_exceeded: bool
    output_limit: int
    tampered: str | None = None


def death_cause(child: ChildExit) -> tuple[TestStatus | None, str]:
    """Why the child stopped without reporting; (None, message) is an unexplained crash."""
    code = child.returncode
    if child.tampered:
        return "sandbox_violation", f"the sandbox stopped the program: {child.tampered}"
    if child.output_exceeded:
        return "sandbox_violation", f"the sandbox stopped the program after {child.output_limit // 1024} KB of output"
    if child.deadline_hit:
        return "timeout", "time limit"
    if _OUT_OF_MEMORY.search(child.stderr):
        return "memory_limit", "ran out of memory"
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return "timeout", "CPU time limit"
    if code == -signal.SIGXFSZ:
        return "sandbox_violation", "the sandbox blocked writing a file larger than the limit"
    tail = child.stderr.strip().splitlines()[-1:] or [""]
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    return None, f"the program stopped unexpectedly ({how}){': ' + tail[0][:200] if tail[0] else ''}"


def build_results(problem: Problem, records: dict[int, dict[str, Any]], child: ChildExit,
                  kept_chars: int) -> tuple[list[TestResult], str | None]:
    results: list[TestResult] = []
    crash_message: str | None = None
    explained = False
    for index, test in enumerate(problem.tests):
        record = records.get(index)
        if record is None:
            if explained or crash_message is not None:
                status: TestStatus = "not_run"
                error = "not run: the program had already stopped"
            else:
                cause, error = death_cause(child)
                status = cause if cause is not None else "error"
                explained = cause is not None
                crash_message = None if explained else error
            results.append(TestResult(index=index, status=status, passed=False, args=test.args,
                                      expected=test.expected, error=error))
            continue
        raw_status = str(record.get("status"))
        actual = record.get("actual")
        if raw_status == "returned":
            ok = matches(actual, test.expected, problem.compare)
            status = "passed" if ok else "failed"
        else:
            status = _HARNESS_STATUSES.get(raw_status, "error")
            ok = False
        results.append(TestResult(
            index=index, status=status, passed=ok, args=test.args, expected=test.expected, actual=actual,
            error=printable(str(record["error"]))[:1000] if record.get("error") is not None else None,
            stdout=printable(str(record.get("stdout", ""))[: kept_chars * 2]),
            stderr=printable(str(record.get("stderr", ""))[: kept_chars * 2]), time_ms=float(record.get("time_ms", 0.0)),
        ))
    return results, crash_message


def verdict_for(results: list[TestResult], crashed: bool) -> Verdict:
    statuses = {r.status for r in results}
    for status, verdict in _SEVERITY:
        if status in statuses:
            return verdict
    if crashed:
        return "crashed"
    return "passed" if all(r.passed for r in results) else "failed"


def _spoken(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not (isinstance(value, dict) and "__unserialisable__" in value) \
        else str(value["__unserialisable__"])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inputs(args: list[Any]) -> str:
    parts = [_spoken(a) for a in args]
    if not parts:
        return "no arguments"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _first_failure(results: list[TestResult]) -> str | None:
    for r in results:
        if r.passed or r.status == "not_run":
            continue
        where = f"For input {_inputs(r.args)}"
        if r.status == "failed":
            return f"{where} it returned {_spoken(r.actual)} instead of {_spoken(r.expected)}."
        if r.status == "timeout":
            return f"{where} it ran out of time."
        if r.status == "memory_limit":
            return f"{where} it ran out of memory."
        if r.status == "sandbox_violation":
            return f"{where} {r.error or 'the sandbox blocked it'}."
        return f"{where} it raised {r.error or 'an error'}."
    return None


def first_failure(results: list[TestResult]) -> str | None:
    """The spoken sentence for the first failing test (it quotes the program's output, so made printable)."""
    sentence = _first_failure(results)
    return printable(sentence) if sentence is not None else None
