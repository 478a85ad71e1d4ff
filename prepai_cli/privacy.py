"""Interview data is private to its user: folders 0700, files 0600.

The CLI sets a 077 umask at start, so everything the process creates (SQLite's database and journal, audio,
reports, sync staging, restored files) starts private; the writers also chmod what they create, so library use
without the CLI is private too; and `tighten` fixes folders and files left open by older versions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> None:
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Creates `path` (and missing parents) as 0700 folders; an existing folder of ours is tightened."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        _chmod(created, DIR_MODE)
    _chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    _chmod(path, FILE_MODE)
    return path


def private_database(path: Path) -> Path:
    """The folder holding SQLite's file, the file, and its WAL and shared-memory files (SQLite gives those
    the database's own mode)."""
    _chmod(path.parent, DIR_MODE)
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        _chmod(part, FILE_MODE)
    return path


def _chmod(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
        # Only what this user owns, never through a symlink, and only when it is more open than `mode`.
        if info.st_uid == os.getuid() and not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) & ~mode:
            path.chmod(stat.S_IMODE(info.st_mode) & mode)
    except OSError:
        pass  # gone, or on a filesystem without modes: nothing to tighten


def tighten(root: Path) -> None:
    """Existing installs: every folder under the data dir becomes 0700, every file 0600."""
    if not root.is_dir():
        return
    _chmod(root, DIR_MODE)
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames:
            _chmod(Path(folder, name), DIR_MODE)
        for name in filenames:
            _chmod(Path(folder, name), FILE_MODE)
