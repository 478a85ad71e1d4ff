"""Runs candidate code against a problem's tests in a confined child process."""

from __future__ import annotations

import fcntl
import json
import marshal
import math
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from prepai_cli.agent.tools.sandbox import bubblewrap, landlock
from prepai_cli.agent.tools.sandbox.channel import Exchange, LoadRecord, Tampering, TestRecord
from prepai_cli.agent.tools.sandbox.interpreters import InterpreterFiles, node_files, python_files, reachable_by_others
from prepai_cli.agent.tools.sandbox.isolation import (
    ChildLimits, Confinement, Sandbox, SandboxUnavailable, detect_sandbox, is_zombie, kill_group, kill_uid,
    make_preexec, throwaway_uid,
)
from prepai_cli.agent.tools.sandbox.models import Language, Limits, Problem, RunResult
from prepai_cli.agent.tools.sandbox.seccomp import filter_program
from prepai_cli.agent.tools.sandbox.verdicts import (
    ChildExit, build_results, death_cause, first_failure, printable, verdict_for,
)

__all__ = ["SandboxUnavailable", "run_code"]

MAX_CODE_BYTES = 100_000
_GRACE_SECONDS = 1.0
_AFTER_LAST_SECONDS = 0.1
# bubblewrap's own two processes count against the run's process limit.
_BWRAP_PROCESSES = 3
_SHM_BYTES = 8 * 1024 * 1024


@dataclass
class _Launch:
    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None]
    pass_fds: tuple[int, ...]
    notes: tuple[str, ...]
    cwd: str = "/"
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def _harness(language: Language) -> bytes:
    name = "harness_py.py" if language == "python" else "harness_js.js"
    return resources.files(__package__).joinpath(name).read_bytes()


def _inner_argv(language: Language, files: InterpreterFiles, workdir: str, request_fd: int, result_fd: int,
                limits: Limits) -> list[str]:
    harness, config = f"{workdir}/harness{'.py' if language == 'python' else '.js'}", f"{workdir}/config.json"
    if language == "python":
        return [files.executable, "-I", "-S", "-B", "-X", "utf8", harness, config, str(request_fd), str(result_fd)]
    return [files.executable, "--experimental-permission", f"--allow-fs-read={workdir}",
            f"--allow-fs-write={workdir}", f"--max-old-space-size={limits.node_heap_mb}", "--v8-pool-size=2",
            "--no-warnings", harness, config, str(request_fd), str(result_fd)]


def _child_limits(language: Language, limits: Limits, test_count: int) -> ChildLimits:
    cpu = math.ceil(limits.startup_seconds + limits.cpu_seconds_per_test * test_count) + 1
    if language == "python":
        return ChildLimits(address_space_bytes=limits.python_memory_mb * 1024 * 1024, cpu_seconds=cpu,
                           file_bytes=limits.max_file_bytes, processes=limits.max_processes_python)
    return ChildLimits(address_space_bytes=limits.node_address_space_mb * 1024 * 1024, cpu_seconds=cpu,
                       file_bytes=limits.max_file_bytes, processes=limits.max_processes_node)


def _run_files(code: str, language: Language, problem: Problem, limits: Limits, workdir: str) -> dict[str, bytes]:
    solution = "solution.py" if language == "python" else "solution.js"
    config: dict[str, Any] = {
        "workdir": workdir, "code_path": f"{workdir}/{solution}", "function_name": problem.function_name,
        # Arguments only: the expected values stay with the parent. Serialised per test, so each test
        # decodes a fresh copy: JSON text for node, marshal data (no json import at start) for Python.
        "tests": [json.dumps(t.args) for t in problem.tests],
        "kept_output_chars": limits.kept_output_chars, "startup_seconds": limits.startup_seconds,
        "wall_seconds_per_test": limits.wall_seconds_per_test, "cpu_seconds_per_test": limits.cpu_seconds_per_test,
    }
    if language == "python":
        config["tests"] = [marshal.dumps(json.loads(t)) for t in config["tests"]]
        encoded = marshal.dumps(config)
    else:
        encoded = json.dumps(config).encode("utf-8")
    return {solution: code.encode("utf-8"), "config.json": encoded,
            f"harness{'.py' if language == 'python' else '.js'}": _harness(language)}


