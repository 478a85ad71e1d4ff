"""The bubblewrap command line for one run: an empty root with the interpreter's files read-only, the run's own
files read-only in a size-capped tmpfs work dir, private /tmp and /dev/shm, every namespace, no capabilities."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from prepai_cli.agent.tools.sandbox.interpreters import InterpreterFiles
from prepai_cli.agent.tools.sandbox.isolation import Sandbox

WORKDIR = "/work"
ENV = {"PATH": "/usr/bin:/bin", "HOME": WORKDIR, "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
       "UV_THREADPOOL_SIZE": "2", "OPENSSL_CONF": "/dev/null"}
_ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True)
class Tmpfs:
    work_bytes: int
    tmp_bytes: int
    shm_bytes: int


def _top_level_links() -> dict[str, str]:
    """Merged-/usr systems link /lib to usr/lib; the sandbox root gets the same links."""
    links = {}
    for name in _ROOT_LINKS:
        path = Path("/", name)
        if path.is_symlink():
            links[name] = os.readlink(path)
    return links


def _in_sandbox(path: Path, links: dict[str, str]) -> Path:
    parts = path.parts
    if len(parts) > 1 and parts[1] in links:
        return Path("/", links[parts[1]], *parts[2:])
    return path


def memfd_with(name: str, data: bytes) -> int:
    """An inheritable fd holding `data`, which bwrap copies into the sandbox."""
    fd = os.memfd_create(name, 0)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def command(sandbox: Sandbox, files: InterpreterFiles, inputs: dict[str, int], seccomp_fd: int, tmpfs: Tmpfs,
            argv: list[str]) -> list[str]:
    """`inputs` maps a file name in the work dir to a memfd with its contents (read-only inside)."""
    assert sandbox.bwrap is not None
    links = _top_level_links()
    cmd = [sandbox.bwrap, "--unshare-all", "--unshare-user"]
    if sandbox.disable_userns:
        cmd.append("--disable-userns")
    cmd += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv", "--hostname", "sandbox",
            "--uid", "65534", "--gid", "65534"]
    for name, target in links.items():
        cmd += ["--symlink", target, f"/{name}"]
    for path in files.read_only:
        cmd += ["--ro-bind", str(path), str(_in_sandbox(path, links))]
    visible = [_in_sandbox(p, links) for p in files.read_only]
    for used, real in files.links:
        where = _in_sandbox(used, links)
        if not any(where == v or v in where.parents for v in visible):
            cmd += ["--ro-bind", str(real), str(where)]
    for path in files.hidden:
        cmd += ["--tmpfs", str(_in_sandbox(path, links))]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", str(tmpfs.shm_bytes), "--tmpfs", "/dev/shm",
            "--size", str(tmpfs.tmp_bytes), "--tmpfs", "/tmp",
            "--size", str(tmpfs.work_bytes), "--tmpfs", WORKDIR]
    for name, fd in inputs.items():
        cmd += ["--ro-bind-data", str(fd), f"{WORKDIR}/{name}"]
    for key, value in ENV.items():
        cmd += ["--setenv", key, value]
    cmd += ["--chdir", WORKDIR, "--seccomp", str(seccomp_fd), "--", *argv]
    return cmd
