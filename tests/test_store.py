from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from prepai_cli.domain import NewTurn
from prepai_cli.errors import PrepAIError
from prepai_cli.store import MIGRATIONS, CorruptDatabase, SessionNotFound, SessionStore


def test_turns_are_committed_immediately_and_visible_to_another_connection(store: SessionStore) -> None:
    session = store.create_session("behavioral", "offline", "ada", {"questions": 3})
    store.add_turn(session.id, NewTurn(role="interviewer", kind="question", text="Tell me about a conflict.",
                                       question_id="beh-x"))
    store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="In my last job ...",
                                       metrics={"wpm": 140}))
    # A second, independent connection sees both turns without any explicit flush or close.
    other = sqlite3.connect(store.path)
    rows = other.execute("SELECT idx, role, text FROM turns ORDER BY idx").fetchall()
    assert rows == [(0, "interviewer", "Tell me about a conflict."), (1, "candidate", "In my last job ...")]
    other.close()


def test_round_trip_of_session_and_turn_fields(store: SessionStore) -> None:
    session = store.create_session("google-sde", "offline", "ada", {"questions": 4, "difficulty": 2})
    turn = store.add_turn(session.id, NewTurn(role="candidate", kind="code", text="def f(): pass",
                                              audio_path="turn-001.wav", metrics={"wpm": 120.5},
                                              meta={"language": "python"}))
    store.update_turn(turn.id, evaluation={"score": 6.5, "missed": ["a"]})
    loaded = store.turns(session.id)[0]
    assert loaded.kind == "code" and loaded.audio_path == "turn-001.wav"
    assert loaded.metrics == {"wpm": 120.5}
    assert loaded.evaluation == {"score": 6.5, "missed": ["a"]}
    assert loaded.meta == {"language": "python"}
    assert store.get_session(session.id).settings == {"questions": 4, "difficulty": 2}


def test_status_transitions_and_listing(store: SessionStore) -> None:
    a = store.create_session("behavioral", "offline", "ada")
    b = store.create_session("system-design", "offline", "ada")
    assert store.set_status(a.id, "ended").ended_at is not None
    assert store.set_status(b.id, "abandoned").status == "abandoned"
    assert [s.id for s in store.list_sessions()] == [a.id, b.id]
    assert [s.id for s in store.list_sessions("system-design")] == [b.id]


def test_delete_removes_turns_and_audio(store: SessionStore) -> None:
    session = store.create_session("behavioral", "offline", "ada")
    store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="hello"))
    audio_dir = store.session_dir(session.id)
    audio_dir.mkdir(parents=True)
    (audio_dir / "turn-000.wav").write_bytes(b"RIFF")
    store.delete_session(session.id)
    assert not store.has_session(session.id)
    assert not audio_dir.exists()
    with pytest.raises(SessionNotFound):
        store.turns(session.id) or store.get_session(session.id)


def test_unknown_session_errors_are_user_errors(store: SessionStore) -> None:
    with pytest.raises(SessionNotFound, match="no session 'nope'"):
        store.get_session("nope")
    with pytest.raises(SessionNotFound):
        store.add_turn("nope", NewTurn(role="candidate", kind="answer", text="x"))
    with pytest.raises(SessionNotFound):
        store.delete_session("nope")


def test_schema_is_versioned_and_migrations_run_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    first = SessionStore(db)
    assert first.schema_version == len(MIGRATIONS)
    first.create_session("behavioral", "offline", "ada")
    first.close()
    again = SessionStore(db)  # re-opening must not re-run (and fail on) CREATE TABLE
    assert again.schema_version == len(MIGRATIONS)
    assert len(again.list_sessions()) == 1
    again.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    SessionStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(PrepAIError, match="newer PrepAI"):
        SessionStore(db)


def test_corrupt_database_says_where_and_how_to_recover(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    db.write_bytes(b"this is not a sqlite database at all" * 200)
    with pytest.raises(CorruptDatabase) as info:
        SessionStore(db)
    message = str(info.value)
    assert str(db) in message and "mv" in message


def test_wal_mode_is_on(store: SessionStore) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_segments_of_one_interviewer_turn_are_stored_together_or_not_at_all(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = store.create_session("behavioral", "offline", "ada")
    real_insert = SessionStore._insert_turn
    calls = {"n": 0}

    def failing_insert(conn, session_id, index, turn):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # a Ctrl-C between the two inserts
        return real_insert(conn, session_id, index, turn)

    monkeypatch.setattr(SessionStore, "_insert_turn", staticmethod(failing_insert))
    segments = [NewTurn(role="interviewer", kind="feedback", text="Okay."),
                NewTurn(role="interviewer", kind="follow_up", text="What about the result?")]
    with pytest.raises(KeyboardInterrupt):
        store.add_turns(session.id, segments)
    assert store.turns(session.id) == []
    monkeypatch.setattr(SessionStore, "_insert_turn", staticmethod(real_insert))
    stored = store.add_turns(session.id, segments)
    assert [t.index for t in stored] == [0, 1] and [t.kind for t in store.turns(session.id)] == ["feedback", "follow_up"]


def test_a_busy_database_is_not_called_corrupt(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    store = SessionStore(db, busy_timeout_ms=100)
    session = store.create_session("behavioral", "offline", "ada")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. a background sync in the middle of a write
    try:
        with pytest.raises(PrepAIError, match="busy") as info:
            store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="hello"))
        assert not isinstance(info.value, CorruptDatabase)
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="hello"))  # and it recovers
    assert len(store.turns(session.id)) == 1
    store.close()


def test_concurrent_settings_updates_are_not_lost(store: SessionStore) -> None:
    import threading

    session = store.create_session("behavioral", "offline", "ada")

    def bump(key: str) -> None:
        for n in range(1, 51):
            store.update_settings(session.id, **{key: n})

    threads = [threading.Thread(target=bump, args=(f"k{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get_session(session.id).settings == {"k0": 50, "k1": 50, "k2": 50, "k3": 50}
