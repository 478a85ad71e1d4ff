"""A hostile machine for the sandbox suite: an unprivileged user the suite creates, that user's secrets, a
victim process, listeners on every kind of socket, and a driver that runs the PrepAI sandbox as that user
(or as root)."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# One user per test worker, so parallel workers never see each other's processes as leftovers.
USER = "prepai-hostile" + (f"-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else "")
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


def _reachable(path: Path) -> bool:
    try:
        resolved = path.resolve(strict=True)
        return bool(resolved.stat().st_mode & 0o005) and all(p.stat().st_mode & 0o001 for p in resolved.parents)
    except OSError:
        return False


def test_user() -> tuple[int, int] | str:
    """(uid, gid) of an unprivileged user; created when missing (the suite runs as root in CI)."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()  # already unprivileged: the current user is the test user
    error = ""
    for _ in range(20):  # parallel test workers may race for /etc/passwd's lock
        try:
            entry = pwd.getpwnam(USER)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                                  capture_output=True, text=True)
            error = made.stderr.strip()
            if made.returncode != 0:
                time.sleep(0.25)
    return f"cannot create the test user {USER}: {error}"


def user_python() -> str | None:
    """An interpreter the test user can start, of the same version as ours (the copied wheels need it)."""
    own = Path(os.path.realpath(sys.executable))
    if _reachable(own):
        return str(own)
    for candidate in ("/usr/local/bin/python3", "/usr/bin/python3"):
        path = Path(candidate)
        if not _reachable(path):
            continue
        version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                 capture_output=True, text=True).stdout.strip()
        if version == str(sys.version_info[:2]):
            return str(path.resolve())
    return None