def _files(language: Language, uid: int | None) -> tuple[InterpreterFiles, tuple[str, ...]]:
    if language == "python":
        return python_files(as_throwaway_uid=uid is not None)
    notes = ("node permission model: no child processes, workers or files outside the work dir",)
    return node_files(as_throwaway_uid=uid is not None), notes


def _cgroup_prefix(sandbox: Sandbox, limits: ChildLimits) -> list[str]:
    if not sandbox.cgroup:
        return []
    memory = (limits.address_space_bytes or 1 << 30) + 128 * 1024 * 1024
    return ["systemd-run", "--user", "--scope", "--quiet", "--collect", "-p", f"MemoryMax={memory}",
            "-p", f"TasksMax={limits.processes + _BWRAP_PROCESSES}", "--"]


def _launch_bubblewrap(sandbox: Sandbox, uid: int | None, language: Language, run_files: dict[str, bytes],
                       limits: Limits, child: ChildLimits, request_fd: int, result_fd: int) -> _Launch:
    files, notes = _files(language, uid)
    inputs = {name: bubblewrap.memfd_with(name, data) for name, data in run_files.items()}
    seccomp_fd = bubblewrap.memfd_with("seccomp", filter_program("namespaces"))
    fds = (*inputs.values(), seccomp_fd)
    work = max(limits.max_file_bytes * 4, 32 * 1024 * 1024)
    tmpfs = bubblewrap.Tmpfs(work_bytes=work, tmp_bytes=work, shm_bytes=_SHM_BYTES)
    argv = bubblewrap.command(sandbox, files, inputs, seccomp_fd, tmpfs,
                              _inner_argv(language, files, bubblewrap.WORKDIR, request_fd, result_fd, limits))
    launch = _Launch(
        argv=_cgroup_prefix(sandbox, child) + argv, env=dict(bubblewrap.ENV),
        preexec=make_preexec(Confinement(uid=uid), child, extra_processes=_BWRAP_PROCESSES),
        pass_fds=(request_fd, result_fd, *fds), notes=notes)
    launch.cleanup.extend(lambda fd=fd: os.close(fd) for fd in fds)  # type: ignore[misc]
    return launch


def _launch_landlock(uid: int | None, language: Language, code: str, problem: Problem, limits: Limits,
                     child: ChildLimits, request_fd: int, result_fd: int) -> _Launch:
    files, notes = _files(language, uid)
    parent = Path(tempfile.gettempdir())
    if uid is not None and not reachable_by_others(parent):
        parent = Path("/tmp")  # a TMPDIR inside e.g. /root cannot be entered by the throwaway uid
    workdir = Path(tempfile.mkdtemp(prefix="prepai-sandbox-", dir=parent)).resolve()
    cleanup: list[Callable[[], None]] = [lambda: shutil.rmtree(workdir, ignore_errors=True)]
    try:
        for name, data in _run_files(code, language, problem, limits, str(workdir)).items():
            (workdir / name).write_bytes(data)
        if uid is not None:
            for path in [workdir, *workdir.iterdir()]:
                os.chown(path, uid, uid)
        # Read-only work dir: without a mount namespace there is no size-capped tmpfs, and a writable folder on
        # disk could be filled at hundreds of MB a second (measured) within the time limits.
        readable, listable = files.landlock_paths()
        ruleset = landlock.build_ruleset(
            read_only=[*readable, workdir], listable=listable,
            devices=[Path("/dev/null"), Path("/dev/zero"), Path("/dev/urandom"), Path("/dev/random")])
        cleanup.append(ruleset.close)
        confinement = Confinement(uid=uid, ruleset_fd=ruleset.fd, seccomp_program=filter_program("no_namespaces"))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "TMPDIR": str(workdir), "LANG": "C.UTF-8",
               "LC_ALL": "C.UTF-8"}
        if language == "javascript":
            # node reads OpenSSL's config at start and stops if it may not.
            env.update(UV_THREADPOOL_SIZE="2", OPENSSL_CONF="/dev/null")
        return _Launch(argv=_inner_argv(language, files, str(workdir), request_fd, result_fd, limits), env=env,
                       preexec=make_preexec(confinement, child), pass_fds=(request_fd, result_fd), notes=notes,
                       cwd=str(workdir), cleanup=cleanup)
    except BaseException:
        for step in reversed(cleanup):
            step()
        raise


