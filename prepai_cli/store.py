"""SQLite session store. Every turn is committed the moment it exists, so a crash loses nothing already said."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from prepai_cli import privacy
from prepai_cli.domain import NewTurn, Session, SessionStatus, Turn, utcnow
from prepai_cli.errors import PrepAIError
from prepai_cli.paths import ensure_folder
from prepai_cli.sync.models import OutboxEntry, OutboxState

# Append-only: each entry migrates the schema from version i to i+1. Never edit a shipped entry.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        brain TEXT NOT NULL,
        candidate TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended', 'abandoned')),
        created_at TEXT NOT NULL,
        ended_at TEXT,
        settings_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('interviewer', 'candidate')),
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        question_id TEXT,
        audio_path TEXT,
        metrics_json TEXT,
        evaluation_json TEXT,
        meta_json TEXT NOT NULL DEFAULT '{}',
        UNIQUE (session_id, idx)
    );
    CREATE INDEX turns_by_session ON turns(session_id, idx);
    """,
    # 1 → 2: the S3 sync outbox. One row per (bucket, session, object key); rows survive crashes so a sync resumes.
    """
    CREATE TABLE sync_outbox (
        bucket TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'audio', 'report', 'cv', 'manifest')),
        staged_path TEXT,
        source_fingerprint TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_at TEXT NOT NULL,
        meta_json TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (bucket, session_id, key)
    );
    CREATE INDEX sync_outbox_by_state ON sync_outbox(bucket, state);
    """,
    # 2 → 3: an LLM's judgement of an answer, beside the rubric evaluation on the turn (prepai_cli/agent/llm_judge).
    """
    CREATE TABLE llm_judgements (
        turn_id INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        judgement_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX llm_judgements_by_session ON llm_judgements(session_id);
    """,
]


class SessionNotFound(PrepAIError):
    def __init__(self, session_id: str):
        super().__init__(f"no session {session_id!r}; run `prepai sessions list` to see your sessions")


class CorruptDatabase(PrepAIError):
    def __init__(self, path: Path, detail: str):
        super().__init__(
            f"the session database {path} is corrupt ({detail}); move it aside "
            f"(mv '{path}' '{path}.broken') and PrepAI will start a fresh one"
        )


class ReadOnlyData(PrepAIError):
    def __init__(self, path: Path, reason: str):
        super().__init__(
            f"the session database {path} cannot be written: {reason}. Your sessions in it are intact; make the "
            f"folder writable (chmod u+w '{path.parent}' '{path}') or point PREPAI_HOME at a writable folder"
        )


def _write_problem(db_path: Path) -> str | None:
    """Why the database's folder or file cannot be written (SQLite only says 'unable to open'), or None."""
    import errno
    import tempfile

    from prepai_cli.paths import os_error_words

    for what, probe in (("its folder", lambda: tempfile.TemporaryFile(dir=db_path.parent).close()),
                        ("the file", lambda: db_path.exists() and open(db_path, "r+b").close())):
        try:
            probe()  # WAL mode writes -wal and -shm files beside the database, so the folder must be writable too
        except OSError as exc:
            reason = os_error_words(OSError(exc.errno, exc.strerror))
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return f"{what} is read-only ({reason})"
            return f"{what}: {reason}"
    return None


