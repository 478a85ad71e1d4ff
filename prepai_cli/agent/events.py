"""What a brain streams while it produces one interviewer turn.

Offline and cloud brains emit the same events: Bedrock InvokeAgent and ConverseStream both stream text and call
tools mid-turn, so the consumer never needs to know which brain it is talking to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

SegmentKind = Literal[
    "intro", "question", "follow_up", "hint", "feedback", "closing",
    # What the interviewer says in reply to a turn that was not an answer, or to steer the interview.
    "clarification", "repeat", "challenge", "redirect", "check_in", "wrap_up", "answer_question",
]


@dataclass(frozen=True, slots=True)
class SegmentStarted:
    """The interviewer starts a new piece of speech with one purpose (a question, a hint ...).

    Each segment is stored as its own interviewer turn so the report can tell questions from hints.
    """

    kind: SegmentKind
    question_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResult:
    call_id: str
    name: str
    ok: bool
    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AnswerEvaluated:
    """The brain's judgement of the candidate's latest answer; stored on that candidate turn."""

    question_id: str | None
    evaluation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """The interviewer has finished speaking; `finished` ends the interview."""

    finished: bool = False


@dataclass(frozen=True, slots=True)
class BrainError:
    """Something went wrong mid-turn; `recoverable` means the interview can go on with another turn."""

    message: str
    recoverable: bool = True


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens one interviewer turn cost (all model calls of its tool loop together); cloud brains only."""

    model_id: str
    input_tokens: int
    output_tokens: int
    total_tokens: int


BrainEvent = Union[
    SegmentStarted, TextDelta, ToolCall, ToolResult, AnswerEvaluated, TurnEnded, BrainError, TokenUsage
]
