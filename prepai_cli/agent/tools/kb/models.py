from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KBDocument(BaseModel):
    """One retrievable unit: a section of a topic note, or one bank question rendered as prose."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    # The interview type it belongs to, or "general" for advice that applies to every type.
    type: str
    types: tuple[str, ...]
    kind: str = Field(pattern=r"^(note|question)$")
    body: str


class KBHit(BaseModel):
    doc_id: str
    title: str
    type: str
    snippet: str
    score: float
