"""Which kernel boundary confines candidate code on this machine, chosen once per process.

- bubblewrap: new user, pid, network, ipc, uts, cgroup and mount namespaces; only the interpreter's files,
  read-only; tmpfs work dir, /tmp and /dev/shm with size caps; seccomp; no capabilities.
- landlock: where user namespaces are blocked (Ubuntu's AppArmor policy, some containers) or bubblewrap is
  missing: Landlock file (and TCP) rules, read-only even in the work dir, plus a seccomp filter that allows no
  sockets, signals or new processes.
- unavailable: neither works, and code is not run at all.

Either way the child gets rlimits, its own session, and (when PrepAI runs as root) a throwaway uid.
The in-process guards of the harnesses only turn blocked attempts into readable verdicts.
"""

from __future__ import annotations

import ctypes
import os
import resource
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal

from prepai_cli.agent.tools.sandbox import landlock
from prepai_cli.agent.tools.sandbox.seccomp import SeccompUnavailable, filter_program
from prepai_cli.errors import PrepAIError

# Throwaway uids come from a range no distribution allocates, so they own nothing on the machine and each run
# has its own process count for RLIMIT_NPROC.
_UID_BASE = 1_500_000_000
_UID_SPAN = 500_000_000
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 1, 38, 22, 2
INSTALL_BUBBLEWRAP = "sudo apt-get install bubblewrap"

BackendName = Literal["bubblewrap", "landlock", "unavailable"]


class SandboxUnavailable(PrepAIError):
    """Code cannot run safely here (no boundary, or no interpreter); the message says why and how to fix it."""


@dataclass(frozen=True)
class ChildLimits:
    address_space_bytes: int | None
    cpu_seconds: int
    file_bytes: int
    processes: int
    open_files: int = 256


@dataclass(frozen=True)
class Sandbox:
    """The boundary in use and why; `summary` is the line `prepai doctor` prints."""

    backend: BackendName
    reason: str
    bwrap: str | None = None
    disable_userns: bool = False
    landlock_abi: int = 0
    cgroup: bool = False
    cgroup_note: str = ""

    @property
    def summary(self) -> str:
        """One line: what isolates a run, why this backend, and whether there is a per-run cgroup."""
        if self.backend == "bubblewrap":
            what = ("bubblewrap + seccomp: user, pid, network, ipc and mount namespaces, read-only interpreter, "
                    "private size-capped work dir, /tmp and /dev/shm")
        elif self.backend == "landlock":
            what = (f"Landlock (ABI {self.landlock_abi}) + seccomp: no sockets, signals or new processes, "
                    "read-only access to the interpreter and the run's files")
        else:
            return f"code cannot run: {self.reason}"
        cgroup = "per-run cgroup (systemd-run --user --scope)" if self.cgroup else f"no per-run cgroup: {self.cgroup_note}"
        return f"{what} ({self.reason}); {cgroup}"

    @property
    def advice(self) -> str | None:
        """What the user can do for a stronger boundary, when there is something."""
        if self.backend == "landlock" and "not installed" in self.reason:
            return f"for the full sandbox install bubblewrap: {INSTALL_BUBBLEWRAP}"
        return None

    def require(self) -> None:
        if self.backend == "unavailable":
            raise SandboxUnavailable(f"code cannot run safely here: {self.reason}")


def throwaway_uid() -> int | None:
    """As root, each run gets a uid of its own (nothing readable, its own process count); else None."""
    return _UID_BASE + secrets.randbelow(_UID_SPAN) if os.geteuid() == 0 else None


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _drop_to(uid: int | None) -> Callable[[], None] | None:
    if uid is None:
        return None

    def preexec() -> None:  # pragma: no cover - runs in the child
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    return preexec


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no message"


