"""OS-level confinement of a child process: resource limits, a throwaway uid, no network.

Everything here is applied between fork and exec (preexec), so the limits hold whatever the candidate's code
does, even if it defeats the in-process guards of the harness.
"""

from __future__ import annotations

import ctypes
import os
import resource
import secrets
import signal
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
# Throwaway uids come from a range no distribution allocates, so they own nothing on the machine and each run
# has its own process count for RLIMIT_NPROC.
_UID_BASE = 1_500_000_000
_UID_SPAN = 500_000_000


@dataclass(frozen=True)
class ChildLimits:
    address_space_bytes: int | None
    cpu_seconds: int
    file_bytes: int
    processes: int
    open_files: int = 256


@dataclass(frozen=True)
class IsolationPlan:
    """What this machine lets us do; decided once per run, reported back in the result's isolation notes."""

    uid: int | None  # run as this uid (needs root); None keeps the current user
    new_user_namespace: bool  # unprivileged route to a network namespace
    new_network_namespace: bool
    notes: tuple[str, ...] = field(default_factory=tuple)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@cache
def _probe(flags: int, as_root: bool) -> bool:
    """Forks a throwaway child that tries unshare(flags); some kernels and containers forbid it."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked child
        try:
            ok = _libc().unshare(flags) == 0
            if ok and not as_root:
                _map_ids_in_new_user_namespace()
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _map_ids_in_new_user_namespace() -> None:
    uid, gid = os.getuid(), os.getgid()
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def plan_isolation(want_network_isolation: bool = True) -> IsolationPlan:
    notes: list[str] = []
    as_root = os.geteuid() == 0
    uid: int | None = None
    if as_root:
        uid = _UID_BASE + secrets.randbelow(_UID_SPAN)
        notes.append(f"runs as throwaway uid {uid}: process limit enforced, your files unreadable")
    else:
        notes.append("runs as your user: the process limit counts all your processes, file access is limited by the harness")
    netns = userns = False
    if want_network_isolation:
        if as_root:
            netns = _probe(CLONE_NEWNET, as_root=True)
        else:
            userns = netns = _probe(CLONE_NEWUSER | CLONE_NEWNET, as_root=False)
        notes.append("no network: empty network namespace" if netns
                     else "network namespace unavailable here: network blocked only by the harness")
    return IsolationPlan(uid=uid, new_user_namespace=userns, new_network_namespace=netns, notes=tuple(notes))


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


def make_preexec(plan: IsolationPlan, limits: ChildLimits) -> Callable[[], None]:
    libc = _libc()
    processes = limits.processes
    if plan.uid is None:
        # Without a uid of its own the child shares the user's process count, so the limit sits on top of it.
        processes += count_user_tasks(os.getuid())

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        if plan.new_network_namespace:
            flags = CLONE_NEWNET | (CLONE_NEWUSER if plan.new_user_namespace else 0)
            if libc.unshare(flags) != 0:
                os._exit(97)
            if plan.new_user_namespace:
                _map_ids_in_new_user_namespace()
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        if limits.address_space_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        if plan.uid is not None:
            os.setgroups([])
            os.setgid(plan.uid)
            os.setuid(plan.uid)

    return preexec


def reachable_by_others(path: Path) -> bool:
    """Whether a uid that owns nothing can exec `path` (every parent directory searchable by others)."""
    try:
        resolved = path.resolve(strict=True)
        if not resolved.stat().st_mode & stat.S_IXOTH:
            return False
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in resolved.parents)
    except OSError:
        return False


def _is_zombie(pid: str) -> bool:
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
                if entry.stat().st_uid != uid or _is_zombie(entry.name):
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
