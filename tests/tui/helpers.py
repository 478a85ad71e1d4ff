"""Test doubles for the TUI: a brain that says fixed lines, a voice input that emits partials, a waiter."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from textual.message import Message
from textual.pilot import Pilot

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import BrainEvent, SegmentStarted, TextDelta, TurnEnded
from prepai_cli.domain import Session, Turn
from prepai_cli.interview.io import AnswerContext, CandidateAnswer
from prepai_cli.tui.bridge import VoiceFeed
from prepai_cli.agent.offline import OfflineBrain, ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore
from prepai_cli.tui.clock import FrozenClock
from prepai_cli.tui.services import Progress, Services, VoiceFactory, VoiceIO


def make_services(
    store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock, *,
    voice_factory: VoiceFactory | None = None, tools: ToolBox | None = None,
) -> Services:
    return Services(
        store=store, bank=bank, brain_name="offline", candidate="tester",
        brain_factory=lambda: OfflineBrain(bank, lambda: evaluator, tools=tools),
        voice_factory=voice_factory, tools=tools, clock=clock,
    )


def scripted_services(store: SessionStore, bank: QuestionBank, evaluator: Any, clock: FrozenClock, question_id: str,
                      *, tools: ToolBox | None = None) -> Services:
    """Services whose interviewer asks `question_id` first (a ScriptedBrain), so a screen is deterministic."""
    services = make_services(store, bank, evaluator, clock, tools=tools)
    question = bank.question(question_id)
    assert question is not None
    services.brain_factory = lambda: ScriptedBrain(question_id, question.text.strip(), topic=question.topic)
    return services


class ScriptedBrain:
    """Asks `question_id` first, then closes; deterministic, so screens can be snapshotted."""

    name = "scripted"

    def __init__(self, question_id: str, text: str, of: int = 3, topic: str = "arrays") -> None:
        self.question_id = question_id
        self.text = text
        self.of = of
        self.topic = topic

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        if conversation.end_requested or any(t.role == "candidate" for t in conversation.turns):
            yield SegmentStarted("closing", None, {})
            yield TextDelta("Thanks.")
            yield TurnEnded(finished=True)
            return
        yield SegmentStarted("intro")
        yield TextDelta("Hi. ")
        yield TextDelta("Let's begin.")
        yield SegmentStarted("question", self.question_id, {"number": 1, "of": self.of, "topic": self.topic})
        yield TextDelta(self.text)
        yield TurnEnded()


class PartialsVoice:
    """A voice input standing in for the microphone: it streams growing partials, then returns the final text."""

    def __init__(self, feed: VoiceFeed, answers: list[str], pause: float = 0.05) -> None:
        self.feed = feed
        self.answers = list(answers)
        self.pause = pause
        self.partials_sent: list[str] = []
        # Once the answers run out it waits, like a quiet microphone, until the test ends the interview.
        self.released = threading.Event()

    def cancel(self) -> None:
        self.released.set()

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if not self.answers:
            self.released.wait()
            return None
        answer = self.answers.pop(0)
        words = answer.split()
        self.feed.state("listening")
        for i in range(1, len(words)):
            partial = " ".join(words[:i])
            self.partials_sent.append(partial)
            self.feed.partial(partial)
            self.feed.level(0.5)
            time.sleep(self.pause)
        return CandidateAnswer(text=answer, meta={"input": "voice"})


def partials_voice_factory(answers: list[str], created: list[PartialsVoice]) -> Callable[[Session, VoiceFeed, Progress], VoiceIO]:
    def build(session: Session, feed: VoiceFeed, progress: Progress) -> VoiceIO:
        progress("Opening the test voice", 0.5)
        voice = PartialsVoice(feed, answers)
        created.append(voice)
        return VoiceIO(input=voice, output=None, label="test voice", live=False)

    return build


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Lets the app run until `predicate` holds; fails the test with a timeout otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)


class Recorder:
    """A message hook that keeps every message the app dispatched."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]


def plain(widget: Any, width: int = 120) -> str:
    """What a Static shows, as plain text (rich tables and Text alike)."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]  # a StringIO, set above


SEEDED_AT = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)


def seeded_session(store: SessionStore, session_id: str = "20260115-103000-abc123") -> str:
    def at(minute: int) -> datetime:
        return SEEDED_AT.replace(minute=30 + minute)

    turns = [
        ("interviewer", "question", "Given an array of integers and a target, return the indices of the two "
         "numbers that add up to the target.", "gsde-two-sum", None),
        ("candidate", "answer", "I would use a hash map from value to index and look up target minus the "
         "current number, which is one pass and linear time.", "gsde-two-sum",
         {"score": 7.5, "covered": ["complement-map", "one-pass-linear"], "missed": ["check-before-insert"],
          "suggestions": ["Mention duplicates and the no-solution case."]}),
        ("interviewer", "closing", "That's all the questions I have.", None, None),
    ]
    session = Session(id=session_id, type="google-sde", brain="offline", candidate="tester", status="ended",
                      created_at=SEEDED_AT, ended_at=at(9), settings={"questions": 1})
    store.import_session(session, [
        Turn(id=i + 1, session_id=session_id, index=i, role=role, kind=kind, text=text, started_at=at(i * 3),
             ended_at=at(i * 3 + 2), question_id=qid, evaluation=evaluation)
        for i, (role, kind, text, qid, evaluation) in enumerate(turns)
    ])
    return session_id


def burst(app: Any, keys: list[str]) -> None:
    """Sends keys the way a terminal delivers a fast burst (tmux send-keys, a paste without bracketed paste):
    all queued at once, without waiting for the app to handle one before the next arrives."""
    from textual import events

    driver = app._driver
    for key in keys:
        character = {"enter": "\r", "space": " "}.get(key, key if len(key) == 1 else None)
        event = events.Key({" ": "space"}.get(key, key), character)
        event.set_sender(app)
        driver.send_message(event)
