"""Sound devices that may not exist (containers, CI, a laptop with its lid closed)."""

from __future__ import annotations

from prepai_cli.errors import PrepAIError


class NoAudioDevice(PrepAIError):
    """There is no usable microphone or speaker; callers fall back to typing or to text only."""


def short_reason(error: BaseException) -> str:
    """The first line of an error, short enough for a one-line message."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:100]
