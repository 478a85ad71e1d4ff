"""Sessions written into the store turn by turn, with the numbers each test recomputes by hand."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import Session
from prepai_cli.store import SessionStore
from tests.report.builders import SessionWriter, evaluation, voice_metrics

STAR_PARTIAL = {"situation": True, "task": True, "action": True, "result": False, "measurable_result": False}
STAR_FULL = {"situation": True, "task": True, "action": True, "result": True, "measurable_result": True}
STAR_SITUATION_ONLY = {"situation": True, "task": False, "action": False, "result": False, "measurable_result": False}

ANSWER_1 = ("In my last role I had two weeks to learn Kubernetes for a migration. Um, the feedback from my lead "
            "was to pair with the platform team, so I did that.")
ANSWER_2 = "I learned to read the source first. The migration shipped and the feedback was good."
ANSWER_3 = ("My lead gave me feedback that my reviews were too harsh. I changed how I write comments and asked "
            "for feedback again a month later; Kubernetes reviews got faster.")
ANSWER_4 = "I basically helped a junior engineer, um, grow."


@dataclass
class SpokenSession:
    session: Session
    questions: list[Question]


@pytest.fixture
def spoken(store: SessionStore, bank: QuestionBank) -> SpokenSession:
    """A spoken behavioural interview: three questions, four answers, a follow-up and a hint."""
    q1, q2, q3 = bank.questions("behavioral")[:3]
    w = SessionWriter(store, "behavioral")
    w.intro(0)
    w.question(q1, at=10)
    first = [q1.key_points[0].id]
    w.answer(q1, ANSWER_1, at=20, duration=60, evaluation=evaluation(q1, first, 4.0, structure=STAR_PARTIAL, specificity=0.3),
             metrics=voice_metrics(words=140, speaking_s=60, fillers=[("um", 3.2), ("like", 10.0)],
                                   longest_pause_s=4.5, think_time_s=2.0, latency_ms=800))
    w.follow_up(q1, at=85)
    # The evaluation on the last answer to a question covers all its answers together: it is the final one.
    w.answer(q1, ANSWER_2, at=90, duration=20,
             evaluation=evaluation(q1, [kp.id for kp in q1.key_points[:2]], 5.0, structure=STAR_PARTIAL,
                                   specificity=0.4, suggestions=["Say what the result was."]),
             metrics=voice_metrics(words=50, speaking_s=20, fillers=[("um", 1.0)], longest_pause_s=1.0,
                                   think_time_s=1.0, latency_ms=1000))
    w.question(q2, at=120)
    w.hint(q2, at=130)
    w.answer(q2, ANSWER_3, at=140, duration=60,
             evaluation=evaluation(q2, [kp.id for kp in q2.key_points[:4]], 8.0, structure=STAR_FULL, specificity=0.8),
             metrics=voice_metrics(words=150, speaking_s=60, longest_pause_s=6.0, think_time_s=4.0, latency_ms=1200))
    w.question(q3, at=210)
    w.answer(q3, ANSWER_4, at=220, duration=30,
             evaluation=evaluation(q3, [q3.key_points[0].id], 3.0, structure=STAR_SITUATION_ONLY, specificity=0.2,
                                   red_flags=["Takes credit for the team's work."]),
             metrics=voice_metrics(words=60, speaking_s=30, fillers=[("basically", 2.0), ("um", 5.0), ("um", 9.0)],
                                   longest_pause_s=2.0, think_time_s=3.0, latency_ms=2000))
    w.closing(at=260)
    return SpokenSession(w.finish("ended"), [q1, q2, q3])


@dataclass
class TypedSession:
    session: Session
    questions: list[Question]


@pytest.fixture
def typed(store: SessionStore, bank: QuestionBank) -> TypedSession:
    """A typed Google SDE interview: no voice metrics at all."""
    q1, q2 = bank.questions("google-sde")[:2]
    w = SessionWriter(store, "google-sde")
    w.intro(0)
    w.question(q1, at=10)
    w.answer(q1, "I would keep a hash map from each value to its index and look up the complement in one pass.",
             at=20, duration=45, evaluation=evaluation(q1, [kp.id for kp in q1.key_points[1:3]], 6.5))
    w.question(q2, at=70)
    w.answer(q2, "Sum zero to n and subtract the actual sum; the hash map is not needed.", at=80, duration=30,
             evaluation=evaluation(q2, [kp.id for kp in q2.key_points[:1]], 4.0))
    w.closing(at=115)
    return TypedSession(w.finish("ended"), [q1, q2])
