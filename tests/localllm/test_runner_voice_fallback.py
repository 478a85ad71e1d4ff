"""The local brain inside the interview loop: the first sentence goes out while the model is still generating,
talking over it closes the HTTP stream, and --fallback offline carries on without the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from prepai_cli.interview.console import ScriptedInput
from prepai_cli.interview.io import Delivery
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai

from .conftest import make_brain
from .fake_openai import Event, FakeOpenAI, Gate, Sse, chunk, finish_events, text_reply
from .test_errors import free_port

pytestmark = pytest.mark.llm


class TimedOutput:
    """An interviewer output that notes when each piece of text arrives, and can be talked over."""

    def __init__(self, barge_in_after: str | None = None) -> None:
        self.writes: list[tuple[float, str]] = []
        self.notices: list[str] = []
        self.barge_in_after = barge_in_after
        self.first_text = threading.Event()

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        pass

    def write(self, text: str) -> None:
        self.writes.append((time.monotonic(), text))
        self.first_text.set()

    def interrupted(self) -> bool:
        said = "".join(t for _, t in self.writes)
        return self.barge_in_after is not None and self.barge_in_after in said

    def end_turn(self) -> Delivery:
        if self.barge_in_after is not None and self.interrupted():
            return Delivery(spoken=["".join(t for _, t in self.writes).strip()], interrupted=True)
        return Delivery()

    def notice(self, message: str) -> None:
        self.notices.append(message)


def test_first_sentence_is_out_before_the_reply_is_done(fake_llm: FakeOpenAI, store: SessionStore,
                                                        bank: QuestionBank, judge: AnswerJudge,
                                                        local_settings: LocalLLMSettings) -> None:
    gate = Gate(timeout=10)
    fake_llm.expect(Sse([Event(chunk({"content": "Hi, I'm your interviewer. "})), gate,
                         Event(chunk({"content": "\n\nHow would you find two numbers that sum to a target?"})),
                         *finish_events("stop")]),
                    text_reply("Thanks, that's all for today."))
    output = TimedOutput()
    session = store.create_session("google-sde", "local", "tester", {"questions": 1, "difficulty": 1})
    runner = InterviewRunner(store, make_brain(local_settings, bank, judge), output, ScriptedInput([]), bank=bank)
    worker = threading.Thread(target=runner.run, args=(session,))
    worker.start()
    assert output.first_text.wait(10)
    # The runner has the first sentence (the voice would be speaking it) while the model is held mid-reply.
    assert [t for _, t in output.writes] == ["Hi, I'm your interviewer. "]
    assert not any(what == "event 2" for _, what in fake_llm.sent)
    gate.open()
    worker.join(20)
    assert store.get_session(session.id).status == "ended"


def test_talking_over_the_interviewer_closes_the_stream(fake_llm: FakeOpenAI, store: SessionStore,
                                                        bank: QuestionBank, judge: AnswerJudge,
                                                        local_settings: LocalLLMSettings) -> None:
    fake_llm.expect(Sse([Event(chunk({"content": "Hi, I'm your interviewer. "})),
                         *[Event(chunk({"content": "And here is a very long monologue. " * 50}), delay=0.03)
                           for _ in range(40)], *finish_events("stop")]),
                    text_reply("Thanks, that's all for today."))
    output = TimedOutput(barge_in_after="interviewer.")
    session = store.create_session("google-sde", "local", "tester", {"questions": 1, "difficulty": 1})
    InterviewRunner(store, make_brain(local_settings, bank, judge), output, ScriptedInput([]), bank=bank).run(session)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(what == "client closed" for _, what in fake_llm.sent):
        time.sleep(0.02)
    assert any(what == "client closed" for _, what in fake_llm.sent)
    assert sum(1 for _, what in fake_llm.sent if what.startswith("event")) < 40
    first = store.turns(session.id)[0]
    assert first.text == "Hi, I'm your interviewer."  # only what was said before the candidate cut in


def test_fallback_offline_when_no_server_answers(prepai_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("I would use a hash map from each value to its index, in one pass.\n")
    port = free_port()
    result = run_prepai("interview", "--type", "google-sde", "--questions", "1", "--answers", str(answers),
                        "--no-tui", "--brain", "local", "--base-url", f"http://127.0.0.1:{port}/v1",
                        "--fallback", "offline", home=prepai_home)
    assert result.returncode == 0, result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("Interviewer error:")]
    assert errors == [f"Interviewer error: no OpenAI-compatible server answers at http://127.0.0.1:{port}/v1 "
                      "(GET /models failed); start it (e.g. `ollama serve`) or fix --base-url; continuing offline "
                      "for the rest of the interview"]
    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    assert session.brain == "local" and session.status == "ended"
    turns = store.turns(session.id)
    assert turns[-1].kind == "closing" and any(t.question_id for t in turns if t.kind == "question")


def test_without_a_server_the_command_says_so_before_starting(prepai_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("A hash map.\n")
    port = free_port()
    result = run_prepai("interview", "--type", "google-sde", "--answers", str(answers), "--no-tui",
                        "--brain", "local", "--base-url", f"http://127.0.0.1:{port}/v1", home=prepai_home)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) == 1 and f"no OpenAI-compatible server answers at http://127.0.0.1:{port}/v1" in output[0]
    assert SessionStore(prepai_home / "sessions.db").list_sessions() == []  # no empty session left behind
