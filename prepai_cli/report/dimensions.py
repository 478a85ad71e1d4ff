"""The four scored dimensions of a report, each derived from what is stored on the candidate's turns.

Definitions (also in docs/report-schema.md):
- technical: per question, covered key points / all key points, ×10, averaged over the scored questions.
- structure: per STAR-scored question, the share of situation, task, action, result and measurable result present,
  ×10, averaged. Only interview types that expect STAR answers are scored on it.
- specificity: the evaluator's 0-1 specificity per question, ×10, averaged.
- delivery: per spoken answer, 10 minus penalties for pace outside 120-160 wpm, fillers and long pauses, averaged.
"""

from __future__ import annotations

from prepai_cli.report.fields import mean, round1
from prepai_cli.report.models import AnswerDelivery, DimensionScore, QuestionReport

STAR_ELEMENTS = ("situation", "task", "action", "result", "measurable_result")

# A comfortable interview pace: slower reads as hesitant, faster is hard to follow.
PACE_RANGE_WPM = (120.0, 160.0)
PACE_PENALTY_PER_WPM = 0.1
PACE_PENALTY_MAX = 4.0
FILLER_PENALTY_PER_RATE = 0.75  # per filler per 100 words
FILLER_PENALTY_MAX = 4.0
PAUSE_ALLOWED_S = 3.0  # a pause this long is thinking; longer ones lose the listener
PAUSE_PENALTY_PER_S = 0.5
PAUSE_PENALTY_MAX = 2.0


def star_share(structure: dict[str, bool]) -> float:
    return sum(1 for element in STAR_ELEMENTS if structure.get(element)) / len(STAR_ELEMENTS)


def delivery_score(delivery: AnswerDelivery) -> float | None:
    if delivery.wpm is None and delivery.words is None:
        return None
    penalty = 0.0
    if delivery.wpm is not None:
        low, high = PACE_RANGE_WPM
        off_pace = max(low - delivery.wpm, delivery.wpm - high, 0.0)
        penalty += min(off_pace * PACE_PENALTY_PER_WPM, PACE_PENALTY_MAX)
    if delivery.words:
        rate = 100 * len(delivery.fillers) / delivery.words
        penalty += min(rate * FILLER_PENALTY_PER_RATE, FILLER_PENALTY_MAX)
    if delivery.longest_pause_s is not None:
        over = max(delivery.longest_pause_s - PAUSE_ALLOWED_S, 0.0)
        penalty += min(over * PAUSE_PENALTY_PER_S, PAUSE_PENALTY_MAX)
    return max(0.0, 10.0 - penalty)


def _dimension(key: str, name: str, values: list[float], basis: str, absent: str) -> DimensionScore:
    score = mean(values)
    return DimensionScore(
        key=key,  # type: ignore[arg-type]  # the callers below pass the four literal keys
        name=name, score=round1(score), samples=len(values), basis=basis,
        absent_reason=None if values else absent,
    )


def score_dimensions(questions: list[QuestionReport], *, star_type: bool, spoken: bool) -> list[DimensionScore]:
    coverage = [10 * q.coverage for q in questions if q.coverage is not None]
    structure = [10 * star_share(q.structure) for q in questions if q.structure]
    specificity = [10 * q.specificity for q in questions if q.specificity is not None]
    delivery = [
        s for q in questions for a in q.answers if a.kind == "answer" and a.delivery is not None
        for s in [delivery_score(a.delivery)] if s is not None
    ]
    if star_type:
        structure_absent = "no answer was scored for STAR structure yet"
    else:
        structure_absent = "this interview type does not expect STAR-structured answers, so structure is not scored"
    delivery_absent = (
        "no spoken answers were measured" if spoken else
        "typed or scripted session: delivery needs a spoken interview"
    )
    return [
        _dimension("technical", "Technical accuracy / coverage", coverage,
                   "share of each question's key points your answers covered, ×10, averaged over questions",
                   "no answer was scored yet"),
        _dimension("structure", "Structure (STAR)", structure,
                   "share of situation, task, action, result and a measurable result present, ×10, averaged",
                   structure_absent),
        _dimension("specificity", "Specificity", specificity,
                   "how concrete the answers were (numbers, named systems, your own actions), ×10, averaged",
                   "no answer was scored yet"),
        _dimension("delivery", "Communication / delivery", delivery,
                   "per spoken answer: 10 minus penalties for pace outside 120-160 wpm, fillers per 100 words and "
                   "pauses over 3 s, averaged",
                   delivery_absent),
    ]
