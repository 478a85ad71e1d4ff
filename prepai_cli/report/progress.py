"""Scores over sessions and the weak areas that recur, per interview type.

A key point counts as missed when the final evaluation of its question lists it as missed and that answer scored
below 7.5 (a strong answer that skipped one detail is not a weak area). A topic is weak once its questions have
missed key points at least twice in total, across all sessions of the type; `weak_topics` feeds those topics to the
next interview as `focus_topics`, which makes the offline brain ask about them first.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field

from prepai_cli.bank import QuestionBank, load_bank
from prepai_cli.report.build import build_report
from prepai_cli.report.coaching import STRONG_SCORE
from prepai_cli.report.fields import mean, round1
from prepai_cli.report.models import Report
from prepai_cli.store import SessionStore

PROGRESS_SCHEMA_VERSION = 1
WEAK_MIN_MISSES = 2
SERIES = ("overall", "technical", "structure", "specificity", "delivery")


class ProgressPoint(BaseModel):
    session_id: str
    created_at: str
    status: str
    questions_scored: int
    scores: dict[str, float | None] = Field(description="overall and each dimension, 0-10 or null")


class SeriesTrend(BaseModel):
    series: str
    sessions: int
    first: float
    last: float
    change: float = Field(description="last minus first")
    slope: float = Field(description="least-squares change per session")


class MissedKeyPoint(BaseModel):
    question_id: str
    key_point: str
    topic: str | None
    misses: int
    sessions: list[str]


class WeakArea(BaseModel):
    topic: str
    misses: int = Field(description="missed key points on this topic's questions, over all sessions")
    sessions: int = Field(description="how many sessions missed something on it")
    mean_score: float | None
    question_ids: list[str]
    missed_key_points: list[str]


class TypeProgress(BaseModel):
    type: str
    points: list[ProgressPoint]
    trends: list[SeriesTrend]
    weak_areas: list[WeakArea]
    recurring_key_points: list[MissedKeyPoint] = Field(description="the same key point missed in two or more sessions")


class ProgressReport(BaseModel):
    schema_version: int = PROGRESS_SCHEMA_VERSION
    types: list[TypeProgress]


def _point(report: Report) -> ProgressPoint:
    scores: dict[str, float | None] = {"overall": report.overall_score}
    for d in report.dimensions:
        scores[d.key] = d.score
    return ProgressPoint(
        session_id=report.session_id, created_at=report.created_at, status=report.status,
        questions_scored=sum(1 for q in report.questions if q.score is not None), scores=scores,
    )


def _slope(values: list[float]) -> float:
    n = len(values)
    xs = range(n)
    x_mean = (n - 1) / 2
    y_mean = sum(values) / n
    denominator = sum((x - x_mean) ** 2 for x in xs)
    return sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, values)) / denominator if denominator else 0.0


def _trends(points: list[ProgressPoint]) -> list[SeriesTrend]:
    trends = []
    for series in SERIES:
        values = [p.scores[series] for p in points if p.scores.get(series) is not None]
        if len(values) < 2:
            continue
        clean = [float(v) for v in values if v is not None]
        trends.append(SeriesTrend(series=series, sessions=len(clean), first=clean[0], last=clean[-1],
                                  change=round(clean[-1] - clean[0], 1), slope=round(_slope(clean), 2)))
    return trends


def _weak_areas(reports: list[Report]) -> tuple[list[WeakArea], list[MissedKeyPoint]]:
    misses: dict[str, int] = defaultdict(int)
    sessions: dict[str, set[str]] = defaultdict(set)
    scores: dict[str, list[float]] = defaultdict(list)
    question_ids: dict[str, list[str]] = defaultdict(list)
    texts: dict[str, list[str]] = defaultdict(list)
    key_points: dict[tuple[str, str], list[str]] = defaultdict(list)
    key_point_topic: dict[tuple[str, str], str | None] = {}
    for report in reports:
        for q in report.questions:
            if not q.topic:
                continue
            if q.score is not None:
                scores[q.topic].append(q.score)
            if q.score is None or q.score >= STRONG_SCORE or not q.missed:
                continue
            misses[q.topic] += len(q.missed)
            sessions[q.topic].add(report.session_id)
            if q.question_id and q.question_id not in question_ids[q.topic]:
                question_ids[q.topic].append(q.question_id)
            for text in q.missed:
                if text not in texts[q.topic]:
                    texts[q.topic].append(text)
                if q.question_id:
                    key_points[(q.question_id, text)].append(report.session_id)
                    key_point_topic[(q.question_id, text)] = q.topic
    areas = [
        WeakArea(topic=topic, misses=count, sessions=len(sessions[topic]), mean_score=round1(mean(scores[topic])),
                 question_ids=question_ids[topic], missed_key_points=texts[topic])
        for topic, count in misses.items() if count >= WEAK_MIN_MISSES
    ]
    areas.sort(key=lambda a: (-a.sessions, -a.misses, a.mean_score if a.mean_score is not None else 0.0, a.topic))
    recurring = [
        MissedKeyPoint(question_id=qid, key_point=text, topic=key_point_topic[(qid, text)], misses=len(ids),
                       sessions=sorted(set(ids)))
        for (qid, text), ids in key_points.items() if len(set(ids)) >= WEAK_MIN_MISSES
    ]
    recurring.sort(key=lambda k: (-k.misses, k.question_id, k.key_point))
    return areas, recurring


def type_progress(store: SessionStore, interview_type: str, bank: QuestionBank) -> TypeProgress:
    reports = [build_report(s, store.turns(s.id), bank) for s in store.list_sessions(interview_type)]
    scored = [r for r in reports if r.overall_score is not None]
    points = [_point(r) for r in scored]
    areas, recurring = _weak_areas(scored)
    return TypeProgress(type=interview_type, points=points, trends=_trends(points), weak_areas=areas,
                        recurring_key_points=recurring)


def build_progress(store: SessionStore, bank: QuestionBank, interview_type: str | None = None) -> ProgressReport:
    if interview_type is not None:
        bank.interview_type(interview_type)  # an unknown type is an error, not an empty chart
        types = [interview_type]
    else:
        present = {s.type for s in store.list_sessions()}
        types = [slug for slug in bank.slugs if slug in present] + sorted(present - set(bank.slugs))
    return ProgressReport(types=[type_progress(store, t, bank) for t in types])


def weak_topics(store: SessionStore, interview_type: str, bank: QuestionBank | None = None) -> list[str]:
    """Topics to favour in the next interview of this type, weakest first (pass as settings["focus_topics"])."""
    return [area.topic for area in type_progress(store, interview_type, bank or load_bank()).weak_areas]
