"""The portable form of a session: paths relative to its folder, so the same session hashes the same on any machine."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from prepai_cli.domain import Session, Turn
from prepai_cli.sync.models import SessionBundle

CV_SETTING = "cv_path"


def local_path(session_dir: Path, stored: str) -> Path:
    """Where a stored path points: relative paths are relative to the session folder (the runner's convention)."""
    path = Path(stored).expanduser()
    return path if path.is_absolute() else session_dir / path


def portable_audio_path(session_dir: Path, turn: Turn) -> str:
    """The audio's place under the session folder: kept if it already is there, else a per-turn name."""
    assert turn.audio_path is not None
    path = local_path(session_dir, turn.audio_path)
    try:
        relative = path.resolve().relative_to(session_dir.resolve())
    except ValueError:
        return f"audio/turn-{turn.index:03d}.wav"
    return PurePosixPath(*relative.parts).as_posix()


def to_bundle(session: Session, turns: list[Turn], audio_paths: dict[int, str], cv_relpath: str | None,
              llm_judgements: dict[int, dict[str, Any]] | None = None) -> SessionBundle:
    """`audio_paths` maps turn index → portable audio path for the turns whose audio is synced."""
    settings = dict(session.settings)
    if CV_SETTING in settings:
        settings[CV_SETTING] = cv_relpath
    portable_turns = [
        t.model_copy(update={"audio_path": audio_paths.get(t.index), "id": t.index + 1}) for t in turns
    ]
    return SessionBundle(session=session.model_copy(update={"settings": settings}), turns=portable_turns,
                         llm_judgements=llm_judgements or {})


def bundle_bytes(bundle: SessionBundle) -> bytes:
    # sort_keys + fixed indent: identical sessions give identical bytes, hence identical checksums.
    data = bundle.model_dump(mode="json")
    if not data.get("llm_judgements"):
        data.pop("llm_judgements", None)  # sessions no LLM judged keep the bytes (and checksums) they always had
    return (json.dumps(data, sort_keys=True, indent=2) + "\n").encode("utf-8")


def localise(bundle: SessionBundle, session_dir: Path) -> tuple[Session, list[Turn]]:
    """The bundle as stored on this machine: absolute paths into this session folder, as the voice pipeline writes."""
    session = bundle.session
    cv = session.settings.get(CV_SETTING)
    if cv:
        session = session.model_copy(update={"settings": {**session.settings, CV_SETTING: str(session_dir / cv)}})
    turns = [t.model_copy(update={"audio_path": str(session_dir / t.audio_path)}) if t.audio_path else t
             for t in bundle.turns]
    return session, turns
