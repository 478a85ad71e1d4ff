"""Hostile code: each attack ends with the right verdict inside its limits, and leaves nothing running.

Two layers are tested: the whole sandbox (harness + OS limits) through run_code, and the OS limits alone by
running raw programs under the same preexec, as if the candidate had defeated the in-process guards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.tools.sandbox import Limits, run_code
from prepai_cli.agent.tools.sandbox import runner
from prepai_cli.agent.tools.sandbox.isolation import ChildLimits, IsolationPlan, kill_uid, make_preexec, plan_isolation
from prepai_cli.agent.tools.sandbox.runner import python_interpreter
from tests.tools.conftest import make_problem, needs_node

# Short limits keep the suite fast; 2 s leaves room for a loaded CI machine to reach memory limits first.
LIMITS = Limits(wall_seconds_per_test=2.0, cpu_seconds_per_test=2, startup_seconds=3.0, max_output_bytes=64 * 1024,
                python_memory_mb=192)
# Not a performance check: a run that outlives startup + per-test wall time + grace means a limit failed.
RUN_BUDGET_SECONDS = LIMITS.startup_seconds + 2 * LIMITS.wall_seconds_per_test + 3.0
PROBLEM = make_problem(function_name="f", tests=[{"args": [1], "expected": 1}, {"args": [2], "expected": 2}])
FAKE_SECRET = "fake-secret-AKIAEXAMPLE-do-not-leak"


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def _live_processes_of(uids: set[int]) -> list[int]:
    """Zombies waiting for init to reap them hold no resources, so only live processes count."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids and _state(entry.name) not in ("Z", "gone"):
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids


def _my_children() -> list[int]:
    me = os.getpid()
    children = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                children.append(int(entry.name))
    return children


@pytest.fixture(autouse=True)
def machine_stays_healthy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Records the throwaway uids this test's runs used, so parallel test workers don't see each other's runs.
    used: set[int] = set()

    def recording_plan(*args: Any, **kwargs: Any) -> IsolationPlan:
        plan = plan_isolation(*args, **kwargs)
        if plan.uid is not None:
            used.add(plan.uid)
        return plan

    monkeypatch.setattr(runner, "plan_isolation", recording_plan)
    yield
    assert _my_children() == [], "the sandbox left child processes behind"
    assert _live_processes_of(used) == [], "processes of a sandbox uid are still running"


@pytest.fixture
def secrets_in_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    credentials = home / ".aws" / "credentials"
    credentials.parent.mkdir(parents=True)
    credentials.write_text(f"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = {FAKE_SECRET}\n")
    credentials.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    return credentials


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local TCP server that records every connection it accepts."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    accepted: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(f"{addr[0]}:{addr[1]}")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    server.close()


def _run(code: str, language: str = "python"):
    started = time.monotonic()
    result = run_code(code, language, PROBLEM, LIMITS)  # type: ignore[arg-type]
    assert time.monotonic() - started < RUN_BUDGET_SECONDS
    return result


# Through the whole sandbox, Python

def test_python_infinite_loop_times_out_per_test_and_later_tests_still_run() -> None:
    result = _run("def f(x):\n    if x == 1:\n        while True:\n            pass\n    return x\n")
    assert result.verdict == "timeout"
    assert [t.status for t in result.tests] == ["timeout", "passed"]
    assert result.first_failure == "For input 1 it ran out of time."


def test_python_loop_that_swallows_exceptions_is_stopped_by_the_parent() -> None:
    code = "def f(x):\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n"
    result = _run(code)
    assert result.verdict == "timeout"


def test_python_fork_bomb_is_blocked() -> None:
    result = _run("import os\ndef f(x):\n    while True:\n        os.fork()\n")
    assert result.verdict == "sandbox_violation"
    assert "starting a process" in (result.first_failure or "")


def test_python_memory_bomb_hits_the_memory_limit() -> None:
    result = _run("def f(x):\n    hoard = []\n    while True:\n        hoard.append(bytearray(50 * 1024 * 1024))\n")
    assert result.verdict == "memory_limit"
    assert result.tests[0].status == "memory_limit"


