"""Interview data is private to its user: every folder PrepAI keeps is 0700, every file 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from prepai_cli import privacy
from prepai_cli.audio.sinks import WavFileSink
from prepai_cli.interview.voice import save_wav
from prepai_cli.report.storage import write_atomic
from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai
from tests.test_interviews import GENERIC_ANSWERS


def _modes(root: Path) -> tuple[dict[str, int], dict[str, int]]:
    folders, files = {".": stat.S_IMODE(root.stat().st_mode)}, {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames:
            path = Path(folder, name)
            folders[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
        for name in filenames:
            path = Path(folder, name)
            files[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return folders, files


def _assert_private(root: Path) -> None:
    folders, files = _modes(root)
    assert files, "nothing was written"
    assert {k: oct(v) for k, v in folders.items() if v != 0o700} == {}
    assert {k: oct(v) for k, v in files.items() if v != 0o600} == {}


def test_an_interview_and_its_report_leave_only_private_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # An install from before: folders 0755, a transcript and audio 0644.
    old = home / "sessions" / "old-session"
    old.mkdir(parents=True)
    for path in (home, home / "sessions", old):
        path.chmod(0o755)
    for name in ("turn-001.wav", "report.md"):
        (old / name).write_bytes(b"old data")
        (old / name).chmod(0o644)
    answers = tmp_path / "answers.txt"
    answers.write_text("\n\n".join(GENERIC_ANSWERS[:2]) + "\n")
    done = run_prepai("interview", "--type", "behavioral", "--answers", str(answers), "--no-tui", "--questions", "1",
                      home=home, env={"PREPAI_CONFIG": str(home / "config.toml")})
    assert done.returncode == 0, done.stderr
    listed = run_prepai("sessions", "list", "--json", home=home)
    session_id = __import__("json").loads(listed.stdout)[0]["id"]
    report = run_prepai("report", session_id, "--format", "markdown", "--output", str(home / "exported.md"), home=home)
    assert report.returncode == 0, report.stderr
    assert (home / "sessions.db").exists() and any((home / "sessions").glob(f"{session_id}*/*"))
    _assert_private(home)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Library use without the CLI's umask: the writers must still make their files private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_writers_make_private_files_without_the_cli_umask(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"
    store = SessionStore(data / "sessions.db")
    store.close()
    sink = WavFileSink(data / "sessions" / "s1" / "interviewer.wav", 16000, realtime=False)
    sink.write(np.zeros(1600, dtype=np.int16) + 100)
    sink.close()
    save_wav(data / "sessions" / "s1" / "turn-001.wav", np.full(1600, 0.1, dtype=np.float32))
    write_atomic(data / "sessions" / "s2" / "report.md", "# report\n")
    _assert_private(data)


def test_tighten_fixes_folders_and_files_but_never_follows_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours to change")
    outside.chmod(0o644)
    root = tmp_path / "data"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f").write_text("x")
    (root / "a" / "b" / "f").chmod(0o664)
    (root / "a").chmod(0o775)
    (root / "link").symlink_to(outside)
    privacy.tighten(root)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    (root / "link").unlink()
    _assert_private(root)
