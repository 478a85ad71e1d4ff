"""Push: queue sessions into the outbox, then upload every pending object once, manifests last."""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path
from typing import Protocol

from botocore.exceptions import ClientError

from prepai_cli.store import SessionStore
from prepai_cli.sync.checksums import b64_to_hex, hex_to_b64, sha256_file
from prepai_cli.sync.layout import AUDIO_TAG_KEY, AUDIO_TAG_VALUE
from prepai_cli.sync.models import Manifest, OutboxEntry, PushSummary
from prepai_cli.sync.queue import drop_orphaned_staging, queue_session
from prepai_cli.sync.s3 import SyncFailure, SyncTarget

_CONTENT_TYPES = {".json": "application/json", ".md": "text/markdown; charset=utf-8",
                  ".html": "text/html; charset=utf-8", ".flac": "audio/flac"}


class PushObserver(Protocol):
    def preparing(self, done: int, total: int) -> None: ...
    def planned(self, objects: int, total_bytes: int) -> None: ...
    def transferred(self, nbytes: int) -> None: ...
    def finished(self, entry: OutboxEntry, uploaded: bool) -> None: ...


class SilentObserver:
    def preparing(self, done: int, total: int) -> None:
        pass

    def planned(self, objects: int, total_bytes: int) -> None:
        pass

    def transferred(self, nbytes: int) -> None:
        pass

    def finished(self, entry: OutboxEntry, uploaded: bool) -> None:
        pass


class _Interrupted(Exception):
    def __init__(self, failure: SyncFailure):
        self.failure = failure


def _content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


class Pusher:
    def __init__(self, store: SessionStore, target: SyncTarget, observer: PushObserver | None = None):
        self.store = store
        self.target = target
        self.observer = observer or SilentObserver()
        self.summary = PushSummary()

    def run(self, session_ids: list[str] | None = None) -> PushSummary:
        """Uploads everything pending; raises SyncFailure (after recording it in the outbox) if S3 stops cooperating."""
        started = time.monotonic()
        self.target.check_bucket()
        ids = session_ids if session_ids is not None else [s.id for s in self.store.list_sessions()]
        for i, session_id in enumerate(ids):
            self.observer.preparing(i, len(ids))
            result = queue_session(self.store, self.target.bucket, self.target.layout, session_id)
            self.summary.skipped_sources.extend(result.missing)
        self.observer.preparing(len(ids), len(ids))
        drop_orphaned_staging(self.store, self.target.bucket)
        self.summary.sessions = len(ids)
        self.summary.prepare_seconds = time.monotonic() - started
        started = time.monotonic()
        entries = self.store.outbox_entries(self.target.bucket, states=("pending", "failed"))
        self.observer.planned(len(entries), sum(e.size for e in entries))
        try:
            for entry in entries:
                self._push_one(entry)
        except _Interrupted as stop:
            left = len(self.store.outbox_entries(self.target.bucket, states=("pending", "failed")))
            raise SyncFailure(f"{stop.failure}; {left} object(s) not uploaded yet, run `prepai sync` again to resume",
                              transient=stop.failure.transient) from stop.failure
        finally:
            self.summary.upload_seconds = time.monotonic() - started
        return self.summary

    def _push_one(self, entry: OutboxEntry) -> None:
        bucket, sid, key = entry.bucket, entry.session_id, entry.key
        staged = Path(entry.staged_path) if entry.staged_path else None
        if entry.kind == "manifest" and staged is not None and staged.exists() and not self._manifest_ready(staged):
            return  # an object it lists is still missing; publishing it now would advertise a broken session
        self.store.outbox_begin_attempt(bucket, sid, key)
        if staged is None or not staged.exists() or sha256_file(staged) != entry.sha256:
            # The staged copy vanished or changed: clearing the fingerprint makes the next sync stage it again.
            self.store.outbox_put(entry.model_copy(update={
                "state": "failed", "source_fingerprint": "", "staged_path": None,
                "last_error": "staged copy missing or changed; it will be prepared again on the next sync"}))
            return
        try:
            if self._remote_sha256(key) == entry.sha256:
                self._done(entry, staged, uploaded=False)
                return
            self._upload(entry, staged)
        except (KeyboardInterrupt, SystemExit):
            raise  # the row stays pending; the next sync resumes here
        except Exception as exc:
            failure = exc if isinstance(exc, SyncFailure) else self.target.explain(exc, key)
            self.store.outbox_finish(bucket, sid, key, "failed", str(failure), staged_path=str(staged))
            raise _Interrupted(failure) from exc
        self._done(entry, staged, uploaded=True)

    def _manifest_ready(self, staged: Path) -> bool:
        manifest = Manifest.model_validate_json(staged.read_bytes())
        for item in manifest.objects:
            row = self.store.outbox_get(self.target.bucket, manifest.session_id, item.key)
            if row is None or row.state != "done" or row.sha256 != item.sha256:
                return False
        return True

    def _remote_sha256(self, key: str) -> str | None:
        """The sha256 of what the bucket holds at `key`, None if nothing (or nothing comparable) is there."""
        try:
            head = self.target.client.head_object(Bucket=self.target.bucket, Key=key, ChecksumMode="ENABLED",
                                                  **self.target.owner_args())
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise self.target.explain(exc, key) from exc
        # Multipart objects carry a composite checksum, so our own full-object digest in metadata comes first.
        recorded = head.get("Metadata", {}).get("sha256")
        if recorded:
            return str(recorded)
        checksum = head.get("ChecksumSHA256")
        return b64_to_hex(checksum) if checksum else None

    def _upload(self, entry: OutboxEntry, staged: Path) -> None:
        extra: dict[str, object] = {
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {"sha256": entry.sha256},
            "ContentType": _content_type(entry.key),
            **self.target.encryption_args(),
            **self.target.owner_args(),
        }
        if entry.kind == "audio":
            extra["Tagging"] = f"{AUDIO_TAG_KEY}={AUDIO_TAG_VALUE}"
        if entry.size < self.target.options.multipart_threshold:
            # S3 recomputes this and rejects the PUT on mismatch: end-to-end integrity for single-part objects.
            # Multipart uploads get per-part SHA256 checks instead (S3 has no full-object SHA256 for them).
            extra["ChecksumSHA256"] = hex_to_b64(entry.sha256)
        self.target.client.upload_file(str(staged), self.target.bucket, entry.key, ExtraArgs=extra,
                                       Config=self.target.transfer, Callback=self.observer.transferred)

    def _done(self, entry: OutboxEntry, staged: Path, uploaded: bool) -> None:
        self.store.outbox_finish(entry.bucket, entry.session_id, entry.key, "done", staged_path=None)
        staged.unlink(missing_ok=True)
        if uploaded:
            self.summary.uploaded += 1
            self.summary.bytes_uploaded += entry.size
        else:
            self.summary.already_there += 1
            self.observer.transferred(entry.size)
        self.observer.finished(entry, uploaded)
