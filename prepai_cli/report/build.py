"""Builds a report from a session's stored turns; every number here is derived from those turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import Session, Turn, utcnow
from prepai_cli.errors import PrepAIError
from prepai_cli.report.coaching import practice_questions, strengths, work_on
from prepai_cli.report.delivery import answer_delivery, is_spoken, summarise_delivery
from prepai_cli.report.dimensions import score_dimensions
from prepai_cli.report.fields import dicts, mapping, number, round1, strings
from prepai_cli.report.fingerprint import builder_fingerprint, evaluation_fingerprint
from prepai_cli.report.insights import build_insights
from prepai_cli.report.models import (
    REPORT_SCHEMA_VERSION, AnswerRecord, LLMJudgementReport, Provenance, QuestionReport, Report,
)

__all__ = ["REPORT_SCHEMA_VERSION", "Report", "QuestionReport", "AnswerRecord", "build_report"]

PARTIAL_REASONS = {
    "active": "This interview is still in progress (or was interrupted without being saved as ended): "
              "the report covers only what was said so far.",
    "abandoned": "This interview was stopped before the end: the report covers only the questions reached. "
                 "Resume it with `prepai interview --resume {id}`.",
}


@dataclass
class _Block:
    """One main question and everything said about it until the next one."""

    report: QuestionReport
    asked_at: Turn
    evaluation: dict[str, Any] | None = None
    last_answer: Turn | None = None
    metrics: list[dict[str, Any] | None] = field(default_factory=list)
    llm_judgement: dict[str, Any] | None = None


def _key_point_texts(evaluation: dict[str, Any], question: Question | None) -> dict[str, str]:
    # The evaluator stores each key point's text; the bank is the fallback for brains that store only ids.
    texts = {kp.id: kp.text for kp in question.key_points} if question else {}
    for kp in dicts(evaluation, "key_points"):
        if kp.get("id") and kp.get("text"):
            texts[str(kp["id"])] = str(kp["text"])
    return texts


def _apply_evaluation(block: _Block, question: Question | None) -> None:
    evaluation = block.evaluation
    q = block.report
    if evaluation is None:
        return
    q.score = number(evaluation, "score")
    texts = _key_point_texts(evaluation, question)
    q.covered_ids = strings(evaluation, "covered")
    q.missed_ids = strings(evaluation, "missed")
    listed = dicts(evaluation, "key_points")
    if not q.covered_ids and not q.missed_ids and listed:
        q.covered_ids = [str(kp.get("id")) for kp in listed if kp.get("covered")]
        q.missed_ids = [str(kp.get("id")) for kp in listed if not kp.get("covered")]
    q.covered = [texts.get(i, i) for i in q.covered_ids]
    q.missed = [texts.get(i, i) for i in q.missed_ids]
    total = len(q.covered_ids) + len(q.missed_ids)
    q.coverage = round(len(q.covered_ids) / total, 4) if total else None
    structure = mapping(evaluation, "structure")
    q.structure = {str(k): bool(v) for k, v in structure.items()} if structure else None
    specificity = number(evaluation, "specificity")
    q.specificity = None if specificity is None else min(max(specificity, 0.0), 1.0)
    q.red_flags = strings(evaluation, "red_flags")
    q.wrong_claims = [f"You said \"{str(hit.get('said', '')).strip()}\". In fact: {str(hit.get('correction', '')).strip()}"
                      for hit in dicts(evaluation, "misconceptions")]
    q.behaviours = strings(evaluation, "behaviours")
    code = mapping(evaluation, "code")
    if code:
        passed, total = int(code.get("passed") or 0), int(code.get("total") or 0)
        failure = code.get("first_failure")
        q.code = f"{passed} of {total} tests passed" + (f"; first failing case: {failure}" if failure else "")
    q.off_topic = bool(evaluation.get("off_topic"))
    q.judgement = strings(evaluation, "notes")
    q.suggestions = strings(evaluation, "suggestions")


def _apply_llm_judgement(block: _Block, question: Question | None) -> None:
    judgement = block.llm_judgement
    if not judgement or number(judgement, "score") is None:
        return
    texts = _key_point_texts({}, question)
    block.report.llm_judgement = LLMJudgementReport(
        model=str(judgement.get("model") or "unknown model"),
        judged_by=str(judgement.get("judged_by") or judgement.get("model") or "an LLM"),
        score=round1(number(judgement, "score") or 0.0) or 0.0,
        verdict=str(judgement.get("verdict") or ""),
        covered=[texts.get(i, i) for i in strings(judgement, "covered")],
        missed=[texts.get(i, i) for i in strings(judgement, "missed")],
        misconceptions=strings(judgement, "misconceptions"),
    )


def _blocks(turns: list[Turn], bank: QuestionBank,
            llm_judgements: dict[int, dict[str, Any]] | None = None) -> list[_Block]:
    blocks: list[_Block] = []
    for turn in turns:
        if turn.role == "interviewer" and turn.kind == "question":
            question = bank.question(turn.question_id) if turn.question_id else None
            blocks.append(_Block(
                report=QuestionReport(
                    number=len(blocks) + 1, question_id=turn.question_id,
                    topic=question.topic if question else (turn.meta.get("topic") or None),
                    category=question.category if question else None,
                    question=question.text.strip() if question else turn.text, answers=[],
                ),
                asked_at=turn,
            ))
            continue
        if not blocks:
            continue  # small talk before the first question is not scored
        block = blocks[-1]
        if turn.role == "interviewer" and turn.kind in ("follow_up", "challenge"):
            # "Go ahead and write the code" hands over the editor; it probes nothing.
            if (turn.meta or {}).get("key_point") != "code":
                block.report.follow_ups.append(turn.text)
        elif turn.role == "interviewer" and turn.kind == "hint":
            block.report.hints.append(turn.text)
        elif turn.role == "candidate":
            score = number(turn.evaluation, "score")
            # A clarifying question, a repeat or hint request is recorded as what it was, not as an answer (and
            # delivery leaves it out: "could you repeat that?" at 388 wpm says nothing about how they answer).
            meta = (turn.evaluation or {}).get("scored") is False and bool((turn.evaluation or {}).get("intent"))
            kind = str((turn.evaluation or {})["intent"]) if meta and turn.kind == "answer" else turn.kind
            block.report.answers.append(AnswerRecord(
                text=turn.text, kind=kind, score=score,
                started_at=turn.started_at.isoformat(), ended_at=turn.ended_at.isoformat(),
                duration_s=round(max((turn.ended_at - turn.started_at).total_seconds(), 0.0), 1),
                delivery=answer_delivery(turn.metrics),
            ))
            block.metrics.append(turn.metrics)
            block.last_answer = turn
            # The brain judges all answers to a question together, so the latest scored judgement is the final
            # one; clarifying questions and hint requests carry only what they were understood to be.
            if turn.evaluation and "score" in turn.evaluation:
                block.evaluation = turn.evaluation
            if llm_judgements and turn.index in llm_judgements:
                block.llm_judgement = llm_judgements[turn.index]  # likewise: the latest judgement is final
    return blocks


# A talking point is credited only from answers the evaluator judged at least partly right.
CREDITED_SCORE = 5.0


def _credited_texts(questions: list[QuestionReport], blocks: list[_Block]) -> list[str]:
    """Answer texts that may show a talking point: on topic, scored, and without the sentences that stated a wrong
    claim."""
    out: list[str] = []
    for q, block in zip(questions, blocks):
        if q.score is None or q.score < CREDITED_SCORE or q.off_topic:
            continue
        wrong = [str(hit.get("said", "")) for hit in dicts(block.evaluation or {}, "misconceptions")]
        for a in q.answers:
            if a.kind == "answer":
                text = a.text
                for said in wrong:
                    text = text.replace(said, " ") if said else text
                out.append(text)
    return out


def _type_questions(bank: QuestionBank, slug: str) -> list[Question]:
    try:
        return bank.questions(slug)
    except PrepAIError:
        return []  # a session of a type removed from the bank still gets a report, without practice suggestions


def build_report(session: Session, turns: list[Turn], bank: QuestionBank, *, evaluator_version: str | None = None,
                 llm_judgements: dict[int, dict[str, Any]] | None = None) -> Report:
    """`llm_judgements` (by turn index, SessionStore.llm_judgements) are shown beside the rubric's evaluations."""
    bank = bank.with_session_questions(session.settings)  # CV-derived questions resolve like bank ones
    blocks = _blocks(turns, bank, llm_judgements)
    for block in blocks:
        _apply_evaluation(block, bank.question(block.report.question_id) if block.report.question_id else None)
        _apply_llm_judgement(block, bank.question(str(block.llm_judgement.get("question_id") or "")) if
                             block.llm_judgement else None)
        if block.last_answer is not None:
            block.report.time_taken_s = round(
                max((block.last_answer.ended_at - block.asked_at.started_at).total_seconds(), 0.0), 1
            )
    questions = [b.report for b in blocks]
    type_questions = _type_questions(bank, session.type)
    try:
        interview_type = bank.interview_type(session.type)
    except PrepAIError:
        interview_type = None
    spoken = any(is_spoken(t.metrics) for t in turns if t.role == "candidate")
    delivery = summarise_delivery(questions, [b.metrics for b in blocks])
    dimensions = score_dimensions(questions, star_type=bool(interview_type and interview_type.star), spoken=spoken)
    scored = [q.score for q in questions if q.score is not None]
    judged = [q.llm_judgement for q in questions if q.llm_judgement is not None]
    judges = sorted({j.judged_by for j in judged})
    partial_reason = PARTIAL_REASONS.get(session.status)
    return Report(
        session_id=session.id, type=session.type, type_title=interview_type.title if interview_type else None,
        brain=session.brain, candidate=session.candidate, status=session.status,
        partial=partial_reason is not None,
        partial_reason=partial_reason.format(id=session.id) if partial_reason else None,
        created_at=session.created_at.isoformat(),
        ended_at=session.ended_at.isoformat() if session.ended_at else None,
        overall_score=round1(sum(scored) / len(scored)) if scored else None,
        llm_overall_score=round1(sum(j.score for j in judged) / len(judged)) if judged else None,
        llm_judged_by=", ".join(judges) if judges else None,
        dimensions=dimensions,
        questions=questions,
        delivery=delivery,
        strengths=strengths(questions, dimensions, delivery),
        work_on=work_on(questions, dimensions, delivery),
        practice=practice_questions(questions, type_questions),
        insights=build_insights([a.text for q in questions for a in q.answers if a.kind == "answer"], type_questions,
                                credited_texts=_credited_texts(questions, blocks)),
        provenance=Provenance(
            generated_at=utcnow().isoformat(), evaluator_version=evaluator_version,
            evaluation_fingerprint=evaluation_fingerprint(session, turns, llm_judgements),
            builder_fingerprint=builder_fingerprint(),
        ),
    )
