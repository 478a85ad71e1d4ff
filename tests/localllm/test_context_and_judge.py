"""Context windows (Ollama truncates silently, so PrepAI must not send more than fits) and the judge giving way."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher
from prepai_cli.agent.llm_judge import BackgroundJudge, JudgeCancelled, LLMAnswerJudge, parse_verdict
from prepai_cli.agent.openai_compat import OMITTED_NOTE, OpenAICompatBrain, fit_context
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from tests.bedrock.scripts import conversation

from .conftest import target_for
from .fake_openai import FakeOpenAI, text_reply

pytestmark = pytest.mark.llm


def long_interview(n: int) -> list[tuple[str, str, str]]:
    turns = [("interviewer", "intro", "Hi, I'm your interviewer.")]
    for i in range(n):
        turns.append(("interviewer", "question", f"Question {i}: " + "explain how a hash map handles collisions. " * 8))
        turns.append(("candidate", "answer", f"Answer {i}: " + "chaining with linked lists, or open addressing. " * 10))
    return turns


def test_fit_context_drops_the_oldest_exchanges_in_pairs() -> None:
    messages = [{"role": "system", "content": "s" * 400}, {"role": "user", "content": "joined"}]
    for i in range(10):
        messages += [{"role": "assistant", "content": f"q{i} " + "x" * 400}, {"role": "user", "content": f"a{i} " + "y" * 400}]
    fitted, dropped = fit_context(messages, window=1600, chars_per_token=4.0)
    assert dropped and dropped % 2 == 0
    assert fitted[0] == messages[0] and fitted[1]["content"].startswith(OMITTED_NOTE)
    assert fitted[-1] == messages[-1] and [m["role"] for m in fitted[2:4]] == ["assistant", "user"]
    assert fit_context(messages, window=None, chars_per_token=4.0) == (messages, 0)


def test_requests_stay_within_a_small_window(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                             judge: AnswerJudge) -> None:
    fake_llm.expect(text_reply("Good. Next question?", usage=(1900, 10)), text_reply("Fine.", usage=(1950, 3)))
    settings = LocalLLMSettings(base_url=fake_llm.base_url, judge=False)
    brain = OpenAICompatBrain(settings, bank, judge, resolve=lambda: target_for(fake_llm, tokens=2048))
    convo = conversation(store, "google-sde", long_interview(12))
    list(brain.respond(convo))
    first = fake_llm.chat_requests()[0]["messages"]
    sent = sum(len(m["content"]) for m in first)
    full = sum(len(t.text) for t in convo.turns)
    assert sent < full  # the early exchanges were left out ...
    assert first[0]["role"] == "system" and "expert interviewer" in first[0]["content"]  # ... never the prompt
    assert OMITTED_NOTE in first[1]["content"] and first[-1]["content"].startswith("Answer 11:")
    # The server counted 1900 tokens for what was sent: the brain learns this model's characters per token.
    assert brain._chars_per_token == pytest.approx(sent / 1900, rel=0.05)


class GatedBackend:
    """A judge model that blocks until released, can be aborted, and says what it was asked."""

    def __init__(self) -> None:
        self.calls = 0
        self.aborts = 0
        self.aborted = threading.Event()
        self.release = threading.Event()

    def describe(self) -> tuple[str, str]:
        return "tiny", "tiny on Fake"

    def abort(self) -> None:
        self.aborts += 1
        self.aborted.set()

    def complete_json(self, system: str, prompt: str, schema: dict[str, Any], cancelled) -> str:
        self.calls += 1
        while not self.release.wait(0.01):
            if self.aborted.is_set():
                self.aborted.clear()
                raise JudgeCancelled()
        return '{"score": 7, "covered": ["complement-map"], "misconceptions": ["says O(1) space"], "verdict": "Good."}'


def test_the_judge_gives_way_to_the_interviewer_and_finishes_later(store: SessionStore, bank: QuestionBank) -> None:
    backend = GatedBackend()
    background = BackgroundJudge(LLMAnswerJudge(bank, QuestionMatcher(bank), backend), final_timeout=5)
    convo = conversation(store, "google-sde", [
        ("interviewer", "question", "You get an array of integers and a target value, and exactly one pair of "
                                    "entries sums to the target. Return the positions of those two entries."),
        ("candidate", "answer", "A hash map from value to index, checked before inserting; constant space."),
    ])
    background.submit(convo)
    deadline = time.monotonic() + 5
    while backend.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    with background.paused():  # the interviewer's reply: the running judgement is aborted ...
        assert backend.aborts == 1
        time.sleep(0.1)
        calls_while_paused = backend.calls
        time.sleep(0.2)
        assert backend.calls == calls_while_paused  # ... and nothing starts while the interviewer talks
    backend.release.set()
    (judged,) = background.drain()
    assert judged.turn_id == convo.turns[-1].id and backend.calls == 2
    assert judged.judgement["covered"] == ["complement-map"] and judged.judgement["score"] == 7.0
    assert judged.judgement["misconceptions"] == ["says O(1) space"]
    assert judged.judgement["missed"] == ["brute-force-baseline", "one-pass-linear", "check-before-insert"]


def test_judge_replies_are_checked(bank: QuestionBank) -> None:
    question = bank.question("gsde-two-sum")
    verdict = parse_verdict('```json\n{"score": 14, "covered": ["complement-map", "made-up"], '
                            '"misconceptions": [" "], "verdict": " Good\\n idea. "}\n```', question)
    assert verdict.score == 10 and verdict.covered == ["complement-map"] and verdict.misconceptions == []
    assert verdict.verdict == "Good idea."
    with pytest.raises(PrepAIError, match="did not reply with JSON"):
        parse_verdict("I think it was a good answer.", question)
    with pytest.raises(PrepAIError, match="does not match the schema"):
        parse_verdict('{"covered": []}', question)


def test_the_interviewer_cuts_a_running_judgement_on_a_real_stream(fake_llm: FakeOpenAI, store: SessionStore,
                                                                 bank: QuestionBank, judge: AnswerJudge) -> None:
    from prepai_cli.agent.events import AnswerJudged, TextDelta
    from prepai_cli.agent.openai_compat import OpenAIJudgeBackend

    from .fake_openai import MODEL, Event, Gate, Sse, chunk, finish_events

    verdict = '{"score": 6, "covered": ["complement-map"], "misconceptions": [], "verdict": "Good start."}'
    held = Gate(timeout=10)
    fake_llm.expect(
        text_reply("Good. What about duplicates?"),  # the interviewer, turn 1
        Sse([Event(chunk({"content": verdict[:10]})), held, Event(chunk({"content": verdict[10:]})),
             *finish_events("stop")]),  # the judge, held mid-stream
        text_reply("Right. What is the time complexity?"),  # the interviewer, turn 2: the judge must give way
        text_reply(verdict), text_reply(verdict),  # the judge again, for both answers
    )
    settings = LocalLLMSettings(base_url=fake_llm.base_url, model=MODEL)
    from prepai_cli.agent.llm_judge import with_llm_judge

    local = OpenAICompatBrain(settings, bank, judge)
    brain = with_llm_judge(local, bank, QuestionMatcher(bank), OpenAIJudgeBackend(local))
    turns = [("interviewer", "question", "You get an array of integers and a target value, and exactly one pair of "
                                         "entries sums to the target. Return the positions of those two entries."),
             ("candidate", "answer", "A hash map from value to index.")]
    first = list(brain.respond(conversation(store, "google-sde", turns)))
    assert not any(isinstance(e, AnswerJudged) for e in first)
    deadline = time.monotonic() + 5
    while len(fake_llm.chat_requests()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    convo = conversation(store, "google-sde", turns + [("interviewer", "follow_up", "What about duplicates?"),
                                                       ("candidate", "answer", "I check before I insert.")])
    second = list(brain.respond(convo))
    assert "".join(e.text for e in second if isinstance(e, TextDelta)) == "Right. What is the time complexity?"
    held.open()
    judged = brain.judge.drain(5)
    assert len(judged) == 2 and all(j.judgement["score"] == 6.0 for j in judged)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(what == "client closed" for _, what in fake_llm.sent):
        time.sleep(0.02)
    assert any(what == "client closed" for _, what in fake_llm.sent)  # the held judgement was cut, then redone
    requests = fake_llm.chat_requests()
    assert len(requests) == 5 and "assessor" in requests[1]["messages"][0]["content"]
    assert "expert interviewer" in requests[2]["messages"][0]["content"]


class _RecordingJudge:
    """Stands in for BackgroundJudge: records what the wrapper submits."""

    def __init__(self) -> None:
        self.submitted: list[Any] = []

    def collect(self) -> list[Any]:
        return []

    def drain(self) -> list[Any]:
        return []

    def paused(self) -> Any:
        import contextlib
        return contextlib.nullcontext()

    def submit(self, conversation: Any) -> None:
        self.submitted.append(conversation)


def test_the_llm_judge_is_not_asked_about_a_turn_that_is_not_an_answer(store: SessionStore) -> None:
    """A clarifying question or a repeat request is read as such by the brain: judging it would bill a call and
    put a verdict on a non-answer in the report."""
    from prepai_cli.agent.events import AnswerEvaluated, SegmentStarted, TextDelta, TurnEnded
    from prepai_cli.agent.llm_judge import JudgedBrain

    class Inner:
        name = "local"

        def __init__(self, evaluation: dict[str, Any]) -> None:
            self.evaluation = evaluation

        def respond(self, conversation: Any) -> Any:
            yield SegmentStarted("repeat", None, {})
            yield TextDelta("Sure. Why a hash map?")
            yield AnswerEvaluated(question_id=None, evaluation=self.evaluation)
            yield TurnEnded(finished=False)

    convo = conversation(store, "google-sde", [("interviewer", "question", "Why a hash map?"),
                                               ("candidate", "answer", "Sorry, could you repeat that?")])
    for evaluation, judged in (({"intent": "repeat_request", "scored": False}, 0), ({"intent": "answer", "score": 5}, 1)):
        recorder = _RecordingJudge()
        events = list(JudgedBrain(Inner(evaluation), recorder).respond(convo))  # type: ignore[arg-type]
        assert isinstance(events[-1], TurnEnded) and len(recorder.submitted) == judged
