"""Brain decisions given evaluations. The evaluator here is a scripted stand-in so each decision is pinned down;
tests/test_interviews.py runs the same brain with the real embedding evaluator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.evaluator import AnswerEvaluator, load_evaluator
from prepai_cli.agent.events import AnswerEvaluated, SegmentStarted, TextDelta, TurnEnded
from prepai_cli.agent.offline import OfflineBrain, is_stuck, wants_to_end
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import NewTurn, Session
from prepai_cli.store import SessionStore


@dataclass
class ScriptedEvaluation:
    score: float
    missed: list[str]
    covered: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"score": self.score, "missed": self.missed, "covered": self.covered, "suggestions": self.suggestions,
                "key_points": [], "misconceptions": [], "off_topic": False}


class ScriptedEvaluator:
    """Scores by keyword so a test states exactly which key points an answer 'covers'; what a turn *is* (an
    answer, a hint request ...) is still read by the real turn reader on the real embedding model."""

    def __init__(self, real: AnswerEvaluator) -> None:
        self.calls: list[tuple[str, str]] = []
        self._real = real

    def similarity(self, text: str, others: Any) -> Any:
        return self._real.similarity(text, others)

    def judge_question(self, question: Question, turns: Any, *, star: bool, hints: int = 0, code: Any = None,
                       match_note: str | None = None) -> ScriptedEvaluation:
        answer = "\n".join(turn.text for turn in turns)
        self.calls.append((question.id, answer))
        covered = [kp.id for kp in question.key_points if kp.id in answer]
        missed = [kp.id for kp in question.key_points if kp.id not in covered]
        score = 10.0 if "PERFECT" in answer else round(10 * len(covered) / len(question.key_points), 1)
        return ScriptedEvaluation(score, missed, covered)


@pytest.fixture(scope="module")
def real_evaluator() -> AnswerEvaluator:
    return load_evaluator()


def _run_turn(brain: OfflineBrain, store: SessionStore, session: Session, end: bool = False) -> list:
    events = list(brain.respond(Conversation(session, store.turns(session.id), end_requested=end)))
    segments_out: list[list] = []
    segment = None
    for event in events:
        if isinstance(event, SegmentStarted):
            segment = [event, ""]
            segments_out.append(segment)
        elif isinstance(event, TextDelta) and segment is not None:
            segment[1] += event.text
        elif isinstance(event, AnswerEvaluated):
            turns = store.turns(session.id)
            store.update_turn(turns[-1].id, evaluation=event.evaluation)
    for started, text in segments_out:
        store.add_turn(session.id, NewTurn(role="interviewer", kind=started.kind, text=text.strip(),
                                           question_id=started.question_id, meta=started.meta))
    return events


def _answer(store: SessionStore, session: Session, text: str) -> None:
    store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text=text))


def _last_interviewer(store: SessionStore, session: Session, kind: str):
    return [t for t in store.turns(session.id) if t.role == "interviewer" and t.kind == kind][-1]


@pytest.fixture
def brain(bank: QuestionBank, real_evaluator: AnswerEvaluator) -> tuple[OfflineBrain, ScriptedEvaluator]:
    evaluator = ScriptedEvaluator(real_evaluator)
    return OfflineBrain(bank, lambda: evaluator), evaluator


def test_opens_with_intro_then_a_question_at_medium_difficulty(brain, store: SessionStore, bank: QuestionBank) -> None:
    offline, _ = brain
    session = store.create_session("system-design", "offline", "ada", {"questions": 3})
    events = _run_turn(offline, store, session)
    kinds = [e.kind for e in events if isinstance(e, SegmentStarted)]
    assert kinds == ["intro", "question"]
    assert isinstance(events[-1], TurnEnded) and not events[-1].finished
    question = _last_interviewer(store, session, "question")
    assert bank.question(question.question_id).difficulty == 2
    assert "45 minutes" in store.turns(session.id)[0].text  # system-design: the budget is said


@pytest.mark.parametrize("interview_type, promised", [("coding-round", "three problems"),
                                                      ("behavioral", "two situations")])
def test_a_shorter_session_does_not_promise_the_types_usual_questions(
        brain, store: SessionStore, interview_type: str, promised: str) -> None:
    offline, _ = brain
    session = store.create_session(interview_type, "offline", "ada", {"questions": 1})
    _run_turn(offline, store, session)
    intro = store.turns(session.id)[0].text
    assert promised not in intro and "one question" in intro, intro
    assert "For each" not in intro


def test_follow_up_targets_a_missed_key_point(brain, store: SessionStore, bank: QuestionBank) -> None:
    offline, _ = brain
    session = store.create_session("google-sde", "offline", "ada", {"questions": 3})
    _run_turn(offline, store, session)
    asked = bank.question(_last_interviewer(store, session, "question").question_id)
    # Cover only the last key point: the follow-up must probe the first missed point that has one.
    covered = asked.key_points[-1].id
    # A follow-up that presupposes something the answer never mentioned (`requires`) is not asked.
    target = next(kp.id for kp in asked.key_points
                  if kp.id != covered and asked.follow_up_for(kp.id) and not asked.follow_up_for(kp.id).requires)
    _answer(store, session, covered)
    _run_turn(offline, store, session)
    follow_up = _last_interviewer(store, session, "follow_up")
    assert follow_up.meta["key_point"] == target
    assert follow_up.text == asked.follow_up_for(target).text.strip()
    assert follow_up.question_id == asked.id


def test_hint_on_i_dont_know_then_moves_on_when_hints_run_out(brain, store: SessionStore, bank: QuestionBank) -> None:
    offline, evaluator = brain
    session = store.create_session("behavioral", "offline", "ada", {"questions": 4})
    _run_turn(offline, store, session)
    asked = bank.question(_last_interviewer(store, session, "question").question_id)
    for n in range(len(asked.hints)):
        _answer(store, session, "I don't know")
        _run_turn(offline, store, session)
        hint = _last_interviewer(store, session, "hint")
        assert asked.hints[n] in hint.text
    assert evaluator.calls == []  # "I don't know" is not scored as an answer
    _answer(store, session, "")
    _run_turn(offline, store, session)
    questions = [t for t in store.turns(session.id) if t.kind == "question"]
    assert len(questions) == 2 and questions[-1].question_id != asked.id


@pytest.mark.parametrize("answer, expected_move", [("PERFECT", 1), ("I would probably try something simple and see what happens", -1)])
def test_difficulty_moves_with_scores(brain, store: SessionStore, bank: QuestionBank, answer: str, expected_move: int) -> None:
    offline, _ = brain
    session = store.create_session("coding-round", "offline", "ada", {"questions": 3})
    _run_turn(offline, store, session)
    first = _last_interviewer(store, session, "question")
    # Answer until the interviewer moves to the next question (follow-ups consume answers too).
    while len([t for t in store.turns(session.id) if t.kind == "question"]) == 1:
        _answer(store, session, answer)
        _run_turn(offline, store, session)
    second = _last_interviewer(store, session, "question")
    assert second.meta["target_difficulty"] == first.meta["target_difficulty"] + expected_move
    assert bank.question(second.question_id).difficulty == second.meta["target_difficulty"]


def test_question_budget_ends_with_spoken_summary(brain, store: SessionStore) -> None:
    offline, _ = brain
    session = store.create_session("amazon-sde", "offline", "ada", {"questions": 2})
    events = _run_turn(offline, store, session)
    for _ in range(10):
        _answer(store, session, "PERFECT")
        events = _run_turn(offline, store, session)
        if isinstance(events[-1], TurnEnded) and events[-1].finished:
            break
    closing = _last_interviewer(store, session, "closing")
    assert "two questions" in closing.text and "out of ten" in closing.text
    assert not any(mark in closing.text for mark in ("*", "#", "`"))
    assert len([t for t in store.turns(session.id) if t.kind == "question"]) == 2


def test_candidate_can_end_early(brain, store: SessionStore) -> None:
    offline, _ = brain
    session = store.create_session("behavioral", "offline", "ada")
    _run_turn(offline, store, session)
    _answer(store, session, "Can we end the interview now please")
    events = _run_turn(offline, store, session)
    assert isinstance(events[-1], TurnEnded) and events[-1].finished
    assert _last_interviewer(store, session, "closing").meta["ended_by_candidate"] is True


def test_state_is_rebuilt_from_history_so_resume_continues(bank: QuestionBank, store: SessionStore,
                                                          real_evaluator: AnswerEvaluator) -> None:
    evaluator = ScriptedEvaluator(real_evaluator)
    session = store.create_session("system-design", "offline", "ada", {"questions": 3})
    _run_turn(OfflineBrain(bank, lambda: evaluator), store, session)
    first = _last_interviewer(store, session, "question")
    _answer(store, session, "PERFECT")
    # A brand-new brain (as after a crash) continues with a new question, not the intro again.
    _run_turn(OfflineBrain(bank, lambda: evaluator), store, session)
    kinds = [t.kind for t in store.turns(session.id)]
    assert kinds.count("intro") == 1
    assert _last_interviewer(store, session, "question").question_id != first.question_id


def test_focus_topics_are_preferred(brain, store: SessionStore, bank: QuestionBank) -> None:
    offline, _ = brain
    medium = [q for q in bank.questions("system-design") if q.difficulty == 2]
    focus = medium[-1]
    session = store.create_session("system-design", "offline", "ada", {"focus_topics": [focus.topic]})
    _run_turn(offline, store, session)
    assert _last_interviewer(store, session, "question").question_id == focus.id


@pytest.mark.parametrize("text", ["I don't know", "i dont know", "no idea", "Can you give me a hint?", "hint", "", "   "])
def test_stuck_phrases(text: str) -> None:
    assert is_stuck(text)


@pytest.mark.parametrize("text", ["I know a hash map works here because lookups are constant time",
                                  "I don't know the exact number but I estimated about 40 writes per second"])
def test_real_answers_are_not_stuck(text: str) -> None:
    assert not is_stuck(text)


def test_end_phrases() -> None:
    assert wants_to_end("let's stop here") and wants_to_end("I'd like to end the interview")
    assert not wants_to_end("the process would stop the worker and end the job")
