"""Schema of the question bank: one YAML document per interview type.

The same files feed the Bedrock Knowledge Base, so they stay readable prose-first YAML.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal[
    "dsa", "coding", "system-design", "behavioral", "architecture", "cloud-services",
    "security", "cost", "reliability", "cv", "culture",
]


STORY_CATEGORIES = frozenset({"behavioral", "culture", "cv"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Misconception(_Strict):
    """A common wrong claim about a key point: stating it costs more than leaving the point out."""

    # How a candidate would say the wrong thing, in plain spoken words.
    claim: str = Field(min_length=10)
    # What is true instead, one spoken sentence; the report quotes it beside the candidate's words.
    correction: str = Field(min_length=10)
    # How an interviewer pushes back without giving the answer away ("Are you sure ...? What does it give you?").
    challenge: str = Field(min_length=10)


class KeyPoint(_Strict):
    """One thing a strong answer covers; the evaluator scores coverage per key point."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=10)
    # Other ways a candidate says the same thing (credit follows meaning, not the rubric's wording).
    phrasings: list[str] = Field(default_factory=list, max_length=6)
    # When the point lists several items ("the six pillars"), each item on its own: credit is the share covered.
    parts: list[str] = Field(default_factory=list, max_length=8)
    misconceptions: list[Misconception] = Field(default_factory=list, max_length=4)


class FollowUp(_Strict):
    """A probing question asked when the answer missed `key_point`."""

    key_point: str
    text: str = Field(min_length=10)
    # The follow-up presupposes one of these (a component, a technique): it is asked only when the candidate
    # mentioned at least one of them. Empty: it presupposes nothing.
    requires: list[str] = Field(default_factory=list)


class Clarification(_Strict):
    """A clarifying question a candidate may ask, and the interviewer's answer (scale, constraints, assumptions)."""

    asks: list[str] = Field(min_length=1, max_length=4)  # ways a candidate asks it
    answer: str = Field(min_length=10)


class Term(_Strict):
    """A term in the question a candidate may ask about ("what do you mean by fan-out?")."""

    term: str = Field(min_length=2)
    meaning: str = Field(min_length=10)


class CodeTest(_Strict):
    """One test case: the function is called with `args` (JSON values) and must return `expected`."""

    args: list[Any]
    expected: Any


class CodingSpec(_Strict):
    function_name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    python_signature: str
    javascript_signature: str
    tests: list[CodeTest] = Field(min_length=3)
    # "unordered" lets a list answer match in any order (e.g. pairs of indices, groups of anagrams).
    compare: Literal["exact", "unordered"] = "exact"

    @model_validator(mode="after")
    def _signatures_name_the_function(self) -> "CodingSpec":
        for signature in (self.python_signature, self.javascript_signature):
            if self.function_name not in signature:
                raise ValueError(f"signature {signature!r} does not name {self.function_name!r}")
        return self


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    types: list[str] = Field(min_length=1)
    category: Category
    difficulty: int = Field(ge=1, le=3)
    topic: str = Field(min_length=3)
    text: str = Field(min_length=15)
    # The same question in other words, for "could you rephrase that?".
    rephrasing: str | None = Field(default=None, min_length=15)
    key_points: list[KeyPoint] = Field(min_length=3, max_length=10)
    follow_ups: list[FollowUp] = Field(min_length=1, max_length=4)
    # Graded: the first is a gentle nudge, each next one more specific.
    hints: list[str] = Field(min_length=1, max_length=3)
    red_flags: list[str] = Field(default_factory=list)
    clarifications: list[Clarification] = Field(default_factory=list, max_length=6)
    terms: list[Term] = Field(default_factory=list, max_length=6)
    coding: CodingSpec | None = None

    @model_validator(mode="after")
    def _follow_ups_target_key_points(self) -> "Question":
        ids = [kp.id for kp in self.key_points]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id}: duplicate key point ids")
        for follow_up in self.follow_ups:
            if follow_up.key_point not in ids:
                raise ValueError(
                    f"question {self.id}: follow-up targets unknown key point {follow_up.key_point!r}"
                )
        if self.category == "coding" and self.coding is None:
            raise ValueError(f"question {self.id}: coding questions need a coding spec")
        return self

    @property
    def story(self) -> bool:
        """Answered with a story (STAR), whatever the interview type: Googleyness in google-sde, Leadership
        Principles in amazon-sde, CV probes."""
        return self.category in STORY_CATEGORIES

    def key_point(self, key_point_id: str) -> KeyPoint:
        return next(kp for kp in self.key_points if kp.id == key_point_id)

    def follow_up_for(self, key_point_id: str) -> FollowUp | None:
        return next((f for f in self.follow_ups if f.key_point == key_point_id), None)


class InterviewType(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = Field(min_length=10)
    default_questions: int = Field(ge=1, le=20)
    default_minutes: int = Field(ge=5, le=120)
    # Whether STAR structure is expected of answers (behavioural-style types).
    star: bool = False
    intro: str = Field(min_length=20, description="what the interviewer says about the format")
    # The categories a default-length interview asks, in order; the intro promises this mix.
    mix: list[Category] = Field(default_factory=list)
    # What candidates ask at the end ("what does the team value?"), answered from the type's notes.
    candidate_questions: list[Clarification] = Field(default_factory=list)


class BankFile(_Strict):
    """One file in prepai_cli/bank/data/: the type's metadata and its questions."""

    type: InterviewType
    questions: list[Question] = Field(min_length=15)

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[Question]) -> list[Question]:
        ids = [q.id for q in questions]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate question ids: {sorted(dupes)}")
        return questions

    @model_validator(mode="after")
    def _questions_belong_to_type(self) -> "BankFile":
        for q in self.questions:
            if self.type.slug not in q.types:
                raise ValueError(f"question {q.id} does not list its file's type {self.type.slug}")
        return self
