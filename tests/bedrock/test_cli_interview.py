"""A whole interview through the real `prepai` command with --brain bedrock-agent, against the local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai

from .fake_aws import FakeAws, Stream
from .scripts import chunk

pytestmark = pytest.mark.aws

TWO_SUM = ("You get an array of integers and a target value, and exactly one pair of entries sums to the target. "
           "Return the positions of those two entries.")
ANSWERS = [
    "I would walk the array once, keeping a hash map from each value to its index, and for each number look up "
    "whether target minus the number is already in the map. That is linear time and linear extra space.",
    "I don't know, can I get a hint?",
    "I check for the complement before inserting the current value, so an element never pairs with itself.",
]


def test_scripted_interview_with_the_agent_brain(fake_aws: FakeAws, prepai_home: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws.expect(
        Stream([chunk("Hi, I'm your interviewer. We'll do two questions, and you can ask for hints."),
                chunk("\n\nHere's the first question. "), chunk(TWO_SUM)]),
        Stream([chunk("Good, that's the classic approach. "), chunk("What happens when the same value appears twice?")]),
        Stream([chunk("Think about when you insert a value relative to when you look it up.")]),
        Stream([chunk("Exactly right. "), chunk("Next question. How would you find the missing number in a range?")]),
        Stream([chunk("Let's stop here. Your hashing answer was strong. Thanks, and good luck.")]),
    )
    for name, value in {"PREPAI_BRAIN": "bedrock-agent", "PREPAI_AWS__AGENT_ID": "AGENT12345",
                        "PREPAI_AWS__AGENT_ALIAS_ID": "ALIAS12345", "PREPAI_AWS__REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    answers = tmp_path / "answers.txt"
    answers.write_text("\n\n".join(ANSWERS) + "\n")

    result = run_prepai("interview", "--type", "google-sde", "--questions", "2", "--answers", str(answers),
                        "--no-tui", home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert "Here's the first question." in result.stdout and "Let's stop here." in result.stdout
    assert fake_aws.pending == 0 and len(fake_aws.requests) == 5

    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    assert session.brain == "bedrock-agent" and session.status == "ended"
    turns = store.turns(session.id)
    assert [(t.role, t.kind) for t in turns] == [
        ("interviewer", "intro"), ("interviewer", "question"),
        ("candidate", "answer"), ("interviewer", "question"),
        ("candidate", "answer"), ("interviewer", "hint"),
        ("candidate", "answer"), ("interviewer", "question"),
        ("interviewer", "closing"),
    ]
    assert turns[1].text == "Here's the first question. " + TWO_SUM
    assert [t.text for t in turns if t.role == "candidate"] == ANSWERS
    first_answer = turns[2]
    # Scored with the offline rubric against the bank question the agent asked.
    assert first_answer.evaluation is not None and first_answer.evaluation["matched_question_id"] == "gsde-two-sum"
    # Asking for a hint is read as such (agent/understanding) and stored unscored, as the offline brain stores it.
    assert turns[4].evaluation == {"intent": "hint_request", "scored": False}

    paths = {r.path for r in fake_aws.requests}
    assert len(paths) == 1 and session.id in paths.pop()  # one agent session for the whole interview
    bodies = [r.json() for r in fake_aws.requests]
    assert "Session start" in bodies[0]["inputText"]
    assert bodies[1]["inputText"].startswith(ANSWERS[0])
    assert "stuck" in bodies[2]["inputText"]
    assert "wants to end the interview" in bodies[4]["inputText"]

    report = run_prepai("report", session.id, "--format", "json", home=prepai_home)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["questions"][0]["question"].startswith("Here's the first question.")
    assert data["questions"][0]["score"] is not None


def test_scripted_interview_with_the_converse_brain(fake_aws: FakeAws, prepai_home: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from .scripts import converse_text

    fake_aws.expect(
        Stream(converse_text("Hi, I'm your interviewer.", "\n\nHere's the first question. ", TWO_SUM)),
        Stream(converse_text("Good. What happens when the same value appears twice?")),
        Stream(converse_text("Right. Next question. How would you find the missing number in a range?")),
        Stream(converse_text("Let's stop here. Thanks, and good luck.")),
    )
    monkeypatch.setenv("PREPAI_AWS__REGION", "us-east-1")
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS[0] + "\n\n" + ANSWERS[2] + "\n")
    result = run_prepai("interview", "--type", "google-sde", "--brain", "bedrock", "--answers", str(answers),
                        "--no-tui", home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert fake_aws.pending == 0

    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    turns = store.turns(session.id)
    assert [(t.role, t.kind) for t in turns] == [
        ("interviewer", "intro"), ("interviewer", "question"), ("candidate", "answer"),
        ("interviewer", "question"), ("candidate", "answer"), ("interviewer", "question"),
        ("interviewer", "closing")]
    tools = [t["toolSpec"]["name"] for t in fake_aws.requests[0].json()["toolConfig"]["tools"]]
    assert sorted(tools) == ["analyze_cv", "evaluate_answer", "run_code", "search_knowledge_base"]
    last = fake_aws.requests[-1].json()["messages"]
    # Each call carries the whole stored conversation: that is what makes --resume work for this brain.
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant", "user", "assistant", "user"]
    assert last[2]["content"][0]["text"] == ANSWERS[0]
    assert "wants to end the interview" in last[-1]["content"][0]["text"]


def test_agentcore_without_a_harness_is_one_clean_line(isolated_aws, prepai_home: Path) -> None:
    result = run_prepai("interview", "--type", "google-sde", "--brain", "agentcore", "--text", "--no-tui",
                        home=prepai_home, stdin="")
    assert result.returncode == 1, (result.returncode, result.stderr)  # not an abort while the evaluator loads
    assert result.stderr.strip().splitlines() == [
        "error: the agentcore brain needs a harness: run `prepai infra deploy` (it sets aws.harness_arn), or "
        "`prepai config set aws.harness_arn arn:aws:bedrock-agentcore:...`"]


def test_code_interpreter_is_refused_for_other_brains(isolated_aws, prepai_home: Path) -> None:
    result = run_prepai("interview", "--type", "google-sde", "--brain", "offline", "--code-interpreter", "--text",
                        "--no-tui", home=prepai_home, stdin="")
    assert result.returncode == 1
    assert "--code-interpreter applies to --brain agentcore only" in result.stderr
