"""Shared fixtures: every test gets its own PrepAI home so nothing touches the user's real data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from prepai_cli.bank import QuestionBank, load_bank
from prepai_cli.store import SessionStore


@pytest.fixture(autouse=True)
def prepai_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "prepai-home"
    monkeypatch.setenv("PREPAI_HOME", str(home))
    monkeypatch.delenv("PREPAI_CONFIG", raising=False)
    for name in ("PREPAI_BRAIN", "PREPAI_QUESTIONS", "PREPAI_MINUTES", "PREPAI_CANDIDATE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def store(prepai_home: Path) -> Iterator[SessionStore]:
    s = SessionStore(prepai_home / "sessions.db", prepai_home / "sessions")
    yield s
    s.close()


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    return load_bank()
