"""The two ends of an interview that differ between text, voice and the TUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from prepai_cli.domain import utcnow


@dataclass
class CandidateAnswer:
    text: str
    kind: Literal["answer", "code"] = "answer"
    started_at: datetime = field(default_factory=utcnow)
    ended_at: datetime = field(default_factory=utcnow)
    audio_path: str | None = None
    metrics: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """What the candidate actually got of one interviewer turn.

    `spoken` holds the text delivered per segment when it differs from what was generated (barge-in cut it
    short); `latency` describes the reply to the previous answer and is stored on that answer's turn.
    """

    interrupted: bool = False
    spoken: list[str] | None = None
    latency: dict[str, Any] | None = None


@dataclass(frozen=True)
class AnswerContext:
    """What the interviewer just asked, for input methods that can use it (e.g. priming speech recognition)."""

    prompt_text: str
    question_id: str | None
    segment_kind: str | None
    vocabulary: tuple[str, ...] = ()


class InterviewerOutput(Protocol):
    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None: ...

    def write(self, text: str) -> None:
        """Text as the brain streams it; must not block on playback."""
        ...

    def interrupted(self) -> bool:
        """True once the candidate talked over the interviewer; the runner then stops the brain."""
        ...

    def end_turn(self) -> Delivery:
        """Blocks until the turn is delivered (played) or interrupted."""
        ...

    def notice(self, message: str) -> None:
        """An out-of-band line for the candidate (errors, 'saved', 'resuming')."""
        ...


class CandidateInput(Protocol):
    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        """The candidate's next answer, or None when they end the interview (or a script runs out)."""
        ...
