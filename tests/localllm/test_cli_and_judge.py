"""A whole interview through the real `prepai` command with --brain local; the LLM judges each answer beside the
rubric, the judgement is stored as its own record, and the report shows it first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepai_cli.store import SessionStore
from tests.bedrock.test_cli_interview import ANSWERS, TWO_SUM
from tests.clihelpers import run_prepai

from .canned import CannedLLM
from .fake_openai import MODEL, FakeOpenAI

pytestmark = pytest.mark.llm


def test_interview_with_a_local_llm_and_its_judgement(fake_llm: FakeOpenAI, canned_llm, prepai_home: Path,
                                                      tmp_path: Path) -> None:
    canned: CannedLLM = canned_llm([
        "Hi, I'm your interviewer. We'll do two questions, and you can ask for hints.\n\nHere's the first "
        "question. " + TWO_SUM,
        "Good, that's the classic approach. What happens when the same value appears twice?",
        "Think about when you insert a value relative to when you look it up.",
        "Exactly right. Next question. How would you find the missing number in a range?",
        "Let's stop here. Your hashing answer was strong. Thanks, and good luck.",
    ])
    answers = tmp_path / "answers.txt"
    answers.write_text("\n\n".join(ANSWERS) + "\n")

    result = run_prepai("interview", "--type", "google-sde", "--questions", "2", "--answers", str(answers),
                        "--no-tui", "--brain", "local", "--base-url", fake_llm.base_url, home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert f"Interviewer: {MODEL} on Ollama 0.13.0 at {fake_llm.base_url}" in result.stdout
    assert "Here's the first question." in result.stdout and "Let's stop here." in result.stdout
    assert not canned.replies

    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    assert session.brain == "local" and session.status == "ended"
    turns = store.turns(session.id)
    assert [(t.role, t.kind) for t in turns] == [
        ("interviewer", "intro"), ("interviewer", "question"),
        ("candidate", "answer"), ("interviewer", "question"),
        ("candidate", "answer"), ("interviewer", "hint"),
        ("candidate", "answer"), ("interviewer", "question"),
        ("interviewer", "closing"),
    ]
    assert turns[2].evaluation is not None  # the rubric still scores every answer
    judged = store.llm_judgements(session.id)
    # The hint request is not judged; every judgement is of the bank question the rubric matched too.
    assert sorted(judged) == [2, 6]
    assert [judged[i]["question_id"] for i in (2, 6)] == [turns[i].evaluation["matched_question_id"] for i in (2, 6)]
    first = judged[2]
    assert first["model"] == MODEL and first["judged_by"] == f"{MODEL} on Ollama"
    assert first["question_id"] == "gsde-two-sum"
    assert first["covered"] == ["brute-force-baseline", "complement-map"]
    assert first["missed"] == ["one-pass-linear", "check-before-insert"]
    # Scripted answers come at once, so a judgement may give way to the next reply and run again: compare the set.
    judge_prompts = {r["messages"][-1]["content"] for r in canned.judge_requests}
    assert len(judge_prompts) == 2
    assert any(ANSWERS[0] in p and "Claims the hash map solution uses constant extra space" in p for p in judge_prompts)
    assert any(ANSWERS[2] in p for p in judge_prompts)
    assert canned.judge_requests[0]["response_format"]["json_schema"]["schema"]["properties"]["covered"]["items"][
        "enum"] == ["brute-force-baseline", "complement-map", "one-pass-linear", "check-before-insert"]

    report = run_prepai("report", session.id, "--format", "json", home=prepai_home)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["llm_judged_by"] == f"{MODEL} on Ollama" and data["llm_overall_score"] is not None
    q1 = data["questions"][0]
    assert q1["llm_judgement"]["judged_by"] == f"{MODEL} on Ollama"
    assert q1["llm_judgement"]["covered"][1].startswith("A hash map from each value seen so far")
    assert q1["score"] is not None  # the rubric's score stays, as the offline check

    markdown = run_prepai("report", session.id, "--format", "markdown", home=prepai_home).stdout
    judged_at = markdown.index(f"**Judged by {MODEL} on Ollama:**")
    assert judged_at < markdown.index("**Offline check (rubric):**") < markdown.index("**Score:**", judged_at)
    terminal = run_prepai("report", session.id, home=prepai_home).stdout
    assert f"Judged by {MODEL} on Ollama" in terminal and "Offline check (rubric)" in terminal
