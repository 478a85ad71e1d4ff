"""Pull never overwrites newer local data and restores nothing from a bucket copy that fails its checksums."""

from __future__ import annotations

from pathlib import Path

import pytest

from prepai_cli.domain import NewTurn
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, USER, make_session
from tests.sync.s3proxy import S3Proxy


def _open(home: Path) -> SessionStore:
    return SessionStore(home / "sessions.db", home / "sessions")


def test_pull_keeps_newer_local_sessions_and_reports_conflicts(
        store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    laptop_home = store.path.parent
    session = make_session(store, speech_clips[:2])
    untouched = make_session(store, speech_clips[2:3])
    assert run_sync().exit_code == 0

    desktop_home = tmp_path / "desktop"
    monkeypatch.setenv("PREPAI_HOME", str(desktop_home))
    assert run_sync("--pull").exit_code == 0

    # The laptop continues the session (two more turns) but has not pushed yet.
    store.add_turn(session.id, NewTurn(role="interviewer", kind="follow_up", text="And at ten times the load?"))
    store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="I would shard by customer."))
    monkeypatch.setenv("PREPAI_HOME", str(laptop_home))
    result = run_sync("--pull")
    assert result.exit_code == 0, result.output
    assert (f"conflict {session.id}: this machine has newer data (6 turns vs 4 in the bucket); kept it, "
            "`prepai sync` uploads it") in result.output
    assert "1 already up to date" in result.output
    assert len(store.turns(session.id)) == 6

    # Once pushed, the desktop's older copy is the one that is kept — and reported, not overwritten.
    assert run_sync().exit_code == 0
    monkeypatch.setenv("PREPAI_HOME", str(desktop_home))
    result = run_sync("--pull")
    assert result.exit_code == 0, result.output
    assert (f"conflict {session.id}: the bucket has 6 turns, this machine 4; kept the local copy "
            "(sync never overwrites local sessions)") in result.output
    desktop = _open(desktop_home)
    try:
        assert len(desktop.turns(session.id)) == 4
        assert len(desktop.turns(untouched.id)) == 2
    finally:
        desktop.close()

    # Same turns, later end: the local copy wins too.
    monkeypatch.setenv("PREPAI_HOME", str(laptop_home))
    store.set_status(untouched.id, "ended")
    result = run_sync("--pull")
    assert f"conflict {untouched.id}: this machine has newer data (2 turns vs 2 in the bucket)" in result.output


def test_corrupt_bucket_copy_restores_nothing(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = make_session(store, speech_clips[:1])
    bad = make_session(store, speech_clips[1:3])
    assert run_sync().exit_code == 0
    key = f"users/{USER}/sessions/{bad.id}/turns/3.flac"
    flac = bytearray(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    flac[len(flac) // 2] ^= 0xFF  # one flipped byte in the middle of the audio
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(flac))

    new_home = tmp_path / "new-machine"
    monkeypatch.setenv("PREPAI_HOME", str(new_home))
    result = run_sync("--pull")
    assert result.exit_code == 1
    assert isinstance(result.exception, PrepAIError)
    assert str(result.exception).startswith(
        f"could not restore session {bad.id}: s3://{BUCKET}/{key} does not match its manifest checksum")
    assert "Restored 1 session(s)" in result.output
    restored = _open(new_home)
    try:
        assert restored.has_session(good.id) and not restored.has_session(bad.id)
        assert not restored.session_dir(bad.id).exists()
        assert [p.name for p in restored.sessions_dir.iterdir()] == [good.id]  # no scratch left behind
    finally:
        restored.close()
