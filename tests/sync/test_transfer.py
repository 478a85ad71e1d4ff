"""Transfer details: multipart for long answers, KMS encryption, checksum headers on the wire."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import boto3
import numpy as np
import pytest
import soundfile as sf

from prepai_cli.config import load_settings
from prepai_cli.store import SessionStore
from prepai_cli.sync.pull import Puller
from prepai_cli.sync.push import Pusher
from prepai_cli.sync.s3 import MB, S3Options, SyncTarget
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, USER, MotoHandle, make_session
from tests.sync.s3proxy import S3Proxy


def _long_answer(clips: list[Path], folder: Path, seconds: int) -> Path:
    """Real speech, tiled to `seconds`: a long spoken answer."""
    parts, rate = [], 0
    for clip in clips:
        data, rate = sf.read(clip, dtype="int16")
        parts.append(data)
    speech = np.concatenate(parts)
    samples = np.tile(speech, seconds * rate // len(speech) + 1)[: seconds * rate]
    path = folder / "long.wav"
    sf.write(path, samples, rate, subtype="PCM_16")
    return path


def test_long_audio_goes_multipart_and_round_trips(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy,
                                                   s3, tmp_path: Path) -> None:
    long_wav = _long_answer(speech_clips, tmp_path, seconds=150)
    session = make_session(store, [long_wav], report=False)
    options = S3Options(multipart_threshold=1 * MB, multipart_chunksize=5 * MB, max_attempts=2)
    summary = Pusher(store, SyncTarget.from_settings(load_settings(), options)).run()
    assert summary.uploaded == 3

    key = f"users/{USER}/sessions/{session.id}/turns/1.flac"
    exchanges = [e for e in proxy.exchanges() if e.key == key]
    assert [e.method for e in exchanges if e.method in {"POST", "PUT"}][0] == "POST"  # CreateMultipartUpload
    parts = [e for e in exchanges if e.method == "PUT" and "partNumber" in e.query]
    assert parts and all(e.headers.get("x-amz-checksum-sha256") for e in parts)
    data = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(data) > 1 * MB
    # The bucket's lifecycle rule moves and expires audio by this tag.
    tags = s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    assert {"Key": "prepai-content", "Value": "audio"} in tags

    proxy.reset_log()
    again = Pusher(store, SyncTarget.from_settings(load_settings(), options)).run()
    assert again.uploaded == 0 and sum(proxy.successful_writes().values()) == 0

    other = SessionStore(tmp_path / "other" / "sessions.db", tmp_path / "other" / "sessions")
    try:
        Puller(other, SyncTarget.from_settings(load_settings(), options)).run()
        restored = other.turns(session.id)[1]
        assert restored.audio_path is not None
        after, _ = sf.read(restored.audio_path, dtype="int16")
        before, _ = sf.read(long_wav, dtype="int16")
        assert np.array_equal(after, before)
    finally:
        other.close()


def test_single_part_puts_carry_sha256_and_kms(store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3,
                                               moto: MotoHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    kms = boto3.client("kms", endpoint_url=moto.url, region_name="us-east-1")
    key_id = kms.create_key(Description="prepai sync")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("PREPAI_SYNC__KMS_KEY_ID", key_id)
    make_session(store, speech_clips[:1])
    assert run_sync().exit_code == 0
    puts = [e for e in proxy.exchanges() if e.is_object_write]
    assert len(puts) == 5
    for put in puts:
        stored = s3.get_object(Bucket=BUCKET, Key=put.key)["Body"].read()
        expected = base64.b64encode(hashlib.sha256(stored).digest()).decode()
        assert put.headers["x-amz-checksum-sha256"] == expected
        assert put.headers["x-amz-server-side-encryption"] == "aws:kms"
        assert put.headers["x-amz-server-side-encryption-aws-kms-key-id"] == key_id
        head = s3.head_object(Bucket=BUCKET, Key=put.key)
        assert head["ServerSideEncryption"] == "aws:kms"
