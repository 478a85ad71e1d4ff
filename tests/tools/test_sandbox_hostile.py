"""Hostile code against the kernel boundary, run as an unprivileged user this suite creates and as root, under
both backends (bubblewrap, and the Landlock fallback), in Python and JavaScript.

Each escape of the security review is an attack in hostile_attacks.py; a batch runs them all through the real
runner in a separate process (as that user), then every check below looks for the escape's evidence: the
canary secret anywhere in a result, a marker file, a contact on a listener, a victim process killed or
stopped, a process or file left behind, a forged pass, a traceback, terminal control characters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.tools.sandbox import Limits, run_code
from prepai_cli.agent.tools.sandbox.channel import Exchange, Tampering
from prepai_cli.agent.tools.sandbox.isolation import detect_sandbox
from tests.tools import hostile_env
from tests.tools.conftest import make_problem, needs_node
from tests.tools.hostile_attacks import GUARD_OFF, JAVASCRIPT, PYTHON

LIMITS = Limits(wall_seconds_per_test=1.5, cpu_seconds_per_test=2, startup_seconds=3.0, max_output_bytes=64 * 1024,
                python_memory_mb=256)
PROBLEM = {"function_name": "f", "tests": [{"args": [1], "expected": 1}, {"args": [2], "expected": 2}]}
# Not a performance check: a run that outlives startup + per-test wall time + grace means a limit failed.
RUN_BUDGET_SECONDS = LIMITS.startup_seconds + 2 * (LIMITS.wall_seconds_per_test + 1.0) + 3.0
CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]]
BACKENDS = ["bubblewrap", "landlock"]


@pytest.fixture(scope="module")
def machine() -> Iterator[hostile_env.Machine]:
    built = hostile_env.build_machine()
    if isinstance(built, str):
        pytest.skip(built)
    yield built
    shutil.rmtree(built.root, ignore_errors=True)


def _backend_or_skip(backend: str) -> None:
    sandbox = detect_sandbox(backend)  # type: ignore[arg-type]
    if sandbox.backend != backend:
        pytest.skip(f"{backend} is not available here: {sandbox.reason}")


def _fill(code: str, m: hostile_env.Machine, listeners: hostile_env.Listeners, victim: int, name: str) -> str:
    site = next(p for p in sys.path if p.endswith("site-packages"))
    values = {
        "CRED": m.files["credentials"], "SSH": m.files["ssh_key"], "STORE": m.files["store"],
        "AUDIO": m.files["audio"], "OTHER": m.files["other_store"], "BASHRC": m.files["bashrc"], "HOME": m.home,
        "MARKER": m.files["shared"] / f"marker-{name}", "TCP": listeners.tcp_port, "UDP": listeners.udp_port,
        "UNIX": listeners.unix_path, "ABSTRACT": listeners.abstract_name, "VICTIM": victim, "TOKEN": m.token,
        "COMM": f"pdmn{m.token}", "SITE": site, "PTH_DIR": _pth_dir(m),
        "BANK": m.lib / "prepai_cli" / "bank" / "data" / "google-sde.yaml",
        "REPO_BANK": hostile_env.REPO / "prepai_cli" / "bank" / "data" / "google-sde.yaml",
    }
    for key, value in values.items():
        code = code.replace(f"@{key}@", str(value))
    return code


def _pth_dir(m: hostile_env.Machine) -> Path:
    return m.home / ".local" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("actual", "expected", "args"):  # data, compared as it is; shown escaped (see CLI test)
                yield from _strings(v)


def _check_every_run(name: str, line: dict[str, Any], m: hostile_env.Machine) -> list[str]:
    if "result" not in line:
        return [f"{name}: the runner raised\n{line.get('exception', 'no result line')}"]
    problems = []
    ran = line["result"].get("tests") or [{}]
    if name != "forged_load_and_exit" and ran[0].get("status") in (None, "not_run"):
        # An attack that never ran proves nothing: the sandbox must run ordinary code to contain it.
        problems.append(f"{name}: the attack did not run: {line['result'].get('message')}")
    text = json.dumps(line["result"])
    if m.canary in text:
        problems.append(f"{name}: the canary secret reached the result")
    if line["seconds"] > RUN_BUDGET_SECONDS:
        problems.append(f"{name}: the run took {line['seconds']} s, over its {RUN_BUDGET_SECONDS} s budget")
    for s in _strings(line["result"]):
        if any(c in s for c in CONTROL):
            problems.append(f"{name}: terminal control characters in shown output: {s[:80]!r}")
            break
    return problems


def _result(results: dict[str, Any], name: str) -> dict[str, Any]:
    return results.get(name, {}).get("result") or {}


def _first_actual(results: dict[str, Any], name: str) -> Any:
    tests = _result(results, name).get("tests") or [{}]
    return tests[0].get("actual")


def _checks(m: hostile_env.Machine, listeners: hostile_env.Listeners, victim: int, backend: str,
            results: dict[str, Any]) -> list[str]:
    problems = []
    if listeners.contacts:
        problems.append(f"listeners were contacted: {listeners.contacts}")
    markers = sorted(p.name for p in m.files["shared"].glob("marker-*"))
    if markers:
        problems.append(f"marker files written outside the sandbox: {markers}")
    if m.files["bashrc"].read_text() != "# bashrc\n":
        problems.append("~/.bashrc was modified")
    if (_pth_dir(m) / "prepai-evil.pth").exists():
        problems.append("a .pth file was planted for the next python start")
    state = hostile_env.process_state(victim)
    if state in ("gone", "Z", "T", "t"):
        problems.append(f"the victim process was killed or stopped (state {state})")
    if not hostile_env.wait_until(lambda: not hostile_env.processes_named(f"pdmn{m.token}"), 3.0):
        problems.append("a daemon started by the candidate outlived the run")
    leftovers = [str(p) for place in ("/tmp", "/dev/shm") for p in Path(place).glob(f"flood-{m.token}-*")]
    leftovers += [str(p) for p in Path("/tmp").glob("prepai-sandbox-*/flood-*")]
    if leftovers:
        problems.append(f"files written by the candidate survived the run: {leftovers[:3]}")
    flood = _first_actual(results, "fills_tmp_and_shm") or {}
    if backend == "bubblewrap" and any(v > 64 * 1024 * 1024 for v in flood.values()):
        problems.append(f"tmpfs size caps did not hold: {flood}")
    for name in ("forged_results", "forged_load_and_exit", "js_forged_results"):
        forged = _result(results, name)
        if forged and (forged.get("verdict") == "passed" or forged.get("passed")):
            problems.append(f"{name}: a forged record counted as a pass")
    for name in ("forged_results", "malformed_records", "js_forged_results"):
        if name in results and _result(results, name).get("verdict") != "sandbox_violation":
            problems.append(f"{name}: tampering with the results channel was not reported "
                            f"({_result(results, name).get('verdict')})")
    drip = results.get("output_extends_deadline")
    if drip and drip["seconds"] > LIMITS.startup_seconds + _limits_for("output_extends_deadline").wall_seconds_per_test + 2.5:
        problems.append(f"output extended the deadline: the run took {drip['seconds']} s")
    for name in ("spawn_writes_marker", "js_spawns_shell"):
        spawn = str(_first_actual(results, name) or "")
        if "ran" in spawn:
            problems.append(f"{name}: a process was started: {spawn}")
    if "slug: google-sde" in str(_first_actual(results, "reads_the_bank")):
        problems.append("the question bank, with its expected outputs, was readable in the sandbox")
    cffi = _first_actual(results, "cffi_backend_from_site_packages")
    if cffi == "cffi imported":
        problems.append("the PrepAI venv's site-packages were visible in the sandbox")
    interfaces = _first_actual(results, "network_interfaces")
    if backend == "bubblewrap" and "network_interfaces" in results and interfaces != ["lo"]:
        problems.append(f"no empty network namespace: the run sees interfaces {interfaces}")
    signals = _result(results, "js_signals")
    if signals and signals.get("tests") and signals["tests"][-1].get("status") == "not_run":
        problems.append("signals from the candidate stopped the run")
    return problems


def _limits_for(name: str) -> Limits:
    # The attack that never returns only needs to show its test's deadline holds; a short one keeps the suite fast.
    return LIMITS.model_copy(update={"wall_seconds_per_test": 0.5}) if name == "output_extends_deadline" else LIMITS


def _run_batch(m: hostile_env.Machine, as_user: bool, backend: str, attacks: dict[str, str],
               language: str) -> list[str]:
    listeners = hostile_env.Listeners(m.files["shared"], m.token)
    victim = hostile_env.start_victim(m, as_user)
    try:
        jobs = [{"name": name, "language": language, "code": _fill(code, m, listeners, victim.pid, name),
                 "problem": PROBLEM, "limits": _limits_for(name).model_dump()} for name, code in attacks.items()]
        # JavaScript attacks run with node's permission model off, as Python's run with the audit hook off.
        header, results, stderr = hostile_env.run_driver(m, as_user, backend, jobs, timeout=240,
                                                         node_permission_model=language != "javascript")
        assert header.get("backend") == backend, f"driver did not start the {backend} sandbox: {stderr[-2000:]}"
        if as_user:
            assert header["uid"] == m.uid != 0
        problems = [p for name in attacks for p in _check_every_run(name, results.get(name, {}), m)]
        problems += _checks(m, listeners, victim.pid, backend, results)
        if as_user and os.geteuid() == 0:
            others = hostile_env.wait_until(lambda: set(hostile_env.processes_of(m.uid)) <= {victim.pid}, 3.0)
            if not others:
                problems.append(f"processes of the test user left behind: {hostile_env.processes_of(m.uid)}")
        return problems
    finally:
        victim.kill()
        victim.wait()
        listeners.close()
        for marker in m.files["shared"].glob("marker-*"):
            marker.unlink()


WHO = [pytest.param(True, id="unprivileged-user"),
       pytest.param(False, id="root", marks=pytest.mark.skipif(os.geteuid() != 0, reason="needs root"))]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_user", WHO)
def test_python_escapes_are_contained(machine: hostile_env.Machine, as_user: bool, backend: str) -> None:
    _backend_or_skip(backend)
    problems = _run_batch(machine, as_user, backend, PYTHON, "python")
    assert problems == [], "\n".join(problems)


@needs_node
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_user", WHO)
def test_javascript_escapes_are_contained(machine: hostile_env.Machine, as_user: bool, backend: str) -> None:
    _backend_or_skip(backend)
    problems = _run_batch(machine, as_user, backend, JAVASCRIPT, "javascript")
    assert problems == [], "\n".join(problems)


# The results channel parses anything without a traceback, and only answers to questions count.

@pytest.mark.parametrize("data", [
    b"\xff\xfe\n", b"[" * 100_000 + b"\n", b'{"kind": "load", "ok": true}\n{"kind"', b"9" * 50_000 + b"\n",
    b'{"kind": "load", "ok": "yes"}\n', b'{"kind": "load", "ok": true, "extra": 1}\n', b"null\n", b"NaN\n",
    b'{"kind": "test", "index": 0, "status": "returned"}\n', b"\n", b"x" * 300_000,
])
def test_channel_rejects_anything_but_one_load_record(data: bytes) -> None:
    exchange = Exchange(max_line_bytes=100_000)
    with pytest.raises(Tampering):
        exchange.feed(data)


def test_channel_takes_one_answer_per_question() -> None:
    exchange = Exchange(max_line_bytes=100_000)
    assert exchange.feed(b'{"kind": "load", "ok": true}\n').ok  # type: ignore[union-attr]
    nonce = exchange.ask(0).split()[1].decode()
    assert exchange.feed(b'{"kind": "test", "index": 0, "sta') is None
    record = exchange.feed(f'tus": "returned", "nonce": "{nonce}", "actual": [1, {{"a": null}}]}}\n'.encode())
    assert record is not None and record.actual == [1, {"a": None}]
    nonce = exchange.ask(1).split()[1].decode()
    with pytest.raises(Tampering, match="test 3"):
        exchange.feed(f'{{"kind": "test", "index": 2, "nonce": "{nonce}", "status": "returned"}}\n'.encode())
    # Written ahead of the question: it cannot know the nonce.
    early = Exchange(max_line_bytes=100_000)
    early.feed(b'{"kind": "load", "ok": true}\n')
    early.ask(0)
    with pytest.raises(Tampering, match="before the test was asked"):
        early.feed(b'{"kind": "test", "index": 0, "nonce": "guess", "status": "returned", "actual": 1}\n')
    deep = Exchange(max_line_bytes=100_000)
    deep.feed(b'{"kind": "load", "ok": true}\n')
    nonce = deep.ask(0).split()[1].decode()
    with pytest.raises(Tampering):
        deep.feed(f'{{"kind": "test", "index": 0, "nonce": "{nonce}", "status": "returned", "actual": '.encode()
                  + b"[" * 500 + b"]" * 500 + b"}\n")
    unasked = Exchange(max_line_bytes=100_000)
    unasked.feed(b'{"kind": "load", "ok": true}\n')
    with pytest.raises(Tampering, match="nobody asked"):
        unasked.feed(b'{"kind": "test", "index": 0, "nonce": "x", "status": "returned"}\n')


# Verdicts stay readable: the harness guards name what was blocked (default backend, this process).

def _run(code: str, language: str = "python") -> Any:
    return run_code(code, language, make_problem(**PROBLEM), LIMITS)  # type: ignore[arg-type]


def test_python_infinite_loop_times_out_per_test_and_later_tests_still_run() -> None:
    result = _run("def f(x):\n    if x == 1:\n        while True:\n            pass\n    return x\n")
    assert result.verdict == "timeout"
    assert [t.status for t in result.tests] == ["timeout", "passed"]
    assert result.first_failure == "For input 1 it ran out of time."


def test_python_loop_that_swallows_exceptions_is_stopped_by_the_parent() -> None:
    code = "def f(x):\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n"
    assert _run(code).verdict == "timeout"


def test_python_fork_bomb_is_a_sandbox_violation() -> None:
    result = _run("import os\ndef f(x):\n    while True:\n        os.fork()\n")
    assert result.verdict == "sandbox_violation"
    assert "starting a process" in (result.first_failure or "")


def test_python_memory_bomb_hits_the_memory_limit() -> None:
    result = _run("def f(x):\n    hoard = []\n    while True:\n        hoard.append(bytearray(50 * 1024 * 1024))\n")
    assert result.verdict == "memory_limit"


def test_python_one_gigabyte_file_is_stopped_at_the_file_size_limit() -> None:
    code = ("def f(x):\n    with open('big.bin', 'wb') as fh:\n        for _ in range(1024):\n"
            "            fh.write(b'0' * (1024 * 1024))\n    return x\n")
    result = _run(code)
    assert result.verdict == "sandbox_violation"
    assert "file larger than the limit" in (result.tests[0].error or "")


def test_python_output_flood_is_cut_off() -> None:
    result = _run("import os\ndef f(x):\n    while True:\n        os.write(1, b'x' * 65536)\n")
    assert result.verdict == "sandbox_violation"
    assert "KB of output" in (result.first_failure or "")
    assert len(result.stdout) < 10_000


@needs_node
def test_javascript_infinite_loop_and_spawn_verdicts() -> None:
    loop = _run("function f(x) { if (x === 1) { while (true) {} } return x; }", "javascript")
    assert [t.status for t in loop.tests] == ["timeout", "passed"]
    spawn = _run("function f(x) { return require('child_process').execSync('echo pwned').toString(); }", "javascript")
    assert spawn.verdict == "sandbox_violation"
    connect = _run("function f(x) { return new Promise((ok, fail) => { const s = require('node:net').connect(9, '127.0.0.1');"
                   " s.on('error', fail); s.on('connect', ok); }); }", "javascript")
    assert connect.verdict == "sandbox_violation" and "network access" in (connect.first_failure or "")


def test_cli_output_has_no_terminal_control_characters(tmp_path: Path) -> None:
    solution = tmp_path / "s.py"
    solution.write_text("def f(x):\n    print('\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x9b31m')\n    return '\\x1b]0;t\\x07\\x9b2J'\n")
    tests = tmp_path / "t.json"
    tests.write_text(json.dumps(PROBLEM))
    for extra in ([], ["--json"]):
        shown = subprocess.run([sys.executable, "-m", "prepai_cli", "code", "run", str(solution), "--tests", str(tests),
                                *extra], capture_output=True, text=True, cwd=hostile_env.REPO, timeout=60)
        assert "Traceback" not in shown.stderr
        assert shown.returncode == 1, shown.stderr
        assert not any(c in shown.stdout for c in ("\x1b", "\x07", "\x9b")), repr(shown.stdout[:400])


def test_no_boundary_means_no_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent.tools.sandbox.isolation import Sandbox, SandboxUnavailable

    nothing = Sandbox(backend="unavailable", reason="bubblewrap is not installed (sudo apt-get install bubblewrap); "
                                                    "this kernel has no Landlock")
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        run_code("def f(x):\n    return x\n", "python", make_problem(**PROBLEM), LIMITS, sandbox=nothing)



# The backend is chosen once, and a machine without one says what to install.

def test_missing_bubblewrap_falls_back_to_landlock_and_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent.tools.sandbox import isolation

    monkeypatch.setattr(isolation.shutil, "which", lambda name, path=None: None if name == "bwrap" else "/usr/bin/" + name)
    if isolation.landlock.abi_version() < 1:
        pytest.skip("this kernel has no Landlock")
    chosen = isolation._detect(None)
    assert chosen.backend == "landlock"
    assert "bubblewrap is not installed" in chosen.summary
    assert chosen.advice == "for the full sandbox install bubblewrap: sudo apt-get install bubblewrap"
    monkeypatch.setattr(isolation.landlock, "abi_version", lambda: 0)
    nothing = isolation._detect(None)
    assert nothing.backend == "unavailable"
    assert nothing.summary.startswith("code cannot run: bubblewrap is not installed")
    assert "to fix, install bubblewrap (sudo apt-get install bubblewrap)" in nothing.summary


def test_blocked_user_namespaces_explain_how_to_allow_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent.tools.sandbox import isolation

    monkeypatch.setattr(isolation, "_probe_bubblewrap",
                        lambda: "bubblewrap cannot create namespaces here: setting up uid map: Permission denied")
    monkeypatch.setattr(isolation.landlock, "abi_version", lambda: 0)
    nothing = isolation._detect(None)
    assert nothing.backend == "unavailable"
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in nothing.summary
    with pytest.raises(isolation.SandboxUnavailable, match="code cannot run safely here"):
        nothing.require()


def test_a_per_run_cgroup_wraps_bubblewrap_only_where_systemd_offers_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from prepai_cli.agent.tools.sandbox import isolation, runner

    limits = isolation.ChildLimits(address_space_bytes=512 << 20, cpu_seconds=5, file_bytes=1 << 20, processes=4)
    plain = isolation.Sandbox(backend="bubblewrap", reason="test", bwrap="/usr/bin/bwrap")
    assert runner._cgroup_prefix(plain, limits) == []
    scoped = runner._cgroup_prefix(replace(plain, cgroup=True), limits)
    assert scoped[:4] == ["systemd-run", "--user", "--scope", "--quiet"] and scoped[-1] == "--"
    assert f"MemoryMax={(512 << 20) + (128 << 20)}" in scoped and "TasksMax=7" in scoped
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(isolation.shutil, "which", lambda name, path=None: None)
    assert isolation._cgroup_support("bubblewrap") == (False, "systemd-run is not installed")
    assert isolation._cgroup_support("landlock") == (False, "needs bubblewrap")


@pytest.mark.parametrize("backend", BACKENDS)
def test_site_packages_inside_the_interpreters_folders_stay_unreadable(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pyenv or /usr/local Python keeps site-packages (and maybe PrepAI) inside its standard library folder."""
    from prepai_cli.agent.tools.sandbox import runner
    from prepai_cli.agent.tools.sandbox.interpreters import python_files

    _backend_or_skip(backend)
    files, _ = python_files(as_throwaway_uid=False)
    if not files.hidden:
        pytest.skip(f"{files.executable} keeps no site-packages inside its own folders")
    monkeypatch.setattr(runner, "throwaway_uid", lambda: None)  # run with this interpreter, even as root
    hidden = files.hidden[0]
    inside = next((p for p in sorted(hidden.rglob("*.py")) if p.stat().st_size > 0), None)
    assert inside is not None
    code = GUARD_OFF + f"def f(x):\n    try:\n        return open({str(inside)!r}).read()\n    except OSError as e:\n        return type(e).__name__\n"
    result = run_code(code, "python", make_problem(**PROBLEM), LIMITS, sandbox=detect_sandbox(backend))  # type: ignore[arg-type]
    assert result.tests, result.message
    assert result.tests[0].actual in ("FileNotFoundError", "PermissionError")
