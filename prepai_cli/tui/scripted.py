"""`--answers FILE` in the TUI: the scripted answers take the voice input's place, so the screen shows them
arriving like any other answer and typed answers still work alongside."""

from __future__ import annotations

from pathlib import Path

from prepai_cli.domain import Session
from prepai_cli.interview.console import ScriptedInput
from prepai_cli.tui.bridge import VoiceFeed
from prepai_cli.tui.services import Progress, VoiceFactory, VoiceIO


def scripted_answers(path: Path) -> VoiceFactory:
    """Reads the file now (a bad path fails before the app starts), answers from it during the interview."""
    script = ScriptedInput.from_file(path)

    def build(session: Session, feed: VoiceFeed, progress: Progress) -> VoiceIO:
        progress(f"Reading answers from {path.name}", 1.0)
        return VoiceIO(input=script, output=None, label=f"answers file {path.name}", live=False)

    return build
