"""Turns a session into outbox rows: every object staged (encoded, copied) and hashed once, then recorded."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from prepai_cli import privacy
from prepai_cli.domain import utcnow
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from prepai_cli.sync.audio import wav_to_flac
from prepai_cli.sync.bundle import CV_SETTING, bundle_bytes, local_path, portable_audio_path, to_bundle
from prepai_cli.sync.checksums import file_fingerprint, sha256_bytes, sha256_file
from prepai_cli.sync.layout import MANIFEST_FILE, REPORT_FILES, SESSION_FILE, Layout, audio_name, cv_name
from prepai_cli.sync.models import Manifest, ManifestEntry, ObjectKind, OutboxEntry


class QueueResult(BaseModel):
    session_id: str
    manifest: Manifest
    # Local files the session refers to that no longer exist: reported, never fatal.
    missing: list[str] = Field(default_factory=list)


def staging_root(store: SessionStore) -> Path:
    """Staged copies live beside the database so a pending upload survives restarts with the row describing it."""
    return store.path.parent / "sync" / "staging"


def manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.model_dump(mode="json"), sort_keys=True, indent=2) + "\n").encode("utf-8")


class _Stager:
    def __init__(self, store: SessionStore, bucket: str, layout: Layout, session_id: str, root: Path):
        self.store = store
        self.bucket = bucket
        self.layout = layout
        self.session_id = session_id
        self.dir = root / bucket / session_id

    def ensure(
        self, kind: ObjectKind, name: str, fingerprint: str, produce: Callable[[Path], dict[str, Any]]
    ) -> ManifestEntry:
        key = self.layout.key(self.session_id, name)
        existing = self.store.outbox_get(self.bucket, self.session_id, key)
        if existing is not None and existing.source_fingerprint == fingerprint and (
            existing.state == "done" or (existing.staged_path and Path(existing.staged_path).exists())
        ):
            return ManifestEntry(key=key, kind=kind, sha256=existing.sha256, size=existing.size, meta=existing.meta)
        staged = self.dir / name
        privacy.private_dir(staged.parent)
        partial = staged.with_name(staged.name + ".partial")
        try:
            meta = produce(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        # Renamed only when complete: a crash mid-encode never leaves a staged file that looks finished.
        os.replace(partial, staged)
        privacy.private_file(staged)
        sha, size = sha256_file(staged), staged.stat().st_size
        if existing is not None and existing.state == "done" and existing.sha256 == sha and existing.meta == meta:
            # Source touched but unchanged: the bucket already has these bytes.
            staged.unlink()
            entry = existing.model_copy(update={"source_fingerprint": fingerprint, "staged_path": None})
        else:
            entry = OutboxEntry(
                bucket=self.bucket, session_id=self.session_id, key=key, kind=kind, staged_path=str(staged),
                source_fingerprint=fingerprint, sha256=sha, size=size, state="pending", updated_at=utcnow(),
                meta=meta,
            )
        self.store.outbox_put(entry)
        return ManifestEntry(key=key, kind=kind, sha256=sha, size=size, meta=meta)


    def forget_all_but(self, keys: set[str]) -> None:
        """Drops unsent rows for objects the session no longer has (e.g. a report deleted before it was uploaded)."""
        for entry in self.store.outbox_entries(self.bucket, states=("pending", "failed"), session_id=self.session_id):
            if entry.key not in keys:
                if entry.staged_path:
                    Path(entry.staged_path).unlink(missing_ok=True)
                self.store.outbox_delete(self.bucket, self.session_id, entry.key)


def _copy(source: Path, meta: dict[str, Any]) -> Callable[[Path], dict[str, Any]]:
    def produce(target: Path) -> dict[str, Any]:
        shutil.copyfile(source, target)
        return meta

    return produce


def _write(data: bytes, meta: dict[str, Any]) -> Callable[[Path], dict[str, Any]]:
    def produce(target: Path) -> dict[str, Any]:
        target.write_bytes(data)
        return meta

    return produce


def _flac(source: Path, relpath: str) -> Callable[[Path], dict[str, Any]]:
    def produce(target: Path) -> dict[str, Any]:
        fmt = wav_to_flac(source, target)
        return {"path": relpath, **fmt.model_dump()}

    return produce


class _Changed(Exception):
    pass


class _Probe(_Stager):
    """Answers "would queueing change anything?" without encoding or copying a byte."""

    def ensure(
        self, kind: ObjectKind, name: str, fingerprint: str, produce: Callable[[Path], dict[str, Any]]
    ) -> ManifestEntry:
        key = self.layout.key(self.session_id, name)
        existing = self.store.outbox_get(self.bucket, self.session_id, key)
        if existing is None or existing.source_fingerprint != fingerprint:
            raise _Changed
        return ManifestEntry(key=key, kind=kind, sha256=existing.sha256, size=existing.size, meta=existing.meta)

    def forget_all_but(self, keys: set[str]) -> None:
        if any(e.key not in keys for e in self.store.outbox_entries(
                self.bucket, states=("pending", "failed"), session_id=self.session_id)):
            raise _Changed


def queue_session(store: SessionStore, bucket: str, layout: Layout, session_id: str) -> QueueResult:
    """Records every object of the session in the outbox; unchanged objects cost a stat() and a lookup."""
    return _plan(store, _Stager(store, bucket, layout, session_id, staging_root(store)), layout, session_id)


def session_changed(store: SessionStore, bucket: str, layout: Layout, session_id: str) -> bool:
    """True if the session has data the outbox has not recorded yet (a new turn, report or recording)."""
    try:
        _plan(store, _Probe(store, bucket, layout, session_id, staging_root(store)), layout, session_id)
    except _Changed:
        return True
    return False


def _plan(store: SessionStore, stager: _Stager, layout: Layout, session_id: str) -> QueueResult:
    session = store.get_session(session_id)
    turns = store.turns(session_id)
    session_dir = store.session_dir(session_id)
    entries: list[ManifestEntry] = []
    missing: list[str] = []

    audio_paths: dict[int, str] = {}
    for turn in turns:
        if not turn.audio_path:
            continue
        source = local_path(session_dir, turn.audio_path)
        if not source.is_file():
            missing.append(f"{session_id} turn {turn.index}: audio {source} is missing")
            continue
        relpath = portable_audio_path(session_dir, turn)
        fingerprint = f"{file_fingerprint(source)}:{relpath}"
        try:
            entries.append(stager.ensure("audio", audio_name(turn.index), fingerprint, _flac(source, relpath)))
        except PrepAIError as exc:
            # Unreadable audio (e.g. still being recorded) must not block the rest; the next sync retries it.
            missing.append(f"{session_id} turn {turn.index}: {exc}")
            continue
        audio_paths[turn.index] = relpath

    for name in REPORT_FILES:
        source = session_dir / name
        if source.is_file():
            entries.append(stager.ensure("report", name, file_fingerprint(source), _copy(source, {"path": name})))

    cv_relpath: str | None = None
    cv_setting = session.settings.get(CV_SETTING)
    if cv_setting:
        source = local_path(session_dir, str(cv_setting))
        if source.is_file():
            digest = sha256_file(source)
            cv_relpath = cv_name(digest, source.suffix)
            entries.append(stager.ensure("cv", cv_relpath, digest, _copy(source, {"path": cv_relpath})))
        else:
            missing.append(f"{session_id}: CV {source} is missing")

    data = bundle_bytes(to_bundle(session, turns, audio_paths, cv_relpath, store.llm_judgements(session_id)))
    entries.insert(0, stager.ensure("session", SESSION_FILE, sha256_bytes(data), _write(data, {})))

    manifest = Manifest(session_id=session_id, user=layout.user, objects=entries)
    data = manifest_bytes(manifest)
    manifest_entry = stager.ensure("manifest", MANIFEST_FILE, sha256_bytes(data), _write(data, {}))
    stager.forget_all_but({e.key for e in entries} | {manifest_entry.key})
    return QueueResult(session_id=session_id, manifest=manifest, missing=missing)


def drop_orphaned_staging(store: SessionStore, bucket: str) -> None:
    """Staged copies of sessions deleted locally since they were queued (their outbox rows went with them)."""
    folder = staging_root(store) / bucket
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and not store.has_session(child.name):
            shutil.rmtree(child, ignore_errors=True)
