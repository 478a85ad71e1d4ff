"""Failures: each gives one line, keeps what was said, and leaves the session resumable."""

from __future__ import annotations

import socket

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.events import BrainError, SegmentStarted, TextDelta, TurnEnded
from prepai_cli.agent.openai_compat import resolve_target
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.interview.console import ScriptedInput
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore
from tests.bedrock.scripts import conversation
from tests.bedrock.test_fallback import CapturingOutput

from .conftest import make_brain
from .fake_openai import MODEL, Cut, Event, FakeOpenAI, Reply, Sse, chunk, text_reply

pytestmark = pytest.mark.llm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_error(events) -> BrainError:
    errors = [e for e in events if isinstance(e, BrainError)]
    assert len(errors) == 1 and "\n" not in errors[0].message
    return errors[0]


def test_connection_refused(store: SessionStore, bank: QuestionBank, judge: AnswerJudge) -> None:
    port = free_port()
    brain = make_brain(LocalLLMSettings(base_url=f"http://127.0.0.1:{port}/v1", model=MODEL), bank, judge)
    error = one_error(list(brain.respond(conversation(store, "google-sde"))))
    assert not error.recoverable
    assert error.message == (f"no OpenAI-compatible server answers at http://127.0.0.1:{port}/v1 (GET /models "
                             "failed); start it (e.g. `ollama serve`) or fix --base-url")


def test_server_gone_after_start(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                 judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    brain = make_brain(local_settings, bank, judge)
    brain.connect()
    fake_llm.stop()  # Ollama quit after PrepAI found it
    error = one_error(list(brain.respond(conversation(store, "google-sde"))))
    assert not error.recoverable
    assert error.message.startswith(f"cannot reach Ollama at {fake_llm.base_url} (")
    assert error.message.endswith("start it (e.g. `ollama serve`) or check --base-url")


def test_missing_model(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                       local_settings: LocalLLMSettings) -> None:
    with pytest.raises(Exception, match=r"the model 'qwen3:8b' is not on Ollama 0.13.0 at .*; it has: llama3.2:3b "
                                        r"\(pull it with `ollama pull qwen3:8b`\)"):
        resolve_target(local_settings.model_copy(update={"model": "qwen3:8b"}))
    # A model that disappears between the listing and the call: the server's 404.
    fake_llm.expect(Reply.error(404, f"model \"{MODEL}\" not found, try pulling it first", "api_error"))
    error = one_error(list(make_brain(local_settings, bank, judge).respond(conversation(store, "google-sde"))))
    assert not error.recoverable
    assert error.message == (f"the model '{MODEL}' is not on Ollama 0.13.0 at {fake_llm.base_url} (model "
                             f"\"{MODEL}\" not found, try pulling it first); it has: {MODEL}; pass --model")


def test_500_before_and_during_the_stream(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                          judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(Reply.error(500, "llama runner process has terminated: signal: killed", "api_error"),
                    Reply.error(500, "llama runner process has terminated: signal: killed", "api_error"),
                    Sse([Event(chunk({"content": "Good point. "})),
                         Event({"error": {"message": "out of memory", "type": "server_error"}})]))
    brain = make_brain(local_settings, bank, judge)
    before = one_error(list(brain.respond(conversation(store, "google-sde"))))  # one retry, then the error
    assert before.recoverable
    assert before.message == "Ollama failed to answer (500: llama runner process has terminated: signal: killed)"
    events = list(brain.respond(conversation(store, "google-sde")))
    assert [type(e) for e in events] == [SegmentStarted, TextDelta, BrainError]
    assert events[-1].recoverable
    assert events[-1].message == "Ollama reported an error in the middle of the reply: out of memory"


def test_cut_stream(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                    local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(Sse([Event(chunk({"content": "Hi, I'm your interviewer. "})), Cut()]))
    events = list(make_brain(local_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert [type(e) for e in events] == [SegmentStarted, TextDelta, BrainError]
    assert events[-1].recoverable
    assert events[-1].message == "the connection to Ollama dropped in the middle of the reply"


def test_refused_server_leaves_the_session_resumable(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                                     judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(text_reply("Hi, I'm your interviewer.\n\n", "Here's the first question. How would you find "
                               "two numbers in an array that add up to a target?"))
    brain = make_brain(local_settings, bank, judge)
    session = store.create_session("google-sde", "local", "tester", {"questions": 2, "difficulty": 1})
    output = CapturingOutput()
    # The server dies after the first question; the candidate's answer is stored, the session is paused.
    answers = ScriptedInput(["I'd keep a hash map of value to index."])
    original = answers.next_answer

    def answer_then_kill(context):
        fake_llm.stop()
        return original(context)

    answers.next_answer = answer_then_kill  # type: ignore[method-assign]
    outcome = InterviewRunner(store, brain, output, answers, bank=bank).run(session)
    assert not outcome.finished and outcome.session.status == "abandoned"
    errors = [n for n in output.notices if n.startswith("Interviewer error:")]
    assert len(errors) == 1 and "cannot reach Ollama" in errors[0]
    assert any(f"prepai interview --resume {session.id}" in n for n in output.notices)
    turns = store.turns(session.id)
    assert [(t.role, t.kind) for t in turns] == [("interviewer", "intro"), ("interviewer", "question"),
                                                 ("candidate", "answer")]

    # A new server (the user restarted Ollama): the session carries on from the stored answer.
    server = FakeOpenAI(routes=fake_llm.routes).start()
    try:
        server.expect(text_reply("Good, that's linear time. What happens with duplicates?"),
                      text_reply("Let's stop here. Thanks."))
        resumed = make_brain(local_settings.model_copy(update={"base_url": server.base_url}), bank, judge)
        outcome = InterviewRunner(store, resumed, CapturingOutput(), ScriptedInput([]), bank=bank).run(
            store.get_session(session.id))
        assert outcome.finished
        first = server.chat_requests()[0]["messages"]
        assert first[-1]["content"].startswith("I'd keep a hash map of value to index.")
        assert [t.role for t in store.turns(session.id)].count("candidate") == 1
    finally:
        server.stop()
