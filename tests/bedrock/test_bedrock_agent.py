"""The InvokeAgent brain against a local event-stream server, through real boto3 clients."""

from __future__ import annotations

import time

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.bedrock_agent import BedrockAgentBrain, agent_session_id
from prepai_cli.agent.events import (
    AnswerEvaluated, BrainError, SegmentStarted, TextDelta, TurnEnded,
)
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings
from prepai_cli.store import SessionStore

from . import eventstream as es
from .fake_aws import Cut, FakeAws, Frame, Gate, Reply, Stream
from .scripts import chunk, conversation, trace

pytestmark = pytest.mark.aws

TWO_SUM = ("You get an array of integers and a target value, and exactly one pair of entries sums to the target. "
           "Return the positions of those two entries.")


def make_brain(settings: AWSSettings, bank: QuestionBank, judge: AnswerJudge, **kwargs) -> BedrockAgentBrain:
    return BedrockAgentBrain(settings, bank, judge, **kwargs)


def test_chunks_reach_the_consumer_as_they_arrive(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                  judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    gate = Gate()
    fake_aws.expect(Stream([
        trace(),
        chunk("Hi, I'm your interviewer for today. "),
        gate,  # the server holds the rest until the consumer has seen the first words
        chunk("We'll do two questions.\n", delay=0.05),
        chunk("\nHere's the first question. ", delay=0.05),
        chunk(TWO_SUM, delay=0.05),
    ]))
    brain = make_brain(agent_settings, bank, judge)
    convo = conversation(store, "google-sde")
    events, first_text_at = [], None
    for event in brain.respond(convo):
        events.append(event)
        if isinstance(event, TextDelta) and first_text_at is None:
            first_text_at = time.monotonic()
            gate.open()
    assert gate.opened_in_time is True
    last_frame_sent_at = max(t for t, what in fake_aws.sent if what.startswith("frame"))
    assert first_text_at is not None and first_text_at < last_frame_sent_at

    kinds = [(e.kind, e.meta.get("number")) for e in events if isinstance(e, SegmentStarted)]
    assert kinds == [("intro", None), ("question", 1)]
    split = next(i for i, e in enumerate(events) if isinstance(e, SegmentStarted) and e.kind == "question")
    intro = "".join(e.text for e in events[:split] if isinstance(e, TextDelta))
    question = "".join(e.text for e in events[split:] if isinstance(e, TextDelta))
    assert intro.strip() == "Hi, I'm your interviewer for today. We'll do two questions."
    assert question == "Here's the first question. " + TWO_SUM
    assert events[-1] == TurnEnded(finished=False)

    (request,) = fake_aws.requests
    assert request.path == f"/agents/AGENT12345/agentAliases/ALIAS12345/sessions/{agent_session_id(convo.session.id)}/text"
    body = request.json()
    assert body["streamingConfigurations"] == {"streamFinalResponse": True}
    assert "Google SDE" in body["inputText"] and "Starting difficulty: 1 of 3" in body["inputText"]
    attributes = body["sessionState"]["sessionAttributes"]
    assert attributes["interview_type"] == "google-sde" and attributes["difficulty"] == "1"
    assert "cv_summary" not in attributes
    assert "Authorization" in request.headers and "Credential=testing/" in request.headers["Authorization"]


def test_cv_summary_goes_to_the_agent_only_when_allowed(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                        judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    cv = "Five years of Go and Kubernetes at a payments company."
    for send_cv in (False, True):
        fake_aws.expect(Stream([chunk("Hello.")]))
        settings = agent_settings.model_copy(update={"send_cv": send_cv})
        list(make_brain(settings, bank, judge).respond(conversation(store, "cv-grilling", cv_summary=cv)))
    without, with_cv = (r.json() for r in fake_aws.requests)
    assert "cv_summary" not in without["sessionState"]["sessionAttributes"] and cv not in without["inputText"]
    assert with_cv["sessionState"]["sessionAttributes"]["cv_summary"] == cv and cv in with_cv["inputText"]


def test_answer_turn_sends_the_answer_scores_it_and_continues_the_agent_session(
        fake_aws: FakeAws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
        agent_settings: AWSSettings, evaluator) -> None:
    answer = "I would keep a hash map from each value to its index and look up the complement in one pass."
    convo = conversation(store, "google-sde", [
        ("interviewer", "intro", "Hi, I'm your interviewer."),
        ("interviewer", "question", "Here's the first question. " + TWO_SUM),
        ("candidate", "answer", answer),
    ])
    fake_aws.expect(Stream([chunk("Good. "), chunk("What if the same value appears twice?")]),
                    Stream([chunk("Right.")]))
    brain = make_brain(agent_settings, bank, judge)
    events = list(brain.respond(convo))
    assert [e.kind for e in events if isinstance(e, SegmentStarted)] == ["question"]
    evaluated = [e for e in events if isinstance(e, AnswerEvaluated)]
    assert evaluated and evaluated[0].question_id == "gsde-two-sum"
    assert evaluated[0].evaluation["matched_question_id"] == "gsde-two-sum"
    assert evaluator.calls == [("gsde-two-sum", answer)]
    first = fake_aws.requests[0].json()
    # A brain that has not talked to this agent session yet (a resume) sends a recap before the answer.
    assert "Resuming an earlier session" in first["inputText"] and TWO_SUM in first["inputText"]
    assert first["inputText"].index(answer) > first["inputText"].index("Resuming")

    convo2 = conversation(store, "google-sde", [
        ("interviewer", "question", "Good. What if the same value appears twice?"),
        ("candidate", "answer", "Then I check before inserting."),
    ], session=convo.session)
    list(brain.respond(convo2))
    second = fake_aws.requests[1].json()
    assert "Resuming" not in second["inputText"] and second["inputText"].startswith("Then I check before inserting.")
    assert fake_aws.requests[0].path == fake_aws.requests[1].path  # same agent session


def test_throttled_before_the_stream_is_retried(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(429, "ThrottlingException", "Rate exceeded"),
                    Stream([chunk("Hello there.")]))
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert len(fake_aws.requests) == 2
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello there."
    assert not any(isinstance(e, BrainError) for e in events)


def test_throttled_on_every_attempt_is_a_recoverable_error(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                           judge: AnswerJudge, agent_settings: AWSSettings,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent import aws

    fake_aws.expect(*[Reply.error(429, "ThrottlingException", "Rate exceeded") for _ in range(2)])
    brain = make_brain(agent_settings, bank, judge,
                       client_factory=lambda s: aws.make_client(s, "bedrock-agent-runtime", max_attempts=2))
    events = list(brain.respond(conversation(store, "google-sde")))
    assert len(fake_aws.requests) == 2
    error = events[-1]
    assert isinstance(error, BrainError) and error.recoverable and "ThrottlingException" in error.message


def test_exception_mid_stream_keeps_the_text_already_said(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                          judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    fake_aws.expect(Stream([chunk("Hi, I'm your interviewer. "),
                            Frame(es.exception("throttlingException", "Your request rate is too high."))]))
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert [type(e) for e in events] == [SegmentStarted, TextDelta, BrainError]
    assert events[1] == TextDelta("Hi, I'm your interviewer. ")
    assert events[2].recoverable and "throttling" in events[2].message.lower()


def test_stream_cut_mid_message_is_a_recoverable_error(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                       judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    rest = chunk("and this part never arrives whole.").data
    fake_aws.expect(Stream([chunk("Let me think "), Cut(rest, keep=len(rest) // 2)]))
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    assert events[1] == TextDelta("Let me think ")
    error = events[-1]
    assert isinstance(error, BrainError) and error.recoverable and "dropped" in error.message


@pytest.mark.parametrize("message, expected", [
    ("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeAgent on resource: "
     "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345",
     "needs bedrock:InvokeAgent on arn:aws:bedrock:us-east-1:<account-id>:agent-alias/AGENT12345/ALIAS12345"),
    ("Access denied when calling Bedrock. Check your request permissions and retry the request.",
     "check bedrock:InvokeAgent on arn:aws:bedrock:us-east-1:<account-id>:agent-alias/AGENT12345/ALIAS12345"),
])
def test_access_denied_names_the_permission(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                            judge: AnswerJudge, agent_settings: AWSSettings,
                                            message: str, expected: str) -> None:
    fake_aws.expect(Reply.error(403, "AccessDeniedException", message))
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    error = events[-1]
    assert isinstance(error, BrainError) and not error.recoverable
    assert expected in error.message and "\n" not in error.message
    assert len(fake_aws.requests) == 1  # access denied is not retried


def test_missing_or_unprepared_agent(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                     judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(404, "ResourceNotFoundException", "Failed to retrieve resource because it doesn't exist."),
                    Reply.error(400, "ValidationException", "Agent AGENT12345 is not prepared. Prepare the agent."))
    brain = make_brain(agent_settings, bank, judge)
    missing = list(brain.respond(conversation(store, "google-sde")))[-1]
    unprepared = list(brain.respond(conversation(store, "google-sde")))[-1]
    assert isinstance(missing, BrainError) and not missing.recoverable
    assert "agent AGENT12345 (alias ALIAS12345) was not found in us-east-1" in missing.message
    assert "--agent-id" in missing.message
    assert isinstance(unprepared, BrainError) and "not prepared" in unprepared.message


def test_no_credentials(isolated_aws, store: SessionStore, bank: QuestionBank, judge: AnswerJudge,
                        agent_settings: AWSSettings) -> None:
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    error = events[-1]
    assert isinstance(error, BrainError) and not error.recoverable
    assert error.message.startswith("no AWS credentials found")


def test_closing_the_turn_early_drops_the_http_stream(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                      judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    gate = Gate()
    fake_aws.expect(Stream([chunk("Hi. "), gate] + [chunk("more words " * 200, delay=0.02) for _ in range(30)]))
    events = make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde"))
    for event in events:
        if isinstance(event, TextDelta):
            break
    events.close()  # what the runner does on barge-in
    gate.open()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(what == "client closed" for _, what in fake_aws.sent):
        time.sleep(0.02)
    assert any(what == "client closed" for _, what in fake_aws.sent)
    assert sum(1 for _, what in fake_aws.sent if what.startswith("frame")) < 31


def test_agent_settings_are_required(bank: QuestionBank, judge: AnswerJudge) -> None:
    from prepai_cli.errors import PrepAIError

    with pytest.raises(PrepAIError, match="--agent-id and --agent-alias-id"):
        BedrockAgentBrain(AWSSettings(region="us-east-1"), bank, judge)


def test_agents_classic_closed_to_this_account_says_switch(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                           judge: AnswerJudge, agent_settings: AWSSettings) -> None:
    fake_aws.expect(Reply.error(400, "ValidationException", "Amazon Bedrock Agents Classic is in maintenance mode "
                                "and not available to new customers."))
    events = list(make_brain(agent_settings, bank, judge).respond(conversation(store, "google-sde")))
    error = events[-1]
    assert isinstance(error, BrainError) and not error.recoverable
    assert "closed to new customers" in error.message and "--brain agentcore" in error.message
