"""Bad input gets one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clihelpers import run_prepai


def _assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unknown_type_lists_valid_ones(prepai_home: Path) -> None:
    result = run_prepai("interview", "--type", "google-swe", "--text", home=prepai_home, stdin="")
    _assert_one_line_error(result, "unknown interview type 'google-swe'", "google-sde", "coding-round")


def test_unknown_session(prepai_home: Path) -> None:
    for args in (("report", "nope"), ("sessions", "show", "nope"), ("interview", "--resume", "nope", "--text")):
        _assert_one_line_error(run_prepai(*args, home=prepai_home, stdin=""), "no session 'nope'")


@pytest.mark.parametrize("make, fragment", [
    (lambda d: d / "missing.txt", "answers file not found"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "latin1.txt", (d / "latin1.txt").write_bytes(b"caf\xe9 \xff\xfe"))[0], "not UTF-8"),
])
def test_unreadable_answers_file(prepai_home: Path, tmp_path: Path, make, fragment: str) -> None:
    path = make(tmp_path)
    result = run_prepai("interview", "--type", "behavioral", "--answers", str(path), "--no-tui", home=prepai_home)
    _assert_one_line_error(result, fragment)


def test_corrupt_database_says_where_and_how(prepai_home: Path) -> None:
    prepai_home.mkdir(parents=True, exist_ok=True)
    db = prepai_home / "sessions.db"
    db.write_bytes(b"garbage" * 1000)
    result = run_prepai("sessions", "list", home=prepai_home)
    _assert_one_line_error(result, str(db), "corrupt", "mv")


def test_bad_config_value_and_key(prepai_home: Path) -> None:
    _assert_one_line_error(run_prepai("config", "set", "audio.silence_ms", "5", home=prepai_home), "audio.silence_ms")
    _assert_one_line_error(run_prepai("config", "set", "nosuch.key", "1", home=prepai_home), "unknown config key")


def test_evaluate_missing_answer_file(prepai_home: Path, tmp_path: Path) -> None:
    result = run_prepai("evaluate", "--type", "behavioral", "--question", "Tell me about a conflict",
                        "--answer-file", str(tmp_path / "none.txt"), home=prepai_home)
    _assert_one_line_error(result, "answer file not found")


def test_unknown_report_format(prepai_home: Path) -> None:
    result = run_prepai("report", "x", "--format", "pdf", home=prepai_home)
    _assert_one_line_error(result, "unknown report format")
