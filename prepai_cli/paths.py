"""Where PrepAI keeps its data and configuration."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "prepai"


def data_home() -> Path:
    """Sessions, audio and reports; `PREPAI_HOME` moves everything (tests and portable installs use it)."""
    override = os.environ.get("PREPAI_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def config_file() -> Path:
    override = os.environ.get("PREPAI_CONFIG")
    if override:
        return Path(override).expanduser()
    if os.environ.get("PREPAI_HOME"):
        return data_home() / "config.toml"
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def database_file() -> Path:
    return data_home() / "sessions.db"


def sessions_dir() -> Path:
    return data_home() / "sessions"


def models_dir() -> Path:
    """Opt-in speech models fetched by `prepai models pull`."""
    return data_home() / "models"
