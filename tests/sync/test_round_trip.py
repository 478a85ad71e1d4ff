"""Push → pull into a fresh home → the same sessions, turns, audio samples, reports and CV; then nothing to do."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import soundfile as sf

from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from prepai_cli.sync.models import Manifest
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, USER, make_session
from tests.sync.s3proxy import S3Proxy


def _objects(s3) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {k: s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys}


def test_push_then_pull_restores_identical_sessions(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy,
                                                    s3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cv = tmp_path / "my-cv.pdf"
    cv.write_bytes(b"%PDF-1.4 Ada Lovelace, engines and notes\n")
    first = make_session(store, speech_clips[:3], cv=cv)
    second = make_session(store, speech_clips[3:], report=False)

    result = run_sync()
    assert result.exit_code == 0, result.output
    # First: session.json, manifest, 3 audio, 2 reports, CV. Second: session.json, manifest, 1 audio.
    assert "uploaded 11 object(s)" in result.output
    objects = _objects(s3)
    root = f"users/{USER}/sessions/{first.id}/"
    cv_sha = hashlib.sha256(cv.read_bytes()).hexdigest()
    assert {k for k in objects if k.startswith(root)} == {
        root + name for name in ("session.json", "manifest.json", "report.json", "report.md", "turns/1.flac",
                                 "turns/3.flac", "turns/5.flac", f"cv/{cv_sha}.pdf")}
    for key, data in objects.items():
        if key.endswith("manifest.json"):
            manifest = Manifest.model_validate_json(data)
            for entry in manifest.objects:
                assert hashlib.sha256(objects[entry.key]).hexdigest() == entry.sha256
                assert len(objects[entry.key]) == entry.size
    head = s3.head_object(Bucket=BUCKET, Key=root + "turns/1.flac", ChecksumMode="ENABLED")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "audio/flac"
    assert head["Metadata"]["sha256"] == hashlib.sha256(objects[root + "turns/1.flac"]).hexdigest()

    # A new machine: empty home, same bucket.
    new_home = tmp_path / "other-machine"
    monkeypatch.setenv("PREPAI_HOME", str(new_home))
    result = run_sync("--pull")
    assert result.exit_code == 0, result.output
    assert "Restored 2 session(s)" in result.output
    restored = SessionStore(new_home / "sessions.db", new_home / "sessions")
    try:
        for original in (first, second):
            copy = restored.get_session(original.id)
            assert copy.model_dump(exclude={"settings"}) == original.model_dump(exclude={"settings"})
            settings = dict(copy.settings)
            if "cv_path" in original.settings:
                restored_cv = Path(settings.pop("cv_path"))
                assert restored_cv.read_bytes() == cv.read_bytes()
                assert restored_cv.is_relative_to(restored.session_dir(original.id))
            assert settings == {k: v for k, v in original.settings.items() if k != "cv_path"}
            old_turns, new_turns = store.turns(original.id), restored.turns(original.id)
            assert [t.model_dump(exclude={"id", "audio_path"}) for t in new_turns] == \
                   [t.model_dump(exclude={"id", "audio_path"}) for t in old_turns]
            for old, new in zip(old_turns, new_turns):
                if old.audio_path is None:
                    assert new.audio_path is None
                    continue
                assert new.audio_path is not None
                # Same file name, now inside this machine's session folder.
                assert Path(new.audio_path).relative_to(restored.session_dir(original.id)) == \
                       Path(old.audio_path).relative_to(store.session_dir(original.id))
                before, rate_before = sf.read(old.audio_path, dtype="int16")
                after, rate_after = sf.read(new.audio_path, dtype="int16")
                assert rate_after == rate_before and after.shape == before.shape and (after == before).all()
                assert sf.info(new.audio_path).format == "WAV"
        for name in ("report.json", "report.md"):
            assert (restored.session_dir(first.id) / name).read_bytes() == (store.session_dir(first.id) / name).read_bytes()
        assert not (restored.session_dir(second.id) / "report.json").exists()
    finally:
        restored.close()

    # Both machines now agree with the bucket: pushing from either uploads nothing, pulling again restores nothing.
    proxy.reset_log()
    result = run_sync()
    assert result.exit_code == 0, result.output
    assert "uploaded 0 object(s)" in result.output
    assert sum(proxy.successful_writes().values()) == 0
    result = run_sync("--pull")
    assert "Restored 0 session(s)" in result.output and "2 already up to date" in result.output
    monkeypatch.setenv("PREPAI_HOME", str(store.path.parent))
    result = run_sync()
    assert result.exit_code == 0 and "uploaded 0 object(s)" in result.output, result.output
    assert sum(proxy.successful_writes().values()) == 0


def test_resync_after_new_report_uploads_only_what_changed(store: SessionStore, speech_clips: list[Path],
                                                           proxy: S3Proxy, s3) -> None:
    session = make_session(store, speech_clips[:2], report=False)
    status = run_sync("--status").output
    assert f"not yet queued: {session.id}" in status and "Run prepai sync to upload them." in status
    assert run_sync().exit_code == 0
    assert "Everything is in the bucket." in run_sync("--status").output
    proxy.reset_log()
    (store.session_dir(session.id) / "report.html").write_text("<h1>Report</h1>\n")
    assert f"changed since the last sync: {session.id}" in run_sync("--status").output
    result = run_sync()
    assert result.exit_code == 0, result.output
    root = f"users/{USER}/sessions/{session.id}/"
    # The report plus the manifest that now lists it; session.json and the audio are untouched.
    assert proxy.successful_writes() == {root + "report.html": 1, root + "manifest.json": 1}
    manifest = Manifest.model_validate_json(s3.get_object(Bucket=BUCKET, Key=root + "manifest.json")["Body"].read())
    assert {e.kind for e in manifest.objects} == {"session", "audio", "report"}
    assert json.loads(s3.get_object(Bucket=BUCKET, Key=root + "session.json")["Body"].read())["session"]["id"] == session.id


def test_no_bucket_configured_is_one_clear_line(store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREPAI_SYNC__BUCKET", raising=False)
    for args in ((), ("--pull",), ("--status",)):
        result = run_sync(*args)
        assert result.exit_code != 0
        assert isinstance(result.exception, PrepAIError)
        assert str(result.exception) == "no sync bucket configured; run `prepai config set sync.bucket YOUR-BUCKET` first"


def test_unsent_object_deleted_locally_leaves_the_outbox(store: SessionStore, speech_clips: list[Path],
                                                         proxy: S3Proxy, s3, monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(store, speech_clips[:1])
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    proxy.plan.fail_next_writes = 100
    assert run_sync().exit_code == 1
    (store.session_dir(session.id) / "report.md").unlink()  # regenerated reports may drop a format
    proxy.plan.fail_next_writes = 0
    assert run_sync().exit_code == 0
    assert "Everything is in the bucket." in run_sync("--status").output
    keys = {o["Key"].rsplit("/", 1)[-1] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {"session.json", "manifest.json", "report.json", "1.flac"}
    # Sync removed nothing local: the folder holds exactly what the user left there.
    assert sorted(p.name for p in store.session_dir(session.id).iterdir()) == ["report.json", "turn-001.wav"]
