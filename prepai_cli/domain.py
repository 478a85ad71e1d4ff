"""Sessions and turns as stored and exchanged between the runner, the store and the report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["interviewer", "candidate"]
SessionStatus = Literal["active", "ended", "abandoned"]
# What an interviewer segment is for; candidate turns are "answer" (spoken/typed) or "code".
TurnKind = Literal[
    "intro", "question", "follow_up", "hint", "feedback", "closing", "clarification", "repeat", "challenge",
    "redirect", "check_in", "wrap_up", "answer_question", "answer", "code",
]


# The one set of words shown for a stored status, in the CLI, the app and reports (JSON keeps the stored value).
STATUS_WORDS: dict[str, str] = {"active": "unfinished", "abandoned": "paused", "ended": "ended"}


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def resume_hint(session_id: str) -> str:
    """Said on every exit that leaves a session resumable."""
    return f"Interview paused and saved. Resume with: prepai interview --resume {session_id}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Session(BaseModel):
    id: str
    type: str
    brain: str
    candidate: str
    status: SessionStatus = "active"
    created_at: datetime
    ended_at: datetime | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class Turn(BaseModel):
    id: int
    session_id: str
    index: int
    role: Role
    kind: TurnKind
    text: str
    started_at: datetime
    ended_at: datetime
    question_id: str | None = None
    audio_path: str | None = None
    metrics: dict[str, Any] | None = None
    evaluation: dict[str, Any] | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class NewTurn(BaseModel):
    """A turn about to be stored; the store assigns id and index."""

    role: Role
    kind: TurnKind
    text: str
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime = Field(default_factory=utcnow)
    question_id: str | None = None
    audio_path: str | None = None
    metrics: dict[str, Any] | None = None
    evaluation: dict[str, Any] | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
