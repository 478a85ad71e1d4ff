"""Streaming: text reaches the consumer as the server sends it; tool calls; barge-in closes the stream."""

from __future__ import annotations

import time

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.cloud_turn import TokenUsage
from prepai_cli.agent.events import SegmentStarted, TextDelta, ToolCall, ToolResult, TurnEnded
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.store import SessionStore
from tests.bedrock.scripts import conversation

from .conftest import make_brain
from .fake_openai import MODEL, Event, FakeOpenAI, Gate, Sse, chunk, finish_events, text_reply

pytestmark = pytest.mark.llm


def test_first_text_reaches_the_consumer_before_the_last_chunk(
        fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        local_settings: LocalLLMSettings) -> None:
    gate = Gate(timeout=10)
    fake_llm.expect(Sse([Event(chunk({"role": "assistant", "content": ""})),
                         Event(chunk({"content": "Hi, I'm your interviewer. "})), gate,
                         Event(chunk({"content": "We'll do two questions.\n\n"})),
                         Event(chunk({"content": "How would you design a URL shortener?"})),
                         *finish_events("stop", (900, 40))]))
    brain = make_brain(local_settings, bank, judge)
    events = brain.respond(conversation(store, "system-design"))
    seen = []
    for event in events:
        seen.append(event)
        if isinstance(event, TextDelta):
            break
    # The server is still holding the rest of the reply behind the gate: this text came from a live stream.
    assert seen[-1] == TextDelta("Hi, I'm your interviewer. ")
    assert gate.opened_in_time is None and not any(what == "event 4" for _, what in fake_llm.sent)
    gate.open()
    seen += list(events)
    assert [(e.kind, e.meta.get("number")) for e in seen if isinstance(e, SegmentStarted)] == [
        ("intro", None), ("question", 1)]
    assert "".join(e.text for e in seen if isinstance(e, TextDelta)) == (
        "Hi, I'm your interviewer. We'll do two questions.How would you design a URL shortener?")
    assert TokenUsage(MODEL, 900, 40, 940) in seen and seen[-1] == TurnEnded(finished=False)

    (request,) = fake_llm.chat_requests()
    assert request["model"] == MODEL and request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
    system, first = request["messages"][0], request["messages"][1]
    assert system["role"] == "system" and "No markdown" in system["content"] and "System Design" in system["content"]
    assert first["role"] == "user" and "Session start" in first["content"]
    assert "tools" not in request  # no tool box given


def test_barge_in_closes_the_http_stream(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                         judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    gate = Gate()
    fake_llm.expect(Sse([Event(chunk({"content": "Hi. "})), gate]
                        + [Event(chunk({"content": "more words " * 200}), delay=0.02) for _ in range(30)]
                        + finish_events("stop")))
    events = make_brain(local_settings, bank, judge).respond(conversation(store, "google-sde"))
    for event in events:
        if isinstance(event, TextDelta):
            break
    events.close()  # what the runner does on barge-in
    gate.open()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(what == "client closed" for _, what in fake_llm.sent):
        time.sleep(0.02)
    assert any(what == "client closed" for _, what in fake_llm.sent)
    assert sum(1 for _, what in fake_llm.sent if what.startswith("event")) < 31


def test_api_key_from_the_environment_reaches_the_server(fake_llm: FakeOpenAI, store: SessionStore,
                                                         bank: QuestionBank, judge: AnswerJudge,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.config import load_settings

    monkeypatch.setenv("PREPAI_LOCAL__API_KEY", "vllm-secret")
    settings = load_settings(brain="openai-compatible", local={"base_url": fake_llm.base_url, "judge": False})
    assert settings.brain == "local" and "vllm-secret" not in settings.model_dump_json()
    fake_llm.expect(text_reply("Hello."))
    list(make_brain(settings.local, bank, judge).respond(conversation(store, "google-sde")))
    chat = next(r for r in fake_llm.requests if r.path.endswith("/chat/completions"))
    assert chat.headers["authorization"] == "Bearer vllm-secret"
    assert next(r for r in fake_llm.requests if r.path == "/v1/models").headers["authorization"] == "Bearer vllm-secret"
