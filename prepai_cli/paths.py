"""Where PrepAI keeps its data and configuration."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

from prepai_cli.errors import PrepAIError

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


class UnusableFolder(PrepAIError):
    """A folder PrepAI must write to cannot be created or written; says why and which setting chose it."""

    def __init__(self, path: Path, error: OSError):
        super().__init__(f"cannot use {path} for PrepAI's data: {os_error_words(error)}{_chosen_by(path)}")


def os_error_words(error: OSError) -> str:
    """errno in words: 'a part of the path is a file, not a folder' rather than '[Errno 20] Not a directory'."""
    where = f" ({error.filename})" if getattr(error, "filename", None) else ""
    words = {
        errno.ENOTDIR: f"a part of the path is a file, not a folder{where}",
        errno.ENOENT: f"the folder cannot be created there{where}",
        errno.EACCES: f"permission denied{where}",
        errno.EPERM: f"the operation is not permitted{where}",
        errno.EROFS: f"the file system is read-only{where}",
        errno.ENOSPC: "the disk is full",
        errno.EEXIST: f"a file is in the way{where}",
        errno.EISDIR: f"it is a folder, not a file{where}",
    }
    return words.get(error.errno or 0, f"{error.strerror or error}{where}")


def _chosen_by(path: Path) -> str:
    home = os.environ.get("PREPAI_HOME")
    if home and (path == Path(home).expanduser() or Path(home).expanduser() in path.parents):
        return f"; it comes from PREPAI_HOME={home}: point it at a folder you can write to"
    return ""


def ensure_folder(path: Path) -> Path:
    """Creates `path` (and parents) or raises UnusableFolder: never a NotADirectoryError traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UnusableFolder(path, exc) from None
    if not path.is_dir():
        raise UnusableFolder(path, NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path)))
    return path
