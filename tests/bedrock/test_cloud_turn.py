"""The convention that turns a model's free text into segments, and the turn plan (no network here)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prepai_cli.agent import prompts
from prepai_cli.agent.bank_match import QuestionMatcher
from prepai_cli.agent.cloud_turn import SegmentStream, TurnPlan, interview_context, plan_turn
from prepai_cli.agent.events import SegmentStarted, TextDelta
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import NewTurn, utcnow
from prepai_cli.store import SessionStore

from .scripts import conversation


def replay(plan: TurnPlan, pieces: list[str]) -> list[object]:
    stream = SegmentStream(plan, "bedrock")
    events = stream.start()
    for piece in pieces:
        events += stream.feed(piece)
    return events


@pytest.mark.parametrize("pieces", [
    ["Hi there.\n\nFirst question: why?"],
    ["Hi there.\n", "\nFirst question: why?"],
    ["Hi there.", "\n", "\n", "First question: why?"],
    ["Hi there.\n \n", "First question: why?"],
])
def test_intro_splits_at_the_first_paragraph_break_whatever_the_chunking(pieces: list[str]) -> None:
    events = replay(TurnPlan(kind="intro", finished=False, note="", split_intro=True), pieces)
    starts = [i for i, e in enumerate(events) if isinstance(e, SegmentStarted)]
    assert [events[i].kind for i in starts] == ["intro", "question"]
    intro = "".join(e.text for e in events[: starts[1]] if isinstance(e, TextDelta))
    question = "".join(e.text for e in events[starts[1]:] if isinstance(e, TextDelta))
    assert intro.strip() == "Hi there." and question == "First question: why?"


def test_leading_blank_lines_do_not_end_the_intro() -> None:
    events = replay(TurnPlan(kind="intro", finished=False, note="", split_intro=True), ["\n\nHi.", "\n\nWhy?"])
    kinds = [e.kind for e in events if isinstance(e, SegmentStarted)]
    assert kinds == ["intro", "question"]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)).strip().startswith("Hi.")


def test_a_turn_after_an_answer_is_one_segment() -> None:
    events = replay(TurnPlan(kind="question", finished=False, note="", exchange=3), ["Good.\n\n", "Next: why?"])
    assert [e for e in events if isinstance(e, SegmentStarted)] == [
        SegmentStarted("question", None, {"brain": "bedrock", "exchange": 3})]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Good.\n\nNext: why?"


def test_plan_follows_the_conversation(store: SessionStore, bank: QuestionBank) -> None:
    first = conversation(store, "behavioral")
    ctx = interview_context(first, bank, send_cv=False)
    assert plan_turn(first, ctx).kind == "intro"
    session = first.session
    stuck = conversation(store, "behavioral", [("interviewer", "question", "Tell me about a conflict."),
                                               ("candidate", "answer", "I don't know")], session=session)
    assert plan_turn(stuck, ctx).kind == "hint"
    answered = conversation(store, "behavioral", [("candidate", "answer", "I once disagreed with my lead about "
                                                  "a release date and we settled it with data.")], session=session)
    plan = plan_turn(answered, ctx)
    assert plan.kind == "question" and not plan.finished and "Exchange 2 of at most 4" in plan.note
    ending = conversation(store, "behavioral", [("candidate", "answer", "Can we end the interview now?")],
                          session=session)
    assert plan_turn(ending, ctx) == TurnPlan(kind="closing", finished=True, note=prompts.CLOSE_BY_CANDIDATE_NOTE,
                                              ended_by_candidate=True)


def test_budget_used_up_closes_the_interview(store: SessionStore, bank: QuestionBank) -> None:
    convo = conversation(store, "behavioral", [("interviewer", "question", f"Question {i}?") for i in range(4)]
                         + [("candidate", "answer", "A full answer with some detail.")])
    ctx = interview_context(convo, bank, send_cv=False)  # 2 questions planned: 4 exchanges at most
    plan = plan_turn(convo, ctx)
    assert plan.kind == "closing" and plan.finished and plan.note == prompts.CLOSE_BY_BUDGET_NOTE

    late = store.create_session("behavioral", "bedrock", "tester", {"questions": 5, "minutes": 10})
    start = utcnow() - timedelta(minutes=12)
    for minute in range(0, 15, 3):  # 12 minutes in 3-minute gaps, each counted in full
        at = start + timedelta(minutes=minute)
        store.add_turn(late.id, NewTurn(role="interviewer", kind="question", text="Why?", started_at=at, ended_at=at))
        store.add_turn(late.id, NewTurn(role="candidate", kind="answer", text="Because.", started_at=at, ended_at=at))
    convo = conversation(store, "behavioral", session=late)
    assert plan_turn(convo, interview_context(convo, bank, send_cv=False)).kind == "closing"


def test_cv_reaches_the_prompt_only_when_allowed(store: SessionStore, bank: QuestionBank) -> None:
    convo = conversation(store, "cv-grilling", cv_summary="Ten years of Rust.")
    assert interview_context(convo, bank, send_cv=False).cv_summary is None
    allowed = interview_context(convo, bank, send_cv=True)
    assert "Ten years of Rust." in prompts.system_prompt(allowed, tools_available=True)
    assert "Ten years of Rust." not in prompts.system_prompt(interview_context(convo, bank, send_cv=False), True)


def test_matcher_finds_the_bank_question_in_free_wording(bank: QuestionBank) -> None:
    matcher = QuestionMatcher(bank)
    match = matcher.best("google-sde", "Okay, next one. Design a cache with a fixed capacity that evicts whatever "
                                       "was used longest ago, where reads and writes are constant time.")
    assert match is not None and match.question.id == "gsde-lru-cache"
    assert matcher.best("google-sde", "How was your weekend?") is None


@pytest.mark.parametrize("pieces", [
    ["**Good.** Use a `hash map`.\n- then sort.\n## Next"],
    ["*", "*Good.*", "* Use a `", "hash map`.\n", "- then sort.\n", "## Next"],
])
def test_markdown_marks_are_dropped_as_the_text_streams(pieces: list[str]) -> None:
    events = replay(TurnPlan(kind="question", finished=False, note=""), pieces)
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "Good. Use a hash map.\nthen sort.\nNext"


def test_a_reply_reporting_a_code_run_never_opens_another_question(store: SessionStore, bank: QuestionBank) -> None:
    """The run report quotes test inputs, which once matched another problem and ran the fix against its tests."""
    from prepai_cli.agent.cloud_turn import brief

    coins = bank.question("code-coin-change")
    assert coins is not None
    convo = conversation(store, "coding-round", [
        ("interviewer", "question", coins.text),
        ("candidate", "code", "def min_coins(coins, amount):\n    return coins\n"),
    ])
    report = "0 of 7 tests pass. For input [1, 2, 5] and 11 it returned [1, 2, 5] instead of 3. Fix it and submit again."
    store.add_turn(convo.session.id, NewTurn(role="interviewer", kind="question", text=report, meta={"tools": [
        {"call": "run_code", "id": "t1", "arguments": {}}, {"result": "run_code", "id": "t1", "ok": True}]}))
    store.add_turn(convo.session.id, NewTurn(role="candidate", kind="code", text="def min_coins(coins, amount):\n"
                                             "    return 0\n", meta={"language": "python"}))
    convo = conversation(store, "coding-round", session=convo.session)
    matcher = QuestionMatcher(bank)
    briefing = brief(convo, bank, lambda slug, text: (m.question if (m := matcher.best(slug, text)) else None), None)
    assert briefing.question is not None and briefing.question.id == "code-coin-change"
    plan = plan_turn(convo, interview_context(convo, bank, send_cv=False), briefing)
    assert "problem_id code-coin-change" in plan.note


def test_hint_requests_get_the_bank_ladder_and_are_not_scored(store: SessionStore, bank: QuestionBank) -> None:
    from prepai_cli.agent.cloud_turn import Briefing, turn_evaluation

    coins = bank.question("code-coin-change")
    assert coins is not None and len(coins.hints) >= 2
    convo = conversation(store, "coding-round", [("interviewer", "question", coins.text),
                                                 ("candidate", "answer", "Could I get a nudge?")])
    ctx = interview_context(convo, bank, send_cv=False)
    briefing = Briefing(question=coins, intent="hint_request", hints_given=(coins.hints[0],))
    plan = plan_turn(convo, ctx, briefing)
    assert plan.kind == "hint" and plan.meta["hint_index"] == 1
    assert " ".join(coins.hints[1].split()) in plan.note and "Hints already given: 1." in plan.note
    stored = turn_evaluation(briefing, None)
    assert stored is not None and stored.evaluation == {"intent": "hint_request", "scored": False}
    clarify = plan_turn(convo, ctx, Briefing(question=coins, intent="clarifying_question",
                                             clarification=coins.clarifications[0]))
    assert clarify.kind == "clarification" and " ".join(coins.clarifications[0].answer.split()) in clarify.note