def test_python_one_gigabyte_file_is_stopped_at_the_file_size_limit() -> None:
    code = ("def f(x):\n    with open('big.bin', 'wb') as fh:\n        for _ in range(1024):\n"
            "            fh.write(b'0' * (1024 * 1024))\n    return x\n")
    result = _run(code)
    assert result.verdict == "sandbox_violation"
    assert "file larger than the limit" in (result.tests[0].error or "")


def test_python_shell_spawn_is_blocked() -> None:
    code = "import subprocess\ndef f(x):\n    return subprocess.run(['sh', '-c', 'echo pwned'], capture_output=True).stdout.decode()\n"
    result = _run(code)
    assert result.verdict == "sandbox_violation"
    assert all("pwned" not in t.stdout and t.actual != "pwned\n" for t in result.tests)


def test_python_cannot_see_secrets(secrets_in_parent: Path) -> None:
    code = (
        "import os\n"
        "def f(x):\n"
        "    if x == 1:\n"
        "        return [os.environ.get('AWS_SECRET_ACCESS_KEY'), os.path.exists(os.path.expanduser('~/.aws/credentials')),\n"
        "                sorted(k for k in os.environ if k.startswith('AWS'))]\n"
        f"    return open({str(secrets_in_parent)!r}).read()\n"
    )
    result = _run(code)
    assert result.tests[0].actual == [None, False, []]
    assert result.tests[1].status == "sandbox_violation"
    assert FAKE_SECRET not in result.model_dump_json()


def test_python_socket_to_local_listener_is_blocked(listener: tuple[int, list[str]]) -> None:
    port, accepted = listener
    code = f"import socket\ndef f(x):\n    socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n    return x\n"
    result = _run(code)
    assert result.verdict == "sandbox_violation"
    assert "network access" in (result.first_failure or "")
    time.sleep(0.2)
    assert accepted == []


def test_python_output_flood_is_cut_off() -> None:
    result = _run("import os\ndef f(x):\n    while True:\n        os.write(1, b'x' * 65536)\n")
    assert result.verdict == "sandbox_violation"
    assert "KB of output" in (result.first_failure or "")
    assert len(result.stdout) < 10_000


# Through the whole sandbox, JavaScript

@needs_node
def test_javascript_infinite_loop_times_out() -> None:
    result = _run("function f(x) { if (x === 1) { while (true) {} } return x; }", "javascript")
    assert result.verdict == "timeout"
    assert [t.status for t in result.tests] == ["timeout", "passed"]


@needs_node
def test_javascript_fork_bomb_is_blocked() -> None:
    result = _run("function f(x) { const cp = require('child_process'); while (true) cp.spawn('sh'); }", "javascript")
    assert result.verdict == "sandbox_violation"


@needs_node
def test_javascript_memory_bomb_hits_the_memory_limit() -> None:
    result = _run("function f(x) { const a = []; while (true) a.push(new Array(1e6).fill(1.5)); }", "javascript")
    assert result.verdict == "memory_limit"


@needs_node
def test_javascript_one_gigabyte_file_is_stopped() -> None:
    code = ("function f(x) { const fs = require('fs'); const fd = fs.openSync('big.bin', 'w');"
            " for (let i = 0; i < 1024; i++) fs.writeSync(fd, Buffer.alloc(1 << 20)); return x; }")
    result = _run(code, "javascript")
    assert result.verdict == "sandbox_violation"


@needs_node
def test_javascript_shell_spawn_is_blocked() -> None:
    code = "function f(x) { return require('child_process').execSync('echo pwned').toString(); }"
    result = _run(code, "javascript")
    assert result.verdict == "sandbox_violation"
    assert all(t.actual != "pwned\n" for t in result.tests)


@needs_node
def test_javascript_cannot_see_secrets(secrets_in_parent: Path) -> None:
    code = (
        "function f(x) {\n"
        "  if (x === 1) return [process.env.AWS_SECRET_ACCESS_KEY ?? null, Object.keys(process.env).filter(k => k.startsWith('AWS'))];\n"
        f"  return require('fs').readFileSync({str(secrets_in_parent)!r}, 'utf8');\n"
        "}\n"
    )
    result = _run(code, "javascript")
    assert result.tests[0].actual == [None, []]
    assert result.tests[1].status == "sandbox_violation"
    assert FAKE_SECRET not in result.model_dump_json()


