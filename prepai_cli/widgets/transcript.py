"""The conversation so far: speaker tags, timestamps, live partials and streamed interviewer text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

_SEGMENT_LABELS = {
    "intro": "Interviewer", "follow_up": "Interviewer · follow-up", "hint": "Interviewer · hint",
    "feedback": "Interviewer", "closing": "Interviewer · closing",
}


def interviewer_label(kind: str, meta: dict[str, Any]) -> str:
    if kind == "question" and meta.get("number"):
        label = f"Interviewer · question {meta['number']}/{meta.get('of', '?')}"
        return f"{label} · {meta['topic']}" if meta.get("topic") else label
    return _SEGMENT_LABELS.get(kind, "Interviewer")


class TranscriptEntry(Static):
    """One utterance. Text is kept as plain strings and rendered as a rich Text, never parsed as markup."""

    DEFAULT_CSS = """
    TranscriptEntry { margin: 0 0 1 0; }
    TranscriptEntry.-partial { text-style: italic; color: $text-muted; }
    TranscriptEntry.-notice { color: $text-muted; }
    """

    def __init__(self, speaker: str, at: datetime, text: str = "", *, role: str, classes: str = "") -> None:
        super().__init__(classes=f"{classes} -{role}".strip())
        self.speaker = speaker
        self.at = at
        self.role = role
        self.body = text
        self.partial = False

    def on_mount(self) -> None:
        self._render_text()

    def set_text(self, text: str, *, partial: bool = False) -> None:
        self.body = text
        self.partial = partial
        self.set_class(partial, "-partial")
        self._render_text()

    def append(self, text: str) -> None:
        self.body += text
        self._render_text()

    def _render_text(self) -> None:
        speaker_style = {"interviewer": "bold cyan", "candidate": "bold magenta"}.get(self.role, "dim")
        line = Text()
        line.append(f"{self.at:%H:%M:%S} ", style="dim")
        line.append(self.speaker, style=speaker_style)
        if self.partial:
            line.append(" (hearing…)", style="dim")
        line.append("\n")
        line.append(self.body.strip() or ("…" if self.role != "notice" else ""))
        self.update(line)


class TranscriptPane(VerticalScroll):
    """Anchored to the bottom while new text arrives; scrolling up releases the anchor until the user returns."""

    DEFAULT_CSS = """
    TranscriptPane { padding: 0 1; }
    """

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._streaming: TranscriptEntry | None = None
        self._partial: TranscriptEntry | None = None

    def on_mount(self) -> None:
        self.anchor()

    @property
    def entries(self) -> list[TranscriptEntry]:
        return list(self.query(TranscriptEntry))

    @property
    def following(self) -> bool:
        """Whether new content keeps the view at the bottom (False after the user scrolled up)."""
        return self._anchored and not self._anchor_released

    def begin_interviewer(self, kind: str, meta: dict[str, Any], at: datetime) -> TranscriptEntry:
        entry = TranscriptEntry(interviewer_label(kind, meta), at, role="interviewer", classes=f"-{kind}")
        self._streaming = entry
        self._mount_entry(entry)
        return entry

    def append_interviewer(self, text: str, at: datetime) -> None:
        if self._streaming is None:
            self.begin_interviewer("feedback", {}, at)
        assert self._streaming is not None
        self._streaming.append(text)

    def end_interviewer(self) -> None:
        self._streaming = None

    def show_partial(self, text: str, at: datetime) -> None:
        if self._partial is None:
            self._partial = TranscriptEntry("You", at, role="candidate")
            self._mount_entry(self._partial)
        self._partial.set_text(text, partial=True)

    def add_candidate(self, text: str, kind: str, source: str, at: datetime) -> TranscriptEntry:
        """The final answer replaces the live partial in place, so the transcript does not jump."""
        label = "You · code" if kind == "code" else ("You · typed" if source == "typed" else "You")
        entry = self._partial
        self._partial = None
        if entry is None:
            entry = TranscriptEntry(label, at, role="candidate")
            self._mount_entry(entry)
        entry.speaker = label
        entry.set_text(f"```\n{text}\n```" if kind == "code" else text)
        return entry

    def add_notice(self, text: str, at: datetime) -> None:
        self._mount_entry(TranscriptEntry("PrepAI", at, text, role="notice", classes="-notice"))

    def _mount_entry(self, entry: TranscriptEntry) -> None:
        # A live partial stays last: interviewer text or a notice arriving mid-answer goes above it.
        if self._partial is not None and entry is not self._partial and self._partial.parent is self:
            self.mount(entry, before=self._partial)
        else:
            self.mount(entry)
