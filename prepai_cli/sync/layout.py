"""Bucket layout: <prefix>/<user>/sessions/<session id>/<name>."""

from __future__ import annotations

import re

from pydantic import BaseModel, field_validator

from prepai_cli.config import Settings

SESSION_FILE = "session.json"
MANIFEST_FILE = "manifest.json"
REPORT_FILES = ("report.json", "report.md", "report.html")
# S3 lifecycle rules cannot match users/*/sessions/*/turns/ by prefix, so audio is tagged and the bucket's
# lifecycle rule (infra/parts/storage.py) ages it out by this tag.
AUDIO_TAG_KEY = "prepai-content"
AUDIO_TAG_VALUE = "audio"


class Layout(BaseModel):
    prefix: str
    user: str

    @field_validator("user")
    @classmethod
    def _key_safe(cls, user: str) -> str:
        # A "/" in a user name would shift every key one level down and hide the sessions from --pull.
        return re.sub(r"[^A-Za-z0-9._@-]+", "-", user).strip("-") or "candidate"

    @classmethod
    def for_settings(cls, settings: Settings) -> Layout:
        return cls(prefix=settings.sync.prefix, user=settings.candidate)

    @property
    def sessions_root(self) -> str:
        parts = [p for p in (self.prefix.strip("/"), self.user, "sessions") if p]
        return "/".join(parts) + "/"

    def key(self, session_id: str, name: str) -> str:
        return f"{self.sessions_root}{session_id}/{name}"

    def session_id_of_manifest(self, key: str) -> str | None:
        """The session id if `key` is a session manifest under this layout, else None."""
        if not key.startswith(self.sessions_root) or not key.endswith("/" + MANIFEST_FILE):
            return None
        middle = key[len(self.sessions_root): -len(MANIFEST_FILE) - 1]
        return middle if middle and "/" not in middle else None


def audio_name(turn_index: int) -> str:
    return f"turns/{turn_index}.flac"


def cv_name(sha256: str, suffix: str) -> str:
    return f"cv/{sha256}{suffix.lower()}"
