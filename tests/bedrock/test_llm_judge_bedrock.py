"""The LLM judge on Bedrock (aws.judge): the Converse brain's model judges each answer through a forced tool."""

from __future__ import annotations

import pytest

from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher
from prepai_cli.agent.bedrock_converse import BedrockConverseBrain
from prepai_cli.agent.bedrock_judge import BedrockJudgeBackend
from prepai_cli.agent.events import AnswerJudged, TurnEnded
from prepai_cli.agent.factory import build_brain
from prepai_cli.agent.llm_judge import JudgedBrain, with_llm_judge
from prepai_cli.bank import QuestionBank
from prepai_cli.config import AWSSettings, Settings
from prepai_cli.store import SessionStore

from . import eventstream as es
from .fake_aws import FakeAws, Frame, Stream
from .scripts import conversation, converse_stop, converse_text, converse_tool_use

pytestmark = pytest.mark.aws

TWO_SUM = ("You get an array of integers and a target value, and exactly one pair of entries sums to the target. "
           "Return the positions of those two entries.")


def test_converse_brain_answers_are_judged_by_its_model(fake_aws: FakeAws, store: SessionStore, bank: QuestionBank,
                                                       judge: AnswerJudge, converse_settings: AWSSettings) -> None:
    verdict = {"score": 8, "covered": ["complement-map", "one-pass-linear"], "misconceptions": [],
               "verdict": "Solid idea. Mention duplicates."}
    fake_aws.expect(
        Stream(converse_text("Thanks, that's all for today.")),
        Stream([Frame(es.event("messageStart", {"role": "assistant"}))]
               + converse_tool_use(0, "tooluse-j", "record_judgement", verdict) + converse_stop("tool_use", (400, 60))),
    )
    brain = with_llm_judge(BedrockConverseBrain(converse_settings, bank, judge), bank, QuestionMatcher(bank),
                           BedrockJudgeBackend(converse_settings))
    convo = conversation(store, "google-sde", [("interviewer", "question", TWO_SUM),
                                               ("candidate", "answer", "A hash map from value to index, one pass.")],
                         end_requested=True)
    events = list(brain.respond(convo))
    judged = next(e for e in events if isinstance(e, AnswerJudged))
    assert events[-1] == TurnEnded(finished=True)  # the closing waited for the last judgement
    assert judged.turn_id == convo.turns[-1].id
    assert judged.judgement["judged_by"] == f"{converse_settings.model_id} on Amazon Bedrock"
    assert judged.judgement["covered"] == ["complement-map", "one-pass-linear"] and judged.judgement["score"] == 8

    interviewer, judging = (r.json() for r in fake_aws.requests)
    assert "toolConfig" not in interviewer  # the interviewer's reply went first, unchanged
    assert judging["toolConfig"]["toolChoice"] == {"tool": {"name": "record_judgement"}}
    schema = judging["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert schema["properties"]["covered"]["items"]["enum"][1] == "complement-map"
    assert "A hash map from value to index, one pass." in judging["messages"][0]["content"][0]["text"]


def test_bedrock_judging_is_opt_in(bank: QuestionBank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("prepai_cli.agent.factory.LazyEvaluator", lambda: (lambda: None))
    assert isinstance(build_brain(Settings(brain="bedrock"), bank), BedrockConverseBrain)
    judged = build_brain(Settings(brain="bedrock", aws={"judge": True}), bank)
    assert isinstance(judged, JudgedBrain) and judged.name == "bedrock"
