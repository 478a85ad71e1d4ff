"""The report as data: what every renderer (terminal, Markdown, HTML, JSON, TUI) reads.

The JSON form of `Report` is a published format (docs/report-schema.md): bump REPORT_SCHEMA_VERSION whenever a field
is removed, renamed or changes meaning; adding an optional field does not need a bump.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = 2

DimensionKey = Literal["technical", "structure", "specificity", "delivery"]
TalkingPointKey = Literal["experience", "skills", "lessons"]
WorkOnSource = Literal["missed_key_points", "star_gap", "specificity", "fillers"]


class _Model(BaseModel):
    # Unknown keys in a stored report.json mean it came from a newer PrepAI; the store regenerates instead.
    model_config = ConfigDict(extra="forbid")


class FillerUse(_Model):
    word: str
    t: float | None = Field(None, description="seconds from the start of the answer, when the recogniser knew")


class AnswerDelivery(_Model):
    """Voice metrics of one spoken answer, copied from the turn's metrics."""

    speaking_s: float | None = None
    words: int | None = None
    wpm: float | None = None
    fillers: list[FillerUse] = Field(default_factory=list)
    longest_pause_s: float | None = None
    think_time_s: float | None = None
    response_latency_ms: float | None = None


class AnswerRecord(_Model):
    text: str
    kind: str
    score: float | None = None
    started_at: str
    ended_at: str
    duration_s: float
    delivery: AnswerDelivery | None = None


class LLMJudgementReport(_Model):
    """The interviewing LLM's own judgement of a question's answers (prepai_cli/agent/llm_judge), beside the rubric."""

    model: str = Field(description="the model that judged")
    judged_by: str = Field(description="the model and where it ran, e.g. 'llama3.2:3b on Ollama'")
    score: float = Field(description="0-10")
    verdict: str = Field(description="the model's feedback, one to three sentences")
    covered: list[str] = Field(default_factory=list, description="texts of the key points the model found covered")
    missed: list[str] = Field(default_factory=list, description="texts of the key points the model found missed")
    misconceptions: list[str] = Field(default_factory=list, description="wrong claims the model found in the answers")


class QuestionReport(_Model):
    number: int
    question_id: str | None
    topic: str | None
    category: str | None = None
    question: str
    answers: list[AnswerRecord]
    follow_ups: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)
    score: float | None = None
    covered: list[str] = Field(default_factory=list, description="texts of the key points the answers covered")
    missed: list[str] = Field(default_factory=list, description="texts of the key points the answers missed")
    covered_ids: list[str] = Field(default_factory=list)
    missed_ids: list[str] = Field(default_factory=list)
    coverage: float | None = Field(None, description="covered / (covered + missed), 0-1")
    structure: dict[str, bool] | None = Field(None, description="STAR elements present, for STAR interview types")
    specificity: float | None = None
    red_flags: list[str] = Field(default_factory=list)
    wrong_claims: list[str] = Field(default_factory=list,
                                    description="misconceptions the answers stated, each with what is true instead")
    behaviours: list[str] = Field(default_factory=list,
                                  description="story behaviours an interviewer weighs (blame, heroics, skipped review)")
    code: str | None = Field(None, description="the sandbox's verdict on the submitted code: tests passed, first failure")
    off_topic: bool = Field(False, description="the answers did not address this question")
    judgement: list[str] = Field(default_factory=list, description="why the score: what was right, wrong, missing")
    suggestions: list[str] = Field(default_factory=list)
    time_taken_s: float | None = Field(
        None, description="from the question being asked to the end of the last answer to it"
    )
    llm_judgement: LLMJudgementReport | None = Field(
        None, description="the LLM brain's judgement of the answers; the rubric fields above are the offline check"
    )


class DimensionScore(_Model):
    key: DimensionKey
    name: str
    score: float | None = Field(None, description="0-10; null when the session has nothing to measure it by")
    samples: int = Field(0, description="how many answers the score is averaged over")
    basis: str = Field(description="how the score is computed, in one sentence")
    absent_reason: str | None = None


class FillerCount(_Model):
    word: str
    count: int


class FillerLocation(_Model):
    question_number: int
    answer_index: int
    word: str
    t: float | None = None


class LatencySummary(_Model):
    metric: str
    samples: int
    p50_ms: float
    p90_ms: float


class PauseRecord(_Model):
    question_number: int
    answer_index: int
    seconds: float


class DeliverySummary(_Model):
    available: bool
    absent_reason: str | None = None
    answers_measured: int = 0
    average_wpm: float | None = Field(None, description="all words / all speaking minutes")
    total_words: int = 0
    total_fillers: int = 0
    fillers_per_100_words: float | None = None
    filler_counts: list[FillerCount] = Field(default_factory=list)
    filler_locations: list[FillerLocation] = Field(default_factory=list)
    longest_pauses: list[PauseRecord] = Field(default_factory=list, description="longest first, at most five")
    average_think_time_s: float | None = None
    latency: list[LatencySummary] = Field(default_factory=list)


class WorkOnItem(_Model):
    source: WorkOnSource
    title: str
    detail: str
    impact: float = Field(description="0-10 estimate of how much fixing this would lift your scores; ranks items")
    question_numbers: list[int] = Field(default_factory=list)


class PracticeQuestion(_Model):
    question_id: str
    topic: str
    difficulty: int
    text: str
    reason: str


class TermUse(_Model):
    term: str
    count: int


class TalkingPoint(_Model):
    key: TalkingPointKey
    name: str
    covered: bool
    evidence: list[str] = Field(default_factory=list, description="the sentences that mention it, at most three")


class Insights(_Model):
    job_terms: list[TermUse] = Field(default_factory=list)
    repeated_words: list[TermUse] = Field(default_factory=list)
    talking_points: list[TalkingPoint] = Field(default_factory=list)


class Provenance(_Model):
    generated_at: str
    evaluator_version: str | None = Field(None, description="the evaluator's declared version, when it has one")
    evaluation_fingerprint: str = Field(
        description="sha256 over the stored turns' text, evaluations and metrics; a change means the report is stale"
    )
    builder_fingerprint: str | None = Field(None, description="sha256 of the report code that built it")


class Report(_Model):
    schema_version: int = REPORT_SCHEMA_VERSION
    session_id: str
    type: str
    type_title: str | None = None
    brain: str
    candidate: str
    status: str
    partial: bool = Field(False, description="true when the session did not end normally (active or abandoned)")
    partial_reason: str | None = None
    created_at: str
    ended_at: str | None
    overall_score: float | None = Field(None, description="mean of the per-question scores, one decimal")
    llm_overall_score: float | None = Field(None, description="mean of the LLM judgement scores, one decimal")
    llm_judged_by: str | None = Field(None, description="the model(s) that judged the answers, when an LLM did")
    dimensions: list[DimensionScore] = Field(default_factory=list)
    questions: list[QuestionReport]
    delivery: DeliverySummary
    strengths: list[str] = Field(default_factory=list)
    work_on: list[WorkOnItem] = Field(default_factory=list, description="the three most valuable things to work on")
    practice: list[PracticeQuestion] = Field(default_factory=list)
    insights: Insights = Field(default_factory=Insights)
    provenance: Provenance | None = None

    def dimension(self, key: DimensionKey) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.key == key), None)
