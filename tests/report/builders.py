"""Writes sessions straight into a SessionStore with hand-written evaluations and metrics: real data, no mocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from prepai_cli.bank import Question
from prepai_cli.domain import NewTurn, Session, SessionStatus, Turn
from prepai_cli.store import SessionStore

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def evaluation(question: Question, covered: list[str], score: float, *, structure: dict[str, bool] | None = None,
               specificity: float | None = None, suggestions: list[str] | None = None,
               red_flags: list[str] | None = None) -> dict[str, Any]:
    """An evaluation dict shaped like the evaluator's, covering exactly the listed key point ids."""
    result: dict[str, Any] = {
        "score": score,
        "question_id": question.id,
        "key_points": [{"id": kp.id, "text": kp.text, "covered": kp.id in covered,
                        "similarity": 0.8 if kp.id in covered else 0.2} for kp in question.key_points],
        "covered": [kp.id for kp in question.key_points if kp.id in covered],
        "missed": [kp.id for kp in question.key_points if kp.id not in covered],
        "suggestions": suggestions or [],
        "red_flags": red_flags or [],
        "match_note": None,
        "word_count": 40,
    }
    if structure is not None:
        result["structure"] = structure
    if specificity is not None:
        result["specificity"] = specificity
    return result


def voice_metrics(*, words: int, speaking_s: float, fillers: list[tuple[str, float]] = (), longest_pause_s: float = 1.0,
                  think_time_s: float = 1.5, latency_ms: float | None = None) -> dict[str, Any]:
    metrics: dict[str, Any] = {
        "speaking_s": speaking_s, "words": words, "wpm": round(words / speaking_s * 60, 1),
        "fillers": [{"word": w, "t": t} for w, t in fillers], "longest_pause_s": longest_pause_s,
        "think_time_s": think_time_s, "partials": 5, "first_partial_s": 0.4,
    }
    if latency_ms is not None:
        metrics["latency"] = {"response_latency_ms": latency_ms, "endpoint_wait_ms": 500.0, "stt_final_ms": 120.0,
                              "brain_first_sentence_ms": 150.0, "tts_first_audio_ms": 90.0}
    return metrics


class SessionWriter:
    """Adds turns at given second offsets from START, so the expected durations are plain arithmetic."""

    def __init__(self, store: SessionStore, interview_type: str, settings: dict[str, Any] | None = None):
        self.store = store
        self.session = store.create_session(interview_type, "offline", "ada", settings or {})

    def _add(self, role: str, kind: str, text: str, at: float, duration: float, **extra: Any) -> Turn:
        return self.store.add_turn(self.session.id, NewTurn(
            role=role, kind=kind, text=text, started_at=START + timedelta(seconds=at),  # type: ignore[arg-type]
            ended_at=START + timedelta(seconds=at + duration), **extra,
        ))

    def intro(self, at: float = 0) -> Turn:
        return self._add("interviewer", "intro", "Hi, I'm your PrepAI interviewer.", at, 5)

    def question(self, question: Question, at: float, duration: float = 8) -> Turn:
        return self._add("interviewer", "question", question.text.strip(), at, duration, question_id=question.id,
                         meta={"target_difficulty": question.difficulty, "topic": question.topic})

    def follow_up(self, question: Question, at: float, index: int = 0) -> Turn:
        follow = question.follow_ups[index]
        return self._add("interviewer", "follow_up", follow.text.strip(), at, 4, question_id=question.id,
                         meta={"key_point": follow.key_point})

    def hint(self, question: Question, at: float, index: int = 0) -> Turn:
        return self._add("interviewer", "hint", question.hints[index], at, 4, question_id=question.id,
                         meta={"hint_index": index})

    def answer(self, question: Question, text: str, at: float, duration: float, *, evaluation: dict[str, Any] | None = None,
               metrics: dict[str, Any] | None = None, kind: str = "answer") -> Turn:
        return self._add("candidate", kind, text, at, duration, question_id=question.id, evaluation=evaluation,
                         metrics=metrics)

    def closing(self, at: float) -> Turn:
        return self._add("interviewer", "closing", "That's all the questions I have.", at, 5)

    def finish(self, status: SessionStatus = "ended") -> Session:
        self.session = self.store.set_status(self.session.id, status)
        return self.session
