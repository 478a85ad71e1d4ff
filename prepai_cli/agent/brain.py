"""The interviewer interface every brain implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from prepai_cli.agent.events import BrainEvent
from prepai_cli.domain import Session, Turn


@dataclass(frozen=True)
class Conversation:
    """Everything a brain may look at to produce the next interviewer turn.

    `turns` is the stored history (resume rebuilds a brain's state from it); the last turn is the candidate's
    answer, if any. `end_requested` means the candidate asked to stop (or a script ran out of answers):
    the brain answers with its closing.
    """

    session: Session
    turns: list[Turn]
    end_requested: bool = False
    cv_summary: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def last_candidate_turn(self) -> Turn | None:
        if self.turns and self.turns[-1].role == "candidate":
            return self.turns[-1]
        return None


class Brain(Protocol):
    name: str

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        """Streams one interviewer turn. Closing the iterator early (barge-in) must cancel the work cleanly."""
        ...
