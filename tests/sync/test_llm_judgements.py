"""LLM judgements travel with the session: pushed in session.json, restored by a pull on a new machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepai_cli.store import SessionStore
from prepai_cli.sync.bundle import bundle_bytes, to_bundle
from tests.sync.cli import run_sync
from tests.sync.conftest import BUCKET, USER, make_session
from tests.sync.s3proxy import S3Proxy

JUDGEMENT = {"version": 1, "model": "llama3.2:3b", "judged_by": "llama3.2:3b on Ollama", "question_id": None,
             "score": 7.0, "verdict": "Clear.", "covered": [], "missed": [], "misconceptions": [],
             "judged_at": "2026-12-01T19:00:00+00:00"}


def test_judgements_round_trip_and_unjudged_sessions_keep_their_bytes(
        store: SessionStore, speech_clips: list[Path], proxy: S3Proxy, s3, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(store, speech_clips[:1], report=False)
    turns = store.turns(session.id)
    plain = bundle_bytes(to_bundle(session, turns, {}, None))
    assert b"llm_judgements" not in plain  # as before judgements existed: same bytes, same checksum
    answer = next(t for t in turns if t.role == "candidate")
    store.put_llm_judgement(answer.id, JUDGEMENT)

    result = run_sync()
    assert result.exit_code == 0, result.output
    key = f"users/{USER}/sessions/{session.id}/session.json"
    pushed = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert pushed["llm_judgements"] == {str(answer.index): JUDGEMENT}

    new_home = tmp_path / "other-machine"
    monkeypatch.setenv("PREPAI_HOME", str(new_home))
    result = run_sync("--pull")
    assert result.exit_code == 0, result.output
    restored = SessionStore(new_home / "sessions.db", new_home / "sessions")
    try:
        assert restored.llm_judgements(session.id) == {answer.index: JUDGEMENT}
    finally:
        restored.close()
