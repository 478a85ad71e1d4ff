"""Pull: restore sessions from the bucket, verifying every object, never touching a session already here."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError
from pydantic import ValidationError

from prepai_cli import privacy
from prepai_cli.domain import utcnow
from prepai_cli.store import SessionStore
from prepai_cli.sync.audio import flac_to_wav
from prepai_cli.sync.bundle import localise
from prepai_cli.sync.checksums import file_fingerprint, sha256_bytes
from prepai_cli.sync.layout import MANIFEST_FILE
from prepai_cli.sync.models import Manifest, ManifestEntry, OutboxEntry, PullConflict, PullSummary, SessionBundle
from prepai_cli.sync.s3 import SyncFailure, SyncTarget

_CHUNK = 1024 * 1024


class PullObserver(Protocol):
    def found(self, sessions: int) -> None: ...
    def session_done(self, session_id: str) -> None: ...


class SilentPullObserver:
    def found(self, sessions: int) -> None:
        pass

    def session_done(self, session_id: str) -> None:
        pass


class Puller:
    def __init__(self, store: SessionStore, target: SyncTarget, observer: PullObserver | None = None):
        self.store = store
        self.target = target
        self.observer = observer or SilentPullObserver()
        self.summary = PullSummary()

    def run(self) -> PullSummary:
        self.target.check_bucket()
        session_ids = self._remote_session_ids()
        self.observer.found(len(session_ids))
        for session_id in session_ids:
            try:
                self._pull_session(session_id)
            except SyncFailure as exc:
                if exc.transient:
                    raise
                self.summary.failed.append(PullConflict(session_id=session_id, reason=str(exc)))
            self.observer.session_done(session_id)
        return self.summary

    def _remote_session_ids(self) -> list[str]:
        ids: list[str] = []
        try:
            pages = self.target.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.target.bucket, Prefix=self.target.layout.sessions_root, **self.target.owner_args())
            for page in pages:
                for item in page.get("Contents", []):
                    session_id = self.target.layout.session_id_of_manifest(item["Key"])
                    if session_id:
                        ids.append(session_id)
        except Exception as exc:
            raise self.target.explain(exc) from exc
        return sorted(ids)

    def _pull_session(self, session_id: str) -> None:
        manifest_key = self.target.layout.key(session_id, MANIFEST_FILE)
        manifest_data = self._get_bytes(manifest_key)
        try:
            manifest = Manifest.model_validate_json(manifest_data)
        except ValidationError as exc:
            raise SyncFailure(f"s3://{self.target.bucket}/{manifest_key} is not a PrepAI manifest ({exc.errors()[0]['msg']})",
                              transient=False) from exc
        session_entry = manifest.entry("session")
        if manifest.session_id != session_id or session_entry is None:
            raise SyncFailure(f"s3://{self.target.bucket}/{manifest_key} does not describe session {session_id}",
                              transient=False)
        bundle_data = self._get_bytes(session_entry.key, expected=session_entry)
        try:
            bundle = SessionBundle.model_validate_json(bundle_data)
        except ValidationError as exc:
            raise SyncFailure(f"s3://{self.target.bucket}/{session_entry.key} is not a session this PrepAI can read "
                              f"({exc.errors()[0]['msg']}); upgrade prepai", transient=False) from exc
        if self.store.has_session(session_id):
            self._compare(session_id, bundle)
            return
        self._restore(manifest, manifest_data, bundle)

    def _compare(self, session_id: str, bundle: SessionBundle) -> None:
        local = self.store.get_session(session_id)
        local_turns = len(self.store.turns(session_id))
        remote_turns = len(bundle.turns)
        if local_turns == remote_turns and local.ended_at == bundle.session.ended_at:
            self.summary.up_to_date.append(session_id)
            return
        if local_turns > remote_turns or _later(local.ended_at, bundle.session.ended_at):
            reason = (f"this machine has newer data ({local_turns} turns vs {remote_turns} in the bucket); "
                      "kept it, `prepai sync` uploads it")
        else:
            reason = (f"the bucket has {remote_turns} turns, this machine {local_turns}; kept the local copy "
                      "(sync never overwrites local sessions)")
        self.summary.conflicts.append(PullConflict(session_id=session_id, reason=reason))

    def _restore(self, manifest: Manifest, manifest_data: bytes, bundle: SessionBundle) -> None:
        session_id = manifest.session_id
        session_dir = self.store.session_dir(session_id)
        scratch = session_dir.parent / f".{session_id}.pulling"
        shutil.rmtree(scratch, ignore_errors=True)  # leftovers of an interrupted pull are only verified-or-not copies
        try:
            prefix = self.target.layout.key(session_id, "")
            downloads = {e.key: self._download(e, scratch / e.key.removeprefix(prefix))
                         for e in manifest.objects if e.kind != "session"}
            placed: list[tuple[ManifestEntry, Path]] = []
            for entry in manifest.objects:
                if entry.kind == "session":
                    continue
                target = _inside(session_dir, str(entry.meta.get("path") or entry.key.rsplit("/", 1)[-1]))
                if target.exists():
                    self.summary.conflicts.append(PullConflict(
                        session_id=session_id, reason=f"kept the existing local file {target}"))
                    continue
                privacy.private_dir(target.parent)
                if entry.kind == "audio":
                    flac_to_wav(downloads[entry.key], target, str(entry.meta.get("wav_subtype", "PCM_16")))
                else:
                    shutil.move(downloads[entry.key], target)
                privacy.private_file(target)
                placed.append((entry, target))
            session, turns = localise(bundle, session_dir)
            # The database row is written last: until it exists, an interrupted pull is simply redone.
            self.store.import_session(session, turns, bundle.llm_judgements)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self._record_synced(manifest, manifest_data, placed)
        self.summary.restored.append(session_id)

    def _record_synced(self, manifest: Manifest, manifest_data: bytes,
                       placed: list[tuple[ManifestEntry, Path]]) -> None:
        """Marks what was just pulled as already in the bucket, so the next push re-encodes and re-sends nothing."""
        now = utcnow()
        rows: list[tuple[ManifestEntry, str]] = []
        for entry, path in placed:
            fingerprint = file_fingerprint(path)
            if entry.kind == "audio":
                fingerprint = f"{fingerprint}:{entry.meta.get('path')}"
            elif entry.kind == "cv":
                fingerprint = entry.sha256
            rows.append((entry, fingerprint))
        session_entry = manifest.entry("session")
        if session_entry is not None:
            rows.append((session_entry, session_entry.sha256))
        manifest_sha = sha256_bytes(manifest_data)
        rows.append((ManifestEntry(key=self.target.layout.key(manifest.session_id, MANIFEST_FILE), kind="manifest",
                                   sha256=manifest_sha, size=len(manifest_data)), manifest_sha))
        for entry, fingerprint in rows:
            self.store.outbox_put(OutboxEntry(
                bucket=self.target.bucket, session_id=manifest.session_id, key=entry.key, kind=entry.kind,
                staged_path=None, source_fingerprint=fingerprint, sha256=entry.sha256, size=entry.size,
                state="done", updated_at=now, meta=entry.meta))

    def _get(self, key: str) -> dict[str, Any]:
        try:
            return self.target.client.get_object(Bucket=self.target.bucket, Key=key, **self.target.owner_args())
        except Exception as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise SyncFailure(f"s3://{self.target.bucket}/{key} is listed in its manifest but missing; "
                                  "run `prepai sync` on the machine that recorded it", transient=False) from exc
            raise self.target.explain(exc, key) from exc

    def _get_bytes(self, key: str, expected: ManifestEntry | None = None) -> bytes:
        try:
            data = bytes(self._get(key)["Body"].read())
        except SyncFailure:
            raise
        except Exception as exc:
            raise self.target.explain(exc, key) from exc
        if expected is not None:
            self._verify(key, sha256_bytes(data), expected)
        self.summary.objects += 1
        self.summary.bytes_downloaded += len(data)
        return data

    def _download(self, entry: ManifestEntry, path: Path) -> Path:
        privacy.private_dir(path.parent)
        digest = hashlib.sha256()
        try:
            body = self._get(entry.key)["Body"]
            with path.open("wb") as fh:
                privacy.private_file(path)
                for chunk in body.iter_chunks(_CHUNK):
                    digest.update(chunk)
                    fh.write(chunk)
        except SyncFailure:
            raise
        except Exception as exc:
            raise self.target.explain(exc, entry.key) from exc
        self._verify(entry.key, digest.hexdigest(), entry)
        self.summary.objects += 1
        self.summary.bytes_downloaded += path.stat().st_size
        return path

    def _verify(self, key: str, actual: str, expected: ManifestEntry) -> None:
        if actual != expected.sha256:
            raise SyncFailure(f"s3://{self.target.bucket}/{key} does not match its manifest checksum "
                              f"(sha256 {actual[:12]}… vs {expected.sha256[:12]}…); nothing restored for this session",
                              transient=False)


def _inside(folder: Path, relpath: str) -> Path:
    """A manifest path resolved under the session folder; anything pointing elsewhere is refused."""
    target = (folder / relpath).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise SyncFailure(f"the bucket copy wants to write {relpath!r} outside its session folder; refused",
                          transient=False)
    return folder / relpath


def _later(a: datetime | None, b: datetime | None) -> bool:
    if a is not None and b is not None:
        return a > b
    return a is not None and b is None
