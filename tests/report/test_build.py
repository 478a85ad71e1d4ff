"""Report numbers against the stored turns they come from (values worked out by hand in the comments)."""

from __future__ import annotations

import pytest

from prepai_cli.bank import QuestionBank
from prepai_cli.report.build import build_report
from prepai_cli.report.delivery import TEXT_ONLY_REASON
from prepai_cli.store import SessionStore
from tests.report.builders import SessionWriter, evaluation
from tests.report.conftest import ANSWER_1, ANSWER_2, ANSWER_3, ANSWER_4, SpokenSession, TypedSession


def _build(store: SessionStore, bank: QuestionBank, session_id: str):
    return build_report(store.get_session(session_id), store.turns(session_id), bank)


def test_questions_carry_transcripts_key_points_follow_ups_hints_and_time(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _build(store, bank, spoken.session.id)
    q1, q2, q3 = spoken.questions
    assert [q.question_id for q in report.questions] == [q1.id, q2.id, q3.id]
    first, second, third = report.questions
    assert [a.text for a in first.answers] == [ANSWER_1, ANSWER_2]
    assert [a.text for a in second.answers] == [ANSWER_3] and [a.text for a in third.answers] == [ANSWER_4]
    # The final evaluation (on the second answer) wins over the first answer's.
    assert first.score == 5.0 and [a.score for a in first.answers] == [4.0, 5.0]
    assert first.covered == [kp.text for kp in q1.key_points[:2]]
    assert first.missed == [kp.text for kp in q1.key_points[2:]]
    assert first.follow_ups == [q1.follow_ups[0].text.strip()] and first.hints == []
    assert second.hints == [q2.hints[0]] and second.follow_ups == []
    assert third.red_flags == ["Takes credit for the team's work."]
    assert first.suggestions == ["Say what the result was."]
    # Asked at 10 s, last answer ended at 90 + 20; asked at 120, answered until 200; asked at 210, until 250.
    assert [q.time_taken_s for q in report.questions] == [100.0, 80.0, 40.0]
    assert [a.duration_s for a in first.answers] == [60.0, 20.0]


def test_overall_and_dimension_scores(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _build(store, bank, spoken.session.id)
    assert report.overall_score == 5.3  # (5 + 8 + 3) / 3
    scores = {d.key: d.score for d in report.dimensions}
    # Coverage 2/5, 4/5, 1/5 → 4, 8, 2 → 4.67.
    assert scores["technical"] == 4.7
    # STAR elements present 3/5, 5/5, 1/5 → 6, 10, 2.
    assert scores["structure"] == 6.0
    # Specificity 0.4, 0.8, 0.2 (the final evaluations) → 4.67.
    assert scores["specificity"] == 4.7
    # Per answer: 10 - fillers 2/140*100*0.75 - pause (4.5-3)*0.5 = 8.18; 10 - 1/50*100*0.75 = 8.5;
    # 10 - (6-3)*0.5 = 8.5; 10 - 3/60*100*0.75 = 6.25. Mean 7.86. All paces are within 120-160 wpm.
    assert scores["delivery"] == 7.9
    assert all(d.samples for d in report.dimensions)


def test_delivery_summary_from_voice_metrics(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    d = _build(store, bank, spoken.session.id).delivery
    assert d.available and d.answers_measured == 4
    assert d.total_words == 400
    assert d.average_wpm == 141.2  # 400 words over 170 s of speech
    assert d.total_fillers == 6 and d.fillers_per_100_words == 1.5
    assert [(c.word, c.count) for c in d.filler_counts] == [("um", 4), ("basically", 1), ("like", 1)]
    assert [(f.question_number, f.answer_index, f.word, f.t) for f in d.filler_locations] == [
        (1, 0, "um", 3.2), (1, 0, "like", 10.0), (1, 1, "um", 1.0), (3, 0, "basically", 2.0), (3, 0, "um", 5.0),
        (3, 0, "um", 9.0)]
    assert [(p.question_number, p.seconds) for p in d.longest_pauses] == [(2, 6.0), (1, 4.5), (3, 2.0), (1, 1.0)]
    assert d.average_think_time_s == 2.5
    latency = {l.metric: l for l in d.latency}
    # Response latencies 800, 1000, 1200, 2000 ms: p50 halfway between 1000 and 1200, p90 at 70% from 1200 to 2000.
    assert (latency["response_latency_ms"].p50_ms, latency["response_latency_ms"].p90_ms) == (1100.0, 1760.0)
    assert latency["response_latency_ms"].samples == 4
    per_answer = [a.delivery.wpm for q in _build(store, bank, spoken.session.id).questions for a in q.answers]
    assert per_answer == [140.0, 150.0, 150.0, 120.0]


def test_work_on_ranks_the_three_most_valuable_fixes(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _build(store, bank, spoken.session.id)
    # Missed points: Q3 10*(1-0.2)=8, Q1 6, Q2 2; specificity (10-4.7)*0.8=4.24; STAR (10-6)*0.8=3.2; fillers
    # 1.5 per 100 words is under the limit.
    assert [(w.source, w.question_numbers, w.impact) for w in report.work_on] == [
        ("missed_key_points", [3], 8.0), ("missed_key_points", [1], 6.0), ("specificity", [1, 3], 4.24)]
    q3 = spoken.questions[2]
    # Q3 missed four key points: the first two are named, the rest counted.
    detail = report.work_on[0].detail
    assert all(kp.text.rstrip(".") in detail for kp in q3.key_points[1:3])
    assert q3.key_points[3].text.rstrip(".") not in detail and detail.endswith("and 2 more (see question details).")


def test_strengths_and_practice_questions(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _build(store, bank, spoken.session.id)
    q1, q2, q3 = spoken.questions
    assert f"Strong answer on {q2.topic} (8.0/10)" in report.strengths
    assert "Communication / delivery: 7.9/10" in report.strengths
    assert "Comfortable pace (141 words per minute)" in report.strengths
    asked = {q.id for q in spoken.questions}
    type_ids = {q.id for q in bank.questions("behavioral")}
    # One new question per weak question (Q3 at 3.0, then Q1 at 5.0; Q2 is strong), then a retry of the weakest.
    new, retry = report.practice[:2], report.practice[2:]
    assert all(p.question_id in type_ids and p.question_id not in asked for p in new)
    assert q3.topic in new[0].reason and q1.topic in new[1].reason
    assert [p.question_id for p in retry] == [q3.id]


def test_insights_terms_repeated_words_and_talking_points(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    insights = _build(store, bank, spoken.session.id).insights
    terms = {t.term: t.count for t in insights.job_terms}
    # "feedback" is rubric vocabulary for behavioural questions; "kubernetes" is not.
    assert terms["feedback"] == 4
    assert "kubernetes" not in terms
    repeated = {t.term: t.count for t in insights.repeated_words}
    assert repeated["kubernetes"] == 2 and repeated["feedback"] == 4 and repeated["migration"] == 2
    assert "the" not in repeated and "um" not in repeated
    points = {tp.key: tp for tp in insights.talking_points}
    assert points["experience"].covered and points["experience"].evidence[0].startswith("In my last role")
    assert points["lessons"].covered and points["lessons"].evidence == ["I learned to read the source first."]
    assert not points["skills"].covered


def test_text_only_session_explains_missing_delivery(typed: TypedSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _build(store, bank, typed.session.id)
    assert not report.delivery.available and report.delivery.absent_reason == TEXT_ONLY_REASON
    delivery = report.dimension("delivery")
    assert delivery is not None and delivery.score is None and "typed" in (delivery.absent_reason or "")
    structure = report.dimension("structure")
    assert structure is not None and structure.score is None and "STAR" in (structure.absent_reason or "")
    assert all(a.delivery is None for q in report.questions for a in q.answers)
    assert report.overall_score == 5.2  # (6.5 + 4.0) / 2, rounded half to even by round()
    assert not report.partial


@pytest.mark.parametrize("status", ["abandoned", "active"])
def test_unfinished_session_gives_a_marked_partial_report(status: str, store: SessionStore, bank: QuestionBank) -> None:
    q1, q2 = bank.questions("system-design")[:2]
    w = SessionWriter(store, "system-design")
    w.intro(0)
    w.question(q1, at=10)
    w.answer(q1, "I would put a cache in front of the database.", at=20, duration=30,
             evaluation=evaluation(q1, [q1.key_points[0].id], 3.5))
    w.question(q2, at=60)
    session = w.finish(status) if status != "active" else w.session
    report = _build(store, bank, session.id)
    assert report.partial and report.status == status
    assert report.partial_reason and (status != "abandoned" or f"--resume {session.id}" in report.partial_reason)
    assert [q.question_id for q in report.questions] == [q1.id, q2.id]
    assert report.questions[1].answers == [] and report.questions[1].score is None
    assert report.questions[1].time_taken_s is None
    assert report.overall_score == 3.5


def test_handing_over_the_editor_is_not_a_follow_up(store: SessionStore, bank: QuestionBank) -> None:
    question = bank.question("code-merge-intervals")
    assert question is not None
    writer = SessionWriter(store, "coding-round")
    writer.intro()
    writer.question(question, at=5)
    writer.answer(question, "I'd sort by start and merge as I go.", at=15, duration=10)
    writer._add("interviewer", "follow_up", "Sounds good. Go ahead and write the code.", 26, 3,
                question_id=question.id, meta={"key_point": "code"})
    writer._add("interviewer", "challenge", "Are you sure the input is already sorted?", 30, 3,
                question_id=question.id, meta={"key_point": question.key_points[0].id})
    writer.closing(at=40)
    session = writer.finish()
    report = _build(store, bank, session.id)
    assert report.questions[0].follow_ups == ["Are you sure the input is already sorted?"]


def test_a_repeat_request_is_shown_as_such_and_left_out_of_delivery(store: SessionStore, bank: QuestionBank) -> None:
    question = bank.question("code-merge-intervals")
    assert question is not None
    writer = SessionWriter(store, "coding-round")
    writer.intro()
    writer.question(question, at=5)
    fast = {"wpm": 388.0, "words": 11, "fillers": [], "longest_pause_s": 0.1, "input": "voice"}
    writer.answer(question, "Sorry, could you repeat the question?", at=15, duration=1.7, metrics=fast,
                  evaluation={"intent": "repeat_request", "scored": False})
    writer.answer(question, "I'd sort by start and merge each interval into the last one when they overlap.",
                  at=30, duration=6, metrics={"wpm": 140.0, "words": 15, "fillers": [], "longest_pause_s": 0.4,
                                              "input": "voice"},
                  evaluation=evaluation(question, [question.key_points[0].id], 6.0))
    writer.closing(at=40)
    report = _build(store, bank, writer.finish().id)
    kinds = [a.kind for a in report.questions[0].answers]
    assert kinds == ["repeat_request", "answer"]
    communication = next(d for d in report.dimensions if d.key == "delivery")
    assert communication.samples == 1 and communication.score == 10.0, communication
