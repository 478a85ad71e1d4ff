"""The outbox migration upgrades an existing database in place and keeps every session."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from prepai_cli.domain import utcnow
from prepai_cli.store import MIGRATIONS, SessionStore
from prepai_cli.sync.models import OutboxEntry


def test_version_1_database_gains_the_outbox(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    conn = sqlite3.connect(db)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO sessions (id, type, brain, candidate, status, created_at) VALUES "
                 "('s1', 'behavioral', 'offline', 'ada', 'ended', '2026-01-01T10:00:00+00:00')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    store = SessionStore(db)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 2
        assert store.get_session("s1").candidate == "ada"
        entry = OutboxEntry(bucket="b", session_id="s1", key="users/ada/sessions/s1/session.json", kind="session",
                            staged_path=None, source_fingerprint="f", sha256="0" * 64, size=3, state="pending",
                            updated_at=utcnow(), meta={"path": "x"})
        store.outbox_put(entry)
        store.outbox_begin_attempt("b", "s1", entry.key)
        store.outbox_finish("b", "s1", entry.key, "failed", "boom", staged_path=None)
        got = store.outbox_get("b", "s1", entry.key)
        assert got is not None and (got.state, got.attempts, got.last_error, got.meta) == ("failed", 1, "boom", {"path": "x"})
        store.delete_session("s1")  # rows go with their session
        assert store.outbox_entries("b") == []
    finally:
        store.close()
