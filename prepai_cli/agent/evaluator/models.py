"""What the evaluator returns; the interviewer brain, the CLI and the stored turns all read this shape."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KeyPointResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    covered: bool
    # Best cosine similarity between the key point and any part of the answer (after red-flag screening).
    similarity: float


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=0.0, le=10.0)  # one decimal
    key_points: list[KeyPointResult]
    covered: list[str]  # key point ids
    missed: list[str]  # key point ids, the ones worth probing first
    structure: dict[str, bool]  # STAR parts found when STAR applies, else {}
    specificity: float = Field(ge=0.0, le=1.0)
    red_flags: list[str]  # red flag texts the answer matched
    suggestions: list[str]  # 1-3, phrased to be spoken
    question_id: str | None
    match_note: str | None
    word_count: int
