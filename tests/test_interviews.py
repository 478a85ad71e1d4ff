"""Whole scripted interviews through the real CLI, brain and evaluator."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prepai_cli.bank.loader import TYPE_ORDER
from tests.clihelpers import run_prepai

GENERIC_ANSWERS = [
    "I would start by clarifying the requirements and the scale, then pick the simplest design that meets them. "
    "For example I would estimate about ten thousand requests per second and choose a hash map or a cache to keep "
    "lookups constant time, then discuss trade-offs like consistency versus latency.",
    "In my last role our payment service missed its latency target. I owned the investigation, profiled the database "
    "queries, added an index and a Redis cache, and cut p99 latency from 900 to 200 milliseconds within two weeks. "
    "I learned to measure before optimising.",
    "I don't know",
    "I would use a queue to decouple producers and consumers, partition the data by user id to spread the load, "
    "replicate across availability zones for reliability and monitor error rates and latency with alerts.",
    "When a teammate disagreed with my design I set up a meeting, listened to their concerns, we ran a small "
    "benchmark together and chose their approach because it was forty percent cheaper. The project shipped on time.",
]


def _answers_file(tmp_path: Path, answers: list[str]) -> Path:
    path = tmp_path / "answers.txt"
    path.write_text("\n\n".join(answers) + "\n")
    return path


def _session_ids(home: Path) -> list[str]:
    result = run_prepai("sessions", "list", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return [s["id"] for s in json.loads(result.stdout)]


@pytest.mark.parametrize("interview_type", TYPE_ORDER)
def test_scripted_interview_of_every_type_is_stored_and_reported(interview_type: str, prepai_home: Path, tmp_path: Path) -> None:
    answers = _answers_file(tmp_path, GENERIC_ANSWERS * 3)
    result = run_prepai("interview", "--type", interview_type, "--answers", str(answers), "--no-tui",
                        "--questions", "3", home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert "Interviewer" in result.stdout
    [session_id] = _session_ids(prepai_home)
    shown = json.loads(run_prepai("sessions", "show", session_id, "--json", home=prepai_home).stdout)
    assert shown["session"]["status"] == "ended"
    turns = shown["turns"]
    candidate_turns = [t for t in turns if t["role"] == "candidate"]
    stored_answers = [t["text"] for t in candidate_turns]
    # Every answer the interviewer consumed is stored verbatim, in order.
    assert stored_answers == [a.strip() for a in (GENERIC_ANSWERS * 3)[: len(stored_answers)]]
    assert turns[0]["kind"] == "intro" and turns[-1]["kind"] == "closing"
    assert any(t["kind"] == "hint" for t in turns), "the 'I don't know' answer should get a hint"

    report = json.loads(run_prepai("report", session_id, "--format", "json", home=prepai_home).stdout)
    assert report["session_id"] == session_id and report["type"] == interview_type
    assert 1 <= len(report["questions"]) <= 3
    for question in report["questions"]:
        assert question["question"] and question["answers"]
        assert question["score"] is not None and 0 <= question["score"] <= 10
    scores = [q["score"] for q in report["questions"]]
    assert report["overall_score"] == pytest.approx(round(sum(scores) / len(scores), 1))


def test_script_running_out_ends_like_the_candidate_ended(prepai_home: Path, tmp_path: Path) -> None:
    answers = _answers_file(tmp_path, GENERIC_ANSWERS[:1])
    result = run_prepai("interview", "--type", "system-design", "--answers", str(answers), "--no-tui", home=prepai_home)
    assert result.returncode == 0, result.stderr
    [session_id] = _session_ids(prepai_home)
    turns = json.loads(run_prepai("sessions", "show", session_id, "--json", home=prepai_home).stdout)["turns"]
    assert turns[-1]["kind"] == "closing" and turns[-1]["meta"]["ended_by_candidate"] is True


def _candidate_turns(db: Path) -> list[str]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM turns WHERE role = 'candidate' ORDER BY idx")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def test_kill_9_mid_interview_loses_no_turn_and_resume_continues(prepai_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PREPAI_HOME": str(prepai_home), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "prepai_cli", "interview", "--type", "behavioral", "--text", "--questions", "4"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    db = prepai_home / "sessions.db"
    assert proc.stdin is not None
    sent = GENERIC_ANSWERS[1], GENERIC_ANSWERS[4]
    for answer in sent:
        proc.stdin.write(answer + "\n")
        proc.stdin.flush()
    deadline = time.monotonic() + 60
    while len(_candidate_turns(db)) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _candidate_turns(db) == list(sent)

    [session_id] = _session_ids(prepai_home)
    answers = _answers_file(tmp_path, GENERIC_ANSWERS[3:4])
    result = run_prepai("interview", "--resume", session_id, "--answers", str(answers), "--no-tui", home=prepai_home)
    assert result.returncode == 0, result.stderr
    turns = json.loads(run_prepai("sessions", "show", session_id, "--json", home=prepai_home).stdout)["turns"]
    assert [t["text"] for t in turns if t["role"] == "candidate"] == [*sent, GENERIC_ANSWERS[3]]
    assert [t["kind"] for t in turns].count("intro") == 1
    assert turns[-1]["kind"] == "closing"
