"""The background auto-sync process: `python -m prepai_cli.sync.worker SESSION_ID`.

A separate process rather than a thread so the upload outlives the `prepai interview` command that started it;
its outcome is recorded in the outbox (see `prepai sync --status`) and its output goes to the auto-sync log.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from prepai_cli import paths
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from prepai_cli.sync.lock import lock_file, sync_lock
from prepai_cli.sync.push import Pusher
from prepai_cli.sync.s3 import SyncTarget

# Waits for a manual `prepai sync` already running instead of giving up: the session must still get queued.
_LOCK_WAIT_S = 15 * 60


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m prepai_cli.sync.worker SESSION_ID", file=sys.stderr)
        return 2
    session_id = argv[0]
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        settings = load_settings()
        target = SyncTarget.from_settings(settings)
        store = SessionStore(paths.database_file(), paths.sessions_dir())
        try:
            with sync_lock(lock_file(store.path), wait_s=_LOCK_WAIT_S):
                summary = Pusher(store, target).run([session_id])
        finally:
            store.close()
    except PrepAIError as exc:
        print(f"{stamp} auto-sync {session_id}: error: {exc}", flush=True)
        return 1
    print(f"{stamp} auto-sync {session_id}: uploaded {summary.uploaded}, already there {summary.already_there}, "
          f"{summary.bytes_uploaded} bytes in {summary.prepare_seconds + summary.upload_seconds:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