def _probe_bubblewrap() -> Sandbox | str:
    found = shutil.which("bwrap", path=_SAFE_PATH) or shutil.which("bwrap")
    if found is None:
        return f"bubblewrap is not installed ({INSTALL_BUBBLEWRAP})"
    help_text = subprocess.run([found, "--help"], capture_output=True, text=True, timeout=10).stdout
    disable_userns = "--disable-userns" in help_text
    argv = [found, "--unshare-all", "--unshare-user", *(["--disable-userns"] if disable_userns else []),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--ro-bind", "/", "/", "true"]
    try:
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=10, env={"PATH": _SAFE_PATH},
                               preexec_fn=_drop_to(throwaway_uid()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap does not start ({exc})"
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {_first_line(probe.stderr)}"
    why = "" if disable_userns else "; this bubblewrap is older than 0.8 and cannot block nested user namespaces"
    return Sandbox(backend="bubblewrap", reason=f"user namespaces work here{why}", bwrap=found,
                   disable_userns=disable_userns)


def _probe_landlock(why_not_bubblewrap: str) -> Sandbox | str:
    abi = landlock.abi_version()
    if abi < 1:
        return "this kernel has no Landlock (Linux 5.13+ with landlock in the lsm= boot list)"
    try:
        filter_program("no_namespaces")
    except SeccompUnavailable as exc:
        return str(exc)
    return Sandbox(backend="landlock", reason=f"fallback: {why_not_bubblewrap}", landlock_abi=abi)


def _cgroup_support(backend: BackendName) -> tuple[bool, str]:
    if backend != "bubblewrap":
        return False, "needs bubblewrap"
    if os.geteuid() == 0:
        return False, "as root, runs drop to a throwaway uid, which has no systemd user session"
    runner = shutil.which("systemd-run")
    if runner is None:
        return False, "systemd-run is not installed"
    if not os.environ.get("XDG_RUNTIME_DIR") or not Path(os.environ["XDG_RUNTIME_DIR"], "systemd").exists():
        return False, "no systemd user session"
    try:
        ok = subprocess.run([runner, "--user", "--scope", "--quiet", "--collect", "--", "true"],
                            capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return (True, "") if ok else (False, "systemd-run --user --scope failed")


def _detect(force: BackendName | None) -> Sandbox:
    bubblewrap = _probe_bubblewrap() if force in (None, "bubblewrap") else "the landlock backend was asked for"
    if isinstance(bubblewrap, Sandbox):
        chosen = bubblewrap
    else:
        fallback = _probe_landlock(bubblewrap) if force in (None, "landlock") else "the fallback was not asked for"
        if isinstance(fallback, Sandbox):
            chosen = fallback
        else:
            fix = (f"install bubblewrap ({INSTALL_BUBBLEWRAP})" if "not installed" in bubblewrap else
                   "allow unprivileged user namespaces (on Ubuntu: sudo sysctl "
                   "kernel.apparmor_restrict_unprivileged_userns=0) or use a kernel with Landlock")
            return Sandbox(backend="unavailable", reason=f"{bubblewrap}; {fallback}; to fix, {fix}")
    cgroup, note = _cgroup_support(chosen.backend)
    return replace(chosen, cgroup=cgroup, cgroup_note=note)


@cache
def detect_sandbox(force: BackendName | None = None) -> Sandbox:
    """The best boundary this machine offers (or only `force`'s, for tests and benchmarks)."""
    return _detect(force)


def count_user_tasks(uid: int) -> int:
    """Threads count against RLIMIT_NPROC too, so this counts tasks, not processes."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
    return count


@dataclass(frozen=True)
class Confinement:
    """What the preexec applies: the landlock backend's ruleset and filter, or nothing extra for bubblewrap
    (it applies its own seccomp filter and namespaces)."""

    uid: int | None
    ruleset_fd: int | None = None
    seccomp_program: bytes | None = None


class _SockFilterProg(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def make_preexec(confinement: Confinement, limits: ChildLimits, extra_processes: int = 0) -> Callable[[], None]:
    libc = _libc()
    processes = limits.processes + extra_processes
    if confinement.uid is None:
        # Without a uid of its own the child shares the user's process count, so the limit sits on top of it.
        processes += count_user_tasks(os.getuid())
    program = buffer = None
    if confinement.seccomp_program is not None:
        buffer = ctypes.create_string_buffer(confinement.seccomp_program, len(confinement.seccomp_program))
        program = _SockFilterProg(len(confinement.seccomp_program) // 8, ctypes.addressof(buffer))
    uid, ruleset_fd = confinement.uid, confinement.ruleset_fd

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        _ = buffer  # the filter program points into it: it must live as long as this function
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        if limits.address_space_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        # After the uid change, which clears it: the child dies with PrepAI.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if ruleset_fd is not None or program is not None:
            if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                os._exit(96)
        if ruleset_fd is not None and not landlock.restrict_self(libc, ruleset_fd):
            os._exit(96)
        if program is not None and libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
            os._exit(96)

    return preexec


def is_zombie(pid: int | str) -> bool:
    """True for a zombie or a process already gone."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat_line[stat_line.rindex(")") + 2:].startswith("Z")


def kill_uid(uid: int, rounds: int = 50) -> int:
    """Kills every process of a throwaway uid, including ones that left the process group (setsid).
    Returns how many were still alive after the last round (0 when the uid is clean)."""
    alive = 0
    for _ in range(rounds):
        alive = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid != uid or is_zombie(entry.name):
                    continue
                os.kill(int(entry.name), signal.SIGKILL)
                alive += 1
            except (FileNotFoundError, ProcessLookupError):
                continue
        if alive == 0:
            return 0
        time.sleep(0.005)
    return alive


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
