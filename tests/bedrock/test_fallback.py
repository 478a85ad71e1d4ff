"""`--fallback offline`: a failing cloud brain hands over to the offline brain, and what was said is kept."""

from __future__ import annotations

from typing import Any

import pytest

from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher
from prepai_cli.agent.bedrock_agent import BedrockAgentBrain
from prepai_cli.agent.events import BrainError, SegmentStarted, TurnEnded
from prepai_cli.agent.factory import FallbackBrain
from prepai_cli.agent.offline import OfflineBrain
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.interview.console import ScriptedInput
from prepai_cli.interview.io import Delivery
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore

from . import eventstream as es
from .fake_aws import FakeAws, Frame, Reply, Stream
from .scripts import chunk, conversation

pytestmark = pytest.mark.aws


class CapturingOutput:
    def __init__(self) -> None:
        self.segments: list[tuple[str, str]] = []
        self.notices: list[str] = []

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        self.segments.append((kind, ""))

    def write(self, text: str) -> None:
        kind, said = self.segments[-1]
        self.segments[-1] = (kind, said + text)

    def interrupted(self) -> bool:
        return False

    def end_turn(self) -> Delivery:
        return Delivery()

    def notice(self, message: str) -> None:
        self.notices.append(message)


def fallback_brain(settings: AWSSettings, bank: QuestionBank, judge: AnswerJudge, evaluator) -> FallbackBrain:
    cloud = BedrockAgentBrain(settings, bank, judge)
    return FallbackBrain(cloud, OfflineBrain(bank, lambda: evaluator), QuestionMatcher(bank).annotate)


def test_non_recoverable_error_switches_to_offline_for_good(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge, evaluator,
        agent_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(403, "AccessDeniedException", "User: x is not authorized to perform: bedrock:InvokeAgent"))
    brain = fallback_brain(agent_settings, bank, judge, evaluator)
    convo = conversation(store, "google-sde")
    events = list(brain.respond(convo))
    error = next(e for e in events if isinstance(e, BrainError))
    assert error.recoverable and "continuing offline for the rest of the interview" in error.message
    kinds = [e.kind for e in events if isinstance(e, SegmentStarted)]
    assert kinds == ["intro", "question"]  # the cloud said nothing, so only the offline brain's turn shows
    assert events[-1] == TurnEnded(finished=False) and brain.offline

    list(brain.respond(conversation(store, "google-sde", [("interviewer", "question", "Two sum?"),
                                                         ("candidate", "answer", "Use a hash map.")],
                                    session=convo.session)))
    assert len(fake_aws.requests) == 1  # the cloud is not asked again


def test_mid_stream_failure_keeps_what_was_said_and_the_cloud_is_tried_again(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge, evaluator,
        agent_settings: AWSSettings) -> None:
    fake_aws.expect(
        Stream([chunk("Hi, I'm your interviewer. "), Frame(es.exception("internalServerException", "boom"))]),
        Stream([chunk("Good, a hash map is the right idea. "), chunk("What about duplicates?")]),
        Stream([chunk("Let's stop here. You explained hashing well. Thanks.")]),
    )
    brain = fallback_brain(agent_settings, bank, judge, evaluator)
    session = store.create_session("google-sde", "bedrock-agent", "tester", {"questions": 2, "difficulty": 1})
    output = CapturingOutput()
    runner = InterviewRunner(store, brain, output, ScriptedInput(["I'd use a hash map of value to index."]), bank=bank)
    outcome = runner.run(session)

    assert outcome.finished and outcome.session.status == "ended"
    turns = store.turns(session.id)
    interviewer = [(t.kind, t.text, t.meta.get("brain")) for t in turns if t.role == "interviewer"]
    assert interviewer[0] == ("intro", "Hi, I'm your interviewer.", "bedrock-agent")  # the cloud's words, kept
    assert interviewer[1][0] == "intro" and interviewer[1][2] is None  # the offline brain finished that turn
    offline_question = next(t for t in turns if t.kind == "question" and t.question_id)
    assert interviewer[3] == ("question", "Good, a hash map is the right idea. What about duplicates?", "bedrock-agent")
    assert interviewer[4][0] == "closing"
    assert any("continuing offline for this turn" in n for n in output.notices)

    second = fake_aws.requests[1].json()["inputText"]
    # The agent did not hear the offline brain's question, so it is told before the answer.
    assert "Also said by the interview app" in second and offline_question.text in second
    assert [t.role for t in turns].count("candidate") == 1