def _dependency_roots() -> list[Path]:
    """Top-level site-packages entries the sandbox runner imports, found by importing it."""
    probe = (
        "import sys, json, pyseccomp, prepai_cli.agent.tools.sandbox.runner\n"
        "roots = set()\n"
        "for m in list(sys.modules.values()):\n"
        "    f = getattr(m, '__file__', None) or ''\n"
        "    if 'site-packages' in f or 'dist-packages' in f:\n"
        "        base = f.split('-packages/', 1)\n"
        "        roots.add(base[0] + '-packages/' + base[1].split('/', 1)[0])\n"
        "print(json.dumps(sorted(roots)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True).stdout
    return [Path(p) for p in json.loads(out) if "prepai_cli" not in p]


@dataclass
class Machine:
    root: Path
    lib: Path
    uid: int
    gid: int
    python: str
    home: Path
    token: str
    canary: str
    files: dict[str, Path] = field(default_factory=dict)

    def owned(self, path: Path, mode: int) -> None:
        os.chown(path, self.uid, self.gid)
        path.chmod(mode)


def build_machine() -> Machine | str:
    """Everything the test user needs, copied to a folder it can read: a fresh CI clone may sit in a folder
    only root can enter, and a pyenv interpreter under /root is out of its reach."""
    ids = test_user()
    if isinstance(ids, str):
        return ids
    python = user_python()
    if python is None:
        return f"no python{sys.version_info[0]}.{sys.version_info[1]} that the test user can run"
    root = Path(tempfile.mkdtemp(prefix="prepai-hostile-", dir="/tmp"))
    root.chmod(0o755)
    lib = root / "lib"
    shutil.copytree(REPO / "prepai_cli", lib / "prepai_cli", ignore=shutil.ignore_patterns("__pycache__", "models"))
    shutil.copy(REPO / "tests" / "tools" / "sandbox_driver.py", lib / "sandbox_driver.py")
    for dep in _dependency_roots():
        target = lib / dep.name
        if dep.is_dir():
            shutil.copytree(dep, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            shutil.copy(dep, target)
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    token = secrets.token_hex(4)
    machine = Machine(root=root, lib=lib, uid=ids[0], gid=ids[1], python=python, home=root / "home", token=token,
                      canary=f"CANARY-{secrets.token_hex(8)}")
    _plant_secrets(machine)
    return machine


def _plant_secrets(m: Machine) -> None:
    """What a review found readable: AWS credentials, SSH keys, the PrepAI store and audio, .bashrc."""
    home = m.home
    (home / ".aws").mkdir(parents=True)
    (home / ".ssh").mkdir()
    data = home / ".local" / "share" / "prepai"
    (data / "sessions" / "s1").mkdir(parents=True)
    files = {
        "credentials": home / ".aws" / "credentials",
        "ssh_key": home / ".ssh" / "id_ed25519",
        "store": data / "sessions.db",
        "audio": data / "sessions" / "s1" / "turn-001.wav",
        "bashrc": home / ".bashrc",
    }
    files["credentials"].write_text(f"[default]\naws_secret_access_key = {m.canary}\n")
    files["ssh_key"].write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{m.canary}\n")
    import sqlite3
    with sqlite3.connect(files["store"]) as db:
        db.execute("create table turns (text)")
        db.execute("insert into turns values (?)", (m.canary,))
    files["audio"].write_bytes(b"RIFF" + m.canary.encode() + b"WAVE")
    files["bashrc"].write_text("# bashrc\n")
    for dirpath, _, filenames in os.walk(home):
        m.owned(Path(dirpath), 0o700)
        for name in filenames:
            m.owned(Path(dirpath, name), 0o600)
    m.owned(files["bashrc"], 0o644)
    # Another user's store, world-readable as PrepAI used to leave it.
    other = m.root / "other-user"
    other.mkdir()
    other.chmod(0o755)
    files["other_store"] = other / "sessions.db"
    files["other_store"].write_text(m.canary)
    files["other_store"].chmod(0o644)
    shared = m.root / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    files["shared"] = shared
    m.files.update(files)


class Listeners:
    """TCP, UDP, filesystem Unix and abstract Unix sockets that record every contact."""

    def __init__(self, shared: Path, token: str) -> None:
        self.contacts: list[str] = []
        self._stop = threading.Event()
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(shared / "prepai.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.abstract_name = f"prepai-hostile-{token}"
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind("\0" + self.abstract_name)
        self._threads = []
        for name, sock in (("tcp", self.tcp), ("unix", self.unix), ("abstract", self.abstract)):
            sock.listen(16)
            sock.settimeout(0.1)
            self._threads.append(threading.Thread(target=self._accept, args=(name, sock), daemon=True))
        self.udp.settimeout(0.1)
        self._threads.append(threading.Thread(target=self._receive, daemon=True))
        for thread in self._threads:
            thread.start()

    @property
    def tcp_port(self) -> int:
        return self.tcp.getsockname()[1]

    @property
    def udp_port(self) -> int:
        return self.udp.getsockname()[1]

    def _accept(self, name: str, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.contacts.append(name)
            conn.close()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self.udp.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.contacts.append("udp")

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for sock in (self.tcp, self.udp, self.unix, self.abstract):
            sock.close()
        os.unlink(self.unix_path)


def _as(uid: int, gid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def start_victim(m: Machine, as_user: bool) -> subprocess.Popen[bytes]:
    """A process of the same user as the runner, which no run may signal."""
    prefix = _as(m.uid, m.gid) if as_user and os.geteuid() == 0 else []
    return subprocess.Popen([*prefix, "sleep", "300"], stdin=subprocess.DEVNULL, start_new_session=True)


def run_driver(m: Machine, as_user: bool, backend: str, jobs: list[dict[str, Any]], timeout: float,
               node_permission_model: bool = True) -> tuple[dict[str, Any], dict[str, dict[str, Any]], str]:
    """Runs the jobs through the sandbox as the test user (or root); returns the sandbox line, results, stderr."""
    env = {"PATH": _SAFE_PATH, "HOME": str(m.home), "PYTHONPATH": str(m.lib), "LANG": "C.UTF-8",
           "AWS_SECRET_ACCESS_KEY": m.canary, "PREPAI_TEST_CANARY": m.canary, "TMPDIR": "/tmp"}
    dropping = as_user and os.geteuid() == 0
    python = m.python if as_user else sys.executable
    argv = [*(_as(m.uid, m.gid) if dropping else []), python, "-B", str(m.lib / "sandbox_driver.py")]
    proc = subprocess.run(argv, input=json.dumps({"backend": backend, "jobs": jobs,
                                                                 "node_permission_model": node_permission_model}), capture_output=True,
                          text=True, env=env, cwd=str(m.root), timeout=timeout)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    header = lines[0] if lines and lines[0].get("name") == "__sandbox__" else {}
    results = {line["name"]: line for line in lines if line.get("name") != "__sandbox__"}
    return header, results, proc.stderr


def process_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def processes_named(comm: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == comm and process_state(int(entry.name)) != "Z":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid and process_state(int(entry.name)) not in ("Z", "gone"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_until(condition: Any, seconds: float) -> bool:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
