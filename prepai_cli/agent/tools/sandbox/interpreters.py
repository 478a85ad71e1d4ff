"""The interpreter a run uses and the files it needs: the only host files visible (read-only) inside the sandbox.

Site-packages folders are hidden even where they sit inside the standard library's folder, so a PrepAI
installed next to the interpreter (and with it the question bank and its expected outputs) stays out of reach.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from prepai_cli.agent.tools.sandbox.isolation import SandboxUnavailable

_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
_HIDDEN_NAMES = {"site-packages", "dist-packages"}
_LDD_PATH = re.compile(r"(?:=>\s*)?(/\S+)\s+\(0x")
# World-readable system files the dynamic loader and runtimes read.
_SYSTEM_FILES = (Path("/etc/ld.so.cache"),)


@dataclass(frozen=True)
class InterpreterFiles:
    executable: str
    # Folders and files visible read-only, at their real paths; `links` are paths the programs use that
    # resolve to one of them (the ELF loader's /lib64/ld-linux-x86-64.so.2, say).
    read_only: tuple[Path, ...]
    links: tuple[tuple[Path, Path], ...]
    hidden: tuple[Path, ...]

    def landlock_paths(self) -> tuple[list[Path], list[Path]]:
        """(readable trees, folders that may only be listed). Landlock can only allow, not carve out: a folder
        holding a hidden folder is split into its children, and stays listable itself (Python's importer
        lists the folders on sys.path). Listing is hierarchical in Landlock, so the names of the files in a
        hidden folder can be listed there, never their contents."""
        readable: list[Path] = []
        listable: list[Path] = []
        for path in self.read_only:
            _split(path, self.hidden, readable, listable)
        return readable, listable


def _split(root: Path, hidden: tuple[Path, ...], readable: list[Path], listable: list[Path]) -> None:
    inside = [h for h in hidden if h == root or root in h.parents]
    if not inside:
        readable.append(root)
        return
    if root in inside:
        return
    try:
        children = sorted(root.iterdir())
    except OSError:
        return
    listable.append(root)
    for child in children:
        _split(child, hidden, readable, listable)


def reachable_by_others(path: Path) -> bool:
    """Whether a uid that owns nothing can reach `path` (every parent folder searchable by others)."""
    try:
        resolved = path.resolve(strict=True)
        if not resolved.stat().st_mode & (stat.S_IXOTH | stat.S_IROTH):
            return False
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in resolved.parents)
    except OSError:
        return False


def _shared_libraries(executable: str) -> tuple[set[Path], set[tuple[Path, Path]]]:
    ldd = shutil.which("ldd", path=_SAFE_PATH)
    if ldd is None:
        raise SandboxUnavailable("ldd is missing (Debian package libc-bin), so the sandbox cannot find the "
                                 "interpreter's libraries")
    listing = subprocess.run([ldd, executable], capture_output=True, text=True, timeout=20,
                             env={"PATH": _SAFE_PATH, "LANG": "C"}).stdout
    folders: set[Path] = set()
    links: set[tuple[Path, Path]] = set()
    for match in _LDD_PATH.finditer(listing):
        used = Path(match.group(1))
        real = used.resolve()
        folders.add(real.parent)
        if used != real:
            links.add((used, real))
    return folders, links


@cache
def _files_for(executable: str, code_folders: tuple[str, ...]) -> InterpreterFiles:
    folders, links = _shared_libraries(executable)
    read_only: set[Path] = {Path(executable), *folders, *(p for p in _SYSTEM_FILES if p.exists())}
    hidden: set[Path] = set()
    for folder in code_folders:
        path = Path(folder).resolve()
        if not path.exists():
            continue
        read_only.add(path)
        for name in _HIDDEN_NAMES:
            if (path / name).exists():
                hidden.add(path / name)
    # Python's own folders can hold site-packages (pyenv, /usr/local builds); hide them wherever they appear.
    for folder in list(read_only):
        for name in _HIDDEN_NAMES:
            for candidate in (folder / name, *(p / name for p in folder.glob("python3*"))):
                if candidate.is_dir():
                    hidden.add(candidate.resolve())
    # A folder inside another visible folder needs no mount of its own.
    merged = sorted(read_only, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in merged:
        if not any(parent in kept for parent in path.parents):
            kept.append(path)
    return InterpreterFiles(executable=executable, read_only=tuple(kept), links=tuple(sorted(links)),
                            hidden=tuple(sorted(hidden)))


def _python_candidates(as_throwaway_uid: bool) -> list[Path]:
    own = Path(os.path.realpath(sys.executable))
    if not as_throwaway_uid or reachable_by_others(own):
        return [own]
    # As root, runs drop to a throwaway uid, which cannot enter e.g. /root/.pyenv; a system Python serves instead.
    return [Path(p).resolve() for p in ("/usr/local/bin/python3", "/usr/bin/python3")
            if Path(p).exists() and reachable_by_others(Path(p))]


@cache
def _python_stdlib(executable: str) -> tuple[str, ...]:
    probe = subprocess.run([executable, "-I", "-S", "-c", "import sys, json; print(json.dumps(sys.path))"],
                           capture_output=True, text=True, timeout=20, env={"PATH": _SAFE_PATH})
    try:
        found = json.loads(probe.stdout)
    except json.JSONDecodeError:
        raise SandboxUnavailable(f"{executable} does not start: {probe.stderr.strip()[:200]}") from None
    return tuple(str(p) for p in found if isinstance(p, str) and p and Path(p).exists())


def python_files(as_throwaway_uid: bool) -> tuple[InterpreterFiles, tuple[str, ...]]:
    """The Python to run candidate code with, its files, and a note when it is not the one running PrepAI."""
    candidates = _python_candidates(as_throwaway_uid)
    if not candidates:
        raise SandboxUnavailable(
            f"the sandbox user cannot reach {os.path.realpath(sys.executable)}; install a system python3 "
            "or make its folders searchable")
    executable = str(candidates[0])
    notes: tuple[str, ...] = ()
    if executable != os.path.realpath(sys.executable):
        notes = (f"python: {executable} (your interpreter is not reachable by the sandbox uid)",)
    return _files_for(executable, _python_stdlib(executable)), notes


def node_files(as_throwaway_uid: bool) -> InterpreterFiles:
    found = shutil.which("node", path=_SAFE_PATH) or shutil.which("node")
    if found is None:
        raise SandboxUnavailable("JavaScript needs Node.js 20 or newer (`node` was not found on PATH)")
    path = Path(found).resolve()
    if as_throwaway_uid and not reachable_by_others(path):
        raise SandboxUnavailable(f"the sandbox user cannot reach {path}; install node system-wide")
    return _files_for(str(path), ())
