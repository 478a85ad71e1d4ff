"""Runs candidate code against a problem's tests in a confined child process."""

from __future__ import annotations

import json
import math
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from prepai_cli.agent.tools.sandbox.isolation import (
    ChildLimits, IsolationPlan, kill_group, kill_uid, make_preexec, plan_isolation, reachable_by_others,
)
from prepai_cli.agent.tools.sandbox.models import Language, Limits, Problem, RunResult
from prepai_cli.agent.tools.sandbox.verdicts import (
    ChildExit, build_results, death_cause, first_failure, verdict_for,
)
from prepai_cli.errors import PrepAIError

MAX_CODE_BYTES = 100_000
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
_GRACE_SECONDS = 1.0


class SandboxUnavailable(PrepAIError):
    """The interpreter for a language is missing or unusable here."""


@dataclass(frozen=True)
class _Launch:
    argv: list[str]
    env: dict[str, str]
    limits: ChildLimits
    notes: tuple[str, ...]


def python_interpreter(plan: IsolationPlan) -> tuple[str, tuple[str, ...]]:
    own = Path(os.path.realpath(sys.executable))
    if plan.uid is None or reachable_by_others(own):
        return str(own), ()
    # As root we drop to a throwaway uid, which cannot enter e.g. /root/.pyenv; a system Python serves instead.
    for candidate in ("/usr/local/bin/python3", "/usr/bin/python3"):
        path = Path(candidate)
        if path.exists() and reachable_by_others(path):
            return str(path.resolve()), (f"python: {path.resolve()} (your interpreter is not reachable by the sandbox uid)",)
    raise SandboxUnavailable(
        f"the sandbox user cannot reach {own}; install a system python3 or make its directories searchable"
    )


def _node_interpreter(plan: IsolationPlan) -> str:
    found = shutil.which("node", path=_SAFE_PATH) or shutil.which("node")
    if found is None:
        raise SandboxUnavailable("JavaScript needs Node.js 20 or newer (`node` was not found on PATH)")
    path = Path(found).resolve()
    if plan.uid is not None and not reachable_by_others(path):
        raise SandboxUnavailable(f"the sandbox user cannot reach {path}; install node system-wide")
    return str(path)


