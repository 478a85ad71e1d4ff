from __future__ import annotations

from pathlib import Path

import pytest

from prepai_cli import paths
from prepai_cli.config import load_settings, set_config_value


def test_precedence_defaults_file_env_flags(prepai_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().audio.silence_ms == 600
    set_config_value("audio.silence_ms", "700")
    set_config_value("questions", "4")
    assert paths.config_file().exists()
    assert load_settings().audio.silence_ms == 700
    monkeypatch.setenv("PREPAI_AUDIO__SILENCE_MS", "800")
    monkeypatch.setenv("PREPAI_QUESTIONS", "6")
    settings = load_settings()
    assert settings.audio.silence_ms == 800 and settings.questions == 6
    assert load_settings(questions=2).questions == 2  # a CLI flag beats everything
    assert load_settings(questions=None).questions == 6  # an absent flag does not


def test_set_writes_typed_values_and_unsets(prepai_home: Path) -> None:
    assert set_config_value("sync.auto", "true") is True
    assert set_config_value("sync.bucket", "my-bucket") == "my-bucket"
    settings = load_settings()
    assert settings.sync.auto is True and settings.sync.bucket == "my-bucket"
    set_config_value("sync.bucket", "none")
    assert load_settings().sync.bucket is None


def test_unreadable_config_and_bad_env_are_one_line_errors(prepai_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    from prepai_cli.errors import PrepAIError

    broken = tmp_path / "latin1.toml"
    broken.write_bytes(b"\xff\xfe brain = 1")
    monkeypatch.setenv("PREPAI_CONFIG", str(broken))
    with pytest.raises(PrepAIError, match="cannot read config file"):
        load_settings()
    monkeypatch.delenv("PREPAI_CONFIG")
    monkeypatch.setenv("PREPAI_AUDIO", "foo")
    with pytest.raises(PrepAIError, match="PREPAI_"):
        load_settings()