@dataclass
class _Collected:
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    load: LoadRecord | None = None
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    deadline_hit: bool = False
    output_exceeded: bool = False
    tampered: str | None = None


def _ask(request_fd: int, line: bytes) -> None:
    try:
        os.write(request_fd, line)
    except (BlockingIOError, BrokenPipeError):
        pass  # the child stopped reading; its deadline settles it


def _collect(proc: subprocess.Popen[bytes], request_fd: int, result_fd: int, started: float, limits: Limits,
             test_count: int) -> _Collected:
    """Reads the child's output until it exits, overruns or breaks the protocol. Each test's deadline starts
    when the parent asks for it; nothing the child writes moves a deadline."""
    got = _Collected()
    exchange = Exchange(max_line_bytes=80 * 1024 + 12 * limits.kept_output_chars)
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ, got.stdout)
    sel.register(proc.stderr, selectors.EVENT_READ, got.stderr)
    sel.register(result_fd, selectors.EVENT_READ, None)
    deadline = started + limits.startup_seconds + _GRACE_SECONDS
    asked_at = started
    exited_at: float | None = None
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                got.deadline_hit = proc.poll() is None
                return got
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            # Grandchildren may hold the pipes open after the child exits; don't wait on them for long.
            if exited_at is not None and (now - exited_at > 0.5 or not sel.get_map()):
                return got
            if not sel.get_map():
                time.sleep(min(0.005, deadline - now))
                continue
            for key, _ in sel.select(timeout=min(0.1, deadline - now)):
                fd = key.fd
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                if key.data is not None:
                    key.data.extend(chunk)
                    if len(got.stdout) + len(got.stderr) > limits.max_output_bytes:
                        got.output_exceeded = True
                        return got
                    continue
                try:
                    record = exchange.feed(chunk)
                except Tampering as exc:
                    got.tampered = str(exc)
                    return got
                if record is None:
                    continue
                now = time.monotonic()
                if isinstance(record, LoadRecord):
                    got.load = record
                    next_index = 0 if record.ok else test_count
                else:
                    assert isinstance(record, TestRecord)
                    got.records[record.index] = {**record.model_dump(), "time_ms": round((now - asked_at) * 1000, 3)}
                    next_index = record.index + 1
                if next_index < test_count:
                    asked_at = now
                    deadline = now + limits.wall_seconds_per_test + _GRACE_SECONDS
                    _ask(request_fd, exchange.ask(next_index))
                else:
                    exchange.finish()
                    os.close(request_fd)
                    request_fd = -1
                    # Every answer is in. The harness exits once the request pipe closes; a short wait catches
                    # a late extra record or output, then the run is stopped rather than waited for.
                    deadline = min(deadline, now + _AFTER_LAST_SECONDS)
    finally:
        sel.close()
        if request_fd >= 0:
            os.close(request_fd)


