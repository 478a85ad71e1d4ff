"""Tools: function calls split across chunks run the real sandbox; servers or models without tool calls get
JSON mode, whose spoken words still stream."""

from __future__ import annotations

import json

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.events import SegmentStarted, TextDelta, ToolCall, ToolResult, TurnEnded
from prepai_cli.agent.tools import LocalToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.store import SessionStore
from tests.bedrock.scripts import conversation

from .conftest import make_brain
from .fake_openai import MODEL, Event, FakeOpenAI, Gate, Reply, Sse, chunk, json_reply, text_reply, tool_reply

pytestmark = pytest.mark.llm

TWO_SUM = ("def two_sum(nums, target):\n    seen = {}\n    for i, n in enumerate(nums):\n"
           "        if target - n in seen:\n            return [seen[target - n], i]\n        seen[n] = i\n")
CODE_TURNS = [
    ("interviewer", "question", "Given an array and a target, return the positions of the two numbers that add up "
                                "to the target."),
    ("candidate", "code", TWO_SUM),
]
RUN = {"code": TWO_SUM, "language": "python", "problem_id": "gsde-two-sum"}


def spoken(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def test_tool_round_trip_runs_the_real_sandbox(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                              judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(tool_reply(("call_7", "run_code", RUN), say="Let me run that."),
                    text_reply("All six tests pass. ", "What is its time complexity?"))
    brain = make_brain(local_settings, bank, judge, LocalToolBox(bank))
    events = list(brain.respond(conversation(store, "google-sde", CODE_TURNS)))

    assert ToolCall("call_7", "run_code", RUN) in events
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.ok and result.result["verdict"] == "passed" and result.result["passed"] == 6
    assert spoken(events) == "Let me run that. All six tests pass. What is its time complexity?"
    assert [e.kind for e in events if isinstance(e, SegmentStarted)] == ["question"]
    assert events[-1] == TurnEnded(finished=False)

    first, second = fake_llm.chat_requests()
    names = sorted(t["function"]["name"] for t in first["tools"])
    assert names == ["analyze_cv", "evaluate_answer", "run_code", "search_knowledge_base"]
    assert first["messages"][-1]["content"].startswith("```python\ndef two_sum")
    assistant, tool = second["messages"][-2:]
    assert assistant["role"] == "assistant" and assistant["content"] == "Let me run that."
    assert assistant["tool_calls"] == [{"id": "call_7", "type": "function", "function": {
        "name": "run_code", "arguments": json.dumps(RUN)}}]
    assert tool["role"] == "tool" and tool["tool_call_id"] == "call_7"
    assert json.loads(tool["content"])["verdict"] == "passed"


def test_server_without_tool_support_falls_back_to_json_mode(
        fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        local_settings: LocalLLMSettings) -> None:
    gate = Gate(timeout=10)
    say_then_hold = json.dumps({"say": "Let me run your code.", "tool": {"name": "run_code", "arguments": RUN}})
    cut = say_then_hold.index("code.") + 5
    fake_llm.expect(
        # What Ollama answers for a model without tool calls.
        Reply.error(400, f"registry.ollama.ai/library/{MODEL} does not support tools"),
        Sse([Event(chunk({"role": "assistant", "content": ""})), Event(chunk({"content": say_then_hold[:20]})),
             Event(chunk({"content": say_then_hold[20:cut]})), gate, Event(chunk({"content": say_then_hold[cut:]})),
             Event(chunk({}, finish="stop")), Event("[DONE]")]),
        json_reply({"say": "All six tests pass. What is the time complexity?", "tool": None}),
    )
    brain = make_brain(local_settings, bank, judge, LocalToolBox(bank))
    events = brain.respond(conversation(store, "google-sde", CODE_TURNS))
    seen = []
    for event in events:
        seen.append(event)
        if spoken(seen).endswith("code."):
            break
    # The "say" field is spoken while the JSON is still streaming (the rest is behind the gate).
    assert spoken(seen) == "Let me run your code."
    gate.open()
    seen += list(events)
    assert brain.tool_mode == "json"
    result = next(e for e in seen if isinstance(e, ToolResult))
    assert result.name == "run_code" and result.result["verdict"] == "passed"
    assert spoken(seen) == "Let me run your code. All six tests pass. What is the time complexity?"
    assert seen[-1] == TurnEnded(finished=False)

    refused, first_json, second_json = fake_llm.chat_requests()
    assert "tools" in refused
    for request in (first_json, second_json):
        assert "tools" not in request
        assert request["response_format"]["type"] == "json_schema"
        assert "Reply with one JSON object" in request["messages"][0]["content"]
        assert "run_code(code: string" in request["messages"][0]["content"]
    assert json.loads(second_json["messages"][-2]["content"])["tool"]["name"] == "run_code"
    assert second_json["messages"][-1]["role"] == "user"
    assert second_json["messages"][-1]["content"].startswith('[Result of run_code: {')

    # The next turn starts in JSON mode straight away.
    fake_llm.expect(json_reply({"say": "Good. Next question.", "tool": None}))
    list(brain.respond(conversation(store, "google-sde", CODE_TURNS)))
    assert "tools" not in fake_llm.chat_requests()[-1]


def test_a_tool_call_written_as_text_is_run_and_switches_to_json_mode(
        fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        local_settings: LocalLLMSettings) -> None:
    written = json.dumps({"name": "run_code", "arguments": RUN})
    fake_llm.expect(text_reply(written[:30], written[30:]),
                    json_reply({"say": "It passes every test.", "tool": None}))
    brain = make_brain(local_settings, bank, judge, LocalToolBox(bank))
    events = list(brain.respond(conversation(store, "google-sde", CODE_TURNS)))
    assert spoken(events) == "It passes every test."  # the JSON was never read out
    assert next(e for e in events if isinstance(e, ToolResult)).result["verdict"] == "passed"
    assert brain.tool_mode == "json"


def test_plain_text_in_json_mode_is_still_spoken(fake_llm: FakeOpenAI, store: SessionStore, bank: QuestionBank,
                                                judge: AnswerJudge, local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(Reply.error(400, "response_format json_schema is not supported"),
                    text_reply("Good answer. ", "What would you cache?"))
    settings = local_settings.model_copy(update={"tools": "json"})
    brain = make_brain(settings, bank, judge, LocalToolBox(bank))
    events = list(brain.respond(conversation(store, "system-design", [
        ("interviewer", "question", "How would you design a URL shortener?"),
        ("candidate", "answer", "A key-value store with a cache in front.")])))
    assert spoken(events) == "Good answer. What would you cache?"
    refused, asked = fake_llm.chat_requests()
    assert "response_format" in refused and "response_format" not in asked and "tools" not in asked


def test_malformed_tool_arguments_go_back_to_the_model(fake_llm: FakeOpenAI, store: SessionStore,
                                                       bank: QuestionBank, judge: AnswerJudge,
                                                       local_settings: LocalLLMSettings) -> None:
    from .fake_openai import finish_events

    broken = Sse([Event(chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                               "function": {"name": "run_code", "arguments": '{"code": "x'}}]})),
                  *finish_events("tool_calls")])
    fake_llm.expect(broken, tool_reply(("call_2", "run_code", RUN)), text_reply("It passes."))
    events = list(make_brain(local_settings, bank, judge, LocalToolBox(bank)).respond(
        conversation(store, "google-sde", CODE_TURNS)))
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.ok for r in results] == [False, True]
    assert "malformed arguments for tool run_code" in results[0].result["error"]
    assert spoken(events) == "It passes." and events[-1] == TurnEnded(finished=False)
    retry = fake_llm.chat_requests()[1]["messages"][-1]
    assert retry["role"] == "tool" and "send the arguments as one valid JSON object" in retry["content"]
