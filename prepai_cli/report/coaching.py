"""What to keep, what to fix first, and what to practise next, ranked from the scored report data.

Work-on items carry an `impact` (0-10) so different kinds of problems can be ranked against each other:
- missed key points on a question: 10 × (1 − coverage), one item per question;
- STAR gaps: (10 − structure score) × 0.8, one item naming the missing elements;
- low specificity (score under 6): (10 − specificity score) × 0.8;
- fillers (over 2 per 100 words): min(10, 1.5 × fillers per 100 words) × 0.8.
Structure, specificity and fillers are weighted below content because a missed key point is a wrong or incomplete
answer, while the others make a right answer land less well.
"""

from __future__ import annotations

from prepai_cli.bank import Question
from prepai_cli.report.dimensions import PACE_RANGE_WPM, STAR_ELEMENTS
from prepai_cli.report.models import (
    DeliverySummary, DimensionScore, PracticeQuestion, QuestionReport, WorkOnItem,
)
from prepai_cli.report.text import is_content_word, tokens

STRONG_SCORE = 7.5
LOW_SPECIFICITY_SCORE = 6.0
FILLER_RATE_LIMIT = 2.0
STYLE_WEIGHT = 0.8
MAX_WORK_ON = 3
MAX_STRENGTHS = 5
MAX_PRACTICE = 3
MAX_MISSED_SHOWN = 2
STAR_NAMES = {"situation": "the situation", "task": "your task", "action": "the actions you took",
              "result": "the result", "measurable_result": "a measurable result"}


def strengths(questions: list[QuestionReport], dimensions: list[DimensionScore], delivery: DeliverySummary) -> list[str]:
    found: list[str] = []
    for q in sorted((q for q in questions if q.score is not None), key=lambda q: -(q.score or 0)):
        if (q.score or 0) >= STRONG_SCORE:
            found.append(f"Strong answer on {q.topic or 'question ' + str(q.number)} ({q.score:.1f}/10)")
    for d in dimensions:
        if d.score is not None and d.score >= STRONG_SCORE:
            found.append(f"{d.name}: {d.score:.1f}/10")
    if delivery.available and delivery.fillers_per_100_words is not None and delivery.fillers_per_100_words <= 1.0:
        found.append(f"Few filler words ({delivery.fillers_per_100_words:.1f} per 100 words)")
    low, high = PACE_RANGE_WPM
    if delivery.available and delivery.average_wpm is not None and low <= delivery.average_wpm <= high:
        found.append(f"Comfortable pace ({delivery.average_wpm:.0f} words per minute)")
    return found[:MAX_STRENGTHS]


def _missed_detail(missed: list[str]) -> str:
    # The evaluator lists missed points most important first; the full list is in the question's section.
    shown = "; ".join(t.rstrip(". ") for t in missed[:MAX_MISSED_SHOWN])
    more = len(missed) - MAX_MISSED_SHOWN
    return f"You did not cover: {shown}" + (f"; and {more} more (see question details)." if more > 0 else ".")


def _missed_items(questions: list[QuestionReport]) -> list[WorkOnItem]:
    items = []
    for q in questions:
        if q.coverage is None or not q.missed:
            continue
        items.append(WorkOnItem(
            source="missed_key_points",
            title=f"Cover the missing points on {q.topic or 'question ' + str(q.number)}",
            detail=_missed_detail(q.missed),
            impact=round(10 * (1 - q.coverage), 2),
            question_numbers=[q.number],
        ))
    return items


def _star_item(questions: list[QuestionReport], structure: DimensionScore | None) -> WorkOnItem | None:
    scored = [q for q in questions if q.structure]
    if not scored or structure is None or structure.score is None or structure.score >= 10:
        return None
    gaps = []
    numbers: set[int] = set()
    for element in STAR_ELEMENTS:
        lacking = [q.number for q in scored if not (q.structure or {}).get(element)]
        if lacking:
            numbers.update(lacking)
            gaps.append(f"{STAR_NAMES[element]} in {len(lacking)} of {len(scored)} answers")
    return WorkOnItem(
        source="star_gap", title="Complete your STAR stories",
        detail="Missing " + "; ".join(gaps) + ".",
        impact=round((10 - structure.score) * STYLE_WEIGHT, 2), question_numbers=sorted(numbers),
    )


