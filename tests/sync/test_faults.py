"""Interrupted syncs resume: every object reaches the bucket exactly once, with the right checksum; nothing local is lost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from prepai_cli.config import load_settings
from prepai_cli.store import SessionStore
from prepai_cli.sync.models import Manifest, OutboxEntry
from prepai_cli.sync.push import Pusher, SilentObserver
from prepai_cli.sync.s3 import S3Options, SyncFailure, SyncTarget
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, MotoHandle, make_session
from tests.sync.s3proxy import Exchange, S3Proxy


def _assert_bucket_complete(s3, session_ids: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Every session has a manifest and every listed object matches its checksum; returns all keys."""
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    for session_id in session_ids:
        manifest_key = next(k for k in keys if k.endswith(f"{session_id}/manifest.json"))
        manifest = Manifest.model_validate_json(s3.get_object(Bucket=BUCKET, Key=manifest_key)["Body"].read())
        for entry in manifest.objects:
            data = s3.get_object(Bucket=BUCKET, Key=entry.key)["Body"].read()
            assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.key
        assert {e.key for e in manifest.objects} | {manifest_key} == {k for k in keys if f"/{session_id}/" in k}
    return keys


def _snapshot(store: SessionStore) -> list[tuple[str, int, list[bytes]]]:
    out = []
    for s in store.list_sessions():
        turns = store.turns(s.id)
        audio = [Path(t.audio_path).read_bytes() for t in turns if t.audio_path]
        out.append((s.id, len(turns), audio))
    return out


def test_server_dies_mid_sync_then_resume(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy,
                                          moto: MotoHandle, s3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    sessions = [make_session(store, speech_clips[:3]), make_session(store, speech_clips[3:])]
    before = _snapshot(store)
    writes: list[str] = []

    def kill_after_fourth_write(exchange: Exchange) -> bool:
        if exchange.is_object_write and exchange.status == 200:
            writes.append(exchange.key)
            if len(writes) == 4:
                moto.stop()  # the 4th object is stored, but its answer never reaches the client
                return True
        return False

    proxy.plan.after_response = kill_after_fourth_write
    result = run_sync()
    assert result.exit_code == 1
    assert isinstance(result.exception, SyncFailure)
    message = str(result.exception)
    assert message.startswith("could not reach S3 for s3://prepai-test-bucket/") and "\n" not in message
    assert message.endswith("object(s) not uploaded yet, run `prepai sync` again to resume")

    status = run_sync("--status", "--json")
    assert status.exit_code == 0, status.output
    report = json.loads(status.output)
    assert len(report["failed"]) == 1 and report["failed"][0]["last_error"].startswith("could not reach S3")
    assert report["failed"][0]["attempts"] == 1
    # 12 objects: 2×(session.json, manifest, 2 reports) + 4 audio.
    assert report["done_count"] == 3 and len(report["pending"]) == 12 - 4
    text = run_sync("--status").output
    # The reason sits in a table cell, which wraps at the test terminal's width; the JSON above checks its text.
    assert "1 failed" in text and "could not" in text and "Run prepai sync to upload them." in text

    proxy.plan.after_response = None
    moto.restart()
    result = run_sync()
    assert result.exit_code == 0, result.output
    # The object whose answer was lost is found by checksum, not sent again.
    assert "uploaded 8 object(s)" in result.output and "1 already in the bucket" in result.output

    keys = _assert_bucket_complete(s3, [s.id for s in sessions])
    assert len(keys) == 12
    assert proxy.successful_writes() == {key: 1 for key in keys}
    assert _snapshot(store) == before
    assert "Everything is in the bucket." in run_sync("--status").output


def test_server_errors_are_retried_and_recorded(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy,
                                                s3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    session = make_session(store, speech_clips[:2])
    proxy.plan.delay_s = 0.02  # a slow link throughout
    proxy.plan.fail_next_writes = 1  # one 500: the retry absorbs it
    assert run_sync().exit_code == 0
    assert sum(1 for e in proxy.exchanges() if e.status == 500) == 1

    (store.session_dir(session.id) / "report.html").write_text("<p>new</p>\n")
    proxy.plan.fail_next_writes = 2  # more 500s than attempts: the object fails and the reason is kept
    result = run_sync()
    assert result.exit_code == 1
    assert "S3 kept failing for s3://prepai-test-bucket/" in str(result.exception)
    status = json.loads(run_sync("--status", "--json").output)
    assert [e["key"].rsplit("/", 1)[-1] for e in status["failed"]] == ["report.html"]
    assert "InternalError" in status["failed"][0]["last_error"]
    assert [e["key"].rsplit("/", 1)[-1] for e in status["pending"]] == ["manifest.json"]

    assert run_sync().exit_code == 0
    keys = _assert_bucket_complete(s3, [session.id])
    writes = proxy.successful_writes()
    manifest_key = next(k for k in keys if k.endswith("manifest.json"))
    assert writes.pop(manifest_key) == 2  # first version, then the one listing report.html
    assert writes == {key: 1 for key in keys if key != manifest_key}


class _InterruptAfter(SilentObserver):
    def __init__(self, count: int):
        self.count = count

    def finished(self, entry: OutboxEntry, uploaded: bool) -> None:
        self.count -= 1
        if self.count == 0:
            raise KeyboardInterrupt


def test_ctrl_c_and_read_timeouts_resume_without_duplicates(store: SessionStore, speech_clips: list[Path],
                                                            proxy: S3Proxy, s3) -> None:
    session = make_session(store, speech_clips[:3])
    settings = load_settings()
    fast_fail = S3Options(max_attempts=1, read_timeout=0.5, connect_timeout=0.5)

    with pytest.raises(KeyboardInterrupt):
        Pusher(store, SyncTarget.from_settings(settings, fast_fail), _InterruptAfter(2)).run()
    assert {e.state for e in store.outbox_entries(BUCKET)} == {"done", "pending"}

    # A response slower than the read timeout: the object is stored, the client gives up on it.
    def slow_third_answer(exchange: Exchange) -> bool:
        if exchange.is_object_write and exchange.status == 200:
            import time

            time.sleep(1.0)
        return False

    proxy.plan.after_response = slow_third_answer
    with pytest.raises(SyncFailure, match="could not reach S3"):
        Pusher(store, SyncTarget.from_settings(settings, fast_fail)).run()
    proxy.plan.after_response = None

    summary = Pusher(store, SyncTarget.from_settings(settings, fast_fail)).run()
    assert summary.already_there == 1
    keys = _assert_bucket_complete(s3, [session.id])
    assert proxy.successful_writes() == {key: 1 for key in keys}
    assert {e.state for e in store.outbox_entries(BUCKET)} == {"done"}
    # Staged copies are cleaned up once their object is confirmed in the bucket.
    assert not [p for p in (store.path.parent / "sync" / "staging").rglob("*") if p.is_file()]