def _descendants(pid: int) -> list[int]:
    """The process tree under `pid` (bubblewrap's init in its pid namespace and the interpreter)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except (OSError, ValueError):
            continue
        found.extend(children)
        todo.extend(children)
    return found


def _stop(proc: subprocess.Popen[bytes], uid: int | None) -> int:
    """Kills the whole run: the child, bubblewrap's processes in their pid namespace, anything of the uid."""
    inner = _descendants(proc.pid)
    kill_group(proc.pid)
    for pid in inner:
        try:
            os.kill(pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
    returncode = proc.wait()
    if uid is not None:
        kill_uid(uid)
    give_up = time.monotonic() + 2.0
    while time.monotonic() < give_up and any(Path(f"/proc/{pid}").exists() and not is_zombie(pid) for pid in inner):
        time.sleep(0.005)
    return returncode


def _decode(data: bytes, limit: int) -> str:
    text = printable(data.decode("utf-8", errors="replace"))
    return text if len(text) <= limit else text[:limit] + f"\n… {len(text) - limit} more characters"


def run_code(code: str, language: Language, problem: Problem, limits: Limits | None = None,
             sandbox: Sandbox | None = None) -> RunResult:
    """Runs `code` under `sandbox` (by default the best boundary this machine offers; SandboxUnavailable
    when there is none)."""
    limits = limits or Limits()
    if len(code.encode("utf-8")) > MAX_CODE_BYTES:
        return _load_failure(language, problem, "compile_error", f"the code is larger than {MAX_CODE_BYTES // 1000} KB", [])
    sandbox = sandbox or detect_sandbox()
    sandbox.require()
    uid = throwaway_uid()
    child = _child_limits(language, limits, len(problem.tests))
    request_read, request_write = os.pipe()
    result_read, result_write = os.pipe()
    fcntl.fcntl(request_write, fcntl.F_SETFL, os.O_NONBLOCK)
    launch: _Launch | None = None
    try:
        try:
            if sandbox.backend == "bubblewrap":
                files = _run_files(code, language, problem, limits, bubblewrap.WORKDIR)
                launch = _launch_bubblewrap(sandbox, uid, language, files, limits, child, request_read, result_write)
            else:
                launch = _launch_landlock(uid, language, code, problem, limits, child, request_read, result_write)
            started = time.monotonic()
            proc = subprocess.Popen(
                launch.argv, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=launch.pass_fds, start_new_session=True, preexec_fn=launch.preexec,
            )
        finally:
            # The parent must not hold the child's ends, or the pipes never reach EOF.
            os.close(request_read)
            os.close(result_write)
        asking, request_write = request_write, -1  # _collect closes it when the last test is asked for
        try:
            got = _collect(proc, asking, result_read, started, limits, len(problem.tests))
        finally:
            returncode = _stop(proc, uid)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    finally:
        os.close(result_read)
        if request_write >= 0:
            os.close(request_write)
        for step in reversed(launch.cleanup if launch else []):
            step()
    elapsed_ms = (time.monotonic() - started) * 1000
    notes = [f"sandbox: {sandbox.summary}", *(["runs as a throwaway uid"] if uid is not None else []),
             *launch.notes, _limits_note(language, limits)]
    return _result(language, problem, limits, got, returncode, elapsed_ms, notes)


def _result(language: Language, problem: Problem, limits: Limits, got: _Collected, returncode: int,
            elapsed_ms: float, notes: list[str]) -> RunResult:
    stdout = _decode(bytes(got.stdout), limits.kept_output_chars)
    stderr = _decode(bytes(got.stderr), limits.kept_output_chars)
    stopped = got.deadline_hit or got.output_exceeded or got.tampered is not None
    child = ChildExit(
        returncode=None if stopped else returncode, stderr=stderr, deadline_hit=got.deadline_hit,
        output_exceeded=got.output_exceeded, output_limit=limits.max_output_bytes, tampered=got.tampered,
    )
    load = got.load
    if load is None or not load.ok:
        if load is not None and got.tampered is None:
            status, message = load.status or "compile_error", printable(load.error or "")[:1000]
        else:
            cause, message = death_cause(child)
            status = cause or "crashed"
        result = _load_failure(language, problem, status, message, notes)
        return result.model_copy(update={"stdout": stdout, "stderr": stderr, "time_ms": round(elapsed_ms, 1)})
    tests, crash = build_results(problem, got.records, child, limits.kept_output_chars)
    passed = sum(1 for t in tests if t.passed)
    verdict = verdict_for(tests, crashed=crash is not None)
    if got.tampered is not None:
        # Writing to the results channel is an attack on the verdict itself: no test of this run counts.
        _, crash = death_cause(child)
        verdict, passed = "sandbox_violation", 0
        tests = [t.model_copy(update={"passed": False}) if t.passed else t for t in tests]
    return RunResult(
        verdict=verdict, language=language,
        function_name=problem.function_name, passed=passed, total=len(tests), tests=tests,
        first_failure=first_failure(tests), message=crash, stdout=stdout, stderr=stderr,
        time_ms=round(elapsed_ms, 1), isolation=notes,
    )


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
                     total=len(problem.tests), tests=[], first_failure=printable(spoken), message=message,
                     isolation=notes)


def _limits_note(language: Language, limits: Limits) -> str:
    memory = (f"{limits.python_memory_mb} MB address space" if language == "python"
              else f"{limits.node_heap_mb} MB heap, {limits.node_address_space_mb} MB address space")
    return (f"limits: {limits.wall_seconds_per_test:g}s wall and {limits.cpu_seconds_per_test}s CPU per test, {memory}, "
            f"{limits.max_file_bytes // (1024 * 1024)} MB files, {limits.max_output_bytes // 1024} KB output")