def _specificity_item(questions: list[QuestionReport], specificity: DimensionScore | None) -> WorkOnItem | None:
    if specificity is None or specificity.score is None or specificity.score >= LOW_SPECIFICITY_SCORE:
        return None
    vague = [q.number for q in questions if q.specificity is not None and 10 * q.specificity < LOW_SPECIFICITY_SCORE]
    return WorkOnItem(
        source="specificity", title="Be more specific",
        detail=(f"Specificity {specificity.score:.1f}/10: name the systems, numbers and your own actions "
                "instead of describing what one would do in general."),
        impact=round((10 - specificity.score) * STYLE_WEIGHT, 2), question_numbers=vague,
    )


def _filler_item(delivery: DeliverySummary) -> WorkOnItem | None:
    rate = delivery.fillers_per_100_words
    if not delivery.available or rate is None or rate <= FILLER_RATE_LIMIT:
        return None
    top = ", ".join(f"“{c.word}” ×{c.count}" for c in delivery.filler_counts[:3])
    return WorkOnItem(
        source="fillers", title="Cut filler words",
        detail=f"{delivery.total_fillers} fillers ({rate:.1f} per 100 words): {top}. Pause silently instead.",
        impact=round(min(10.0, 1.5 * rate) * STYLE_WEIGHT, 2),
        question_numbers=sorted({loc.question_number for loc in delivery.filler_locations}),
    )


def work_on(questions: list[QuestionReport], dimensions: list[DimensionScore], delivery: DeliverySummary) -> list[WorkOnItem]:
    by_key = {d.key: d for d in dimensions}
    items = _missed_items(questions)
    for item in (_star_item(questions, by_key.get("structure")), _specificity_item(questions, by_key.get("specificity")),
                 _filler_item(delivery)):
        if item is not None:
            items.append(item)
    # Stable sort: equal impacts keep the order above (content first).
    return sorted(items, key=lambda item: -item.impact)[:MAX_WORK_ON]


def _topic_words(topic: str) -> set[str]:
    return {t for t in tokens(topic) if is_content_word(t)}


def practice_questions(questions: list[QuestionReport], type_questions: list[Question]) -> list[PracticeQuestion]:
    """New questions on the weakest topics (sharing a topic word, else the same category); retries fill the rest."""
    asked = {q.question_id for q in questions if q.question_id}
    by_id = {q.id: q for q in type_questions}
    weak = sorted(
        (q for q in questions if q.question_id in by_id and (q.score is None or q.score < STRONG_SCORE)),
        key=lambda q: q.score if q.score is not None else -1.0,
    )
    chosen: list[PracticeQuestion] = []
    taken: set[str] = set(asked)
    for q in weak:
        source = by_id[q.question_id or ""]
        words = _topic_words(source.topic)
        candidates = [c for c in type_questions if c.id not in taken]
        related = [c for c in candidates if words & _topic_words(c.topic)] or [
            c for c in candidates if c.category == source.category
        ]
        if not related:
            continue
        pick = min(related, key=lambda c: (abs(c.difficulty - source.difficulty), c.id))
        taken.add(pick.id)
        score = "unanswered" if q.score is None else f"{q.score:.1f}/10"
        chosen.append(PracticeQuestion(
            question_id=pick.id, topic=pick.topic, difficulty=pick.difficulty, text=pick.text.strip(),
            reason=f"close to {source.topic} (question {q.number}, {score})",
        ))
        if len(chosen) == MAX_PRACTICE:
            return chosen
    for q in weak:
        if len(chosen) == MAX_PRACTICE:
            break
        source = by_id[q.question_id or ""]
        chosen.append(PracticeQuestion(
            question_id=source.id, topic=source.topic, difficulty=source.difficulty, text=source.text.strip(),
            reason=f"retry question {q.number}: the key points you missed are listed above",
        ))
    return chosen
