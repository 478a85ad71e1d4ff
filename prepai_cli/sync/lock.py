"""One sync at a time per PrepAI home: an auto-sync after an interview and a manual `prepai sync` must not interleave."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prepai_cli.errors import PrepAIError


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def sync_lock(path: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    """Held for the whole sync; the OS drops it if the process dies, so a crash never leaves it stuck."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise PrepAIError("another `prepai sync` is already running for this PrepAI home; "
                                  "wait for it to finish (see `prepai sync --status`)")
            time.sleep(0.5)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def lock_file(database: Path) -> Path:
    return database.parent / "sync" / "sync.lock"
