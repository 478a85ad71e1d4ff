"""The after-interview hook: a detached process uploads the session; killing it mid-way loses nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from prepai_cli.config import load_settings
from prepai_cli.store import SessionStore
from prepai_cli.sync.auto import auto_sync_log, start_auto_sync
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, make_session
from tests.sync.s3proxy import S3Proxy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def auto_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREPAI_SYNC__AUTO", "true")
    monkeypatch.setenv("PYTHONPATH", str(REPO))


def test_hook_is_off_unless_configured(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy) -> None:
    session = make_session(store, speech_clips[:1])
    assert start_auto_sync(load_settings(), session.id) is None
    assert proxy.exchanges() == []


def test_hook_uploads_the_session_in_the_background(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy,
                                                    s3, auto_on: None) -> None:
    session = make_session(store, speech_clips[:2])
    started = time.monotonic()
    process = start_auto_sync(load_settings(), session.id)
    assert process is not None
    assert time.monotonic() - started < 0.5  # the interview command returns at once
    assert process.wait(timeout=90) == 0, auto_sync_log().read_text()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(keys) == 6 and all(f"/{session.id}/" in k for k in keys)
    assert f"auto-sync {session.id}: uploaded 6, already there 0" in auto_sync_log().read_text()
    assert {e.state for e in store.outbox_entries(BUCKET)} == {"done"}


def test_killed_background_sync_resumes(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3,
                                        auto_on: None) -> None:
    session = make_session(store, speech_clips[:3])
    turns_before = store.turns(session.id)
    proxy.plan.delay_s = 0.25  # slow enough to kill the process between uploads
    process = start_auto_sync(load_settings(), session.id)
    assert process is not None
    deadline = time.monotonic() + 60
    while sum(proxy.successful_writes().values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()  # a crash: no cleanup, no chance to record anything
    process.wait(timeout=10)
    written_before_crash = sum(proxy.successful_writes().values())
    assert 2 <= written_before_crash < 7

    proxy.plan.delay_s = 0.0
    result = run_sync()
    assert result.exit_code == 0, result.output
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(keys) == 7
    assert proxy.successful_writes() == {key: 1 for key in keys}
    assert store.turns(session.id) == turns_before
