"""What the evaluator returns; the interviewer brain, the CLI and the stored turns all read this shape."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KeyPointResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    covered: bool
    # Best cosine similarity between the key point (any of its wordings) and any part of the answer.
    similarity: float
    # 0-1: partial credit (a share of its parts, or a near miss).
    credit: float = 0.0
    # The answer stated a misconception about this point, or the opposite of it.
    contradicted: bool = False
    # The candidate's own sentence that earned the credit (quoted in the report and the closing).
    evidence: str | None = None


class MisconceptionHit(BaseModel):
    """A wrong claim the answer made, with what is true instead."""

    model_config = ConfigDict(frozen=True)

    key_point: str
    claim: str  # the bank's wording of the misconception
    said: str  # the candidate's sentence
    correction: str
    challenge: str


class CodeResult(BaseModel):
    """The sandbox's verdict on the code submitted for a coding question."""

    model_config = ConfigDict(frozen=True)

    verdict: str
    passed: int
    total: int
    first_failure: str | None = None
    language: str | None = None


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=0.0, le=10.0)  # one decimal
    key_points: list[KeyPointResult]
    covered: list[str]  # key point ids
    missed: list[str]  # key point ids, the ones worth probing first
    structure: dict[str, bool]  # STAR parts found when STAR applies, else {}
    specificity: float = Field(ge=0.0, le=1.0)
    red_flags: list[str]  # red flag texts (and behaviours) the answer matched
    suggestions: list[str]  # 1-3, phrased to be spoken
    question_id: str | None
    match_note: str | None
    word_count: int
    misconceptions: list[MisconceptionHit] = Field(default_factory=list)
    # Story behaviours an interviewer weighs (blame, heroics, skipped review ...), as spoken labels.
    behaviours: list[str] = Field(default_factory=list)
    # 0-1: does the answer address this question at all (1) or another one / nothing (0)?
    relevance: float = 1.0
    off_topic: bool = False
    code: CodeResult | None = None
    # Points taken off for hints (already applied to `score`).
    hint_penalty: float = 0.0
    # Candidate turns this judgement combines (1 for a single answer).
    turns: int = 1
    # One line each, for the report: what was right, what was wrong, why the score.
    notes: list[str] = Field(default_factory=list)