class DatabaseBusy(PrepAIError):
    def __init__(self, path: Path):
        super().__init__(f"the session database {path} is busy (another prepai, such as a background sync, is "
                         "writing to it); try again in a moment")


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _load(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class SessionStore:
    """One connection guarded by a lock: the voice pipeline writes from worker threads."""

    def __init__(self, db_path: Path, sessions_dir: Path | None = None, busy_timeout_ms: int = 5000):
        self.path = db_path
        self.sessions_dir = sessions_dir or db_path.parent / "sessions"
        ensure_folder(db_path.parent)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA journal_mode = WAL")
            privacy.private_database(db_path)
            # NORMAL in WAL mode survives a process kill; only power loss can drop the last transaction.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            check = self._conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CorruptDatabase(db_path, check)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            # A folder we may not write to is not a corrupt database: moving the file aside would hide a user's
            # history for nothing.
            problem = _write_problem(db_path)
            if problem is not None:
                raise ReadOnlyData(db_path, problem) from exc
            raise CorruptDatabase(db_path, str(exc)) from exc

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise PrepAIError(
                f"the session database {self.path} was written by a newer PrepAI (schema {version}); upgrade prepai"
            )
        for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as conn:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._explain(exc) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
                    raise self._explain(exc) from exc
                raise

    def _explain(self, exc: sqlite3.DatabaseError) -> PrepAIError:
        if "locked" in str(exc) or "busy" in str(exc):
            return DatabaseBusy(self.path)
        problem = _write_problem(self.path)
        if problem is not None:
            return ReadOnlyData(self.path, problem)
        return CorruptDatabase(self.path, str(exc))

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._explain(exc) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # Sessions

    def create_session(
        self, type: str, brain: str, candidate: str, settings: dict[str, Any] | None = None
    ) -> Session:
        session = Session(
            id=f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
            type=type,
            brain=brain,
            candidate=candidate,
            created_at=utcnow(),
            settings=settings or {},
        )
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sessions (id, type, brain, candidate, status, created_at, settings_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session.id, type, brain, candidate, session.status, session.created_at.isoformat(),
                 json.dumps(session.settings, sort_keys=True)),
            )
        return session

    def import_session(self, session: Session, turns: list[Turn],
                       llm_judgements: dict[int, dict[str, Any]] | None = None) -> None:
        """Writes a session restored from elsewhere (sync pull) with its turns (and LLM judgements, by turn
        index), in one transaction."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sessions (id, type, brain, candidate, status, created_at, ended_at, settings_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session.id, session.type, session.brain, session.candidate, session.status,
                 session.created_at.isoformat(), session.ended_at.isoformat() if session.ended_at else None,
                 json.dumps(session.settings, sort_keys=True)),
            )
            ids: dict[int, int] = {}
            for turn in turns:
                ids[turn.index] = self._insert_turn(
                    conn, session.id, turn.index, NewTurn(**turn.model_dump(exclude={"id", "session_id", "index"})))
            for index, judgement in (llm_judgements or {}).items():
                if index in ids:
                    conn.execute(
                        "INSERT INTO llm_judgements (turn_id, session_id, model, judgement_json, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (ids[index], session.id, str(judgement.get("model", "")), json.dumps(judgement, sort_keys=True),
                         utcnow().isoformat()))

    def get_session(self, session_id: str) -> Session:
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise SessionNotFound(session_id)
        return self._session(rows[0])

    def has_session(self, session_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM sessions WHERE id = ?", (session_id,)))

    def list_sessions(self, type: str | None = None) -> list[Session]:
        if type:
            rows = self._query("SELECT * FROM sessions WHERE type = ? ORDER BY created_at", (type,))
        else:
            rows = self._query("SELECT * FROM sessions ORDER BY created_at")
        return [self._session(r) for r in rows]

    def set_status(self, session_id: str, status: SessionStatus) -> Session:
        ended = utcnow().isoformat() if status != "active" else None
        with self._transaction() as conn:
            cur = conn.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, ended, session_id)
            )
            if cur.rowcount == 0:
                raise SessionNotFound(session_id)
        return self.get_session(session_id)

    def update_settings(self, session_id: str, **changes: Any) -> Session:
        with self._transaction() as conn:
            row = conn.execute("SELECT settings_json FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise SessionNotFound(session_id)
            merged = {**json.loads(row[0]), **changes}
            conn.execute("UPDATE sessions SET settings_json = ? WHERE id = ?", (json.dumps(merged, sort_keys=True), session_id))
        return self.get_session(session_id)

    def delete_session(self, session_id: str) -> None:
        with self._transaction() as conn:
            cur = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if cur.rowcount == 0:
                raise SessionNotFound(session_id)
        shutil.rmtree(self.session_dir(session_id), ignore_errors=True)

    def session_dir(self, session_id: str) -> Path:
        return self.sessions_dir / session_id

    # Turns

    def add_turn(self, session_id: str, turn: NewTurn) -> Turn:
        return self.add_turns(session_id, [turn])[0]

    def add_turns(self, session_id: str, turns: list[NewTurn]) -> list[Turn]:
        """Stores several turns in one transaction: an interviewer turn's segments are kept or lost together."""
        stored: list[Turn] = []
        with self._transaction() as conn:
            if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                raise SessionNotFound(session_id)
            index = conn.execute(
                "SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            for offset, turn in enumerate(turns):
                turn_id = self._insert_turn(conn, session_id, index + offset, turn)
                stored.append(Turn(id=turn_id, session_id=session_id, index=index + offset, **turn.model_dump()))
        return stored

    @staticmethod
    def _insert_turn(conn: sqlite3.Connection, session_id: str, index: int, turn: NewTurn) -> int:
        cur = conn.execute(
            "INSERT INTO turns (session_id, idx, role, kind, text, started_at, ended_at, question_id,"
            " audio_path, metrics_json, evaluation_json, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, index, turn.role, turn.kind, turn.text, turn.started_at.isoformat(),
             turn.ended_at.isoformat(), turn.question_id, turn.audio_path, _dump(turn.metrics),
             _dump(turn.evaluation), json.dumps(turn.meta, sort_keys=True)),
        )
        return int(cur.lastrowid or 0)

    def update_turn(
        self,
        turn_id: int,
        *,
        evaluation: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        audio_path: str | None = None,
    ) -> None:
        """Adds what is known only after the turn was stored (its evaluation, late metrics)."""
        assignments: list[str] = []
        params: list[Any] = []
        for column, value in (("evaluation_json", _dump(evaluation)), ("metrics_json", _dump(metrics)),
                              ("meta_json", _dump(meta)), ("audio_path", audio_path)):
            if value is not None:
                assignments.append(f"{column} = ?")
                params.append(value)
        if not assignments:
            return
        with self._transaction() as conn:
            conn.execute(f"UPDATE turns SET {', '.join(assignments)} WHERE id = ?", (*params, turn_id))

    def put_llm_judgement(self, turn_id: int, judgement: dict[str, Any]) -> None:
        """Stores (or replaces) an LLM's judgement of a candidate turn; a turn that no longer exists is skipped."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO llm_judgements (turn_id, session_id, model, judgement_json, created_at)"
                " SELECT id, session_id, ?, ?, ? FROM turns WHERE id = ?",
                (str(judgement.get("model", "")), json.dumps(judgement, sort_keys=True), utcnow().isoformat(),
                 turn_id),
            )

    def llm_judgements(self, session_id: str) -> dict[int, dict[str, Any]]:
        """The session's LLM judgements by turn index."""
        rows = self._query(
            "SELECT t.idx, j.judgement_json FROM llm_judgements j JOIN turns t ON t.id = j.turn_id"
            " WHERE j.session_id = ? ORDER BY t.idx", (session_id,))
        return {int(r["idx"]): json.loads(r["judgement_json"]) for r in rows}

    def turns(self, session_id: str) -> list[Turn]:
        rows = self._query("SELECT * FROM turns WHERE session_id = ? ORDER BY idx", (session_id,))
        return [self._turn(r) for r in rows]

    @staticmethod
    def _session(row: sqlite3.Row) -> Session:
        return Session(
            id=row["id"], type=row["type"], brain=row["brain"], candidate=row["candidate"],
            status=row["status"], created_at=datetime.fromisoformat(row["created_at"]),
            ended_at=datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
            settings=json.loads(row["settings_json"]),
        )

    @staticmethod
    def _turn(row: sqlite3.Row) -> Turn:
        return Turn(
            id=row["id"], session_id=row["session_id"], index=row["idx"], role=row["role"], kind=row["kind"],
            text=row["text"], started_at=datetime.fromisoformat(row["started_at"]),
            ended_at=datetime.fromisoformat(row["ended_at"]), question_id=row["question_id"],
            audio_path=row["audio_path"], metrics=_load(row["metrics_json"]),
            evaluation=_load(row["evaluation_json"]), meta=json.loads(row["meta_json"]),
        )

    # Sync outbox (prepai_cli/sync): what has to reach which bucket, and what happened last time.

    def outbox_put(self, entry: OutboxEntry) -> None:
        """Inserts or replaces the row for (bucket, session, key)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sync_outbox (bucket, session_id, key, kind, staged_path, source_fingerprint,"
                " sha256, size, state, attempts, last_error, updated_at, meta_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.bucket, entry.session_id, entry.key, entry.kind, entry.staged_path, entry.source_fingerprint,
                 entry.sha256, entry.size, entry.state, entry.attempts, entry.last_error,
                 entry.updated_at.isoformat(), json.dumps(entry.meta, sort_keys=True)),
            )

    def outbox_get(self, bucket: str, session_id: str, key: str) -> OutboxEntry | None:
        rows = self._query("SELECT * FROM sync_outbox WHERE bucket = ? AND session_id = ? AND key = ?",
                           (bucket, session_id, key))
        return self._outbox_entry(rows[0]) if rows else None

    def outbox_entries(
        self, bucket: str, *, states: tuple[OutboxState, ...] | None = None, session_id: str | None = None
    ) -> list[OutboxEntry]:
        sql = "SELECT * FROM sync_outbox WHERE bucket = ?"
        params: list[Any] = [bucket]
        if states:
            sql += f" AND state IN ({', '.join('?' for _ in states)})"
            params.extend(states)
        if session_id is not None:
            sql += " AND session_id = ?"
            params.append(session_id)
        # Manifests last within a session: a manifest is only published once everything it lists is there.
        sql += " ORDER BY session_id, kind = 'manifest', key"
        return [self._outbox_entry(r) for r in self._query(sql, tuple(params))]

    def outbox_session_ids(self, bucket: str) -> set[str]:
        rows = self._query("SELECT DISTINCT session_id FROM sync_outbox WHERE bucket = ?", (bucket,))
        return {r["session_id"] for r in rows}

    def outbox_begin_attempt(self, bucket: str, session_id: str, key: str) -> None:
        """Counts the attempt before it starts, so a crash mid-upload still shows up in `prepai sync --status`."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_outbox SET attempts = attempts + 1, updated_at = ?"
                " WHERE bucket = ? AND session_id = ? AND key = ?",
                (utcnow().isoformat(), bucket, session_id, key),
            )

    def outbox_finish(self, bucket: str, session_id: str, key: str, state: OutboxState, error: str | None = None,
                      *, staged_path: str | None = None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_outbox SET state = ?, last_error = ?, staged_path = ?, updated_at = ?"
                " WHERE bucket = ? AND session_id = ? AND key = ?",
                (state, error, staged_path, utcnow().isoformat(), bucket, session_id, key),
            )

    def outbox_delete(self, bucket: str, session_id: str, key: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sync_outbox WHERE bucket = ? AND session_id = ? AND key = ?",
                         (bucket, session_id, key))

    @staticmethod
    def _outbox_entry(row: sqlite3.Row) -> OutboxEntry:
        return OutboxEntry(
            bucket=row["bucket"], session_id=row["session_id"], key=row["key"], kind=row["kind"],
            staged_path=row["staged_path"], source_fingerprint=row["source_fingerprint"], sha256=row["sha256"],
            size=row["size"], state=row["state"], attempts=row["attempts"], last_error=row["last_error"],
            updated_at=datetime.fromisoformat(row["updated_at"]), meta=json.loads(row["meta_json"]),
        )