@needs_node
def test_javascript_socket_to_local_listener_is_blocked(listener: tuple[int, list[str]]) -> None:
    port, accepted = listener
    code = ("function f(x) { return new Promise((resolve, reject) => {"
            f" const s = require('net').connect({port}, '127.0.0.1'); s.on('connect', () => resolve(x)); s.on('error', reject); }}); }}")
    result = _run(code, "javascript")
    assert result.verdict == "sandbox_violation"
    time.sleep(0.2)
    assert accepted == []


@needs_node
def test_javascript_escaping_the_vm_still_finds_no_secrets(secrets_in_parent: Path) -> None:
    # vm is not a boundary: reaching the real `process` must still find a scrubbed environment.
    code = "function f(x) { const p = this.constructor.constructor('return process')(); return p.env.AWS_SECRET_ACCESS_KEY ?? x; }"
    result = _run(code, "javascript")
    assert result.verdict == "passed"


# The OS limits alone (as if the harness guards were defeated)

def _raw(plan: IsolationPlan, script: str, limits: ChildLimits, cwd: Path) -> subprocess.CompletedProcess[str]:
    interpreter, _ = python_interpreter(plan)
    if plan.uid is not None:
        os.chown(cwd, plan.uid, plan.uid)
    try:
        return subprocess.run([interpreter, "-I", "-S", "-c", script], cwd=cwd, capture_output=True, text=True,
                              timeout=20, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
                              preexec_fn=make_preexec(plan, limits), start_new_session=True)
    finally:
        if plan.uid is not None:
            kill_uid(plan.uid)


RAW_LIMITS = ChildLimits(address_space_bytes=256 * 1024 * 1024, cpu_seconds=5, file_bytes=1024 * 1024, processes=4)


def test_network_namespace_blocks_connections_without_the_harness(
        listener: tuple[int, list[str]], tmp_path: Path) -> None:
    plan = plan_isolation()
    if not plan.new_network_namespace:
        pytest.skip("this kernel/container does not allow network namespaces")
    port, accepted = listener
    script = (f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    print('connected')\n"
              "except OSError as e:\n    print('refused', e.errno)\n")
    result = _raw(plan, script, RAW_LIMITS, tmp_path)
    assert result.stdout.startswith("refused"), result.stdout + result.stderr
    time.sleep(0.2)
    assert accepted == []


def test_process_limit_stops_a_raw_fork_bomb(tmp_path: Path) -> None:
    plan = plan_isolation(want_network_isolation=False)
    if plan.uid is None:
        pytest.skip("RLIMIT_NPROC per run needs a throwaway uid (root only)")
    script = (
        "import os, sys, time\nmade = 0\n"
        "for _ in range(200):\n"
        "    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        os.close(1)\n        os.close(2)\n        time.sleep(30)\n        os._exit(0)\n"
        "    made += 1\n"
        "print(made)\nsys.stdout.flush()\nos._exit(0)\n"
    )
    result = _raw(plan, script, RAW_LIMITS, tmp_path)
    assert int(result.stdout.strip()) < RAW_LIMITS.processes
    assert kill_uid(plan.uid) == 0
    assert _live_processes_of({plan.uid}) == []


def test_throwaway_uid_cannot_read_the_callers_files(secrets_in_parent: Path, tmp_path: Path) -> None:
    plan = plan_isolation(want_network_isolation=False)
    if plan.uid is None:
        pytest.skip("a separate uid needs root")
    work = tmp_path / "work"
    work.mkdir()
    script = f"try:\n    print(open({str(secrets_in_parent)!r}).read())\nexcept PermissionError:\n    print('denied')\n"
    result = _raw(plan, script, RAW_LIMITS, work)
    assert result.stdout.strip() == "denied"


def test_address_space_and_file_size_limits_hold_without_the_harness(tmp_path: Path) -> None:
    plan = plan_isolation(want_network_isolation=False)
    script = (
        "import errno\ntry:\n    bytearray(1024 * 1024 * 1024)\n    print('allocated')\nexcept MemoryError:\n    print('memory')\n"
        "try:\n    open('f.bin', 'wb').write(b'0' * (2 * 1024 * 1024))\n    print('wrote')\n"
        "except OSError as e:\n    print('efbig' if e.errno == errno.EFBIG else e)\n"
    )
    result = _raw(plan, script, RAW_LIMITS, tmp_path)
    assert result.stdout.split() == ["memory", "efbig"]
