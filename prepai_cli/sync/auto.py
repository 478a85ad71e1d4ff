"""The hook `prepai interview` calls when a session ends: start a detached upload if sync.auto is on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prepai_cli import paths
from prepai_cli.config import Settings


def auto_sync_log() -> Path:
    return paths.data_home() / "sync" / "auto-sync.log"


def start_auto_sync(settings: Settings, session_id: str) -> subprocess.Popen[bytes] | None:
    """Returns at once; the child queues and uploads the session even after the CLI exits. None when off."""
    if not (settings.sync.auto and settings.sync.bucket):
        return None
    log_path = auto_sync_log()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS
    else:
        kwargs["start_new_session"] = True  # Ctrl-C in the terminal must not kill a finished interview's upload
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter and module
            [sys.executable, "-m", "prepai_cli.sync.worker", session_id],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
            **kwargs,  # type: ignore[call-overload]
        )