def _base_env(workdir: Path) -> dict[str, str]:
    # Nothing from the caller's environment: no AWS_*, tokens or HOME with credentials in it.
    return {"PATH": _SAFE_PATH, "HOME": str(workdir), "TMPDIR": str(workdir), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _launch(language: Language, plan: IsolationPlan, workdir: Path, config: Path, fd: int,
            limits: Limits, test_count: int) -> _Launch:
    cpu = math.ceil(limits.startup_seconds + limits.cpu_seconds_per_test * test_count) + 1
    env = _base_env(workdir)
    if language == "python":
        interpreter, notes = python_interpreter(plan)
        harness = workdir / "harness.py"
        harness.write_bytes(resources.files(__package__).joinpath("harness_py.py").read_bytes())
        argv = [interpreter, "-I", "-S", "-B", "-X", "utf8", str(harness), str(config), str(fd)]
        child = ChildLimits(address_space_bytes=limits.python_memory_mb * 1024 * 1024, cpu_seconds=cpu,
                            file_bytes=limits.max_file_bytes, processes=limits.max_processes_python)
        return _Launch(argv, env, child, notes)
    node = _node_interpreter(plan)
    harness = workdir / "harness.js"
    harness.write_bytes(resources.files(__package__).joinpath("harness_js.js").read_bytes())
    argv = [
        node, "--experimental-permission", f"--allow-fs-read={workdir}", f"--allow-fs-write={workdir}",
        f"--max-old-space-size={limits.node_heap_mb}", "--v8-pool-size=2", "--no-warnings",
        str(harness), str(config), str(fd),
    ]
    env["UV_THREADPOOL_SIZE"] = "2"
    child = ChildLimits(address_space_bytes=limits.node_address_space_mb * 1024 * 1024, cpu_seconds=cpu,
                        file_bytes=limits.max_file_bytes, processes=limits.max_processes_node)
    notes = ("node permission model: no child processes, workers or files outside the work dir",)
    return _Launch(argv, env, child, notes)


def _prepare_workdir(plan: IsolationPlan, code: str, language: Language, problem: Problem,
                     limits: Limits) -> tuple[Path, Path]:
    parent = Path(tempfile.gettempdir())
    if plan.uid is not None and not reachable_by_others(parent):
        # A TMPDIR inside e.g. /root cannot be entered by the throwaway uid; /tmp always can.
        parent = Path("/tmp")
    workdir = Path(tempfile.mkdtemp(prefix="prepai-sandbox-", dir=parent)).resolve()
    code_path = workdir / ("solution.py" if language == "python" else "solution.js")
    code_path.write_text(code, encoding="utf-8")
    config = workdir / "config.json"
    config.write_text(json.dumps({
        "workdir": str(workdir), "code_path": str(code_path), "function_name": problem.function_name,
        # Arguments travel as JSON text so each test parses a fresh copy.
        "tests": [json.dumps(t.args) for t in problem.tests],
        "kept_output_chars": limits.kept_output_chars, "startup_seconds": limits.startup_seconds,
        "wall_seconds_per_test": limits.wall_seconds_per_test, "cpu_seconds_per_test": limits.cpu_seconds_per_test,
    }), encoding="utf-8")
    return workdir, config


def _hand_over(workdir: Path, uid: int) -> None:
    for path in [workdir, *workdir.iterdir()]:
        os.chown(path, uid, uid)


@dataclass
class _Collected:
    stdout: bytearray
    stderr: bytearray
    results: bytearray
    deadline_hit: bool = False
    output_exceeded: bool = False


def _collect(proc: subprocess.Popen[bytes], results_fd: int, started: float, limits: Limits,
             test_count: int) -> _Collected:
    """Reads the child's output until it exits or overruns. The deadline moves with progress: startup gets
    its allowance, then each reported record gives the next test its wall time, so a stuck test is killed
    soon after its own limit rather than at the end of the whole budget."""
    got = _Collected(bytearray(), bytearray(), bytearray())
    results_cap = (test_count + 1) * (80 * 1024 + 8 * limits.kept_output_chars)
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ, got.stdout)
    sel.register(proc.stderr, selectors.EVENT_READ, got.stderr)
    sel.register(results_fd, selectors.EVENT_READ, got.results)
    exited_at: float | None = None
    overall = started + limits.startup_seconds + limits.wall_seconds_per_test * test_count + _GRACE_SECONDS
    deadline = min(overall, started + limits.startup_seconds + _GRACE_SECONDS)
    records_seen = 0
    try:
        while sel.get_map():
            now = time.monotonic()
            records = got.results.count(b"\n")
            if records > records_seen:
                records_seen = records
                deadline = min(overall, now + limits.wall_seconds_per_test + _GRACE_SECONDS)
            if now >= deadline:
                got.deadline_hit = proc.poll() is None
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            # Grandchildren may hold the pipes open after the child exits; don't wait on them for long.
            if exited_at is not None and now - exited_at > 0.5:
                break
            for key, _ in sel.select(timeout=min(0.1, deadline - now)):
                fd = key.fd if isinstance(key.fileobj, int) else key.fileobj.fileno()
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer.extend(chunk)
                if len(got.stdout) + len(got.stderr) > limits.max_output_bytes or len(got.results) > results_cap:
                    got.output_exceeded = True
                    return got
    finally:
        sel.close()
    return got


def _decode(data: bytes, limit: int) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + f"\n… {len(text) - limit} more characters"


def run_code(code: str, language: Language, problem: Problem, limits: Limits | None = None) -> RunResult:
    limits = limits or Limits()
    if len(code.encode("utf-8")) > MAX_CODE_BYTES:
        return _load_failure(language, problem, "compile_error", f"the code is larger than {MAX_CODE_BYTES // 1000} KB", [])
    plan = plan_isolation()
    workdir, config = _prepare_workdir(plan, code, language, problem, limits)
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    try:
        try:
            launch = _launch(language, plan, workdir, config, write_fd, limits, len(problem.tests))
            if plan.uid is not None:
                _hand_over(workdir, plan.uid)
            proc = subprocess.Popen(
                launch.argv, cwd=workdir, env=launch.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=(write_fd,), start_new_session=True,
                preexec_fn=make_preexec(plan, launch.limits),
            )
        finally:
            # The parent must not hold the write end, or the results pipe never reaches EOF.
            os.close(write_fd)
        try:
            got = _collect(proc, read_fd, started, limits, len(problem.tests))
        finally:
            kill_group(proc.pid)
            returncode = proc.wait()
            if plan.uid is not None:
                kill_uid(plan.uid)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    finally:
        os.close(read_fd)
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed_ms = (time.monotonic() - started) * 1000
    notes = [*plan.notes, *launch.notes, _limits_note(language, limits)]
    stdout = _decode(bytes(got.stdout), limits.kept_output_chars)
    stderr = _decode(bytes(got.stderr), limits.kept_output_chars)
    child = ChildExit(
        returncode=returncode if not got.deadline_hit and not got.output_exceeded else None, stderr=stderr,
        deadline_hit=got.deadline_hit, output_exceeded=got.output_exceeded, output_limit=limits.max_output_bytes,
    )
    records = _parse_records(bytes(got.results))
    load = records.pop(-1, None)
    if load is None or not load.get("ok"):
        if load is not None:
            status, message = str(load.get("status", "compile_error")), str(load.get("error", ""))
        else:
            cause, message = death_cause(child)
            status = cause or "crashed"
        result = _load_failure(language, problem, status, message, notes)
        return result.model_copy(update={"stdout": stdout, "stderr": stderr, "time_ms": round(elapsed_ms, 1)})
    tests, crash = build_results(problem, records, child, limits.kept_output_chars)
    passed = sum(1 for t in tests if t.passed)
    return RunResult(
        verdict=verdict_for(tests, crashed=crash is not None), language=language,
        function_name=problem.function_name, passed=passed, total=len(tests), tests=tests,
        first_failure=first_failure(tests), message=crash, stdout=stdout, stderr=stderr,
        time_ms=round(elapsed_ms, 1), isolation=notes,
    )


def _parse_records(data: bytes) -> dict[int, dict[str, Any]]:
    """Index -1 holds the load record; a torn last line (the child died mid-write) is dropped."""
    records: dict[int, dict[str, Any]] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        if record.get("kind") == "load":
            records[-1] = record
        elif record.get("kind") == "test" and isinstance(record.get("index"), int):
            records[record["index"]] = record
    return records


_LOAD_STATUSES = {"compile_error", "timeout", "memory_limit", "sandbox_violation", "crashed"}


def _load_failure(language: Language, problem: Problem, status: str, message: str, notes: list[str]) -> RunResult:
    verdict = status if status in _LOAD_STATUSES else "crashed"
    spoken = {
        "compile_error": f"Your code didn't load: {message}.",
        "timeout": "Your code ran out of time before the tests started.",
        "memory_limit": "Your code ran out of memory before the tests started.",
        "sandbox_violation": f"Your code tried something the sandbox blocks: {message}.",
        "crashed": f"Your code crashed before the tests started: {message}.",
    }[verdict]
    return RunResult(verdict=verdict, language=language, function_name=problem.function_name, passed=0,  # type: ignore[arg-type]
                     total=len(problem.tests), tests=[], first_failure=spoken, message=message, isolation=notes)


def _limits_note(language: Language, limits: Limits) -> str:
    memory = (f"{limits.python_memory_mb} MB address space" if language == "python"
              else f"{limits.node_heap_mb} MB heap, {limits.node_address_space_mb} MB address space")
    return (f"limits: {limits.wall_seconds_per_test:g}s wall and {limits.cpu_seconds_per_test}s CPU per test, {memory}, "
            f"{limits.max_file_bytes // (1024 * 1024)} MB files, {limits.max_output_bytes // 1024} KB output")
